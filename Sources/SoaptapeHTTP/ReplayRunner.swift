import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import SoapXML
import SoaptapeCore

/// `replay`: sends recorded requests to a live server and checks each answer against the recording.
/// Sequential by default (operations are stateful); a connection error fails that interaction and the run
/// goes on.
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

    /// A runner against `target`.
    public init(target: String, check: ResponseCheck, filler: RedactionFiller) {
        self.target = target.hasSuffix("/") ? String(target.dropLast()) : target
        self.check = check
        self.filler = filler
    }

    /// Replays every cassette in turn; `progress` is told each completed interaction (done, total, label).
    public func run(_ cassettes: [(name: String, cassette: Cassette)],
                    progress: @escaping @Sendable (Int, Int, String) -> Void = { _, _, _ in }) async -> [ReportSuite] {
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
        for (name, cassette) in cassettes {
            var cases: [ReportCase] = []
            let interactions = cassette.interactions
            var start = 0
            while start < interactions.count {
                let batch = Array(interactions[start..<min(start + max(1, concurrency), interactions.count)])
                let results = await withTaskGroup(of: (Int, ReportCase).self) { group in
                    for (offset, interaction) in batch.enumerated() {
                        group.addTask { (offset, await self.replay(interaction, client: client)) }
                    }
                    var collected: [(Int, ReportCase)] = []
                    for await result in group { collected.append(result) }
                    return collected.sorted { $0.0 < $1.0 }.map(\.1)
                }
                for result in results {
                    done += 1
                    progress(done, total, result.operation)
                }
                cases += results
                start += batch.count
            }
            suites.append(ReportSuite(cassette: name, cases: cases))
        }
        try? await client.shutdown()
        return suites
    }

    /// Sends one recorded request and checks the answer.
    func replay(_ interaction: Interaction, client: HTTPClient) async -> ReportCase {
        let built = ReplayRequest(interaction, filler: filler, namespaces: namespaces, paths: paths)
        var request = HTTPClientRequest(url: target + built.message.path)
        request.method = HTTPMethod(rawValue: built.message.method)
        for (name, value) in built.message.headers { request.headers.add(name: name, value: value) }
        if !built.message.body.isEmpty || built.message.method == "POST" {
            request.body = .bytes(ByteBuffer(bytes: built.message.body))
        }
        let started = ContinuousClock.now
        let status: Int
        var body: [UInt8]
        do {
            let response = try await client.execute(request, timeout: timeout)
            status = Int(response.status.code)
            body = Array(try await response.body.collect(upTo: 64 << 20).readableBytesView)
            if let encoding = response.headers.first(name: "Content-Encoding")?.lowercased(),
                ContentDecoding.decodable.contains(encoding), let decoded = ContentDecoding.decode(body)
            {
                body = decoded
            }
        } catch {
            return ReportCase(sequence: interaction.sequence, operation: interaction.label, verdict: .error,
                              message: "cannot reach \(target + built.message.path): \(SoapClient.describe(error))",
                              durationMilliseconds: milliseconds(since: started))
        }
        var outcome = check.check(interaction, status: status, body: body)
        if let schemas, let sent = try? XMLDocument(bytes: built.message.body, name: "request"),
            let element = sent.bodyFirstChild, let answer = try? XMLDocument(bytes: body, name: "response")
        {
            let spec = schemas.specs.spec(atEndpoint: built.message.path, requestElement: element)
            let violations = schemas.catalog.violations(answer, spec: spec, side: "response")
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
        var reported = ReportCase(sequence: interaction.sequence, operation: interaction.label,
                                  verdict: outcome.differences.isEmpty ? .passed : .failed, message: message,
                                  differences: outcome.differences, expected: outcome.expected, actual: outcome.actual,
                                  durationMilliseconds: milliseconds(since: started))
        if !outcome.additive.isEmpty { reported.additive = outcome.additive }
        return reported
    }

    private func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }
}
