import Foundation
import SoaptapeCore
import SoaptapeHTTP
import Testing

/// HTTP/1.1 pipelining: a client may send several requests before reading; the answers come back in the order the
/// requests were sent, whichever is ready first.
struct PipeliningTests {
    /// The first request's answer, held until a later request has been answered.
    final class HeldAnswer: @unchecked Sendable {
        private let lock = NSLock()
        private var held: (@Sendable () -> Void)?

        func hold(_ answer: @escaping @Sendable () -> Void) { lock.withLock { held = answer } }

        func release() { lock.withLock { held }?() }
    }

    static func exchange(_ port: Int, _ text: String) async throws -> String {
        try await RawConnection.exchange(port: port, Array(text.utf8))
    }

    static func request(_ path: String, close: Bool = false) -> String {
        "POST \(path) HTTP/1.1\r\nHost: h\r\nContent-Type: text/xml\r\nContent-Length: 4\r\n"
            + (close ? "Connection: close\r\n" : "") + "\r\n<a/>"
    }

    @Test func answersComeBackInRequestOrderWhenALaterOneIsReadyFirst() async throws {
        let held = HeldAnswer()
        let calls = Counter()
        // Answered on the connection's event loop: the second request is answered before the first.
        let server = try await HTTPServer.start { request, _, answer in
            calls.add()
            let response = OutgoingResponse(HTTPResponseMessage(status: 200, headers: [("Content-Type", "text/xml")],
                                                                body: Array("<\(request.head.uri.dropFirst())/>".utf8)))
            switch request.head.uri {
            case "/first": held.hold { answer(response) }
            case "/second":
                answer(response)
                held.release()
            default: answer(response)
            }
        }
        let answer = try await Self.exchange(
            server.port, Self.request("/first") + Self.request("/second") + Self.request("/third", close: true))
        let bodies = ["<first/>", "<second/>", "<third/>"].map { answer.range(of: $0)?.lowerBound }
        #expect(bodies.allSatisfy { $0 != nil }, "answer: \(answer)")
        #expect(bodies.compactMap { $0 } == bodies.compactMap { $0 }.sorted(), "answer: \(answer)")
        #expect(answer.components(separatedBy: "HTTP/1.1 200 OK").count - 1 == 3)
        #expect(calls.value == 3)
        try await server.shutdown()
    }

    @Test func nothingAfterARequestThatClosesTheConnectionIsAnsweredOrHandedOn() async throws {
        let calls = Counter()
        let server = try await HTTPServer.start { request, _, answer in
            calls.add()
            answer(OutgoingResponse(HTTPResponseMessage(status: 200, headers: [], body: Array(request.head.uri.utf8))))
        }
        let answer = try await Self.exchange(server.port, Self.request("/a", close: true) + Self.request("/b"))
        #expect(answer.components(separatedBy: "HTTP/1.1 ").count - 1 == 1, "answer: \(answer)")
        #expect(answer.hasSuffix("/a"))
        #expect(calls.value == 1)
        try await server.shutdown()
    }
}
