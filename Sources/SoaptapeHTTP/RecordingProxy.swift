import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import SoapXML
import SoaptapeCore

/// The record proxy: clients point at it, it forwards to the real server and returns the real answer
/// unchanged, and appends the redacted interaction to a cassette. Record modes follow the VCR tradition.
public final class RecordingProxy: Sendable {
    /// When to forward and when to record.
    public enum Mode: String, CaseIterable, Sendable {
        /// Forward and record every request.
        case all
        /// Answer from the cassette when a recording matches; forward and record the rest.
        case new
        /// Record only into a cassette that does not exist yet.
        case once
        /// Never forward: answer from the cassette only.
        case none
    }

    /// In mode `new`, what answers a request once every recording of it has been used.
    public enum RepeatPolicy: String, CaseIterable, Sendable {
        /// Forward it and record the answer (VCR's new episodes: a suite calling twice records twice).
        case record
        /// Answer with the last recording again, so repeats never grow the cassette.
        case last
    }

    /// The proxy's settings.
    public struct Configuration: Sendable {
        /// The upstream base URL (`http://host:port` or `https://…`), without a trailing slash.
        public var upstream: String
        /// The record mode.
        public var mode: Mode = .all
        /// In mode `new`, what answers a request whose recordings have all been used.
        public var repeats = RepeatPolicy.record
        /// Record upstream failures (502/504) too.
        public var recordErrors = false
        /// What is redacted from bodies.
        public var redactor = Redactor.superOffice
        /// Header names (lower-case) whose values are redacted.
        public var redactedHeaders: HeaderNameSet = HTTPHeaderRules.credentials
        /// The longest an upstream call may take.
        public var timeout: TimeAmount = .seconds(30)
        /// A PEM file of certificates to trust for an https upstream, besides the system's.
        public var upstreamCertificateAuthority: String?
        /// The largest response body read from upstream.
        public var maximumBodySize = 64 << 20
        /// Told of the interactions once they are in the cassette, as written (numbered, redacted): what
        /// `record --check` verifies and the inspector page lists.
        public var onRecorded: (@Sendable ([Interaction]) -> Void)?

        /// Settings for `upstream`.
        public init(upstream: String) {
            self.upstream = upstream.hasSuffix("/") ? String(upstream.dropLast()) : upstream
        }
    }

    /// Headers never forwarded nor recorded (hop-by-hop ones, and those the proxy sets anew).
    static let hopByHop = HTTPHeaderRules.notForwarded

    private let configuration: Configuration
    private let client: HTTPClient
    private let writer: CassetteWriter?
    private let matcher: InteractionMatcher?
    /// What becomes of each exchange in the cassette: redaction and identification.
    private let recorder: InteractionRecorder
    /// The interactions each event loop completed in its current turn, not yet written.
    private let batches = RecordBatches()
    /// Pooled keep-alive connections for a plain-http upstream; nil for https (AsyncHTTPClient handles TLS).
    private let pool: UpstreamConnectionPool?
    /// The upstream URL's path (`/Cust12345`), put before every forwarded path.
    private let basePath: String

    /// A proxy recording into `writer` (nil in mode `none`), answering from `matcher` in modes `new` and `none`.
    public init(configuration: Configuration, writer: CassetteWriter?, matcher: InteractionMatcher?, specs: SpecSet?)
        throws
    {
        self.configuration = configuration
        self.writer = writer
        self.matcher = matcher
        recorder = InteractionRecorder(redactor: configuration.redactor, redactedHeaders: configuration.redactedHeaders,
                                       droppedHeaders: Self.hopByHop, specs: specs)
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.timeout.connect = .seconds(10)
        // A failed connection is reported to the client at once (502), not retried until the connect timeout.
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        // As many upstream connections as busy clients, within reason (AsyncHTTPClient's default is 8).
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 128
        clientConfiguration.decompression = .disabled
        clientConfiguration.redirectConfiguration = .disallow
        if let authority = configuration.upstreamCertificateAuthority {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.additionalTrustRoots = [.file(authority)]
            clientConfiguration.tlsConfiguration = tls
        }
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        if let url = URL(string: configuration.upstream), url.scheme == "http", let host = url.host {
            pool = UpstreamConnectionPool(host: host, port: url.port ?? 80, timeout: configuration.timeout,
                                          maximumBodySize: configuration.maximumBodySize)
            basePath = url.path.hasSuffix("/") ? String(url.path.dropLast()) : url.path
        } else {
            pool = nil
            basePath = ""
        }
    }

