import Foundation
import SoapXML
import SoaptapeCore
import SoaptapeHTTP
import Testing

/// Clients that break HTTP: bytes that are not a request, broken chunking, a body cut off by a disconnect. Each
/// gets a SOAP Fault where an answer is possible, nothing reaches the responder, and the server keeps serving.
struct MalformedClientTests {
    static func server(calls: Counter) async throws -> HTTPServer {
        try await RecordingTests.upstream { _ in
            calls.add()
            return HTTPResponseMessage(status: 200, headers: [("Content-Type", "text/xml")], body: Array("<ok/>".utf8))
        }
    }

    /// Sends `bytes` on a fresh connection and reads until the server closes it (or 10 s pass).
    static func exchange(_ port: Int, _ bytes: [UInt8], disconnect: Bool = false) async throws -> String {
        try await RawConnection.exchange(port: port, bytes, disconnect: disconnect)
    }

    static func expectFault(_ answer: String, status: String, reasonStart: String) throws {
        #expect(answer.hasPrefix("HTTP/1.1 \(status)"), "answer: \(answer.prefix(200))")
        #expect(answer.lowercased().contains("connection: close"))
        let body = try #require(answer.range(of: "\r\n\r\n")).upperBound
        let fault = try #require(SoapMessage.faultDetails(try XMLDocument(string: String(answer[body...]))))
        #expect(fault.reason.hasPrefix(reasonStart), "reason: \(fault.reason)")
    }

    static func stillServes(_ server: HTTPServer) async throws {
        let response = try await SoapClient().post(server.baseURL + "/x", headers: [("Content-Type", "text/xml")],
                                                   body: Array("<a/>".utf8))
        #expect(String(decoding: response.body, as: UTF8.self) == "<ok/>")
    }

    @Test func bytesThatAreNotHTTPGetA400Fault() async throws {
        let calls = Counter()
        let server = try await Self.server(calls: calls)
        let answer = try await Self.exchange(server.port, Array("GARBAGE\u{1} / NOT-HTTP\r\n\r\n".utf8))
        try Self.expectFault(answer, status: "400", reasonStart: "the request is not valid HTTP/1.1")
        try await Self.stillServes(server)
        #expect(calls.value == 1)
        try await server.shutdown()
    }

    @Test func brokenChunkedEncodingGetsA400Fault() async throws {
        let calls = Counter()
        let server = try await Self.server(calls: calls)
        let request = "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n<a/>\r\n0\r\n\r\n"
        let answer = try await Self.exchange(server.port, Array(request.utf8))
        try Self.expectFault(answer, status: "400", reasonStart: "the request is not valid HTTP/1.1")
        try await Self.stillServes(server)
        #expect(calls.value == 1)
        try await server.shutdown()
    }

    @Test func aClientThatDisconnectsMidBodyReachesNothing() async throws {
        let calls = Counter()
        let server = try await Self.server(calls: calls)
        for _ in 0..<20 {
            let head = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Type: text/xml\r\nContent-Length: 5000\r\n\r\n"
            _ = try await Self.exchange(server.port, Array(head.utf8) + Array(repeating: UInt8(ascii: "x"), count: 1000),
                                  disconnect: true)
        }
        try await Self.stillServes(server)
        // Only the complete request was answered; the cut-off ones never reached the responder.
        #expect(calls.value == 1)
        try await server.shutdown()
    }
}

extension Array where Element == UInt8 {
    /// True when the array's last elements are `suffix`.
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}

/// A blocking TCP connection to 127.0.0.1, for writing bytes no HTTP client would send.
final class RawConnection: @unchecked Sendable {
    private let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if connected != 0 {
            Glibc.close(descriptor)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    /// Sends `bytes` on a fresh connection and reads until the server closes it (or 10 s pass), on a thread of its
    /// own: a blocking read on a test's task would hold one of the few threads the servers' tasks need.
    static func exchange(port: Int, _ bytes: [UInt8], disconnect: Bool = false) async throws -> String {
        let client = try RawConnection(port: port)
        return await withCheckedContinuation { continuation in
            Thread {
                defer { client.close() }
                client.send(bytes)
                continuation.resume(returning: disconnect ? "" : String(decoding: client.readToEnd(), as: UTF8.self))
            }.start()
        }
    }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            offset += written
        }
    }

    /// Reads until what arrived ends with `marker` (or the server closes, or 10 s pass).
    func receive(until marker: String) -> String {
        var received: [UInt8] = []
        var byte: UInt8 = 0
        let wanted = Array(marker.utf8)
        while !received.ends(with: wanted), Glibc.read(descriptor, &byte, 1) == 1 { received.append(byte) }
        return String(decoding: received, as: UTF8.self)
    }

    func readToEnd() -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { return received }
            received += buffer[0..<count]
        }
    }

    func close() {
        Glibc.close(descriptor)
    }
}
