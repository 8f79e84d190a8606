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
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
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
