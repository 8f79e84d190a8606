import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import SoaptapeCore

/// Keep-alive HTTP/1.1 connections to one plain-http upstream, pooled per event loop, so that the proxy
/// forwards a request on the loop that accepted it with no thread hop and no per-request set-up.
final class UpstreamConnectionPool: @unchecked Sendable {
    /// Why a forwarded request failed.
    enum Failure: Error {
        case connect(String)
        case closedEarly
        case timedOut
        case tooLarge
    }

    private let host: String
    private let port: Int
    private let timeout: TimeAmount
    private let maximumBodySize: Int
    /// The `Host` header sent upstream.
    private let hostHeader: String
    /// Idle connections by event loop; each list is touched only on its own loop.
    private var idle: [ObjectIdentifier: [Channel]] = [:]
    /// The requests in flight by event loop, with their deadlines.
    private var watches: [ObjectIdentifier: DeadlineWatch] = [:]
    private let lock = NSLock()

    init(host: String, port: Int, timeout: TimeAmount, maximumBodySize: Int) {
        self.host = host
        self.port = port
        self.timeout = timeout
        self.maximumBodySize = maximumBodySize
        hostHeader = "\(host):\(port)"
    }

    /// An upstream's whole answer, as NIO read it.
    struct Response {
        /// The status line and headers.
        var head: HTTPResponseHead
        /// The body (empty when none came).
        var body: ByteBuffer
    }

    /// What a forwarded request ends with: the upstream's response, or why there is none.
    typealias Completion = @Sendable (Result<Response, Error>) -> Void

    /// Sends the request (`head` and `body`) on `loop`, over an idle connection of that loop or a new one, and calls
    /// `completion` on `loop` once. `head`'s headers go as given, with `Host` and `Content-Length` added: they must
    /// hold neither. A pooled connection that the upstream had closed is retried once on a fresh connection.
    func execute(_ head: HTTPRequestHead, body: ByteBuffer, on loop: EventLoop, _ completion: @escaping Completion) {
        var head = head
        // The forwarded headers never hold these two (HTTPHeaderRules.notForwarded): set here, they are added.
        head.headers.add(name: "Host", value: hostHeader)
        head.headers.add(name: "Content-Length", value: String(body.readableBytes))
        let request = ResponseCollector.Outbound(head: head, body: body)
        guard let channel = takeIdle(on: loop) else {
            return connectAndSend(request, on: loop, completion)
        }
        send(request, over: channel, on: loop, retry: true, completion)
    }

    /// Sends the request over a new connection of `loop`.
    private func connectAndSend(_ request: ResponseCollector.Outbound, on loop: EventLoop,
                                _ completion: @escaping Completion) {
        connect(on: loop).whenComplete { result in
            switch result {
            case .success(let channel):
                self.send(request, over: channel, on: loop, retry: false, completion)
            case .failure(let error): completion(.failure(error))
            }
        }
    }

    /// Closes every idle connection and stops watching deadlines.
    func close() {
        let (channels, stopped) = lock.withLock { () -> ([Channel], [DeadlineWatch]) in
            defer {
                idle = [:]
                self.watches = [:]
            }
            return (idle.values.flatMap { $0 }, Array(self.watches.values))
        }
        for channel in channels { channel.close(promise: nil) }
        for watch in stopped { watch.stop() }
    }

    /// The deadline watch of `loop`, started on first use.
    private func watch(on loop: EventLoop) -> DeadlineWatch {
        lock.withLock {
            if let watch = watches[ObjectIdentifier(loop)] { return watch }
            let interval = min(max(TimeAmount.nanoseconds(timeout.nanoseconds / 4), .milliseconds(10)), .seconds(1))
            let watch = DeadlineWatch(loop: loop, every: interval)
            watches[ObjectIdentifier(loop)] = watch
            return watch
        }
    }

    private func takeIdle(on loop: EventLoop) -> Channel? {
        lock.withLock {
            let key = ObjectIdentifier(loop)
            while var channels = idle[key], let channel = channels.popLast() {
                idle[key] = channels
                if channel.isActive { return channel }
            }
            return nil
        }
    }

    private func giveBack(_ channel: Channel, on loop: EventLoop) {
        lock.withLock { idle[ObjectIdentifier(loop), default: []].append(channel) }
    }

    private func connect(on loop: EventLoop) -> EventLoopFuture<Channel> {
        ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // NIO decodes answers; requests are encoded into one buffer each (UpstreamRequestEncoder).
                    try channel.pipeline.syncOperations.addHandler(UpstreamRequestEncoder())
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPResponseDecoder()))
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(maximumBodySize: self.maximumBodySize))
                }
            }
            .connect(host: host, port: port)
            .flatMapErrorThrowing { error in throw Failure.connect(String(describing: error)) }
    }

    /// Sends the request over `channel`. With `retry`, a connection the upstream had closed before answering (a
    /// pooled one gone stale) is replaced by a new one, once.
    private func send(_ request: ResponseCollector.Outbound, over channel: Channel, on loop: EventLoop,
                      retry: Bool, _ completion: @escaping Completion) {
        let exchange = Exchange { result in
            switch result {
            case .success(let (response, keepAlive)):
                if keepAlive && channel.isActive { self.giveBack(channel, on: loop) } else { channel.close(promise: nil) }
                completion(.success(response))
            case .failure(Failure.closedEarly) where retry:
                channel.close(promise: nil)
                self.connectAndSend(request, on: loop, completion)
            case .failure(let error):
                channel.close(promise: nil)
                completion(.failure(error))
            }
        }
        watch(on: loop).add(exchange, deadline: .now() + timeout)
        channel.writeAndFlush(ResponseCollector.Sending(request: request, exchange: exchange), promise: nil)
    }
}

