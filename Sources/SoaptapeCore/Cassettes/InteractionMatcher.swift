import Foundation
import SoapXML

/// Finds the recorded interaction for a live request: same method, endpoint and payload element, and a body
/// equal under the comparison rules (the spec's, when one matches; `${redacted}` values match anything).
/// Identical requests get their recordings in recorded order. Interactions are indexed by that key, so a
/// request never scans every recording.
public final class InteractionMatcher: @unchecked Sendable {
    /// The outcome of matching one request.
    public enum Outcome: Sendable {
        /// The next unused recording of this request.
        case matched(Interaction)
        /// Every recording of this request has been used; the last one is given.
        case exhausted(Interaction)
        /// No recording matches; the nearest one of the same operation (or endpoint), with the differences.
        case unmatched(nearest: Interaction?, differences: [Difference])
    }

    /// Everything known about one request: the recordings equal to it, or the nearest one.
    public struct Lookup: Sendable {
        /// Indices of the recordings equal to the request, in recorded order.
        public var equal: [Int]
        /// When none is equal: the nearest recording of the same operation (else endpoint), and how the request
        /// differs from it.
        public var nearest: Int?
        /// The differences from `nearest` (expected = recorded, actual = the request).
        public var differences: [Difference]
        /// The request parsed, when it is XML.
        public var document: XMLDocument?
        /// How many comparisons with recordings the lookup made (what a request cost).
        public var compared = 0
    }

    private struct Entry {
        var interaction: Interaction
        var document: XMLDocument?
        var comparator: XMLComparator
    }

    /// The recordings of one method, endpoint and payload element, with their value fingerprints.
    private struct Bucket {
        var indices: [Int] = []
        /// Paths the fingerprint passes over: placeholders, optional and repeating elements of any recording.
        var skipped = Set<UInt64>()
        var byFingerprint: [UInt64: [Int]] = [:]
        var rules = FingerprintRules(skipping: [])
        /// True when a request equal to a recording surely has its fingerprint (every rule a local-name path),
        /// so a miss needs no comparison with each recording.
        var exact = false
    }

    private let entries: [Entry]
    private let buckets: [String: Bucket]
    private let byEndpoint: [String: [Int]]
    private let lock = NSLock()
    private var used = Set<Int>()
    /// The most recordings compared when looking for the nearest one to an unmatched request.
    private let nearestSearchLimit: Int

    /// Indexes `interactions`, using `specs` for each operation's comparison rules; `ignore` adds rules of the
    /// user's for every operation. An unmatched request is compared with at most `nearestSearchLimit` recordings
    /// when the nearest is sought, so that a stray request costs little however large the cassette.
    public init(_ interactions: [Interaction], specs: SpecSet? = nil, ignore: [XPathSelector] = [],
                nearestSearchLimit: Int = 1000) {
        self.nearestSearchLimit = nearestSearchLimit
        var entries: [Entry] = []
        var buckets: [String: Bucket] = [:]
        var byEndpoint: [String: [Int]] = [:]
        // Every recording is held parsed; one name table for all of them saves a dictionary per document.
        let names = XMLNameTable()
        for interaction in interactions {
            let document = try? XMLDocument(bytes: interaction.request.body, name: "recorded request", names: names)
            var options = ComparisonOptions()
            if let element = document?.bodyFirstChild,
                let spec = specs?.spec(atEndpoint: interaction.request.path, requestElement: element)
            {
                options = spec.recordingOptions
            }
            options.ignore += PerMessageHeaders.ignored + ignore
            let index = entries.count
            entries.append(Entry(interaction: interaction, document: document, comparator: XMLComparator(options: options)))
            let key = Self.key(method: interaction.request.method, path: interaction.request.path, document: document,
                               body: interaction.request.body)
            buckets[key, default: Bucket()].indices.append(index)
            if let document {
                buckets[key]!.skipped.formUnion(document.placeholderValuePaths())
                buckets[key]!.skipped.formUnion(document.selectedElementPaths(options.optional + options.repeating))
            }
            byEndpoint[SoapMessage.endpointKey(interaction.request.path), default: []].append(index)
        }
        // Fingerprints, once every skipped path of a bucket is known. A bucket whose recordings follow different
        // rules is not fingerprinted: its requests are compared with each recording.
        for key in buckets.keys {
            var bucket = buckets[key]!
            func rules(_ index: Int) -> [String] {
                let options = entries[index].comparator.options
                return [options.ignore, options.unordered, options.optional, options.repeating]
                    .map { $0.map(\.expression).joined(separator: "\u{0}") }
                    + [options.whitespace.rawValue] + options.qnameAttributes.map(\.description)
            }
            if Set(bucket.indices.map(rules)).count == 1, let first = bucket.indices.first {
                let options = entries[first].comparator.options
                bucket.rules = FingerprintRules(skipping: bucket.skipped, ignoring: options.ignore,
                                                whitespace: options.whitespace, qnameAttributes: options.qnameAttributes)
                bucket.exact = (options.ignore + options.unordered + options.optional + options.repeating)
                    .allSatisfy(\.isLocalNamePath) && bucket.indices.allSatisfy { entries[$0].document != nil }
                for index in bucket.indices {
                    guard let document = entries[index].document else { continue }
                    bucket.byFingerprint[document.valueFingerprint(bucket.rules), default: []].append(index)
                }
            }
            buckets[key] = bucket
        }
        self.entries = entries
        self.buckets = buckets
        self.byEndpoint = byEndpoint
    }

