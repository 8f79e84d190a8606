import Foundation
import SoapXML

/// The operation a request was identified as: its label for reports and its name for the shadow policy.
public struct ShadowOperation: Hashable, Sendable {
    /// `Services86/Favourite/GetFavourites` when a spec names it, else the payload element's local name, else
    /// `GET /path`.
    public var label: String
    /// The payload element's local name (or the spec's operation name); nil for a request that is not SOAP.
    public var name: String?

    /// Creates an identity.
    public init(label: String, name: String?) {
        self.label = label
        self.name = name
    }

    /// Finds the Body's first child in one streaming pass, with no tree (`Redactor.scan`, redacting nothing).
    private static let scanner = Redactor(selectors: [])

    /// The operation of `request`: named by the spec that governs it when there is one.
    public static func of(_ request: HTTPRequestMessage, specs: SpecSet?) -> ShadowOperation {
        guard let element = scanner.scan(request.body)?.bodyFirstChild else { return ShadowOperation(label: "\(request.method) \(request.path)", name: nil) }
        if let spec = specs?.spec(atEndpoint: request.path, requestElement: element)?.spec {
            return ShadowOperation(label: "\(spec.version)/\(spec.agent)/\(spec.operation)", name: spec.operation)
        }
        return ShadowOperation(label: element.localName, name: element.localName)
    }
}

/// Everything a shadow run has seen, counted as it happens, safe to add to from any thread; `report` classes it
/// against the noise learned so far, so a value difference seen before its path proved noisy is not kept as a
/// regression.
public final class ShadowLedger: @unchecked Sendable {
    private let lock = NSLock()
    private var tallies: [String: Tally] = [:]
    private var pending = 0

    /// An empty ledger.
    public init() {}

    /// A client request arrived, identified as `operation`.
    public func seen(_ operation: ShadowOperation) {
        lock.withLock { tally(operation).requests += 1 }
    }

    /// The policy kept the request from the candidate.
    public func notShadowed(_ operation: ShadowOperation) {
        lock.withLock { tally(operation).notShadowed += 1 }
    }

    /// The request was queued to be shadowed.
    public func queued() {
        lock.withLock { pending += 1 }
    }

    /// The primary did not answer a shadowed request: there is nothing to compare with.
    public func notCompared(_ operation: ShadowOperation) {
        lock.withLock {
            pending -= 1
            tally(operation).notShadowed += 1
        }
    }

    /// The shadow queue was full: the request queued last was not shadowed after all.
    public func dropped(_ operation: ShadowOperation) {
        lock.withLock {
            pending -= 1
            tally(operation).dropped += 1
        }
    }

    /// The candidate could not answer a shadowed request: `reason` says why.
    public func candidateFailed(_ operation: ShadowOperation, reason: String, secondaryFailed: Bool) {
        lock.withLock {
            pending -= 1
            let tally = tally(operation)
            tally.shadowed += 1
            tally.candidateErrors += 1
            if secondaryFailed { tally.secondaryErrors += 1 }
            if tally.candidateError == nil { tally.candidateError = reason }
        }
    }

    /// A shadowed request's three answers were compared.
    public func record(_ operation: ShadowOperation, sequence: Int, _ finding: ShadowFinding) {
        lock.withLock {
            pending -= 1
            let tally = tally(operation)
            tally.shadowed += 1
            if finding.secondaryError != nil { tally.secondaryErrors += 1 }
            if finding.unstable { tally.unstable += 1 }
            for path in finding.noisePaths { tally.noise[path, default: 0] += 1 }
            var signature: [Key] = []
            for item in finding.differences {
                let key = Key(path: ShadowFinding.generalPath(item.difference.path), kind: item.difference.kind,
                              shadowClass: item.shadowClass)
                if !signature.contains(key) { signature.append(key) }
                if tally.differences[key] == nil {
                    tally.order.append(key)
                    tally.differences[key] = Entry(
                        reason: item.reason,
                        first: ShadowExample(sequence: sequence, path: item.difference.path,
                                             primary: Self.shown(item.difference.expected),
                                             secondary: Self.shown(item.secondary),
                                             candidate: Self.shown(item.difference.actual)))
                }
            }
            // Counted once per request, however many items of an array showed it.
            for key in signature { tally.differences[key]!.count += 1 }
            tally.signatures[signature, default: 0] += 1
        }
    }

