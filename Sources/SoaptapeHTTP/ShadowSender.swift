import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import SoaptapeCore

/// Sends the shadow copies of a request (to a secondary, to a candidate) off the client's path, on its own
/// connection pool: a slow or failing shadow target never holds a client's connection.
final class ShadowSender: Sendable {
    private let client: HTTPClient
    private let timeout: TimeAmount
    private let maximumBodySize: Int

    /// A sender whose calls each take at most `timeout`.
    init(timeout: TimeAmount, maximumBodySize: Int, certificateAuthority: String?) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(10)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        configuration.decompression = .disabled
        configuration.redirectConfiguration = .disallow
        if let certificateAuthority {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.additionalTrustRoots = [.file(certificateAuthority)]
            configuration.tlsConfiguration = tls
        }
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.timeout = timeout
        self.maximumBodySize = maximumBodySize
    }

    /// What `base` + the request's path answered (a compressed body decoded), or why nothing could be read.
    func send(_ request: HTTPRequestMessage, to base: String) async -> Result<HTTPResponseMessage, ShadowSendFailure> {
        var outbound = HTTPClientRequest(url: base + request.path)
        outbound.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outbound.headers.add(name: name, value: value) }
        if !request.body.isEmpty || request.method == "POST" { outbound.body = .bytes(ByteBuffer(bytes: request.body)) }
        do {
            let response = try await client.execute(outbound, timeout: timeout)
            var body = Array(try await response.body.collect(upTo: maximumBodySize).readableBytesView)
            if let encoding = response.headers.first(name: "Content-Encoding")?.lowercased(),
                ContentDecoding.decodable.contains(encoding), let decoded = ContentDecoding.decode(body)
            {
                body = decoded
            }
            return .success(HTTPResponseMessage(status: Int(response.status.code),
                                                headers: response.headers.map { ($0.name, $0.value) }, body: body))
        } catch {
            let (_, cause) = RecordingProxy.describe(error, timeout: timeout)
            return .failure(ShadowSendFailure(reason: "\(base) could not answer: \(cause)"))
        }
    }

    /// Stops the connection pool.
    func shutdown() async {
        try? await client.shutdown()
    }
}

/// Why a shadow target's answer could not be read.
struct ShadowSendFailure: Error {
    /// `http://… could not answer: connection refused`.
    var reason: String
}
