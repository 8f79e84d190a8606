import NIOCore
import NIOHTTP1
import SoaptapeCore

extension OutgoingResponse {
    /// The headers never written as a responder gave them: hop-by-hop ones, and `Content-Length` and `Connection`,
    /// which the server sets on every answer.
    static let neverPassed = HTTPHeaderRules.notForwarded

    /// The answer as HTTP/1.1 bytes (status line, headers, blank line, body) in one buffer: the responder's headers
    /// without `neverPassed` ones, then `Content-Length` (unless the status allows no body) and `Connection`. The
    /// server writes it as it is, with no HTTP encoder between it and the socket. An answer `toHead` (a HEAD
    /// request) has no body; its `Content-Length` is the responder's own (an upstream's, passed on), else the length
    /// of the body the responder gave.
    ///
    /// A failure naming the offending header when a header could split the answer or break its framing: a name
    /// that is not an HTTP token, or a value holding a control character other than tab (a hand-edited cassette,
    /// say). Nothing of such an answer is sent.
    func encoded(version: HTTPVersion, keepAlive: Bool, toHead: Bool = false, allocator: ByteBufferAllocator)
        -> Result<ByteBuffer, InvalidHeader>
    {
        let code = Int(status.code)
        let bodyless = (100..<200).contains(code) || code == 204 || code == 304
        let length = toHead
            ? headers.first(name: "Content-Length").flatMap { Int($0) }.map(String.init) ?? String(body.readableBytes)
            : String(body.readableBytes)
        var buffer = allocator.buffer(capacity: 128 + 64 * headers.count + (bodyless || toHead ? 0 : body.readableBytes))
        buffer.writeStaticString(version == .http1_0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        buffer.writeString(String(code))
        buffer.writeStaticString(" ")
        buffer.writeString(status.reasonPhrase)
        buffer.writeStaticString("\r\n")
        for (name, value) in headers where !Self.neverPassed.contains(name) {
            guard Self.isToken(name), Self.isFieldValue(value) else { return .failure(InvalidHeader(name: name)) }
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        if !bodyless {
            buffer.writeStaticString("Content-Length: ")
            buffer.writeString(length)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString(keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n")
        if !bodyless && !toHead { buffer.writeImmutableBuffer(body) }
        return .success(buffer)
    }

    /// A header an answer could not be sent with.
    struct InvalidHeader: Error {
        /// The header's name, as the responder gave it.
        var name: String
    }

    /// True when `name` is an HTTP token (RFC 9110, 5.6.2): letters, digits and ``!#$%&'*+-.^_`|~``.
    static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
            case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: return true
            default: return false
            }
        }
    }

    /// True when `value` holds no control character but tab (no CR or LF that could end the header early).
    static func isFieldValue(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 >= 0x20 ? $0 != 0x7F : $0 == 0x09 }
    }
}
