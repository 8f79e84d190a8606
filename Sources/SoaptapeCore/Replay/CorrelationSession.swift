import Foundation
import SoapXML

/// One replay of one cassette under a `CorrelationPlan`: the live values learned so far, put into the later
/// requests before they are sent and into the later expectations before answers are compared. Live secrets are
/// kept here only, in memory, for the requests that need them; reports see `${redacted}`.
public final class CorrelationSession: @unchecked Sendable {
    /// The plan followed.
    public let plan: CorrelationPlan
    private let lock = NSLock()
    private var live: [Int: String] = [:]
    private var secrets: [String: String] = [:]

    /// A session following `plan`, nothing learned yet.
    public init(plan: CorrelationPlan) { self.plan = plan }

    /// The live secrets learned so far, by element name (`Ticket`): values for the `${redacted}` of later requests.
    public var secretValues: [String: String] { lock.withLock { secrets } }

    /// The recorded request body of the interaction at `position`, with the live values known so far in place of
    /// the recorded ones.
    public func request(_ position: Int, body: [UInt8]) -> [UInt8] {
        substitute(plan.requestTargets[position], in: body)
    }

    /// The recorded response body of the interaction at `position`, with the live values in place of the recorded
    /// ones: those carried from earlier answers, and those this answer assigned (learn it first). What the live
    /// answer is compared with.
    public func expectedResponse(_ position: Int, body: [UInt8]) -> [UInt8] {
        substitute((plan.responseTargets[position] ?? []) + assignedHere(position), in: body)
    }

    /// The places of the values the answer at `position` assigned, each its own source.
    private func assignedHere(_ position: Int) -> [CorrelationPlan.Target] {
        (plan.learned[position] ?? []).filter { !plan.sources[$0].secret }
            .map { CorrelationPlan.Target(path: plan.sources[$0].path, source: $0) }
    }

    /// Learns the values the live answer to the interaction at `position` gives: each source's live value is the
    /// text at the recorded path in the live body (missing when the answer has nothing there).
    public func learn(_ position: Int, liveBody: [UInt8]) {
        guard let sources = plan.learned[position], !sources.isEmpty else { return }
        let leaves = CorrelationPlan.envelopeLeaves(liveBody)
        var byPath: [String: String] = [:]
        for leaf in leaves { byPath[leaf.path] = leaf.text }
        lock.withLock {
            for index in sources {
                let source = plan.sources[index]
                guard let value = byPath[source.path], !value.isEmpty else { continue }
                if source.secret { secrets[source.name] = value } else { live[index] = value }
            }
        }
    }

    /// The live answer to the interaction at `position` as the cassette should keep it (`replay --update`): each
    /// correlated value put back to its recorded value, so that the cassette stays one consistent conversation and
    /// its diff shows only what the server changed. Secrets are left for the redactor.
    public func recordedForm(_ position: Int, liveBody: [UInt8]) -> [UInt8] {
        let targets = assignedHere(position) + (plan.responseTargets[position] ?? [])
        guard !targets.isEmpty else { return liveBody }
        let leaves = CorrelationPlan.envelopeLeaves(liveBody)
        var byPath: [String: XMLLeaf] = [:]
        for leaf in leaves { byPath[leaf.path] = leaf }
        let replacements: [(leaf: XMLLeaf, value: String)] = lock.withLock {
            targets.compactMap { target in
                guard let leaf = byPath[target.path], leaf.text == live[target.source] else { return nil }
                return (leaf, plan.sources[target.source].recorded)
            }
        }
        return XMLLeaves.replacing(liveBody, replacements)
    }

    /// Every correlation of the plan, with the live value it took (`${redacted}` for secrets), for reports.
    public func report() -> [ReportCorrelation] {
        lock.withLock {
            plan.sources.enumerated().map { index, source in
                ReportCorrelation(
                    name: source.name, recorded: source.recorded,
                    live: source.secret ? (secrets[source.name] == nil ? nil : Redactor.placeholder) : live[index],
                    sequence: source.sequence, operation: source.operation, path: XMLLeaves.readable(source.path),
                    usedIn: source.usedIn, secret: source.secret)
            }
        }
    }

    private func substitute(_ targets: [CorrelationPlan.Target]?, in body: [UInt8]) -> [UInt8] {
        guard let targets, !targets.isEmpty else { return body }
        let values: [Int: String] = lock.withLock { live }
        let wanted = targets.filter { values[$0.source] != nil }
        guard !wanted.isEmpty else { return body }
        var byPath: [String: XMLLeaf] = [:]
        for leaf in CorrelationPlan.envelopeLeaves(body) { byPath[leaf.path] = leaf }
        let replacements = wanted.compactMap { target -> (leaf: XMLLeaf, value: String)? in
            guard let leaf = byPath[target.path], let value = values[target.source] else { return nil }
            return (leaf, value)
        }
        return XMLLeaves.replacing(body, replacements)
    }
}