    /// Answers one client request on `loop`, calling `answer` on that loop: forwarded over a pooled connection of
    /// that loop when the upstream is plain http (its head and body passed on as read, its answer passed back as it
    /// came), otherwise through AsyncHTTPClient.
    /// `then`, when given, is told after the client has its answer what the upstream answered (nil when it could
    /// not answer and the client got soaptape's fault): `shadow` hangs off it.
    public func respond(to received: ReceivedRequest, on loop: EventLoop,
                        then: (@Sendable (HTTPResponseMessage?) -> Void)? = nil,
                        _ answer: @escaping @Sendable (OutgoingResponse) -> Void) {
        guard let pool else {
            let request = received.message
            loop.makeFutureWithTask { await self.respondReporting(to: request) }.whenSuccess { reply, answered in
                answer(OutgoingResponse(reply))
                then?(answered ? reply : nil)
            }
            return
        }
        // The domain's view of the request is made once, when it is first needed: here in modes new and none,
        // otherwise for the cassette.
        let known: HTTPRequestMessage?
        if configuration.mode == .new || configuration.mode == .none {
            let request = received.message
            if let early = answerFromCassette(request) { return answer(OutgoingResponse(early)) }
            known = request
        } else {
            known = nil
        }
        let started = ContinuousClock.now
        var head = received.head
        head.version = .http1_1
        if !basePath.isEmpty { head.uri = basePath + head.uri }
        head.headers = forwardedHeaders(received.head.headers)
        pool.execute(head, body: received.body, on: loop) { result in
            switch result {
            case .success(let response):
                let reply = OutgoingResponse(status: response.head.status, headers: response.head.headers,
                                             body: response.body)
                guard self.writer != nil || then != nil else { return answer(reply) }
                // The cassette's copy, the body as bytes (the recorder leaves hop-by-hop headers out).
                let recorded = HTTPResponseMessage(
                    status: Int(response.head.status.code), headers: response.head.headers.map { ($0.name, $0.value) },
                    body: Array(response.body.readableBytesView))
                guard self.writer != nil else {
                    answer(reply)
                    then?(recorded)
                    return
                }
                self.record(known ?? received.message, recorded, started: started, on: loop) {
                    answer(reply)
                    then?(recorded)
                }
            case .failure(let error):
                let request = known ?? received.message
                let (status, cause) = Self.describe(error, timeout: self.configuration.timeout)
                let reply = self.fault(Self.version(of: request), sender: false, status: status,
                                       "the upstream \(self.configuration.upstream) could not answer: \(cause)")
                guard self.configuration.recordErrors else {
                    answer(OutgoingResponse(reply))
                    then?(nil)
                    return
                }
                self.record(request, reply, started: started, on: loop) {
                    answer(OutgoingResponse(reply))
                    then?(nil)
                }
            }
        }
    }