    /// The interaction at `index` (as given to `init`).
    public func interaction(at index: Int) -> Interaction { entries[index].interaction }

    /// How many recordings are indexed.
    public var count: Int { entries.count }

    static func key(method: String, path: String, document: XMLDocument?, body: [UInt8]) -> String {
        if let element = document?.bodyFirstChild {
            return "\(method) \(SoapMessage.endpointKey(path)) \(element)"
        }
        // Not SOAP (a WSDL request, say): the whole path and body are the key.
        return "\(method) \(path.lowercased()) \(body.count):\(body.hashValue)"
    }

    /// The recordings equal to `request`, or the nearest one with the differences. Marks nothing used.
    public func lookup(_ request: HTTPRequestMessage) -> Lookup {
        let document = try? XMLDocument(bytes: request.body, name: "request")
        let key = Self.key(method: request.method, path: request.path, document: document, body: request.body)
        let bucket = buckets[key]
        let candidates = bucket?.indices ?? []
        func equal(_ indices: [Int]) -> [Int] {
            // Fields are read in place: copying an entry would retain every string of its interaction.
            indices.filter { index in
                if let recorded = entries[index].document, let document {
                    return entries[index].comparator.isEqual(recorded, document)
                }
                return entries[index].document == nil && entries[index].interaction.request.body == request.body
            }
        }
        var found: [Int] = []
        var compared = 0
        // The fingerprint names the likely recordings. A miss is final when the bucket's fingerprint is exact;
        // otherwise it falls back to comparing each of the operation's recordings.
        var missIsFinal = false
        if let bucket, let document, !bucket.byFingerprint.isEmpty {
            let named = bucket.byFingerprint[document.valueFingerprint(bucket.rules)] ?? []
            compared += named.count
            found = equal(named)
            missIsFinal = bucket.exact
        }
        if found.isEmpty && !missIsFinal {
            compared += candidates.count
            found = equal(candidates)
        }
        if !found.isEmpty {
            return Lookup(equal: found, nearest: nil, differences: [], document: document, compared: compared)
        }
        // The nearest recording: same operation first, else same endpoint. One difference is as near as an unequal
        // recording gets, so the search stops there, or after `nearestSearchLimit` comparisons.
        let pool = candidates.isEmpty ? byEndpoint[SoapMessage.endpointKey(request.path)] ?? [] : candidates
        var best: (Int, Int)?
        if let document {
            var searched = 0
            for index in pool {
                guard let recorded = entries[index].document else { continue }
                let count = entries[index].comparator.differenceCount(recorded, document, limit: best?.1 ?? .max)
                if best == nil || count < best!.1 { best = (index, count) }
                searched += 1
                if best!.1 <= 1 || searched >= nearestSearchLimit { break }
            }
            compared += searched
        }
        guard let (index, _) = best, let recorded = entries[index].document, let document else {
            return Lookup(equal: [], nearest: pool.first, differences: [], document: document, compared: compared)
        }
        let differences = entries[index].comparator.compare(recorded, document).differences
        return Lookup(equal: [], nearest: index, differences: differences, document: document, compared: compared + 1)
    }

    /// The canonical forms of the recording at `index` and of `document`, under that recording's rules.
    public func canonicalForms(recording index: Int, request document: XMLDocument) -> (expected: String, actual: String)? {
        guard let recorded = entries[index].document else { return nil }
        let forms = CanonicalPrinter(options: entries[index].comparator.options).print([recorded, document])
        return (forms[0], forms[1])
    }

    /// Matches `request` and marks the recording used.
    public func match(_ request: HTTPRequestMessage) -> Outcome {
        let found = lookup(request)
        if !found.equal.isEmpty {
            return lock.withLock {
                if let next = found.equal.first(where: { !used.contains($0) }) {
                    used.insert(next)
                    return .matched(entries[next].interaction)
                }
                return .exhausted(entries[found.equal.last!].interaction)
            }
        }
        return .unmatched(nearest: found.nearest.map { entries[$0].interaction }, differences: found.differences)
    }

    /// Recordings never used so far.
    public var unused: [Interaction] {
        lock.withLock { entries.indices.filter { !used.contains($0) }.map { entries[$0].interaction } }
    }
}
