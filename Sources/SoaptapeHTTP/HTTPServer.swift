import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SoaptapeCore

/// A small HTTP/1.1 server on SwiftNIO that hands each complete request to a domain responder.
///
/// One broken connection never stops it: per-connection errors close that connection only. It binds where it
/// is told (127.0.0.1 by default; port 0 picks a free port) and reports the address it bound to.
public final class HTTPServer: Sendable {
    private let channel: Channel
    /// The address the server listens on.
    public let host: String
    /// The port the server listens on (the one chosen when 0 was asked for).
    public let port: Int

    /// True when the server speaks TLS.
    public let secure: Bool

    /// The base URL, `http://127.0.0.1:PORT` (or `https://…`).
    public var baseURL: String { "\(secure ? "https" : "http")://\(host):\(port)" }

    private init(channel: Channel, host: String, port: Int, secure: Bool) {
        self.channel = channel
        self.host = host
        self.port = port
        self.secure = secure
    }

    /// Starts listening on `host:port`, answering every request with `respond`.
    public static func start(
        host: String = "127.0.0.1", port: Int = 0, maximumBodySize: Int = 64 << 20, tls: TLSConfiguration? = nil,
        respond: @escaping @Sendable (HTTPRequestMessage) async -> HTTPResponseMessage
    ) async throws -> HTTPServer {
        try await start(host: host, port: port, maximumBodySize: maximumBodySize, tls: tls, responder: .task(respond))
    }

    /// Starts listening on `host:port`, answering every request on the event loop of its connection: `respondOnLoop`
    /// calls its third argument with the answer, on that loop. No task and no future is made per request, and the
    /// request and answer stay in NIO's buffers (the record proxy's hot path).
    public static func start(
        host: String = "127.0.0.1", port: Int = 0, maximumBodySize: Int = 64 << 20, tls: TLSConfiguration? = nil,
        respondOnLoop: @escaping @Sendable (
            ReceivedRequest, EventLoop, @escaping @Sendable (OutgoingResponse) -> Void
        ) -> Void
    ) async throws -> HTTPServer {
        try await start(host: host, port: port, maximumBodySize: maximumBodySize, tls: tls, responder: .loop(respondOnLoop))
    }

    private static func start(
        host: String, port: Int, maximumBodySize: Int, tls: TLSConfiguration?, responder: Responder
    ) async throws -> HTTPServer {
        let sslContext = try tls.map { try NIOSSLContext(configuration: $0) }
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    // NIO decodes requests; RequestHandler writes answers as bytes itself (OutgoingResponse.encoded),
                    // and keeps pipelined requests in order: NIO's pipelining handler stops reading while a request
                    // is answered, which costs two epoll_ctl calls per request.
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                    try channel.pipeline.syncOperations.addHandler(
                        RequestHandler(maximumBodySize: maximumBodySize, responder: responder))
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        let bound = channel.localAddress?.port ?? port
        return HTTPServer(channel: channel, host: host, port: bound, secure: tls != nil)
    }

    /// Stops listening; connections in flight finish.
    public func shutdown() async throws {
        try await channel.close()
    }
}

/// How a server answers: in a task (may await anything), or on the connection's event loop.
enum Responder: Sendable {
    case task(@Sendable (HTTPRequestMessage) async -> HTTPResponseMessage)
    case loop(@Sendable (ReceivedRequest, EventLoop, @escaping @Sendable (OutgoingResponse) -> Void) -> Void)
}

