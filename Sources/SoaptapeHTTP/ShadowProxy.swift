import Foundation
import NIOCore
import NIOHTTP1
import SoapXML
import SoaptapeCore

/// `shadow`: a reverse proxy whose clients are answered by the primary, unchanged and at its pace, while each
/// request the policy allows is also sent — by workers off the client's path; a read as soon as it arrives, so
/// that all three servers see the same state — to a secondary (the primary's version again: where its answer differs from
/// the primary's is noise) and to a candidate (another version, mapped). The differences are counted in a
/// `ShadowLedger`, readable while it runs at `GET /__soaptape/shadow`.
public final class ShadowProxy: Sendable {
    /// Where to send what, and how to compare.
    public struct Configuration: Sendable {
        /// The primary's base URL: clients get its answers.
        public var primary: String
        /// The candidate's base URL.
        public var candidate: String
        /// The secondary's base URL; nil asks the primary a second time.
        public var secondary: String?
        /// Namespace rewrites for the candidate (also applied to its action), `Services86` → `Services88`.
        public var namespaces: [ReplayRequest.Rewrite] = []
        /// Path rewrites for the candidate.
        public var paths: [ReplayRequest.Rewrite] = []
        /// Which requests are shadowed.
        public var policy = ShadowPolicy()
        /// How the answers are compared and classed.
        public var comparison = ShadowComparison()
        /// Shadowed requests that may wait for a worker; more are dropped (and counted).
        public var queueLimit = 1000
        /// Shadowed requests in flight at once.
        public var workers = 8
        /// The longest a shadow call may take.
        public var timeout: TimeAmount = .seconds(30)
        /// A PEM file of certificates to trust for https targets.
        public var certificateAuthority: String?
        /// The largest answer read from a shadow target.
        public var maximumBodySize = 64 << 20
        /// Additive differences fail too (`--fail-on any`).
        public var failOnAny = false

        /// Settings for these three targets (trailing slashes dropped).
        public init(primary: String, candidate: String, secondary: String?) {
            func trimmed(_ url: String) -> String { url.hasSuffix("/") ? String(url.dropLast()) : url }
            self.primary = trimmed(primary)
            self.candidate = trimmed(candidate)
            self.secondary = secondary.map(trimmed)
        }
    }

    /// The path of the live report.
    public static let reportPath = "/__soaptape/shadow"

    /// What the run has seen so far.
    public let ledger: ShadowLedger
    /// The interactions the inspector page lists (the primary's exchanges, redacted).
    public let inspector: InspectorLog
    /// The inspector's routes (the page, and the token it needs off loopback).
    public let routes: InspectorRoutes?
    private let configuration: Configuration
    private let forwarder: RecordingProxy
    private let dispatch: ShadowDispatch
    private let startedAt = Date().iso8601Milliseconds

    /// A shadow proxy forwarding to the primary as `recording` says (its cassette writer, if any, keeps the
    /// primary's interactions as `record` would), identifying operations by `specs`, listing the primary's exchanges
    /// on the inspector page of `routes`.
    public init(configuration: Configuration, recording: RecordingProxy.Configuration, writer: CassetteWriter?,
                specs: SpecSet?, routes: InspectorRoutes? = nil) throws {
        self.configuration = configuration
        let ledger = ShadowLedger()
        self.ledger = ledger
        let inspector = routes?.log ?? InspectorLog(command: "shadow", specs: specs)
        self.inspector = inspector
        dispatch = ShadowDispatch(configuration: configuration, ledger: ledger, specs: specs, inspector: inspector)
        self.routes = routes
        var recording = recording
        recording.mode = .all
        forwarder = try RecordingProxy(configuration: recording, writer: writer, matcher: nil, specs: specs)
    }

