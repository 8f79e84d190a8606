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
    /// characters other than tab and newline. ASCII (nearly every SOAP body) is checked without decoding.
    static func isBlockText(_ bytes: [UInt8]) -> Bool {
        let survey = bytes.withUnsafeBufferPointer { TextSurvey($0) }
        return survey.isASCII ? !survey.hasControl : isBlockUnicode(bytes)
    }

    /// `isBlockText` for bytes that are not all ASCII: decoded, and checked scalar by scalar.
    private static func isBlockUnicode(_ bytes: [UInt8]) -> Bool {
        guard let text = String(validating: bytes, as: UTF8.self) else { return false }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value == 0x09 || value == 0x0A { continue }
            if value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value) || value == 0xFEFF { return false }
        }
        return true
    }

    /// What one pass over a body's bytes tells: whether all are ASCII, whether a control character other than tab
    /// and newline is among them, and how many newlines there are. Eight bytes at a time (SWAR), then byte by byte.
    struct TextSurvey {
        /// True when every byte is below 0x80.
        var isASCII: Bool
        /// True when a byte is a control character YAML cannot carry in a block (not tab, not newline), or DEL.
        var hasControl: Bool
        /// How many newline bytes there are.
        var newlines: Int

        init(_ buffer: UnsafeBufferPointer<UInt8>) {
            var all: UInt64 = 0
            var control: UInt64 = 0
            var newlines = 0
            var index = 0
            if let base = buffer.baseAddress {
                let raw = UnsafeRawPointer(base)
                // Newlines are counted per byte lane (each lane at most 255 before the lanes are summed).
                var newlineLanes: UInt64 = 0
                var rounds = 0
                while index + 8 <= buffer.count {
                    let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                    all |= word
                    // Exact per byte for ASCII (a byte at 0x80 or above is caught by `all` and decided on the text).
                    let below20 = ~((word | Self.high) &- Self.lanes &* 0x20) & Self.high
                    let newline = Self.equal(word, 0x0A)
                    control |= (below20 & ~Self.equal(word, 0x09) & ~newline) | Self.equal(word, 0x7F)
                    newlineLanes &+= newline >> 7
                    rounds += 1
                    if rounds == 255 {
                        newlines &+= Self.sumOfLanes(newlineLanes)
                        newlineLanes = 0
                        rounds = 0
                    }
                    index += 8
                }
                newlines &+= Self.sumOfLanes(newlineLanes)
            }
            while index < buffer.count {
                let byte = buffer[index]
                all |= UInt64(byte)
                if (byte < 0x20 && byte != 0x09 && byte != 0x0A) || byte == 0x7F { control = 1 }
                if byte == 0x0A { newlines += 1 }
                index += 1
            }
            isASCII = all & Self.high == 0
            hasControl = control != 0
            self.newlines = newlines
        }

        private static let lanes: UInt64 = 0x0101_0101_0101_0101
        private static let high: UInt64 = 0x8080_8080_8080_8080

        /// The sum of the eight bytes of `lanes`.
        @inline(__always)
        private static func sumOfLanes(_ lanes: UInt64) -> Int {
            let pairs = (lanes & 0x00FF_00FF_00FF_00FF) &+ ((lanes >> 8) & 0x00FF_00FF_00FF_00FF)
            return Int(truncatingIfNeeded: (pairs &* 0x0001_0001_0001_0001) >> 48)
        }

        /// 0x80 in each byte of `word` equal to `byte`, 0 elsewhere (exact: no borrow between bytes).
        @inline(__always)
        private static func equal(_ word: UInt64, _ byte: UInt8) -> UInt64 {
            let x = word ^ (lanes &* UInt64(byte))
            let low7 = ~high
            return ~(((x & low7) &+ low7) | x | low7)
        }
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
        // ASCII (nearly every SOAP body) is surveyed once, for both the check and the room its block needs.
        let survey = bytes.withUnsafeBufferPointer { TextSurvey($0) }
        guard survey.isASCII ? !survey.hasControl : isBlockUnicode(bytes) else {
            // CRLF line ends stay readable: the CRs are noted beside the block (BodyLineEnds).
            if let split = BodyLineEnds.split(bytes), isBlockText(split.text) {
                out.append(contentsOf: "  body_crlf: \(split.value)\n".utf8)
                body(split.text, into: &out)
                return
            }
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
        out.append(static: trailing == 0 ? "  body: |-\n" : trailing > 1 ? "  body: |+\n" : "  body: |\n")
        let end = bytes.count - min(trailing, 1)
        // Room for every line indented is filled with spaces at once; each line is copied after its indentation, and
        // what an empty line's indentation would have taken is given back at the end.
        let newlines = survey.isASCII ? survey.newlines : bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        let start = out.count
        out.append(contentsOf: repeatElement(0x20, count: end + 4 * (newlines + 1) + 1))
        let written = bytes.withUnsafeBufferPointer { buffer in
            out.withUnsafeMutableBufferPointer { output -> Int in
                guard let base = buffer.baseAddress, let target = output.baseAddress else { return 0 }
                var write = target + start
                var line = base
                let stop = base + end
                while line < stop {
                    let lineEnd = memchr(line, 0x0A, stop - line)
                        .map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) } ?? stop
                    if lineEnd > line {
                        write += 4
                        write.update(from: line, count: lineEnd - line)
                        write += lineEnd - line
                    }
                    if lineEnd < stop {
                        write.pointee = 0x0A
                        write += 1
                    }
                    line = lineEnd + 1
                }
                write.pointee = 0x0A
                return write + 1 - target
            }
        }
        out.removeLast(out.count - written)
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
        // ASCII (nearly every header value) is copied in runs between the bytes that need escaping; other text is
        // escaped scalar by scalar.
        var ascii = text
        let escapedASCII = ascii.withUTF8 { bytes -> Bool in
            var all: UInt8 = 0
            for byte in bytes { all |= byte }
            guard all < 0x80 else { return false }
            var run = 0
            for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index]))
                run = index + 1
                out.append(0x5C)
                switch byte {
                case 0x22, 0x5C: out.append(byte)
                case 0x0A: out.append(0x6E)
                case 0x09: out.append(0x74)
                case 0x0D: out.append(0x72)
                default:
                    out.append(contentsOf: [0x75, 0x30, 0x30, Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0x0F)]])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...]))
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

    /// Per byte: 1 when a plain scalar may not hold it anywhere (controls, quotes, flow and anchor indicators and the
    /// like; C1 controls and NBSP start with 0xC2), else 0.
    private static let plainUnsafe: [UInt8] = (0..<256).map { byte in
        byte < 0x20 || [0x7F, 0x22, 0x27, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x26, 0x2A, 0x21, 0x7C, 0x3E, 0x25, 0x40, 0x60, 0xC2]
            .contains(byte) ? 1 : 0
    }

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
            // One table lookup per byte and no branch: an indicator anywhere, ": " or " #" rule the plain form out.
            var unsafe: UInt8 = 0
            var previous: UInt8 = 0
            for byte in utf8 {
                unsafe |= plainUnsafe[Int(byte)] | (byte == 0x20 && previous == 0x3A ? 1 : 0)
                    | (byte == 0x23 && previous == 0x20 ? 1 : 0)
                previous = byte
            }
            if unsafe != 0 { return false }
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
