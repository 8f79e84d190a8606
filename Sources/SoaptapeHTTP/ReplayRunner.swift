import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import SoapXML
import SoaptapeCore

/// `replay`: sends recorded requests to a live server and checks each answer against the recording.
/// Sequential by default (operations are stateful); a connection error fails that interaction and the run
/// goes on. Values the server assigned (a login's ticket, a create's id) are carried from each live answer into
/// the later requests and expectations (`CorrelationPlan`), and with `updates` on, the answers that differ are
/// kept, redacted, to be written back.
public struct ReplayRunner: Sendable {
    /// The server's base URL, without a trailing slash.
    public var target: String
    /// How answers are compared.
    public var check: ResponseCheck
    /// Values for redacted fields.
    public var filler: RedactionFiller
    /// Namespace rewrites, also applied to actions.
    public var namespaces: [ReplayRequest.Rewrite] = []
    /// Path rewrites.
    public var paths: [ReplayRequest.Rewrite] = []
    /// Requests in flight at once.
    public var concurrency = 1
    /// The longest one call may take.
    public var timeout: TimeAmount = .seconds(30)
    /// A PEM file of certificates to trust for an https target.
    public var certificateAuthority: String?
    /// The specs and their schemas: each answer is also validated against the schema of the operation it answers
    /// (the target's version, after the maps).
    public var schemas: (specs: SpecSet, catalog: SchemaCatalog)?
    /// WS-I Basic Profile warnings in live answers fail the interaction instead of being listed beside it.
    public var failOnWarnings = false
    /// Carry values the server assigned without being told where (`--correlate off` turns it off).
    public var automaticCorrelation = true
    /// Correlations given by hand (`--correlate FROM=TO`).
    public var correlationRules: [CorrelationPlan.Rule] = []
    /// When set (`--update`), each answer that differs is kept as the cassette should hold it, redacted by this
    /// recorder as `record` redacts.
    public var updateRecorder: InteractionRecorder?

    /// What a run found: a suite per cassette, and (with `updateRecorder`) each cassette's interactions to write
    /// back.
    public struct Result: Sendable {
        /// One suite per cassette, in the order given.
        public var suites: [ReportSuite]
        /// Per cassette (by name), the interactions whose answers differed, as they should now be recorded.
        public var updates: [String: [Interaction]]
    }

    /// A runner against `target`.
    public init(target: String, check: ResponseCheck, filler: RedactionFiller) {
        self.target = target.hasSuffix("/") ? String(target.dropLast()) : target
        self.check = check
        self.filler = filler
    }

