import Foundation
import SoapXML
import SoaptapeCore
import SoaptapeHTTP
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The record proxy in front of an upstream that misbehaves on purpose: each failure is answered to the client as
/// docs/cassettes.md says, recorded or not as it says, and the proxy keeps serving.
struct FaultInjectionTests {
    static let fault = """
        <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Server</faultcode>\
        <faultstring>The ticket has expired</faultstring></s:Fault></s:Body></s:Envelope>
        """

    @Test func eachMisbehaviourIsAnsweredAndRecordedAsDocumented() async throws {
        let upstream = try MisbehavingUpstream()
        let cassette = RecordingTests.temporaryCassette()
        var configuration = RecordingProxy.Configuration(upstream: "http://127.0.0.1:\(upstream.port)")
        configuration.timeout = .seconds(5)
        let writer = try CassetteWriter(path: cassette, header: CassetteHeader(
            soaptape: "test", upstream: configuration.upstream, createdAt: Date().iso8601Milliseconds))
        let proxy = try RecordingProxy(configuration: configuration, writer: writer, matcher: nil, specs: nil)
        let server = try await HTTPServer.start { proxy.respond(to: $0, on: $1, $2) }
        let envelope = Array(#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><Ping/></s:Body></s:Envelope>"#.utf8)
        func send(_ path: String) async throws -> SoapClient.Response {
            try await SoapClient().post(server.baseURL + path, headers: [("Content-Type", "text/xml")], body: envelope)
        }

        let reset = try await send("/reset")
        #expect(reset.status == 502)
        #expect(String(decoding: reset.body, as: UTF8.self).contains("could not answer"))
        let truncated = try await send("/truncated")
        #expect(truncated.status == 502)
        let text = try await send("/text")
        #expect(text.status == 200)
        #expect(String(decoding: text.body, as: UTF8.self) == "plain text, not XML")
        let big = try await send("/big")
        #expect(big.status == 200)
        #expect(big.body == MisbehavingUpstream.bigBody)
        let fault = try await send("/fault")
        #expect(fault.status == 500)
        #expect(String(decoding: fault.body, as: UTF8.self) == Self.fault)
        // Still serving after all that.
        #expect(try await send("/text").status == 200)

        try await server.shutdown()
        await proxy.shutdown()
        upstream.stop()
        let recorded = try CassetteLoader.load(cassette).cassette.interactions
        // Failures are not recorded (no --record-errors); every answer is, as it travelled.
        #expect(recorded.map(\.request.path) == ["/text", "/big", "/fault", "/text"])
        #expect(recorded.map(\.response.status) == [200, 200, 500, 200])
        #expect(recorded.map(\.response.fault) == [false, false, true, false])
        #expect(recorded[1].response.body == MisbehavingUpstream.bigBody)
        #expect(String(decoding: recorded[0].response.body, as: UTF8.self) == "plain text, not XML")
    }
}

/// A TCP server on 127.0.0.1 that answers by path: `/reset` resets the connection, `/truncated` promises 1,000
/// bytes and sends 9, `/text` answers plain text, `/big` a 10 MB XML body, `/fault` HTTP 500 with a SOAP Fault.
final class MisbehavingUpstream: @unchecked Sendable {
    let port: UInt16
    private let descriptor: Int32

    static let bigBody: [UInt8] = {
        var body = Array("<?xml version=\"1.0\"?><big>".utf8)
        let item = Array("<item>0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef</item>".utf8)
        while body.count < 10_000_000 { body += item }
        return body + Array("</big>".utf8)
    }()

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        self.descriptor = descriptor
        let listener = descriptor
        Thread {
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 { return }
                Thread { MisbehavingUpstream.serve(client) }.start()
            }
        }.start()
    }

    func stop() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
    }

    private static func serve(_ client: Int32) {
        // Read the head and the body its Content-Length announces.
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var headEnd: Int?
        var contentLength = 0
        while true {
            let count = read(client, &buffer, buffer.count)
            if count <= 0 { close(client); return }
            received += buffer[0..<count]
            if headEnd == nil, let range = received.firstRange(of: Array("\r\n\r\n".utf8)) {
                headEnd = range.upperBound
                let head = String(decoding: received[..<range.lowerBound], as: UTF8.self).lowercased()
                if let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }) {
                    contentLength = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            if let headEnd, received.count >= headEnd + contentLength { break }
        }
        let requestLine = String(decoding: received.prefix { $0 != 0x0D }, as: UTF8.self)
        let path = requestLine.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        func respond(_ status: String, _ type: String, _ body: [UInt8]) {
            let head = "HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
            writeAll(client, Array(head.utf8) + body)
        }
        switch path {
        case "/reset":
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        case "/truncated":
            writeAll(client, Array("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n<partial>".utf8))
        case "/text": respond("200 OK", "text/plain", Array("plain text, not XML".utf8))
        case "/big": respond("200 OK", "text/xml", bigBody)
        case "/fault": respond("500 Internal Server Error", "text/xml; charset=utf-8", Array(FaultInjectionTests.fault.utf8))
        default: respond("404 Not Found", "text/plain", [])
        }
        close(client)
    }

    private static func writeAll(_ client: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            offset += written
        }
    }
}