/// One request in flight on an upstream connection: finished once, by its response, an error or its deadline.
final class Exchange: @unchecked Sendable {
    private var completion: (@Sendable (Result<(UpstreamConnectionPool.Response, Bool), Error>) -> Void)?
    /// Where the exchange is watched for its deadline (both touched on its loop only).
    fileprivate var watch: DeadlineWatch?
    fileprivate var watchIndex = 0
    fileprivate var deadline = NIODeadline.distantFuture

    init(_ completion: @escaping @Sendable (Result<(UpstreamConnectionPool.Response, Bool), Error>) -> Void) {
        self.completion = completion
    }

    /// Finishes the exchange with `result`, unless it has finished already (all on the connection's loop).
    func finish(_ result: Result<(UpstreamConnectionPool.Response, Bool), Error>) {
        guard let completion else { return }
        self.completion = nil
        watch?.remove(self)
        completion(result)
    }
}

/// The exchanges in flight on one event loop, checked against their deadlines by one repeating task: cheaper than a
/// timer scheduled and cancelled per request. A deadline is noticed within one check interval after it passes.
final class DeadlineWatch: @unchecked Sendable {
    private let loop: EventLoop
    private var exchanges: [Exchange] = []
    private var task: RepeatedTask?

    init(loop: EventLoop, every interval: TimeAmount) {
        self.loop = loop
        task = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [weak self] _ in self?.expire() }
    }

    func add(_ exchange: Exchange, deadline: NIODeadline) {
        exchange.watch = self
        exchange.watchIndex = exchanges.count
        exchange.deadline = deadline
        exchanges.append(exchange)
    }

    func remove(_ exchange: Exchange) {
        guard exchange.watch === self else { return }
        let index = exchange.watchIndex
        let last = exchanges.removeLast()
        if last !== exchange {
            exchanges[index] = last
            last.watchIndex = index
        }
        exchange.watch = nil
    }

    /// Fails every exchange whose deadline has passed.
    private func expire() {
        let now = NIODeadline.now()
        for exchange in exchanges where exchange.deadline <= now {
            exchange.finish(.failure(UpstreamConnectionPool.Failure.timedOut))
        }
    }

    func stop() { task?.cancel() }
}

/// Writes one request and collects its whole response, then finishes the request's exchange.
private final class ResponseCollector: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = Sending
    typealias OutboundOut = HTTPClientRequestPart

    /// A request to send: its head (with `Host` and `Content-Length`) and body.
    struct Outbound: Sendable {
        var head: HTTPRequestHead
        var body: ByteBuffer
    }

    /// A request on its way, and the exchange its answer finishes.
    struct Sending {
        var request: Outbound
        var exchange: Exchange
    }

    private let maximumBodySize: Int
    private var pending: Exchange?
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?
    private var received = false

    init(maximumBodySize: Int) { self.maximumBodySize = maximumBodySize }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let sending = unwrapOutboundIn(data)
        pending = sending.exchange
        head = nil
        body = nil
        received = false
        context.write(wrapOutboundOut(.head(sending.request.head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(sending.request.body))), promise: nil)
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received = true
        switch unwrapInboundIn(data) {
        case .head(let responseHead):
            head = responseHead
        case .body(var chunk):
            let collected = body?.readableBytes ?? 0
            if collected + chunk.readableBytes > maximumBodySize {
                pending?.finish(.failure(UpstreamConnectionPool.Failure.tooLarge))
                pending = nil
                context.close(promise: nil)
                return
            }
            // The first chunk (usually the whole body) is kept as it came; later ones are appended to it.
            if var collectedBody = body {
                body = nil
                collectedBody.writeBuffer(&chunk)
                body = collectedBody
            } else {
                body = chunk
            }
        case .end:
            guard let head, let exchange = pending else { return }
            pending = nil
            let response = UpstreamConnectionPool.Response(head: head, body: body ?? ByteBuffer())
            body = nil
            exchange.finish(.success((response, head.isKeepAlive)))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        pending?.finish(.failure(received
            ? UpstreamConnectionPool.Failure.connect("the upstream closed the connection mid-answer")
            : UpstreamConnectionPool.Failure.closedEarly))
        pending = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        pending?.finish(.failure(UpstreamConnectionPool.Failure.connect(String(describing: error))))
        pending = nil
        context.close(promise: nil)
    }
}
