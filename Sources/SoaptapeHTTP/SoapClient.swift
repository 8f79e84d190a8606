import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SoaptapeCore

/// Outbound SOAP calls over AsyncHTTPClient, with the client's lifetime scoped to one call site.
public struct SoapClient: Sendable {
    /// What came back.
    public struct Response: Sendable {
        /// The HTTP status.
        public var status: Int
        /// Header fields.
        public var headers: [(name: String, value: String)]
        /// The body.
        public var body: [UInt8]
    }

    /// Why a call could not be made.
    public struct ConnectionError: Error, CustomStringConvertible {
        /// The URL called.
        public var url: String
        /// What went wrong.
        public var reason: String
        /// `cannot reach URL: reason`.
        public var description: String { "cannot reach \(url): \(reason)" }
    }

    /// The longest a call may take.
    public var timeout: TimeAmount = .seconds(30)
    /// The largest response body read.
    public var maximumBodySize = 64 << 20

    /// A client with default limits.
    public init() {}

    /// GETs `url` (a WSDL, say).
    public func get(_ url: String, headers: [(name: String, value: String)] = []) async throws(ConnectionError)
        -> Response
    {
        try await call(.GET, url, headers: headers, body: nil)
    }

    /// POSTs `body` to `url` with `headers`.
    public func post(_ url: String, headers: [(name: String, value: String)], body: [UInt8]) async throws(ConnectionError)
        -> Response
    {
        try await call(.POST, url, headers: headers, body: body)
    }

    private func call(_ method: HTTPMethod, _ url: String, headers: [(name: String, value: String)], body: [UInt8]?)
        async throws(ConnectionError) -> Response
    {
        // One attempt per call: a refused connection is reported at once, not retried until a timeout.
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            var request = HTTPClientRequest(url: url)
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let response = try await client.execute(request, timeout: timeout)
            let collected = try await response.body.collect(upTo: maximumBodySize)
            try await client.shutdown()
            return Response(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                            body: Array(collected.readableBytesView))
        } catch {
            try? await client.shutdown()
            throw ConnectionError(url: url, reason: Self.describe(error))
        }
    }

    static func describe(_ error: Error) -> String {
        let text = String(describing: error)
        if text.contains("connectTimeout") || text.contains("deadlineExceeded") { return "the connection timed out" }
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        return text
    }
}
