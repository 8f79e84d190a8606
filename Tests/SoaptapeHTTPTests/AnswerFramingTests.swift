import Foundation
import SoaptapeCore
import SoaptapeHTTP
import Testing

/// The server writes answers as bytes itself: what it sets, what it leaves out, and what it refuses to send.
struct AnswerFramingTests {
    static func request(_ method: String = "POST", close: Bool = true) -> String {
        "\(method) /a HTTP/1.1\r\nHost: h\r\nContent-Type: text/xml\r\nContent-Length: 4\r\n"
            + (close ? "Connection: close\r\n" : "") + "\r\n<a/>"
    }

    static func serve(_ answer: HTTPResponseMessage) async throws -> (HTTPServer, Int) {
        let server = try await HTTPServer.start { _, _, reply in reply(OutgoingResponse(answer)) }
        return (server, server.port)
    }

    @Test func theServerSetsLengthAndConnectionAndLeavesHopByHopHeadersOut() async throws {
        let (server, port) = try await Self.serve(HTTPResponseMessage(
            status: 201, headers: [("Content-Type", "text/xml"), ("Content-Length", "999"), ("Connection", "keep-alive"),
                                   ("Transfer-Encoding", "chunked"), ("Keep-Alive", "timeout=5"), ("X-Kept", "yes")],
            body: Array("<created/>".utf8)))
        let answer = try await RawConnection.exchange(port: port, Array(Self.request().utf8))
        #expect(answer == "HTTP/1.1 201 Created\r\nContent-Type: text/xml\r\nX-Kept: yes\r\nContent-Length: 10\r\n"
            + "Connection: close\r\n\r\n<created/>")
        try await server.shutdown()
    }

    @Test func noContentHasNoLengthAndNoBody() async throws {
        let (server, port) = try await Self.serve(HTTPResponseMessage(status: 204, headers: [], body: []))
        let answer = try await RawConnection.exchange(port: port, Array(Self.request().utf8))
        #expect(answer == "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
        try await server.shutdown()
    }

    @Test func aHeadRequestGetsTheLengthAGetWouldAndNoBody() async throws {
        // A proxied HEAD: the upstream's Content-Length passed on, no body.
        let (proxied, proxiedPort) = try await Self.serve(HTTPResponseMessage(
            status: 200, headers: [("Content-Type", "text/xml"), ("Content-Length", "1234")], body: []))
        let answer = try await RawConnection.exchange(port: proxiedPort, Array(Self.request("HEAD").utf8))
        #expect(answer == "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 1234\r\nConnection: close\r\n\r\n")
        try await proxied.shutdown()
        // A responder that answers HEAD as it answers POST: the body's length, not the body.
        let (server, port) = try await Self.serve(HTTPResponseMessage(status: 200, headers: [], body: Array("<ok/>".utf8)))
        let headers = try await RawConnection.exchange(port: port, Array(Self.request("HEAD").utf8))
        #expect(headers == "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\n")
        try await server.shutdown()
    }

    @Test func aClientThatWaitsForLeaveToSendItsBodyGetsItAtOnce() async throws {
        let server = try await HTTPServer.start(maximumBodySize: 100) { request, _, reply in
            reply(OutgoingResponse(HTTPResponseMessage(status: 200, headers: [], body: Array(request.body.readableBytesView))))
        }
        let head = "POST /a HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\nConnection: close\r\n\r\n"
        let (interim, final) = try await Self.talk(port: server.port, head: head, body: "<a/>")
        #expect(interim == "HTTP/1.1 100 Continue\r\n\r\n")
        #expect(final == "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\n<a/>")
        // One whose declared body is over the limit gets its 413 at once instead, before sending it.
        let large = "POST /a HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n"
        let (refusal, rest) = try await Self.talk(port: server.port, head: large, body: nil)
        #expect(refusal.hasPrefix("HTTP/1.1 413 Payload Too Large\r\n"), "answer: \(refusal)")
        #expect(rest.contains("larger than 100 bytes"), "answer: \(rest)")
        try await server.shutdown()
    }

    /// Sends `head`, reads the first answer's head, then sends `body` (when given) and reads the rest.
    static func talk(port: Int, head: String, body: String?) async throws -> (String, String) {
        let client = try RawConnection(port: port)
        return await withCheckedContinuation { continuation in
            Thread {
                defer { client.close() }
                client.send(Array(head.utf8))
                let first = client.receive(until: "\r\n\r\n")
                if let body { client.send(Array(body.utf8)) }
                continuation.resume(returning: (first, String(decoding: client.readToEnd(), as: UTF8.self)))
            }.start()
        }
    }

    @Test func anHTTP10ClientIsAnsweredInHTTP10() async throws {
        let (server, port) = try await Self.serve(HTTPResponseMessage(status: 200, headers: [], body: Array("ok".utf8)))
        let answer = try await RawConnection.exchange(
            port: port, Array("POST /a HTTP/1.0\r\nContent-Length: 4\r\n\r\n<a/>".utf8))
        #expect(answer == "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        try await server.shutdown()
    }

    @Test func anAnswerWhoseHeaderCouldSplitItIsNotSentAndAFaultSaysWhy() async throws {
        let (server, port) = try await Self.serve(HTTPResponseMessage(
            status: 200, headers: [("Content-Type", "text/xml"), ("X-Note", "a\r\nSet-Cookie: injected=1")],
            body: Array("<ok/>".utf8)))
        let answer = try await RawConnection.exchange(port: port, Array(Self.request().utf8))
        #expect(answer.hasPrefix("HTTP/1.1 500 Internal Server Error\r\n"), "answer: \(answer)")
        #expect(answer.contains("the answer's header \"X-Note\" is not valid HTTP"), "answer: \(answer)")
        #expect(!answer.contains("injected") && !answer.contains("<ok/>"), "answer: \(answer)")
        try await server.shutdown()
    }
}