    /// The report as things stand: every operation, its noise, and its differences classed against the noise.
    public func report(command: String, primary: String, candidate: String, secondary: String?, mappings: [String],
                       policy: ShadowPolicy, failOnAny: Bool, startedAt: String,
                       finishedAt: String = Date().iso8601Milliseconds) -> ShadowReport {
        lock.withLock {
            var summary = ShadowSummary()
            summary.pending = pending
            var operations: [ShadowOperationReport] = []
            for label in tallies.keys.sorted() {
                let tally = tallies[label]!
                var entry = ShadowOperationReport(operation: label, name: tally.name)
                entry.requests = tally.requests
                entry.shadowed = tally.shadowed
                entry.notShadowed = tally.notShadowed
                entry.dropped = tally.dropped
                entry.candidateErrors = tally.candidateErrors
                entry.candidateError = tally.candidateError
                entry.secondaryErrors = tally.secondaryErrors
                entry.unstable = tally.unstable
                // A path is noise for a difference when the primary's two answers differed there at least half as
                // often as the candidate's did: a timestamp differs every time on both sides; a value a write changed
                // once between the calls does not excuse a candidate that differs there every time.
                func absorbed(_ key: Key) -> Bool {
                    guard let noise = tally.noise[key.path], ShadowComparison.learnable.contains(key.kind),
                        noise * 2 >= tally.differences[key]!.count
                    else { return false }
                    // A value the primary's type or schema refuses stays breaking, noisy place or not.
                    return !(key.shadowClass == .breaking && (key.kind == .textValue || key.kind == .attributeValue))
                }
                var absorbedAt: [String: Int] = [:]
                for key in tally.order {
                    let found = tally.differences[key]!
                    if absorbed(key) {
                        absorbedAt[key.path, default: 0] += found.count
                        continue
                    }
                    entry.differences.append(ShadowDifference(
                        path: key.path, kind: key.kind.rawValue, shadowClass: key.shadowClass, count: found.count,
                        reason: found.reason, hint: key.shadowClass.hint, first: found.first))
                    switch key.shadowClass {
                    case .breaking: summary.breaking += 1
                    case .additive: summary.additive += 1
                    case .value: summary.value += 1
                    }
                }
                entry.noise = tally.noise.keys.sorted().map {
                    ShadowNoise(path: $0, count: tally.noise[$0]!, candidateCount: absorbedAt[$0] ?? 0)
                }
                for (signature, count) in tally.signatures {
                    if signature.isEmpty {
                        entry.equal += count
                    } else if signature.allSatisfy(absorbed) {
                        entry.noiseOnly += count
                    } else {
                        entry.differing += count
                    }
                }
                let fails = entry.candidateErrors > 0 || entry.differences.contains {
                    $0.shadowClass != .additive || failOnAny
                }
                entry.verdict = fails ? "failed" : "passed"
                summary.requests += entry.requests
                summary.shadowed += entry.shadowed
                summary.notShadowed += entry.notShadowed
                summary.equal += entry.equal
                summary.noiseOnly += entry.noiseOnly
                summary.differing += entry.differing
                summary.dropped += entry.dropped
                summary.candidateErrors += entry.candidateErrors
                summary.secondaryErrors += entry.secondaryErrors
                summary.unstable += entry.unstable
                if fails { summary.result = "failed" }
                operations.append(entry)
            }
            return ShadowReport(command: command, primary: primary, candidate: candidate, secondary: secondary,
                                mappings: mappings, policy: policy.summary, failOn: failOnAny ? "any" : "breaking",
                                startedAt: startedAt, finishedAt: finishedAt, summary: summary, operations: operations)
        }
    }

    /// A value as a report shows it: at most 200 characters.
    private static func shown(_ value: String?) -> String? {
        guard let value, value.count > 200 else { return value }
        return String(value.prefix(200)) + "…"
    }

    private func tally(_ operation: ShadowOperation) -> Tally {
        if let tally = tallies[operation.label] { return tally }
        let tally = Tally(name: operation.name)
        tallies[operation.label] = tally
        return tally
    }

    /// A difference as counted: where (indexes removed), what, and its class.
    private struct Key: Hashable {
        var path: String
        var kind: DifferenceKind
        var shadowClass: ShadowClass
    }

    private struct Entry {
        var count = 0
        var reason: String?
        var first: ShadowExample
    }

    private final class Tally {
        let name: String?
        var requests = 0
        var shadowed = 0
        var notShadowed = 0
        var dropped = 0
        var candidateErrors = 0
        var candidateError: String?
        var secondaryErrors = 0
        var unstable = 0
        /// Noise paths and how many requests showed each.
        var noise: [String: Int] = [:]
        var differences: [Key: Entry] = [:]
        var order: [Key] = []
        /// Each shadowed request's set of differences, counted: what makes equal, noise-only and differing.
        var signatures: [[Key]: Int] = [:]

        init(name: String?) { self.name = name }
    }
}
