import Foundation
import SoaptapeCore
import SoaptapeHTTP
import Testing

/// HTTP/1.1 pipelining: a client may send several requests before reading; the answers come back in the order the
/// requests were sent, whichever is ready first.
struct PipeliningTests {
    /// Holds the first request's answer until a later request has been handed to the responder.
    actor Gate {
        private var isOpen = false
        private var waiters: [CheckedContinuation<Void, Never>] = []

        func wait() async {
            if isOpen { return }
            await withCheckedContinuation { waiters.append($0) }
        }

        func open() {
            isOpen = true
            for waiter in waiters { waiter.resume() }
            waiters = []
        }
    }

    /// Sends `text` on a fresh connection and reads until the server closes it, on a thread of its own: a blocking
    /// read on the test's thread could starve the responder's tasks of the cooperative pool.
    static func exchange(_ port: Int, _ text: String) async throws -> String {
        let client = try RawConnection(port: port)
        return await withCheckedContinuation { continuation in
            Thread {
                defer { client.close() }
                client.send(Array(text.utf8))
                continuation.resume(returning: String(decoding: client.readToEnd(), as: UTF8.self))
            }.start()
        }
    }

    static func request(_ path: String, close: Bool = false) -> String {
        "POST \(path) HTTP/1.1\r\nHost: h\r\nContent-Type: text/xml\r\nContent-Length: 4\r\n"
            + (close ? "Connection: close\r\n" : "") + "\r\n<a/>"
    }

    @Test func answersComeBackInRequestOrderWhenALaterOneIsReadyFirst() async throws {
        let gate = Gate()
        let calls = Counter()
        let server = try await HTTPServer.start { request in
            calls.add()
            if request.path == "/first" { await gate.wait() }
            if request.path == "/second" { await gate.open() }
            return HTTPResponseMessage(status: 200, headers: [("Content-Type", "text/xml")],
                                       body: Array("<\(request.path.dropFirst())/>".utf8))
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
        let server = try await HTTPServer.start { request in
            calls.add()
            return HTTPResponseMessage(status: 200, headers: [], body: Array(request.path.utf8))
        }
        let answer = try await Self.exchange(server.port, Self.request("/a", close: true) + Self.request("/b"))
        #expect(answer.components(separatedBy: "HTTP/1.1 ").count - 1 == 1, "answer: \(answer)")
        #expect(answer.hasSuffix("/a"))
        #expect(calls.value == 1)
        try await server.shutdown()
    }
}
