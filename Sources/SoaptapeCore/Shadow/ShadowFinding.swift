import SoapXML

/// What one shadowed request showed: where the primary's two answers disagreed (noise), and how the candidate's
/// answer differs from the primary's, each difference classed.
public struct ShadowFinding: Sendable {
    /// One candidate difference, classed.
    public struct Classified: Sendable {
        /// The difference (expected: the primary's, actual: the candidate's), credentials scrubbed.
        public var difference: Difference
        /// Its class.
        public var shadowClass: ShadowClass
        /// Why a value is breaking (the primary's schema or type refused it), when that is the reason.
        public var reason: String?
        /// The secondary's value at the same place, when it answered.
        public var secondary: String?
    }

    /// Paths (indexes removed) where the secondary's answer differed from the primary's.
    public var noisePaths: Set<String>
    /// The candidate's differences from the primary, in document order.
    public var differences: [Classified]
    /// The secondary's answer could not be compared (it was unreachable or failed): its reason.
    public var secondaryError: String?
    /// The secondary did not reproduce the primary's answer (another status, or a fault on one side): the candidate
    /// was compared with the secondary's answer, and no noise was learned.
    public var unstable = false

    /// Creates a finding.
    public init(noisePaths: Set<String> = [], differences: [Classified] = [], secondaryError: String? = nil) {
        self.noisePaths = noisePaths
        self.differences = differences
        self.secondaryError = secondaryError
    }

    /// The request's verdict on the inspector page, from this finding alone (the report classes it against all the
    /// noise learned): `equal`, `noise-only` (every difference where the primary's own answers differed) or
    /// `differing`, with the first other difference in a few words.
    public var verdict: (verdict: String, summary: String?) {
        let beyond = differences.filter { !noisePaths.contains(Self.generalPath($0.difference.path)) }
        guard let first = beyond.first else {
            return differences.isEmpty ? ("equal", nil) : ("noise-only", "differs only where the primary's answers did")
        }
        let more = beyond.count > 1 ? " (and \(beyond.count - 1) more)" : ""
        let difference = first.difference
        return ("differing", "\(first.shadowClass.rawValue): \(difference.kind.phrase) at \(difference.path)\(more)")
    }

    /// A difference's path with its `[n]` indexes removed: noise learned at `…/Favourite[2]/Updated` holds for every
    /// `Favourite`.
    public static func generalPath(_ path: String) -> String {
        guard path.contains("[") else { return path }
        var result = ""
        result.reserveCapacity(path.utf8.count)
        var skipping = false
        for character in path {
            if character == "[" { skipping = true } else if character == "]" { skipping = false } else if !skipping {
                result.append(character)
            }
        }
        return result
    }
}