    /// Replays every cassette in turn; `progress` is told each completed interaction (done, total, label).
    public func run(_ cassettes: [(name: String, cassette: Cassette)],
                    progress: @escaping @Sendable (Int, Int, String) -> Void = { _, _, _ in }) async -> Result {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        configuration.decompression = .disabled
        configuration.redirectConfiguration = .disallow
        if let certificateAuthority {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.additionalTrustRoots = [.file(certificateAuthority)]
            configuration.tlsConfiguration = tls
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let total = cassettes.reduce(0) { $0 + $1.cassette.interactions.count }
        var done = 0
        var suites: [ReportSuite] = []
        var updates: [String: [Interaction]] = [:]
        for (name, cassette) in cassettes {
            var cases: [ReportCase] = []
            var updated: [Interaction] = []
            let interactions = cassette.interactions
            let session = CorrelationSession(plan: CorrelationPlan(interactions, automatic: automaticCorrelation,
                                                                   rules: correlationRules))
            var start = 0
            while start < interactions.count {
                let end = min(start + max(1, concurrency), interactions.count)
                let results = await withTaskGroup(of: (Int, Replayed).self) { group in
                    for position in start..<end {
                        group.addTask {
                            (position, await self.replay(interactions[position], at: position, session: session,
                                                         client: client))
                        }
                    }
                    var collected: [(Int, Replayed)] = []
                    for await result in group { collected.append(result) }
                    return collected.sorted { $0.0 < $1.0 }.map(\.1)
                }
                for result in results {
                    done += 1
                    progress(done, total, result.report.operation)
                    if let rewritten = result.rewritten { updated.append(rewritten) }
                }
                cases += results.map(\.report)
                start = end
            }
            var suite = ReportSuite(cassette: name, cases: cases)
            let correlations = session.report()
            if !correlations.isEmpty { suite.correlations = correlations }
            suites.append(suite)
            if !updated.isEmpty { updates[name] = updated }
        }
        try? await client.shutdown()
        return Result(suites: suites, updates: updates)
    }

    /// One interaction replayed: its case, and (with `updateRecorder`) the interaction as it should now be recorded
    /// when its answer differed.
    struct Replayed: Sendable {
        var report: ReportCase
        var rewritten: Interaction?
    }

    /// Sends one recorded request, with the live values learned so far in place of the recorded ones, and checks
    /// the answer.
    func replay(_ recorded: Interaction, at position: Int, session: CorrelationSession,
                client: HTTPClient) async -> Replayed {
        var interaction = recorded
        interaction.request.body = session.request(position, body: recorded.request.body)
        let built = ReplayRequest(interaction, filler: filler.adding(session.secretValues), namespaces: namespaces,
                                  paths: paths)
        var request = HTTPClientRequest(url: target + built.message.path)
        request.method = HTTPMethod(rawValue: built.message.method)
        for (name, value) in built.message.headers { request.headers.add(name: name, value: value) }
        if !built.message.body.isEmpty || built.message.method == "POST" {
            request.body = .bytes(ByteBuffer(bytes: built.message.body))
        }
        let started = ContinuousClock.now
        let status: Int
        var body: [UInt8]
        var headers: [(name: String, value: String)] = []
        var contentEncoding: String?
        do {
            let response = try await client.execute(request, timeout: timeout)
            status = Int(response.status.code)
            headers = response.headers.map { ($0.name, $0.value) }
            body = Array(try await response.body.collect(upTo: 64 << 20).readableBytesView)
            if let encoding = response.headers.first(name: "Content-Encoding")?.lowercased(),
                ContentDecoding.decodable.contains(encoding), let decoded = ContentDecoding.decode(body)
            {
                body = decoded
                contentEncoding = encoding
            }
        } catch {
            return Replayed(report: ReportCase(
                sequence: interaction.sequence, operation: interaction.label, verdict: .error,
                message: "cannot reach \(target + built.message.path): \(SoapClient.describe(error))",
                durationMilliseconds: milliseconds(since: started)))
        }
        let elapsed = milliseconds(since: started)
        // What this answer assigned is learned first: it is the expectation here, and carried into later requests.
        session.learn(position, liveBody: body)
        interaction.response.body = session.expectedResponse(position, body: recorded.response.body)
        var outcome = check.check(interaction, status: status, body: body)
        // The answer differs from the recording (by the mode's rules): with --update, what the cassette should hold.
        var rewritten: Interaction?
        if let updateRecorder, !outcome.differences.isEmpty {
            let live = HTTPResponseMessage(status: status, headers: headers,
                                           body: session.recordedForm(position, liveBody: body))
            let request = HTTPRequestMessage(method: recorded.request.method, path: recorded.request.path,
                                             headers: recorded.request.headers.map { ($0.name, $0.value) },
                                             body: recorded.request.body)
            let made = updateRecorder.interaction(request, live, contentEncoding: contentEncoding, milliseconds: elapsed)
            var kept = recorded
            kept.response = made.response
            kept.recordedAt = made.recordedAt
            kept.durationMilliseconds = elapsed
            rewritten = kept
        }
        var warnings: [Difference] = []
        if let schemas, let sent = try? XMLDocument(bytes: built.message.body, name: "request"),
            let element = sent.bodyFirstChild, let answer = try? XMLDocument(bytes: body, name: "response")
        {
            let spec = schemas.specs.spec(atEndpoint: built.message.path, requestElement: element)
            let found = schemas.catalog.check(answer, spec: spec, side: "response")
            let violations = found.failures + (failOnWarnings ? found.warnings : [])
            if !failOnWarnings { warnings = found.warnings }
            if !violations.isEmpty {
                let scrubber = SecretScrubber()
                outcome.differences += scrubber.scrub(violations)
                if outcome.expected == nil {
                    outcome.expected = scrubber.text(interaction.response.body)
                    outcome.actual = scrubber.text(body)
                }
            }
        }
        var message: String?
        // A server that wants credentials answers their absence with a fault or another status: say why it may have.
        let refused = outcome.differences.contains { $0.kind == .fault || $0.kind == .httpStatus }
        if refused && !built.missing.isEmpty {
            message = "note: sent with ${redacted} for " + built.missing.joined(separator: ", ")
                + "; if the server wants real values, pass --set NAME=VALUE or --set-from-env NAME=VARIABLE"
        }
        if rewritten != nil {
            message = (message.map { $0 + "; " } ?? "") + "updated: the cassette now holds the live answer"
        }
        var reported = ReportCase(sequence: interaction.sequence, operation: interaction.label,
                                  verdict: outcome.differences.isEmpty ? .passed : .failed, message: message,
                                  differences: outcome.differences, expected: outcome.expected, actual: outcome.actual,
                                  durationMilliseconds: elapsed)
        if !outcome.additive.isEmpty { reported.additive = outcome.additive }
        if !warnings.isEmpty { reported.warnings = warnings }
        return Replayed(report: reported, rewritten: rewritten)
    }

    private func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return elapsed.milliseconds
    }
}
