import AsyncHTTPClient
import Foundation
import NIOCore
import SoapXML
import SoaptapeCore

/// The candidate side of `replay --candidate`: where the shadowed requests also go, and how the answers compare.
public struct ShadowTargets: Sendable {
    /// The candidate's base URL.
    public var candidate: String
    /// The secondary's base URL; nil asks the target a second time.
    public var secondary: String?
    /// Which recorded requests are shadowed.
    public var policy: ShadowPolicy
    /// How the answers are compared and classed (its namespace rewrites are the candidate's).
    public var comparison: ShadowComparison
    /// Path rewrites for the candidate.
    public var paths: [ReplayRequest.Rewrite]

    /// Targets for a candidate and an optional secondary.
    public init(candidate: String, secondary: String?, policy: ShadowPolicy, comparison: ShadowComparison,
                paths: [ReplayRequest.Rewrite]) {
        func trimmed(_ url: String) -> String { url.hasSuffix("/") ? String(url.dropLast()) : url }
        self.candidate = trimmed(candidate)
        self.secondary = secondary.map(trimmed)
        self.policy = policy
        self.comparison = comparison
        self.paths = paths
    }
}

extension ReplayRunner {
    /// The CI form of `shadow`: each cassette's recorded requests sent in order to the target (the primary), with
    /// the values it assigns carried forward as `run` carries them; the requests the policy allows also go to the
    /// secondary (or the target again) and to the candidate, and the three answers are compared into `ledger`.
    /// The recordings' own answers are not compared: the primary's live answer is the reference. Returns the
    /// requests the target did not answer (they are neither compared nor shadowed) and the first reason.
    @discardableResult
    public func runShadow(_ cassettes: [(name: String, cassette: Cassette)], targets: ShadowTargets,
                          ledger: ShadowLedger, specs: SpecSet?,
                          progress: @escaping @Sendable (Int, Int, String) -> Void = { _, _, _ in }) async
        -> (unanswered: Int, reason: String?)
    {
        var unanswered = 0
        var reason: String?
        let sender = ShadowSender(timeout: timeout, maximumBodySize: 64 << 20, certificateAuthority: certificateAuthority)
        let total = cassettes.reduce(0) { $0 + $1.cassette.interactions.count }
        var done = 0
        for (_, cassette) in cassettes {
            let interactions = cassette.interactions
            let session = CorrelationSession(plan: CorrelationPlan(interactions, automatic: automaticCorrelation,
                                                                   rules: correlationRules))
            for (position, recorded) in interactions.enumerated() {
                var interaction = recorded
                interaction.request.body = session.request(position, body: recorded.request.body)
                // Requests go to the primary as recorded: the maps are the candidate's.
                let built = ReplayRequest(interaction, filler: filler.adding(session.secretValues), namespaces: [],
                                          paths: [])
                let operation = ShadowOperation.of(built.message, specs: specs)
                ledger.seen(operation)
                let primary = await sender.send(built.message, to: target)
                done += 1
                progress(done, total, operation.label)
                let answer: HTTPResponseMessage
                switch primary {
                case .success(let received):
                    answer = received
                case .failure(let failure):
                    unanswered += 1
                    if reason == nil { reason = failure.reason }
                    ledger.notShadowed(operation)
                    continue
                }
                session.learn(position, liveBody: answer.body)
                guard targets.policy.shadows(operation.name) else {
                    ledger.notShadowed(operation)
                    continue
                }
                ledger.queued()
                let candidateRequest = ShadowRequest.candidate(built.message, namespaces: targets.comparison.namespaces,
                                                               paths: targets.paths)
                async let secondaryAnswer = sender.send(built.message, to: targets.secondary ?? target)
                async let candidateAnswer = sender.send(candidateRequest, to: targets.candidate)
                let (secondary, candidate) = await (secondaryAnswer, candidateAnswer)
                switch candidate {
                case .failure(let failure):
                    ledger.candidateFailed(operation, reason: failure.reason,
                                           secondaryFailed: (try? secondary.get()) == nil)
                case .success(let candidateAnswer):
                    var finding = targets.comparison.compare(request: built.message, primary: answer,
                                                             secondary: try? secondary.get(), candidate: candidateAnswer)
                    if case .failure(let failure) = secondary { finding.secondaryError = failure.reason }
                    if ShadowComparison.needsSettling(finding), ShadowPolicy().shadows(operation.name),
                        case .success(let late) = await sender.send(built.message, to: targets.secondary ?? target)
                    {
                        finding = targets.comparison.settle(finding, request: built.message, primary: answer,
                                                            candidate: candidateAnswer, late: late)
                    }
                    ledger.record(operation, sequence: recorded.sequence, finding)
                }
            }
        }
        await sender.shutdown()
        return (unanswered, reason)
    }
}
