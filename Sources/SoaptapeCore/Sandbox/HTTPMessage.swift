import SoapXML

/// An HTTP request as the domain sees it: no sockets, just what arrived.
public struct HTTPRequestMessage: Sendable {
    /// The method, `POST`.
    public var method: String
    /// The path with its query, `/Remote/Services88/Favourite.svc?wsdl`.
    public var path: String
    /// Header fields in arrival order.
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String, path: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.equalsIgnoringCase(name) }?.value
    }
}

/// An HTTP response as the domain makes it.
public struct HTTPResponseMessage: Sendable {
    /// The status code.
    public var status: Int
    /// Header fields.
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Header rules shared by everything that passes HTTP messages on: the record proxy, serve and replay.
public enum HTTPHeaderRules {
    /// Headers whose values are credentials, redacted by `record` (and by `replay --update`) unless told more.
    public static let credentials: HeaderNameSet = ["authorization", "proxy-authorization", "cookie", "set-cookie"]

    /// Hop-by-hop headers (RFC 9110, 7.6.1), never forwarded nor recorded; `Host` and `Content-Length` are set
    /// anew by whoever sends, and `Expect` is not passed on: soaptape has the whole body before it sends.
    public static let notForwarded: HeaderNameSet = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "transfer-encoding", "upgrade", "host", "content-length", "expect",
    ]

    /// The sentence that says why a request got no recording: the reason, the nearest recording, and up to three
    /// differences (pass them through `SecretScrubber` first).
    public static func mismatch(_ reason: String, nearest: String?, differences: [Difference]) -> String {
        var message = reason
        if let nearest { message += "; the nearest recording is \(nearest)" }
        if !differences.isEmpty {
            message += (nearest == nil ? ": " : ", which differs at ") + differences.prefix(3).map { difference in
                "\(difference.path) (expected \(difference.expected ?? "nothing"), found \(difference.actual ?? "nothing"))"
            }.joined(separator: "; ")
            if differences.count > 3 { message += "; and \(differences.count - 3) more" }
        }
        return message
    }
}