/// Collects each request, hands it to the responder, and writes the answers in the order the requests came
/// (HTTP/1.1 pipelining), keeping the connection alive when the client wants it.
///
/// A client that sends one request at a time never has its reads paused; one that pipelines more than
/// `maximumPending` requests is read no further until answers catch up.
private final class RequestHandler: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case idle
        /// The head, and the body so far (nil before its first chunk).
        case receiving(HTTPRequestHead, ByteBuffer?)
        case discarding(HTTPRequestHead)
        /// After a request the connection ends with (unreadable bytes, or an answer that closes it).
        case closing
    }

    /// An answer owed to the client, in request order.
    private struct Slot {
        var number: Int
        var keepAlive: Bool
        var version: HTTPVersion
        /// The request was a HEAD: its answer has headers only.
        var head = false
        var response: OutgoingResponse?
    }

    private var state = State.idle
    private let maximumBodySize: Int
    private let responder: Responder
    /// Answers owed, oldest first; written as soon as the oldest is ready.
    private var slots: [Slot] = []
    private var nextNumber = 0
    /// True when NIO asked to read while too many answers were owed.
    private var readWithheld = false
    private let maximumPending = 16
    init(maximumBodySize: Int, responder: Responder) {
        self.maximumBodySize = maximumBodySize
        self.responder = responder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), .idle):
            state = .receiving(head, nil)
            // A client that waits for leave to send its body (.NET's SOAP clients do, for every POST, up to 350 ms)
            // gets it at once, or at once the 413 its declared length earns. Not while earlier answers are owed: an
            // interim answer may not overtake them.
            if Self.awaitsContinue(head), slots.isEmpty {
                if Self.declaresTooLarge(head, maximumBodySize) {
                    refuseAsTooLarge(head, context: context)
                } else {
                    context.writeAndFlush(
                        wrapOutboundOut(ByteBuffer(staticString: "HTTP/1.1 100 Continue\r\n\r\n")), promise: nil)
                }
            }
        case (.body(var chunk), .receiving(let head, let received)):
            if (received?.readableBytes ?? 0) + chunk.readableBytes > maximumBodySize {
                state = .discarding(head)
            } else if var body = received {
                // Later chunks are appended to the first; the state lets go of it first, so it is not copied.
                state = .idle
                body.writeBuffer(&chunk)
                state = .receiving(head, body)
            } else {
                state = .receiving(head, chunk)
            }
        case (.body, .discarding), (_, .closing):
            break
        case (.end, .receiving(let head, let body)):
            // Nothing a client sends after a request that closes the connection is answered, nor handed on.
            state = head.isKeepAlive ? .idle : .closing
            let request = ReceivedRequest(head: head, body: body ?? ByteBuffer())
            // The responder may answer later (a proxy forwarding upstream); the answer is written on this
            // connection's event loop, after the answers to the requests before it.
            let number = owe(keepAlive: head.isKeepAlive, version: head.version, head: head.method == .HEAD)
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let answer: @Sendable (OutgoingResponse) -> Void = { response in
                let (handler, context) = bound.value
                handler.pay(number, response, context: context)
            }
            switch responder {
            case .task(let respond):
                let promise = context.eventLoop.makePromise(of: HTTPResponseMessage.self)
                let message = request.message
                promise.completeWithTask { await respond(message) }
                promise.futureResult.whenSuccess { answer(OutgoingResponse($0)) }
            case .loop(let respond):
                respond(request, context.eventLoop, answer)
            }
        case (.end, .discarding(let head)):
            refuseAsTooLarge(head, context: context)
        default:
            // Parts out of order: the HTTP decoder already reports malformed requests; drop the connection.
            context.close(promise: nil)
        }
    }

    /// Answers 413 with a fault saying what the limit is, and ends the connection.
    private func refuseAsTooLarge(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        state = .closing
        let reason = "the request body is larger than \(maximumBodySize) bytes, the most this server accepts "
            + "(record and serve raise it with --max-body)"
        let version = SoapMessage.version(contentType: head.headers.first(name: "Content-Type")) ?? .soap11
        let response = HTTPResponseMessage(
            status: 413, headers: [("Content-Type", SoapMessage.contentType(version, action: nil))],
            body: Array(SoapMessage.fault(version, sender: true, reason: reason).utf8))
        pay(owe(keepAlive: false, version: head.version), OutgoingResponse(response), context: context)
    }

    /// True when the request asks for `100 Continue` before it sends its body (`Expect: 100-continue`, HTTP/1.1).
    private static func awaitsContinue(_ head: HTTPRequestHead) -> Bool {
        head.version == .http1_1
            && head.headers.first(name: "Expect").map { $0.trimmingCharacters(in: .whitespaces).equalsIgnoringCase("100-continue") }
            == true
    }

    /// True when the request's declared `Content-Length` is over the limit: it gets no leave to send, but its 413.
    private static func declaresTooLarge(_ head: HTTPRequestHead, _ maximum: Int) -> Bool {
        head.headers.first(name: "Content-Length").flatMap { Int($0) }.map { $0 > maximum } ?? false
    }

    /// Notes an answer owed; returns its number.
    private func owe(keepAlive: Bool, version: HTTPVersion, head: Bool = false) -> Int {
        defer { nextNumber += 1 }
        slots.append(Slot(number: nextNumber, keepAlive: keepAlive, version: version, head: head))
        return nextNumber
    }

    /// Records answer `number` and writes every answer now ready, in order.
    private func pay(_ number: Int, _ response: OutgoingResponse, context: ChannelHandlerContext) {
        guard let index = slots.firstIndex(where: { $0.number == number }) else { return }
        slots[index].response = response
        while let first = slots.first, let ready = first.response {
            slots.removeFirst()
            write(ready, keepAlive: first.keepAlive, version: first.version, toHead: first.head, context: context)
            if !first.keepAlive {
                slots.removeAll()
                state = .closing
                return
            }
        }
        if readWithheld && slots.count < maximumPending {
            readWithheld = false
            context.read()
        }
    }

    func read(context: ChannelHandlerContext) {
        if slots.count >= maximumPending {
            readWithheld = true
        } else {
            context.read()
        }
    }

    private func write(_ response: OutgoingResponse, keepAlive: Bool, version: HTTPVersion, toHead: Bool,
                       context: ChannelHandlerContext) {
        let bytes: ByteBuffer
        switch response.encoded(version: version, keepAlive: keepAlive, toHead: toHead,
                                allocator: context.channel.allocator) {
        case .success(let encoded):
            bytes = encoded
        case .failure(let invalid):
            // Nothing of an answer that could split or break the framing is sent: a fault says what was wrong.
            let reason = "the answer's header \"\(invalid.name.filter { $0.isASCII && !$0.isNewline })\" is not valid "
                + "HTTP (a name must be a token, a value must hold no control characters); fix it where the answer "
                + "comes from (a hand-edited cassette?)"
            let fault = OutgoingResponse(HTTPResponseMessage(
                status: 500, headers: [("Content-Type", SoapMessage.contentType(.soap11, action: nil))],
                body: Array(SoapMessage.fault(.soap11, sender: false, reason: reason).utf8)))
            guard case .success(let encoded) = fault.encoded(version: version, keepAlive: keepAlive, toHead: toHead,
                                                             allocator: context.channel.allocator) else { return }
            bytes = encoded
        }
        let done = context.writeAndFlush(wrapOutboundOut(bytes))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // Bytes the HTTP decoder cannot read: a 400 with a SOAP 1.1 fault saying so, after the answers owed for the
        // requests before them, then the connection closes.
        guard let parserError = error as? HTTPParserError else {
            context.close(promise: nil)
            return
        }
        if case .closing = state { return }
        state = .closing
        let reason = "the request is not valid HTTP/1.1 (\(parserError)); send a request line, headers and a "
            + "body framed by Content-Length or chunked encoding"
        let response = HTTPResponseMessage(
            status: 400, headers: [("Content-Type", SoapMessage.contentType(.soap11, action: nil))],
            body: Array(SoapMessage.fault(.soap11, sender: true, reason: reason).utf8))
        pay(owe(keepAlive: false, version: .http1_1), OutgoingResponse(response), context: context)
    }
}
