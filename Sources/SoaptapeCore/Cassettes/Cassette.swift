import Foundation
import SoapXML

/// A recording of SOAP traffic: a header, then interactions in recorded order (docs/cassettes.md).
public struct Cassette: Sendable {
    /// The cassette format this soaptape writes and reads.
    public static let format = 1

    /// Facts about the recording as a whole.
    public var header: CassetteHeader
    /// The interactions, in recorded order.
    public var interactions: [Interaction]
    /// How many torn interactions at the end were dropped on loading (a recorder killed mid-write).
    public var droppedTornTail = 0

    /// Creates a cassette.
    public init(header: CassetteHeader, interactions: [Interaction] = []) {
        self.header = header
        self.interactions = interactions
    }
}

/// The cassette's first document.
public struct CassetteHeader: Equatable, Sendable {
    /// The cassette format, 1.
    public var format: Int = Cassette.format
    /// The soaptape version that recorded it.
    public var soaptape: String
    /// The upstream base URL, never with credentials.
    public var upstream: String
    /// When recording began (UTC, ISO 8601).
    public var createdAt: String

    /// Creates a header.
    public init(soaptape: String, upstream: String, createdAt: String) {
        self.soaptape = soaptape
        self.upstream = upstream
        self.createdAt = createdAt
    }
}

/// One request and its response.
public struct Interaction: Equatable, Sendable {
    /// 1, 2, 3… in the order interactions completed.
    public var sequence: Int
    /// When the response completed (UTC, ISO 8601 with milliseconds).
    public var recordedAt: String
    /// How long the upstream took, in milliseconds.
    public var durationMilliseconds: Double
    /// What operation the request was identified as.
    public var operation: OperationIdentity?
    /// The request as it travelled, secrets redacted.
    public var request: RecordedRequest
    /// The response as it travelled, secrets redacted.
    public var response: RecordedResponse

    /// `Services88/Favourite/ToggleFavourite`, else the payload element, else `GET /path`.
    public var label: String {
        if let operation, operation.name != nil || operation.element != nil { return operation.label }
        return "\(request.method) \(request.path)"
    }

    /// Creates an interaction.
    public init(sequence: Int, recordedAt: String, durationMilliseconds: Double, operation: OperationIdentity?,
                request: RecordedRequest, response: RecordedResponse) {
        self.sequence = sequence
        self.recordedAt = recordedAt
        self.durationMilliseconds = durationMilliseconds
        self.operation = operation
        self.request = request
        self.response = response
    }
}

/// Which operation an interaction was: from a matching spec, else the Body's first child and the action.
public struct OperationIdentity: Equatable, Sendable {
    /// `Services88`, when a spec matched.
    public var version: String?
    /// `Favourite`, when a spec matched.
    public var agent: String?
    /// `ToggleFavourite`, when a spec matched.
    public var name: String?
    /// The Body's first child, `{URI}local`.
    public var element: String?
    /// The SOAP action sent, if any.
    public var action: String?

    /// Creates an identity.
    public init(version: String? = nil, agent: String? = nil, name: String? = nil, element: String? = nil,
                action: String? = nil) {
        self.version = version
        self.agent = agent
        self.name = name
        self.element = element
        self.action = action
    }

    /// `Services88/Favourite/ToggleFavourite`, else the element, else `(unidentified)`.
    public var label: String {
        if let version, let agent, let name { return "\(version)/\(agent)/\(name)" }
        return element ?? "(unidentified)"
    }
}

/// A header field.
public struct HeaderField: Equatable, Sendable {
    /// The name as sent.
    public var name: String
    /// The value (`${redacted}` for credentials).
    public var value: String

    /// Creates a field.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A recorded request.
public struct RecordedRequest: Equatable, Sendable {
    /// The method.
    public var method: String
    /// The path and query.
    public var path: String
    /// The header fields, hop-by-hop ones removed.
    public var headers: [HeaderField]
    /// The body.
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String, path: String, headers: [HeaderField], body: [UInt8]) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }
}

/// A recorded response.
public struct RecordedResponse: Equatable, Sendable {
    /// The HTTP status.
    public var status: Int
    /// The header fields, hop-by-hop ones removed.
    public var headers: [HeaderField]
    /// The body.
    public var body: [UInt8]
    /// True when the body is a SOAP Fault.
    public var fault: Bool
    /// The `Content-Encoding` the body travelled in (`gzip`, `deflate`); the body is stored decoded.
    public var contentEncoding: String?

    /// Creates a response.
    public init(status: Int, headers: [HeaderField], body: [UInt8], fault: Bool, contentEncoding: String? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.fault = fault
        self.contentEncoding = contentEncoding
    }
}

extension Date {
    /// `2026-11-22T12:00:01.123Z` (UTC), made without a formatter: it is written for every recorded request. The
    /// part up to the second is kept from the last call, so a busy second formats it once.
    public var iso8601Milliseconds: String {
        let interval = timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        let milliseconds = min(999, max(0, Int((interval - Double(seconds)) * 1000)))
        let fraction = milliseconds < 10 ? ".00\(milliseconds)Z"
            : milliseconds < 100 ? ".0\(milliseconds)Z" : ".\(milliseconds)Z"
        if let prefix = TimestampCache.shared.prefix(for: Int(seconds)) { return prefix + fraction }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let prefix = padded(Int(parts.tm_year) + 1900, 4) + "-" + padded(Int(parts.tm_mon) + 1, 2) + "-"
            + padded(Int(parts.tm_mday), 2) + "T" + padded(Int(parts.tm_hour), 2) + ":" + padded(Int(parts.tm_min), 2)
            + ":" + padded(Int(parts.tm_sec), 2)
        TimestampCache.shared.remember(prefix, for: Int(seconds))
        return prefix + fraction
    }
}

/// The last second formatted by `iso8601Milliseconds`.
private final class TimestampCache: @unchecked Sendable {
    static let shared = TimestampCache()
    private let lock = NSLock()
    private var second = Int.min
    private var text = ""

    func prefix(for second: Int) -> String? {
        lock.withLock { self.second == second ? text : nil }
    }

    func remember(_ text: String, for second: Int) {
        lock.withLock {
            self.second = second
            self.text = text
        }
    }
}