    /// The headers forwarded upstream: hop-by-hop ones and those the client's Connection header lists left out.
    private func forwardedHeaders(_ received: HTTPHeaders) -> HTTPHeaders {
        let connectionListed = received.first(name: "Connection").map { value in
            HeaderNameSet(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }
        var headers = HTTPHeaders()
        // Room for the pool's Host and Content-Length too: the headers are not grown one by one.
        headers.reserveCapacity(received.count + 2)
        for (name, value) in received
        where !Self.hopByHop.contains(name) && connectionListed?.contains(name) != true {
            headers.add(name: name, value: value)
        }
        return headers
    }

    /// Stops the upstream clients.
    public func shutdown() async {
        pool?.close()
        try? await client.shutdown()
    }

    /// Answers one client request.
    public func respond(to request: HTTPRequestMessage) async -> HTTPResponseMessage {
        await respondReporting(to: request).response
    }

    /// Answers one client request, and says whether the answer is the upstream's (false: the cassette's, or
    /// soaptape's fault because the upstream could not answer).
    private func respondReporting(to request: HTTPRequestMessage) async -> (response: HTTPResponseMessage, answered: Bool) {
        if let early = answerFromCassette(request) { return (early, false) }
        return await forward(request, version: Self.version(of: request))
    }

    /// The cassette's answer in modes `new` and `none`, when there is one (or, in `none`, the fault).
    private func answerFromCassette(_ request: HTTPRequestMessage) -> HTTPResponseMessage? {
        guard configuration.mode == .new || configuration.mode == .none else { return nil }
        let version = Self.version(of: request)
        if let matcher {
            switch matcher.match(request) {
            case .matched(let interaction):
                return Self.replayed(interaction)
            case .exhausted(let interaction):
                // Every recording of this request was used: `none` repeats the last, `new` records anew unless
                // told to repeat the last too.
                if configuration.mode == .none || configuration.repeats == .last { return Self.replayed(interaction) }
            case .unmatched(let nearest, let differences):
                if configuration.mode == .none {
                    return fault(version, sender: true, status: nil,
                                 Self.unmatchedReason(nearest: nearest, differences: differences))
                }
            }
        }
        if configuration.mode == .none {
            return fault(version, sender: true, status: nil, "no recorded interaction matches this request")
        }
        return nil
    }

    static func replayed(_ interaction: Interaction) -> HTTPResponseMessage {
        HTTPResponseMessage(
            status: interaction.response.status,
            headers: interaction.response.headers.filter { !hopByHop.contains($0.name) }
                .map { ($0.name, $0.value) },
            body: interaction.response.body)
    }

    static func unmatchedReason(nearest: Interaction?, differences: [Difference]) -> String {
        guard let nearest else { return "no recorded interaction matches this request, and none was made to this endpoint" }
        // Credentials in the live request are not repeated in the fault.
        return HTTPHeaderRules.mismatch(
            "no recorded interaction matches this request", nearest: "#\(nearest.sequence) (\(nearest.label))",
            differences: SecretScrubber().scrub(differences))
    }

    private func forward(_ request: HTTPRequestMessage, version: SoapVersion) async
        -> (response: HTTPResponseMessage, answered: Bool)
    {
        var outbound = HTTPClientRequest(url: configuration.upstream + request.path)
        outbound.method = HTTPMethod(rawValue: request.method)
        outbound.headers = forwardedHeaders(HTTPHeaders(request.headers))
        if !request.body.isEmpty || request.method == "POST" {
            outbound.body = .bytes(ByteBuffer(bytes: request.body))
        }
        let started = ContinuousClock.now
        let response: HTTPClientResponse
        let body: [UInt8]
        do {
            response = try await client.execute(outbound, timeout: configuration.timeout)
            body = Array(try await response.body.collect(upTo: configuration.maximumBodySize).readableBytesView)
        } catch {
            let (status, cause) = Self.describe(error, timeout: configuration.timeout)
            let answer = fault(version, sender: false, status: status,
                               "the upstream \(configuration.upstream) could not answer: \(cause)")
            if configuration.recordErrors { record(request, answer, started: started) }
            return (answer, false)
        }
        let answer = HTTPResponseMessage(
            status: Int(response.status.code),
            headers: response.headers.map { ($0.name, $0.value) },
            body: body)
        record(request, answer, started: started)
        return (answer, true)
    }

    private func record(_ request: HTTPRequestMessage, _ response: HTTPResponseMessage,
                        started: ContinuousClock.Instant) {
        guard let writer, let interaction = interaction(request, response, started: started) else { return }
        do {
            let written = try writer.append(interaction)
            configuration.onRecorded?([written])
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
        }
    }

    /// Records the exchange with the others completed in this turn of `loop`, then calls `then`: once they are
    /// written, so that no client has its answer before its interaction is in the cassette.
    private func record(_ request: HTTPRequestMessage, _ response: HTTPResponseMessage,
                        started: ContinuousClock.Instant, on loop: EventLoop, then: @escaping @Sendable () -> Void) {
        guard let writer, let interaction = interaction(request, response, started: started) else { return then() }
        batches.batch(for: loop).add(interaction, writer: writer, observer: configuration.onRecorded, then: then)
    }

    /// The interaction to record for an exchange, or nil when nothing is recorded (mode `none`).
    private func interaction(_ request: HTTPRequestMessage, _ response: HTTPResponseMessage,
                             started: ContinuousClock.Instant) -> Interaction? {
        guard writer != nil else { return nil }
        let elapsed = ContinuousClock.now - started
        let milliseconds = elapsed.milliseconds
        // A compressed answer is stored decoded (and so redacted), its encoding noted.
        var response = response
        var contentEncoding: String?
        if let encoding = response.headers.first(where: { $0.name.equalsIgnoringCase("Content-Encoding") })?.value
            .trimmingCharacters(in: .whitespaces).lowercased(),
            ContentDecoding.decodable.contains(encoding), let decoded = ContentDecoding.decode(response.body)
        {
            response.body = decoded
            contentEncoding = encoding
        }
        return recorder.interaction(request, response, contentEncoding: contentEncoding, milliseconds: milliseconds)
    }

    static func describe(_ error: Error, timeout: TimeAmount) -> (Int, String) {
        switch error {
        case UpstreamConnectionPool.Failure.timedOut:
            return (504, "it did not answer within \(timeout.nanoseconds / 1_000_000_000) s")
        case UpstreamConnectionPool.Failure.tooLarge:
            return (502, "its answer was larger than the body limit (--max-body)")
        case UpstreamConnectionPool.Failure.closedEarly:
            return (502, "it closed the connection without answering")
        case UpstreamConnectionPool.Failure.connect(let reason):
            return describe(ConnectFailure(reason: reason), timeout: timeout)
        default:
            break
        }
        let text = String(describing: error)
        if text.contains("deadlineExceeded") || text.contains("readTimeout") || text.contains("connectTimeout") {
            return (504, "it did not answer within \(timeout.nanoseconds / 1_000_000_000) s")
        }
        if text.contains("connectionRefused") || text.contains("Connection refused") {
            return (502, "connection refused")
        }
        let lower = text.lowercased()
        if lower.contains("ssl") || lower.contains("tls") || lower.contains("certificate") || lower.contains("handshake") {
            return (502, "the TLS handshake failed (\(text)); trust its certificate with --upstream-ca FILE")
        }
        if text.contains("bodyLengthMismatch") || text.contains("tooMany") {
            return (502, "the response body was larger than \(64) MiB or cut short (\(text))")
        }
        return (502, text)
    }

    private struct ConnectFailure: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    /// The SOAP version a fault to `request` is written in: the request's own, else 1.1.
    private static func version(of request: HTTPRequestMessage) -> SoapVersion {
        SoapMessage.version(contentType: request.header("Content-Type")) ?? .soap11
    }

    private func fault(_ version: SoapVersion, sender: Bool, status: Int?, _ reason: String) -> HTTPResponseMessage {
        HTTPResponseMessage(
            status: status ?? SoapMessage.faultStatus(version, sender: sender),
            headers: [("Content-Type", SoapMessage.contentType(version, action: nil))],
            body: Array(SoapMessage.fault(version, sender: sender, reason: reason).utf8))
    }
}
