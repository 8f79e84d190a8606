import Foundation
import NIOSSL
import SoapXML
import SoaptapeCore
import SoaptapeHTTP
import Testing

/// The record proxy on real sockets: the sandbox (or a test server) upstream, the proxy in front.
struct RecordingTests {
    static let specsFolder = SandboxTests.specsFolder

    struct Rig {
        var upstream: HTTPServer
        var proxy: RecordingProxy
        var server: HTTPServer
        var cassette: String

        func shutdown() async throws {
            try await server.shutdown()
            await proxy.shutdown()
            try await upstream.shutdown()
        }
    }

    static func temporaryCassette() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("soaptape-\(UUID().uuidString)/c.yaml").path
    }

    static func rig(upstream: HTTPServer, certificateAuthority: String? = nil) async throws -> Rig {
        let cassette = temporaryCassette()
        var configuration = RecordingProxy.Configuration(upstream: upstream.baseURL)
        configuration.upstreamCertificateAuthority = certificateAuthority
        let writer = try CassetteWriter(path: cassette, header: CassetteHeader(
            soaptape: "test", upstream: upstream.baseURL, createdAt: Date().iso8601Milliseconds))
        let proxy = try RecordingProxy(configuration: configuration, writer: writer, matcher: nil,
                                       specs: try SpecSet.load([specsFolder]))
        // The record command's path: answered on the connection's event loop (pooled upstream connections for
        // http, AsyncHTTPClient for https).
        let server = try await HTTPServer.start { proxy.respond(to: $0, on: $1, $2) }
        return Rig(upstream: upstream, proxy: proxy, server: server, cassette: cassette)
    }

    /// An upstream answering on its event loop: one that needed a free task thread could starve while other tests
    /// block theirs (the CLI tests wait for processes), and the proxy would time out.
    static func upstream(port: Int = 0, tls: TLSConfiguration? = nil,
                         _ answer: @escaping @Sendable (HTTPRequestMessage) -> HTTPResponseMessage) async throws -> HTTPServer
    {
        try await HTTPServer.start(port: port, tls: tls) { request, _, reply in
            reply(OutgoingResponse(answer(request.message)))
        }
    }

    static func sandbox() async throws -> HTTPServer {
        let responder = SandboxResponder(specs: try SpecSet.load([specsFolder]))
        // Answered on the event loop: a sandbox that needed a free task thread could starve while other tests
        // block theirs, and the proxy would time out.
        return try await HTTPServer.start { request, _, reply in
            reply(OutgoingResponse(responder.respond(to: request.message)))
        }
    }

    @Test func seedOperationsAreRecordedRedacted() async throws {
        let rig = try await Self.rig(upstream: try await Self.sandbox())
        let set = try SpecSet.load([Self.specsFolder])
        var sent: [(String, [UInt8])] = []
        for name in SandboxTests.seedOperations {
            let spec = try #require(set.specs(named: name).first).spec
            let body = Array(try EnvelopeTemplate.render(spec.request, as: .soap12, values: [
                "Ticket": "7T:liveTicketValue0123456789==", "ApplicationToken": "live-application-token",
            ]).utf8)
            let response = try await SoapClient().post(
                rig.server.baseURL + spec.endpoint,
                headers: [("Content-Type", SoapMessage.contentType(.soap12, action: spec.action)),
                          ("Authorization", "Basic c2VjcmV0OnNlY3JldA==")],
                body: body)
            #expect(response.status == 200)
            sent.append((name, response.body))
            _ = body
        }
        try await rig.shutdown()
        let text = try String(contentsOfFile: rig.cassette, encoding: .utf8)
        for secret in ["7T:liveTicketValue", "live-application-token", "c2VjcmV0OnNlY3JldA=="] {
            #expect(!text.contains(secret), "\(secret)")
        }
        let cassette = try CassetteLoader.load(rig.cassette).cassette
        #expect(cassette.interactions.map { $0.operation?.label ?? "" } == SandboxTests.seedOperations)
        #expect(cassette.interactions.map(\.sequence) == [1, 2, 3])
        for (interaction, (_, received)) in zip(cassette.interactions, sent) {
            #expect(interaction.response.body == received)
            #expect(interaction.request.headers.contains(HeaderField("Authorization", "${redacted}")))
            #expect(!interaction.response.fault)
        }
    }

    @Test func twoHundredConcurrentRequestsAreAllRecordedWhole() async throws {
        // An upstream that echoes each request's id, so every response can be matched to its request.
        let echo = try await Self.upstream { request in
            let body = String(decoding: request.body, as: UTF8.self)
            let id = body.components(separatedBy: "<Id>").dropFirst().first?.components(separatedBy: "</Id>").first ?? "?"
            return HTTPResponseMessage(status: 200, headers: [("Content-Type", "text/xml")],
                                       body: Array("<Echo><Id>\(id)</Id></Echo>".utf8))
        }
        let rig = try await Self.rig(upstream: echo)
        let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for id in 1...200 {
                group.addTask {
                    let response = try await SoapClient().post(
                        rig.server.baseURL + "/Remote/Services88/Echo.svc", headers: [("Content-Type", "text/xml")],
                        body: Array("<Ask><Id>\(id)</Id></Ask>".utf8))
                    return (id, String(decoding: response.body, as: UTF8.self))
                }
            }
            return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
        }
        try await rig.shutdown()
        #expect(answers.count == 200)
        #expect(answers.allSatisfy { $0.value == "<Echo><Id>\($0.key)</Id></Echo>" })
        let cassette = try CassetteLoader.load(rig.cassette).cassette
        #expect(cassette.interactions.count == 200)
        #expect(cassette.interactions.map(\.sequence) == Array(1...200))
        for interaction in cassette.interactions {
            let request = String(decoding: interaction.request.body, as: UTF8.self)
            let id = request.components(separatedBy: "<Id>")[1].components(separatedBy: "</Id>")[0]
            #expect(String(decoding: interaction.response.body, as: UTF8.self) == "<Echo><Id>\(id)</Id></Echo>")
        }
    }

    @Test func aGzippedAnswerReachesTheClientAsSentAndIsStoredDecodedAndRedacted() async throws {
        let plain = "<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body><Credentials>"
            + "<Ticket>7T:gzippedSecretTicket==</Ticket></Credentials></s:Body></s:Envelope>"
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-c"]
        let input = Pipe()
        let output = Pipe()
        gzip.standardInput = input
        gzip.standardOutput = output
        try gzip.run()
        input.fileHandleForWriting.write(Data(plain.utf8))
        try input.fileHandleForWriting.close()
        let compressed = Array(output.fileHandleForReading.readDataToEndOfFile())
        gzip.waitUntilExit()
        let upstream = try await Self.upstream { _ in
            HTTPResponseMessage(status: 200, headers: [("Content-Type", "application/soap+xml"),
                                                       ("Content-Encoding", "gzip")], body: compressed)
        }
        let rig = try await Self.rig(upstream: upstream)
        let response = try await SoapClient().post(rig.server.baseURL + "/x", headers: [], body: [])
        #expect(response.body == compressed)
        #expect(response.headers.contains { $0.name.lowercased() == "content-encoding" && $0.value == "gzip" })
        try await rig.shutdown()
        let recorded = try #require(try CassetteLoader.load(rig.cassette).cassette.interactions.first)
        #expect(recorded.response.contentEncoding == "gzip")
        #expect(String(decoding: recorded.response.body, as: UTF8.self)
            == plain.replacingOccurrences(of: "7T:gzippedSecretTicket==", with: "${redacted}"))
        #expect(!recorded.response.headers.contains { $0.name.lowercased() == "content-encoding" })
    }

    @Test func modeNewAnswersRecordedRequestsAndRecordsOnlyNewOnes() async throws {
        let calls = Counter()
        let upstream = try await Self.upstream { request in
            calls.add()
            return HTTPResponseMessage(status: 200, headers: [("Content-Type", "text/xml")],
                                       body: Array("<Answer n='\(calls.value)'/>".utf8))
        }
        func envelope(_ id: Int) -> [UInt8] {
            Array(("<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body><Get xmlns='urn:x'><Id>\(id)"
                   + "</Id></Get></s:Body></s:Envelope>").utf8)
        }
        // Record one interaction in mode all.
        let first = try await Self.rig(upstream: upstream)
        _ = try await SoapClient().post(first.server.baseURL + "/Remote/Services88/X.svc",
                                        headers: [("Content-Type", "text/xml")], body: envelope(1))
        try await first.server.shutdown()
        await first.proxy.shutdown()
        // Mode new on the same cassette: the recorded request is answered from it, a new one is forwarded.
        var configuration = RecordingProxy.Configuration(upstream: upstream.baseURL)
        configuration.mode = .new
        let recorded = try CassetteLoader.load(first.cassette).cassette.interactions
        let writer = try CassetteWriter(path: first.cassette, header: CassetteHeader(soaptape: "t", upstream: "u", createdAt: "c"))
        let proxy = try RecordingProxy(configuration: configuration, writer: writer,
                                       matcher: InteractionMatcher(recorded), specs: nil)
        let server = try await HTTPServer.start { proxy.respond(to: $0, on: $1, $2) }
        let again = try await SoapClient().post(server.baseURL + "/Remote/Services88/X.svc",
                                                headers: [("Content-Type", "text/xml")], body: envelope(1))
        let other = try await SoapClient().post(server.baseURL + "/Remote/Services88/X.svc",
                                                headers: [("Content-Type", "text/xml")], body: envelope(2))
        try await server.shutdown()
        await proxy.shutdown()
        try await upstream.shutdown()
        #expect(String(decoding: again.body, as: UTF8.self) == "<Answer n='1'/>")
        #expect(String(decoding: other.body, as: UTF8.self) == "<Answer n='2'/>")
        #expect(calls.value == 2)
        #expect(try CassetteLoader.load(first.cassette).cassette.interactions.map(\.sequence) == [1, 2])
    }

    @Test func modeNewRecordsRepeatsAgainUnlessToldToRepeatTheLast() async throws {
        let calls = Counter()
        let upstream = try await Self.upstream { _ in
            calls.add()
            return HTTPResponseMessage(status: 200, headers: [("Content-Type", "text/xml")],
                                       body: Array("<Answer n='\(calls.value)'/>".utf8))
        }
        let envelope = Array(("<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body>"
                              + "<Get xmlns='urn:x'><Id>1</Id></Get></s:Body></s:Envelope>").utf8)
        let first = try await Self.rig(upstream: upstream)
        _ = try await SoapClient().post(first.server.baseURL + "/Remote/Services88/X.svc",
                                        headers: [("Content-Type", "text/xml")], body: envelope)
        try await first.server.shutdown()
        await first.proxy.shutdown()
        // The same request three times in mode new, with each repeat policy.
        var answers: [RecordingProxy.RepeatPolicy: [String]] = [:]
        var lengths: [RecordingProxy.RepeatPolicy: Int] = [:]
        for policy in [RecordingProxy.RepeatPolicy.last, .record] {
            var configuration = RecordingProxy.Configuration(upstream: upstream.baseURL)
            configuration.mode = .new
            configuration.repeats = policy
            let recorded = try CassetteLoader.load(first.cassette).cassette.interactions
            let writer = try CassetteWriter(path: first.cassette, header: CassetteHeader(soaptape: "t", upstream: "u", createdAt: "c"))
            let proxy = try RecordingProxy(configuration: configuration, writer: writer,
                                           matcher: InteractionMatcher(recorded), specs: nil)
            let server = try await HTTPServer.start { proxy.respond(to: $0, on: $1, $2) }
            for _ in 0..<3 {
                let response = try await SoapClient().post(server.baseURL + "/Remote/Services88/X.svc",
                                                           headers: [("Content-Type", "text/xml")], body: envelope)
                answers[policy, default: []].append(String(decoding: response.body, as: UTF8.self))
            }
            try await server.shutdown()
            await proxy.shutdown()
            lengths[policy] = try CassetteLoader.load(first.cassette).cassette.interactions.count
        }
        try await upstream.shutdown()
        // --repeat last: every repeat answered from the one recording; nothing forwarded, the cassette unchanged.
        #expect(answers[.last] == ["<Answer n='1'/>", "<Answer n='1'/>", "<Answer n='1'/>"])
        #expect(lengths[.last] == 1)
        // --repeat record (the default): the recording answers once, the two repeats go upstream and are recorded.
        #expect(answers[.record] == ["<Answer n='1'/>", "<Answer n='2'/>", "<Answer n='3'/>"])
        #expect(lengths[.record] == 3)
    }

    @Test func aBodyOverTheLimitGets413AndAFault() async throws {
        let server = try await HTTPServer.start(maximumBodySize: 16) { _ in
            HTTPResponseMessage(status: 200, headers: [], body: [])
        }
        let response = try await SoapClient().post(server.baseURL + "/x", headers: [("Content-Type", "text/xml")],
                                                   body: Array(repeating: UInt8(ascii: "x"), count: 100))
        #expect(response.status == 413)
        let fault = try #require(SoapMessage.faultDetails(try XMLDocument(bytes: response.body, name: "fault")))
        #expect(fault.reason == "the request body is larger than 16 bytes, the most this server accepts "
            + "(record and serve raise it with --max-body)")
        try await server.shutdown()
    }

    @Test func anUpstreamThatDoesNotAnswerInTimeGetsA504Fault() async throws {
        let silent = try await HTTPServer.start { _ in
            try? await Task.sleep(for: .seconds(10))
            return HTTPResponseMessage(status: 200, headers: [], body: [])
        }
        var configuration = RecordingProxy.Configuration(upstream: silent.baseURL)
        configuration.timeout = .seconds(1)
        let proxy = try RecordingProxy(configuration: configuration, writer: nil, matcher: nil, specs: nil)
        let server = try await HTTPServer.start { proxy.respond(to: $0, on: $1, $2) }
        let response = try await SoapClient().post(server.baseURL + "/x", headers: [("Content-Type", "text/xml")],
                                                   body: Array("<x/>".utf8))
        #expect(response.status == 504)
        let fault = try #require(SoapMessage.faultDetails(try XMLDocument(bytes: response.body, name: "fault")))
        #expect(fault.reason == "the upstream \(silent.baseURL) could not answer: it did not answer within 1 s")
        try await server.shutdown()
        await proxy.shutdown()
        try await silent.shutdown()
    }

    @Test func anUpstreamThatIsDownGetsA502FaultAndRecoveryIsSeen() async throws {
        // A port with nothing listening: start a server, note its port, stop it.
        let placeholder = try await HTTPServer.start { _ in HTTPResponseMessage(status: 200, headers: [], body: []) }
        let port = placeholder.port
        try await placeholder.shutdown()
        let cassette = Self.temporaryCassette()
        let configuration = RecordingProxy.Configuration(upstream: "http://127.0.0.1:\(port)")
        let writer = try CassetteWriter(path: cassette, header: CassetteHeader(soaptape: "t", upstream: "u", createdAt: "c"))
        let proxy = try RecordingProxy(configuration: configuration, writer: writer, matcher: nil, specs: nil)
        let server = try await HTTPServer.start { proxy.respond(to: $0, on: $1, $2) }
        let envelope = Array("<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body><x/></s:Body></s:Envelope>".utf8)
        let down = try await SoapClient().post(server.baseURL + "/Remote/Services88/Favourite.svc",
                                               headers: [("Content-Type", "application/soap+xml")], body: envelope)
        #expect(down.status == 502)
        let fault = try #require(SoapMessage.faultDetails(try XMLDocument(bytes: down.body, name: "fault")))
        #expect(fault.code == "env:Receiver")
        #expect(fault.reason == "the upstream http://127.0.0.1:\(port) could not answer: connection refused")
        // The upstream comes back on that port: the next request goes through.
        let upstream = try await Self.upstream(port: port) { _ in
            HTTPResponseMessage(status: 200, headers: [("Content-Type", "application/soap+xml")], body: envelope)
        }
        let up = try await SoapClient().post(server.baseURL + "/Remote/Services88/Favourite.svc",
                                             headers: [("Content-Type", "application/soap+xml")], body: envelope)
        #expect(up.status == 200)
        #expect(up.body == envelope)
        try await server.shutdown()
        await proxy.shutdown()
        try await upstream.shutdown()
        // Only the successful interaction was recorded.
        #expect(try CassetteLoader.load(cassette).cassette.interactions.map(\.response.status) == [200])
    }

    @Test func anHTTPSUpstreamIsTrustedThroughItsCertificate() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("soaptape-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                             "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", folder + "/key.pem",
                             "-out", folder + "/cert.pem"]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0)
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(folder + "/cert.pem").map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: folder + "/key.pem", format: .pem)))
        tls.minimumTLSVersion = .tlsv12
        let body = Array("<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body><ok/></s:Body></s:Envelope>".utf8)
        let upstream = try await Self.upstream(tls: tls) { _ in
            HTTPResponseMessage(status: 200, headers: [("Content-Type", "application/soap+xml")], body: body)
        }
        #expect(upstream.baseURL.hasPrefix("https://127.0.0.1:"))
        // Without the certificate: a 502 fault that says how to trust it.
        let untrusted = try await Self.rig(upstream: upstream)
        let refused = try await SoapClient().post(untrusted.server.baseURL + "/x", headers: [], body: body)
        #expect(refused.status == 502)
        #expect(String(decoding: refused.body, as: UTF8.self).contains("trust its certificate with --upstream-ca FILE"))
        try await untrusted.server.shutdown()
        await untrusted.proxy.shutdown()
        // With it: the answer, recorded.
        let trusted = try await Self.rig(upstream: upstream, certificateAuthority: folder + "/cert.pem")
        let answer = try await SoapClient().post(trusted.server.baseURL + "/x", headers: [], body: body)
        #expect(answer.status == 200)
        #expect(answer.body == body)
        try await trusted.shutdown()
        #expect(try CassetteLoader.load(trusted.cassette).cassette.interactions.count == 1)
    }
}

/// A count shared with a server's responder.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
