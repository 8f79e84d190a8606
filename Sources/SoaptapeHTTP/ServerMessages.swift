import NIOCore
import NIOHTTP1
import SoaptapeCore

/// A request as the HTTP server read it, in NIO's own head and buffer, so that a proxy passes it on without copies.
public struct ReceivedRequest: Sendable {
    /// The request line and headers.
    public var head: HTTPRequestHead
    /// The body as read (empty when none came).
    public var body: ByteBuffer

    /// A request read as `head` and `body`.
    public init(head: HTTPRequestHead, body: ByteBuffer) {
        self.head = head
        self.body = body
    }

    /// The request as the domain sees it (its headers and body copied out).
    public var message: HTTPRequestMessage {
        HTTPRequestMessage(method: head.method.rawValue, path: head.uri, headers: head.headers.map { ($0.name, $0.value) },
                           body: Array(body.readableBytesView))
    }
}

/// An answer in NIO's types, ready to write. The server sets `Content-Length` and `Connection` itself and leaves out
/// hop-by-hop headers (RFC 9110, 7.6.1), so a proxy may pass an upstream's headers as they came.
public struct OutgoingResponse: Sendable {
    /// The status.
    public var status: HTTPResponseStatus
    /// The header fields.
    public var headers: HTTPHeaders
    /// The body.
    public var body: ByteBuffer

    /// An answer of `status` with `headers` and `body`.
    public init(status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The domain's answer, copied into NIO's types.
    public init(_ message: HTTPResponseMessage) {
        status = HTTPResponseStatus(statusCode: message.status)
        headers = HTTPHeaders(message.headers)
        body = ByteBuffer(bytes: message.body)
    }
}
