import NIOCore
import NIOHTTP1

/// Writes each request to the upstream as one buffer: the request line, headers and body it is given in parts (the
/// response decoder before it sees the head, as it must to frame the answer), encoded here and sent together.
///
/// It stands where NIO's request encoder and header validator would: the forwarded head comes from NIO's own parser
/// (names and values already checked), with `Host` and `Content-Length` set by the pool.
final class UpstreamRequestEncoder: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = ByteBuffer

    /// The request so far: its encoded head, then its body.
    private var pending: ByteBuffer?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            // Room for the body too, when its length is known: it is appended without growing the buffer.
            let bodyLength = head.headers.first(name: "Content-Length").flatMap { Int($0) } ?? 0
            var buffer = context.channel.allocator.buffer(capacity: 256 + 48 * head.headers.count + bodyLength)
            buffer.writeString(head.method.rawValue)
            buffer.writeStaticString(" ")
            buffer.writeString(head.uri)
            buffer.writeStaticString(head.version == .http1_0 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n")
            for (name, value) in head.headers {
                buffer.writeString(name)
                buffer.writeStaticString(": ")
                buffer.writeString(value)
                buffer.writeStaticString("\r\n")
            }
            buffer.writeStaticString("\r\n")
            pending = buffer
            promise?.succeed()
        case .body(.byteBuffer(var body)):
            if pending == nil {
                pending = body
            } else {
                pending!.writeBuffer(&body)
            }
            promise?.succeed()
        case .body(.fileRegion):
            promise?.fail(ChannelError.operationUnsupported)
        case .end:
            if let request = pending {
                pending = nil
                context.write(wrapOutboundOut(request), promise: promise)
            } else {
                promise?.succeed()
            }
        }
    }
}
