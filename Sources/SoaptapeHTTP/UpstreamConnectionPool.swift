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
    /// Idle connections by event loop; each list is touched only on its own loop.
    private var idle: [ObjectIdentifier: [Channel]] = [:]
    private let lock = NSLock()

    init(host: String, port: Int, timeout: TimeAmount, maximumBodySize: Int) {
        self.host = host
        self.port = port
        self.timeout = timeout
        self.maximumBodySize = maximumBodySize
    }

    /// Sends the request on `loop`, over an idle connection of that loop or a new one. A pooled connection that
    /// the upstream had closed is retried once on a fresh connection.
    func execute(_ request: HTTPRequestMessage, headers: HTTPHeaders, on loop: EventLoop)
        -> EventLoopFuture<HTTPResponseMessage>
    {
        if let channel = takeIdle(on: loop) {
            return send(request, headers: headers, over: channel, on: loop).flatMapError { error in
                guard case Failure.closedEarly = error else { return loop.makeFailedFuture(error) }
                return self.connect(on: loop).flatMap { self.send(request, headers: headers, over: $0, on: loop) }
            }
        }
        return connect(on: loop).flatMap { self.send(request, headers: headers, over: $0, on: loop) }
    }

    /// Closes every idle connection.
    func close() {
        let channels = lock.withLock { () -> [Channel] in
            defer { idle = [:] }
            return idle.values.flatMap { $0 }
        }
        for channel in channels { channel.close(promise: nil) }
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
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(maximumBodySize: self.maximumBodySize))
                }
            }
            .connect(host: host, port: port)
            .flatMapErrorThrowing { error in throw Failure.connect(String(describing: error)) }
    }

    private func send(_ request: HTTPRequestMessage, headers: HTTPHeaders, over channel: Channel, on loop: EventLoop)
        -> EventLoopFuture<HTTPResponseMessage>
    {
        let promise = loop.makePromise(of: (HTTPResponseMessage, Bool).self)
        let timer = loop.scheduleTask(in: timeout) {
            promise.fail(Failure.timedOut)
            channel.close(promise: nil)
        }
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: request.method), uri: request.path,
                                   headers: headers)
        head.headers.replaceOrAdd(name: "Host", value: "\(host):\(port)")
        head.headers.replaceOrAdd(name: "Content-Length", value: String(request.body.count))
        channel.writeAndFlush(ResponseCollector.Outbound(head: head, body: request.body, promise: promise), promise: nil)
        return promise.futureResult.map { response, keepAlive in
            timer.cancel()
            if keepAlive && channel.isActive { self.giveBack(channel, on: loop) } else { channel.close(promise: nil) }
            return response
        }.flatMapErrorThrowing { error in
            timer.cancel()
            channel.close(promise: nil)
            throw error
        }
    }
}

/// Writes one request and collects its whole response, then fulfils the request's promise.
private final class ResponseCollector: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = Outbound
    typealias OutboundOut = HTTPClientRequestPart

    struct Outbound {
        var head: HTTPRequestHead
        var body: [UInt8]
        var promise: EventLoopPromise<(HTTPResponseMessage, Bool)>
    }

    private let maximumBodySize: Int
    private var pending: EventLoopPromise<(HTTPResponseMessage, Bool)>?
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private var received = false

    init(maximumBodySize: Int) { self.maximumBodySize = maximumBodySize }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        pending = request.promise
        head = nil
        body = []
        received = false
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: request.body.count)
        buffer.writeBytes(request.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received = true
        switch unwrapInboundIn(data) {
        case .head(let responseHead):
            head = responseHead
        case .body(var chunk):
            if body.count + chunk.readableBytes > maximumBodySize {
                pending?.fail(UpstreamConnectionPool.Failure.tooLarge)
                pending = nil
                context.close(promise: nil)
                return
            }
            body += chunk.readBytes(length: chunk.readableBytes) ?? []
        case .end:
            guard let head, let promise = pending else { return }
            pending = nil
            let response = HTTPResponseMessage(status: Int(head.status.code),
                                               headers: head.headers.map { ($0.name, $0.value) }, body: body)
            promise.succeed((response, head.isKeepAlive))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        pending?.fail(received ? UpstreamConnectionPool.Failure.connect("the upstream closed the connection mid-answer")
                      : UpstreamConnectionPool.Failure.closedEarly)
        pending = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        pending?.fail(UpstreamConnectionPool.Failure.connect(String(describing: error)))
        pending = nil
        context.close(promise: nil)
    }
}