    /// Answers one client request on `loop`: the live report at `GET /__soaptape/shadow`, else the primary's answer;
    /// a shadowed request is queued for the secondary and the candidate as it arrives, and compared once the
    /// primary's answer is in too.
    public func respond(to received: ReceivedRequest, on loop: EventLoop,
                        _ answer: @escaping @Sendable (OutgoingResponse) -> Void) {
        let uri = received.head.uri
        if InspectorRoutes.owns(uri) {
            let headers = received.head.headers.map { ($0.name, $0.value) }
            if let routes, let page = routes.answer(method: received.head.method.rawValue, uri: uri, headers: headers) {
                return answer(OutgoingResponse(page))
            }
            if received.head.method == .GET, uri == Self.reportPath || uri.hasPrefix(Self.reportPath + "?") {
                if let refusal = routes?.refusal(uri: uri, headers: headers) { return answer(OutgoingResponse(refusal)) }
                return answer(liveReport(accept: received.head.headers.first(name: "Accept") ?? ""))
            }
        }
        let request = received.message
        let started = ContinuousClock.now
        let (primary, sequence) = dispatch.arrive(request)
        let inspector = inspector
        forwarder.respond(to: received, on: loop, then: { response in
            // Listed before the comparison can start (it waits for this answer), so that its verdict finds the entry.
            if let response {
                let elapsed = ContinuousClock.now - started
                inspector.add(request, response, milliseconds: elapsed.milliseconds, verdict: primary == nil ? "not-shadowed" : "shadowed", sequence: sequence)
            }
            primary?.fulfil(response)
        }, answer)
    }

    /// The report so far.
    public func report() -> ShadowReport {
        var mappings = configuration.namespaces.map { "namespace \($0.from) → \($0.to)" }
        mappings += configuration.paths.map { "path \($0.from) → \($0.to)" }
        return ledger.report(command: "shadow", primary: configuration.primary, candidate: configuration.candidate,
                             secondary: configuration.secondary, mappings: mappings, policy: configuration.policy,
                             failOnAny: configuration.failOnAny, startedAt: startedAt)
    }

    private func liveReport(accept: String) -> OutgoingResponse {
        let report = report()
        let json = accept.lowercased().contains("application/json")
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: json ? "application/json" : "text/html; charset=utf-8")
        headers.add(name: "Cache-Control", value: "no-store")
        return OutgoingResponse(status: .ok, headers: headers,
                                body: ByteBuffer(string: json ? report.json() : report.html()))
    }

    /// Stops forwarding, then finishes the shadow work already queued.
    public func shutdown() async {
        await forwarder.shutdown()
        await dispatch.finish()
    }
}

/// The shadow side of the proxy: identifies each request as it arrives, queues the ones the policy allows, and has
/// workers send them to the secondary and the candidate and compare the three answers.
final class ShadowDispatch: Sendable {
    private struct Job: Sendable {
        var operation: ShadowOperation
        var sequence: Int
        var request: HTTPRequestMessage
        var primary: PrimaryAnswer
    }

    private let configuration: ShadowProxy.Configuration
    private let ledger: ShadowLedger
    private let specs: SpecSet?
    private let inspector: InspectorLog
    private let sender: ShadowSender
    private let queue: ShadowQueue<Job>
    private let counter = SequenceCounter()

    init(configuration: ShadowProxy.Configuration, ledger: ShadowLedger, specs: SpecSet?, inspector: InspectorLog) {
        self.configuration = configuration
        self.ledger = ledger
        self.specs = specs
        self.inspector = inspector
        let sender = ShadowSender(timeout: configuration.timeout, maximumBodySize: configuration.maximumBodySize,
                                  certificateAuthority: configuration.certificateAuthority)
        self.sender = sender
        queue = ShadowQueue(limit: configuration.queueLimit, workers: configuration.workers) { job in
            await Self.run(job, configuration: configuration, sender: sender, ledger: ledger, inspector: inspector)
        }
    }

    /// A client request arrived: numbered, counted, and — when the policy shadows it and the queue has room —
    /// queued. The returned box is where the primary's answer goes once the client has it; nil when it is not
    /// shadowed.
    func arrive(_ request: HTTPRequestMessage) -> (primary: PrimaryAnswer?, sequence: Int) {
        let operation = ShadowOperation.of(request, specs: specs)
        let sequence = counter.next()
        ledger.seen(operation)
        guard configuration.policy.shadows(operation.name) else {
            ledger.notShadowed(operation)
            return (nil, sequence)
        }
        let primary = PrimaryAnswer()
        ledger.queued()
        guard queue.offer(Job(operation: operation, sequence: sequence, request: request, primary: primary)) else {
            ledger.dropped(operation)
            return (nil, sequence)
        }
        return (primary, sequence)
    }

