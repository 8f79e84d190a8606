import Foundation

/// Cassette text: one YAML document for the header, then one per interaction, each closed by an
/// `# end of interaction N` line so that a loader can tell a complete interaction from a torn one.
enum CassetteCoding {
    static let interactionMarker = "--- # interaction "
    static let endMarker = "# end of interaction "

    static func headerText(_ header: CassetteHeader) -> String {
        """
        # soaptape cassette (format \(header.format)): docs/cassettes.md
        format: \(header.format)
        soaptape: \(scalar(header.soaptape))
        upstream: \(scalar(header.upstream))
        created_at: \(scalar(header.createdAt))

        """
    }

    /// True when YAML can carry `bytes` as a readable block: UTF-8 text without carriage returns or control
    /// characters other than tab and newline. ASCII (nearly every SOAP body) is checked byte by byte.
    static func isBlockText(_ bytes: [UInt8]) -> Bool {
        let ascii = bytes.withUnsafeBufferPointer { buffer -> Bool? in
            // One table lookup per byte, no branch: 1 marks a control character YAML cannot carry, 2 a non-ASCII byte.
            var seen: UInt8 = 0
            for byte in buffer { seen |= blockTextClass[Int(byte)] }
            return seen & 2 != 0 ? nil : seen == 0
        }
        if let ascii { return ascii }
        guard let text = String(validating: bytes, as: UTF8.self) else { return false }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value == 0x09 || value == 0x0A { continue }
            if value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value) || value == 0xFEFF { return false }
        }
        return true
    }

    /// Per byte: 0 when a readable block may hold it, 1 for a control character other than tab and newline, 2 for a
    /// byte of a multi-byte UTF-8 sequence (decided on the decoded text).
    private static let blockTextClass: [UInt8] = (0..<256).map { byte in
        byte >= 0x80 ? 2 : (byte < 0x20 && byte != 0x09 && byte != 0x0A) || byte == 0x7F ? 1 : 0
    }

    /// The interaction's text, as UTF-8, without its first and last lines (marker and sequence are added by
    /// the writer, which numbers interactions as they complete). Written by hand rather than through a YAML
    /// emitter, straight into bytes: this runs once per proxied request, and the structure is fixed.
    static func interactionBody(_ interaction: Interaction) -> [UInt8] {
        var out: [UInt8] = []
        appendInteractionBody(interaction, to: &out)
        return out
    }

    /// `interactionBody`, appended to `out`.
    static func appendInteractionBody(_ interaction: Interaction, to out: inout [UInt8]) {
        let request = interaction.request, response = interaction.response
        out.reserveCapacity(out.count + request.body.count + response.body.count
                            + (request.body.count + response.body.count) / 8 + 1024)
        out.append(static: "recorded_at: ")
        scalar(interaction.recordedAt, into: &out)
        out.append(static: "\nduration_ms: ")
        out.append(contentsOf: milliseconds(interaction.durationMilliseconds).utf8)
        out.append(0x0A)
        if let operation = interaction.operation {
            let fields: [(StaticString, String?)] = [
                ("  version: ", operation.version), ("  agent: ", operation.agent), ("  name: ", operation.name),
                ("  element: ", operation.element), ("  action: ", operation.action),
            ]
            if fields.contains(where: { $0.1 != nil }) {
                out.append(static: "operation:\n")
                for (key, value) in fields {
                    guard let value else { continue }
                    out.append(static: key)
                    scalar(value, into: &out)
                    out.append(0x0A)
                }
            }
        }
        out.append(static: "request:\n  method: ")
        scalar(request.method, into: &out)
        out.append(static: "\n  path: ")
        scalar(request.path, into: &out)
        out.append(0x0A)
        headers(request.headers, into: &out)
        body(request.body, into: &out)
        out.append(static: "response:\n  status: ")
        out.append(contentsOf: String(response.status).utf8)
        out.append(static: response.fault ? "\n  fault: true\n" : "\n  fault: false\n")
        if let encoding = response.contentEncoding {
            out.append(static: "  content_encoding: ")
            scalar(encoding, into: &out)
            out.append(0x0A)
        }
        headers(response.headers, into: &out)
        body(response.body, into: &out)
    }

    static func interactionText(_ interaction: Interaction) -> String {
        interactionMarker + "\(interaction.sequence)\nsequence: \(interaction.sequence)\n"
            + String(decoding: interactionBody(interaction), as: UTF8.self) + endMarker + "\(interaction.sequence)\n"
    }

    /// `12.345`: three decimals, without a formatter.
    static func milliseconds(_ value: Double) -> String {
        let thousandths = Int((max(0, value) * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    static func headers(_ headers: [HeaderField], into out: inout [UInt8]) {
        if headers.isEmpty {
            out.append(static: "  headers: []\n")
            return
        }
        out.append(static: "  headers:\n")
        for field in headers {
            out.append(static: "  - ")
            scalar(field.name, into: &out)
            out.append(static: ": ")
            scalar(field.value, into: &out)
            out.append(0x0A)
        }
    }

    static func body(_ bytes: [UInt8], into out: inout [UInt8]) {
        if bytes.isEmpty { return }
        guard isBlockText(bytes) else {
            out.append(contentsOf: "  body_base64: \(Data(bytes).base64EncodedString())\n".utf8)
            return
        }
        // A literal block takes its indentation from its first non-empty line, which must not start with a space.
        let firstContent = bytes.first { $0 != 0x0A }
        guard firstContent != 0x20, firstContent != 0x09, bytes.contains(0x0A) else {
            out.append(contentsOf: "  body: ".utf8)
            scalar(String(decoding: bytes, as: UTF8.self), into: &out)
            out.append(0x0A)
            return
        }
        // A literal block: | keeps one final newline, |- none, |+ several. Each non-empty line gets four spaces.
        var trailing = 0
        while trailing < bytes.count, bytes[bytes.count - 1 - trailing] == 0x0A { trailing += 1 }
        out.append(contentsOf: ("  body: |" + (trailing == 0 ? "-" : trailing > 1 ? "+" : "") + "\n").utf8)
        let end = bytes.count - min(trailing, 1)
        // Each line is copied whole after its indentation, into capacity reserved for all of them at once.
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var lines = 1
            var cursor = base
            let stop = base + end
            while cursor < stop, let newline = memchr(cursor, 0x0A, stop - cursor) {
                lines += 1
                cursor = UnsafePointer(newline.assumingMemoryBound(to: UInt8.self)) + 1
            }
            out.reserveCapacity(out.count + end + 4 * lines + 1)
            var start = base
            while start < stop {
                let found = memchr(start, 0x0A, stop - start)
                    .map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) }
                let lineEnd = found ?? stop
                if lineEnd > start {
                    out.append(contentsOf: Self.indent)
                    out.append(contentsOf: UnsafeBufferPointer(start: start, count: lineEnd - start))
                }
                if lineEnd < stop { out.append(0x0A) }
                start = lineEnd + 1
            }
        }
        out.append(0x0A)
    }

    /// A block scalar line's indentation under `body: |`.
    private static let indent: [UInt8] = [0x20, 0x20, 0x20, 0x20]

    /// A YAML scalar: plain when that is unambiguous, otherwise double-quoted with escapes.
    static func scalar(_ text: String) -> String {
        if isPlainSafe(text) { return text }
        var bytes: [UInt8] = []
        scalar(text, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `scalar(text)`, appended to `out` as UTF-8.
    static func scalar(_ text: String, into out: inout [UInt8]) {
        if isPlainSafe(text) {
            out.append(contentsOf: text.utf8)
            return
        }
        out.append(0x22)
        // ASCII (nearly every header value) is escaped byte by byte; other text scalar by scalar.
        var ascii = text
        let escapedASCII = ascii.withUTF8 { bytes -> Bool in
            guard !bytes.contains(where: { $0 >= 0x80 }) else { return false }
            for byte in bytes {
                switch byte {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
                case 0x09: out.append(contentsOf: [0x5C, 0x74])
                case 0x0D: out.append(contentsOf: [0x5C, 0x72])
                case 0..<0x20, 0x7F:
                    out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30])
                    out.append(Self.hexDigits[Int(byte >> 4)])
                    out.append(Self.hexDigits[Int(byte & 0x0F)])
                default: out.append(byte)
                }
            }
            return true
        }
        if escapedASCII {
            out.append(0x22)
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out.append(contentsOf: [0x5C, 0x22])
            case "\\": out.append(contentsOf: [0x5C, 0x5C])
            case "\n": out.append(contentsOf: [0x5C, 0x6E])
            case "\t": out.append(contentsOf: [0x5C, 0x74])
            case "\r": out.append(contentsOf: [0x5C, 0x72])
            default:
                let value = scalar.value
                if value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value) || value == 0xFEFF {
                    let hex = String(value, radix: 16, uppercase: true)
                    out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
                } else if value < 0x80 {
                    out.append(UInt8(value))
                } else {
                    UTF8.encode(scalar) { out.append($0) }
                }
            }
        }
        out.append(0x22)
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    static let reservedWords: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"]

    /// Conservative: starts with a letter, digit or slash, holds no YAML indicator sequence, and does not read
    /// as a number, boolean or null. Runs over the UTF-8 bytes: it is called for every recorded header.
    static func isPlainSafe(_ text: String) -> Bool {
        var contiguous = text
        let safeBytes = contiguous.withUTF8 { utf8 -> Bool? in
            guard let first = utf8.first, let last = utf8.last, last != 0x20, last != 0x3A else { return false }
            let letter = (first >= 0x41 && first <= 0x5A) || (first >= 0x61 && first <= 0x7A) || first >= 0x80
            let digit = first >= 0x30 && first <= 0x39
            guard letter || digit || first == 0x2F else { return false }
            var previous: UInt8 = 0
            for byte in utf8 {
                switch byte {
                // Quotes, flow and anchor indicators and the like; C1 controls and NBSP start with 0xC2.
                case 0..<0x20, 0x7F, 0x22, 0x27, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x26, 0x2A, 0x21, 0x7C, 0x3E, 0x25, 0x40,
                     0x60, 0xC2:
                    return false
                case 0x20 where previous == 0x3A: return false  // ": "
                case 0x23 where previous == 0x20: return false  // " #"
                default: previous = byte
                }
            }
            // Numbers, booleans and nulls are decided on the text.
            return digit || utf8.count <= 5 ? nil : true
        }
        if let safeBytes { return safeBytes }
        if let first = text.utf8.first, first >= 0x30 && first <= 0x39, Double(text) != nil || Int(text) != nil {
            return false
        }
        if text.utf8.count <= 5 && reservedWords.contains(text.lowercased()) { return false }
        return true
    }
}

extension Array where Element == UInt8 {
    /// Appends the UTF-8 bytes of a string literal.
    @inline(__always)
    mutating func append(static text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }
}