    /// Finishes the queued work.
    func finish() async {
        await queue.finish()
        await sender.shutdown()
    }

    private static func run(_ job: Job, configuration: ShadowProxy.Configuration, sender: ShadowSender,
                            ledger: ShadowLedger, inspector: InspectorLog) async {
        // A read leaves at once, to find all three servers in the same state; anything else shadowed (--shadow,
        // --shadow-all) only once the primary has answered, so that its copies never overtake the client's own.
        let reads = ShadowPolicy().shadows(job.operation.name)
        let answered = reads ? nil : await job.primary.value()
        if !reads && answered == nil { return ledger.notCompared(job.operation) }
        let candidateRequest = ShadowRequest.candidate(job.request, namespaces: configuration.namespaces,
                                                       paths: configuration.paths)
        async let secondaryAnswer = sender.send(ShadowRequest.secondary(job.request),
                                                to: configuration.secondary ?? configuration.primary)
        async let candidateAnswer = sender.send(candidateRequest, to: configuration.candidate)
        let (secondary, candidate) = await (secondaryAnswer, candidateAnswer)
        guard var primary = reads ? await job.primary.value() : answered else { return ledger.notCompared(job.operation) }
        if let encoding = primary.headers.first(where: { $0.name.equalsIgnoringCase("Content-Encoding") })?.value
            .trimmingCharacters(in: .whitespaces).lowercased(),
            ContentDecoding.decodable.contains(encoding), let decoded = ContentDecoding.decode(primary.body)
        {
            primary.body = decoded
        }
        switch candidate {
        case .failure(let failure):
            ledger.candidateFailed(job.operation, reason: failure.reason, secondaryFailed: (try? secondary.get()) == nil)
            inspector.update(job.sequence, verdict: "candidate-failed", summary: failure.reason)
        case .success(let answer):
            var finding = configuration.comparison.compare(request: job.request, primary: primary,
                                                           secondary: try? secondary.get(), candidate: answer)
            if case .failure(let failure) = secondary { finding.secondaryError = failure.reason }
            // A read the candidate answered differently is read once more from the primary's version: a write the
            // client made meanwhile explains the difference, not the candidate (never for a write: never sent again).
            if ShadowComparison.needsSettling(finding), reads,
                case .success(let late) = await sender.send(ShadowRequest.secondary(job.request),
                                                             to: configuration.secondary ?? configuration.primary)
            {
                finding = configuration.comparison.settle(finding, request: job.request, primary: primary,
                                                          candidate: answer, late: late)
            }
            ledger.record(job.operation, sequence: job.sequence, finding)
            let (verdict, summary) = finding.verdict
            inspector.update(job.sequence, verdict: verdict, summary: summary)
        }
    }
}

/// Where the primary's answer to a shadowed request arrives (from the proxy, once the client has it) and where a
/// worker waits for it.
final class PrimaryAnswer: @unchecked Sendable {
    private let lock = NSLock()
    private var answer: HTTPResponseMessage??
    private var waiter: CheckedContinuation<HTTPResponseMessage?, Never>?

    /// The primary answered `answer` (nil: it could not answer).
    func fulfil(_ answer: HTTPResponseMessage?) {
        let waiting: CheckedContinuation<HTTPResponseMessage?, Never>? = lock.withLock {
            defer { waiter = nil }
            if waiter == nil { self.answer = .some(answer) }
            return waiter
        }
        waiting?.resume(returning: answer)
    }

    /// The primary's answer, once it is there.
    func value() async -> HTTPResponseMessage? {
        await withCheckedContinuation { continuation in
            let ready: HTTPResponseMessage?? = lock.withLock {
                if let answer { return .some(answer) }
                waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

/// 1, 2, 3… from any thread.
final class SequenceCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var last = 0

    /// The next number.
    func next() -> Int {
        lock.withLock {
            last += 1
            return last
        }
    }
}
