import Foundation

/// Reads an interaction written exactly as `CassetteCoding` writes it, without building a YAML node tree: the
/// layout is fixed (keys in order, two-space indents, bodies as literal blocks indented four spaces), so a
/// line-by-line reader is enough and many times faster. It accepts only what the writer could have produced —
/// plain scalars the writer would have left plain, double-quoted ones with the writer's escapes — and gives up
/// (nil) on anything else, such as a hand edit; the loader then reads that interaction with the YAML parser,
/// which also places any error at its line and column.
enum CassetteFastReader {
    /// The interaction in `lines` (the lines after its `--- # interaction N` marker, up to its end marker).
    static func read(_ lines: ArraySlice<Substring>) -> Interaction? {
        var cursor = Cursor(lines: lines)
        guard let sequenceText = cursor.raw("sequence"), let sequence = Int(sequenceText),
            let recordedAt = cursor.value("recorded_at"),
            let durationText = cursor.raw("duration_ms"), let duration = Double(durationText)
        else { return nil }
        var operation: OperationIdentity?
        if cursor.peek == "operation:" {
            cursor.advance()
            var identity = OperationIdentity()
            while let line = cursor.peek, line.begins("  "), !line.begins("   ") {
                guard let (key, value) = Self.pair(line.droppingUTF8(2)) else { return nil }
                switch key {
                case "version": identity.version = value
                case "agent": identity.agent = value
                case "name": identity.name = value
                case "element": identity.element = value
                case "action": identity.action = value
                default: return nil
                }
                cursor.advance()
            }
            operation = identity
        }
        guard cursor.peek == "request:" else { return nil }
        cursor.advance()
        guard let method = cursor.value("method", indent: "  "), let path = cursor.value("path", indent: "  "),
            let requestHeaders = cursor.headers(), let requestBody = cursor.body(),
            cursor.peek == "response:"
        else { return nil }
        cursor.advance()
        guard let statusText = cursor.raw("status", indent: "  "), let status = Int(statusText),
            let faultText = cursor.raw("fault", indent: "  "), faultText == "true" || faultText == "false"
        else { return nil }
        var contentEncoding: String?
        if cursor.peek?.begins("  content_encoding: ") == true {
            guard let encoding = cursor.value("content_encoding", indent: "  ") else { return nil }
            contentEncoding = encoding
        }
        guard let responseHeaders = cursor.headers(), let responseBody = cursor.body() else { return nil }
        // Only the end marker (and blank lines) may follow.
        while let line = cursor.peek {
            if line.begins(CassetteCoding.endMarker) { break }
            guard line.utf8.allSatisfy({ $0 == 0x20 }) else { return nil }
            cursor.advance()
        }
        return Interaction(
            sequence: sequence, recordedAt: recordedAt, durationMilliseconds: duration, operation: operation,
            request: RecordedRequest(method: method, path: path, headers: requestHeaders, body: requestBody),
            response: RecordedResponse(status: status, headers: responseHeaders, body: responseBody,
                                       fault: faultText == "true", contentEncoding: contentEncoding))
    }

    /// `key: value` with the value a scalar as the writer writes it.
    static func pair(_ text: Substring) -> (String, String)? {
        guard let separator = text.utf8Separator() else { return nil }
        let key = String(text[..<separator])
        guard let value = scalar(Substring(text.utf8[text.utf8.index(separator, offsetBy: 2)...])) else { return nil }
        return (key, value)
    }

    /// A scalar exactly as `CassetteCoding.scalar` writes it, or nil.
    static func scalar(_ text: Substring) -> String? {
        guard text.first == "\"" else {
            let plain = String(text)
            return CassetteCoding.isPlainSafe(plain) ? plain : nil
        }
        // Quoted: decoded over UTF-8 bytes (escapes are ASCII; other bytes are copied as they are).
        let utf8 = text.utf8
        guard utf8.count >= 2, utf8.last == 0x22 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = utf8.index(after: utf8.startIndex)
        let end = utf8.index(before: utf8.endIndex)
        while index < end {
            let byte = utf8[index]
            index = utf8.index(after: index)
            if byte == 0x22 { return nil }
            guard byte == 0x5C else {
                bytes.append(byte)
                continue
            }
            guard index < end else { return nil }
            let escape = utf8[index]
            index = utf8.index(after: index)
            switch escape {
            case 0x22: bytes.append(0x22)
            case 0x5C: bytes.append(0x5C)
            case 0x6E: bytes.append(0x0A)
            case 0x74: bytes.append(0x09)
            case 0x72: bytes.append(0x0D)
            case 0x75:  // \uXXXX
                guard utf8.distance(from: index, to: end) >= 4 else { return nil }
                let digitsEnd = utf8.index(index, offsetBy: 4)
                guard let value = UInt32(String(decoding: utf8[index..<digitsEnd], as: UTF8.self), radix: 16),
                    let decoded = Unicode.Scalar(value)
                else { return nil }
                UTF8.encode(decoded) { bytes.append($0) }
                index = digitsEnd
            default: return nil
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Lines read in order.
    struct Cursor {
        var lines: ArraySlice<Substring>
        var index: Int

        init(lines: ArraySlice<Substring>) {
            self.lines = lines
            index = lines.startIndex
        }

        var peek: Substring? { index < lines.endIndex ? lines[index] : nil }
        mutating func advance() { index += 1 }

        /// The text after `indent + key + ": "` on the next line, advancing past it; nil when the line differs.
        private mutating func rest(_ key: String, indent: String) -> Substring? {
            guard let line = peek else { return nil }
            let utf8 = line.utf8
            guard utf8.starts(with: indent.utf8) else { return nil }
            let afterIndent = utf8.index(utf8.startIndex, offsetBy: indent.utf8.count)
            guard utf8[afterIndent...].starts(with: key.utf8) else { return nil }
            let afterKey = utf8.index(afterIndent, offsetBy: key.utf8.count)
            guard utf8[afterKey...].starts(with: ": ".utf8) else { return nil }
            advance()
            return Substring(utf8[utf8.index(afterKey, offsetBy: 2)...])
        }

        /// The unquoted text of `indent + key: value` on the next line (numbers and booleans).
        mutating func raw(_ key: String, indent: String = "") -> String? {
            rest(key, indent: indent).map(String.init)
        }

        /// The scalar of `indent + key: value` on the next line.
        mutating func value(_ key: String, indent: String = "") -> String? {
            rest(key, indent: indent).flatMap(CassetteFastReader.scalar)
        }

        /// `  headers: []`, or `  headers:` and `  - Name: value` lines.
        mutating func headers() -> [HeaderField]? {
            guard let line = peek else { return nil }
            if line == "  headers: []" {
                advance()
                return []
            }
            guard line == "  headers:" else { return nil }
            advance()
            var fields: [HeaderField] = []
            while let item = peek, item.begins("  - ") {
                let text = item.droppingUTF8(4)
                // A quoted name may hold ": "; find the separator after it.
                var nameEnd = text.startIndex
                if text.first == "\"" {
                    var escaped = false
                    var position = text.index(after: text.startIndex)
                    while position < text.endIndex {
                        let character = text[position]
                        if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { break }
                        position = text.index(after: position)
                    }
                    guard position < text.endIndex else { return nil }
                    nameEnd = text.index(after: position)
                } else {
                    guard let separator = text.utf8Separator() else { return nil }
                    nameEnd = separator
                }
                guard text[nameEnd...].begins(": "), let name = CassetteFastReader.scalar(text[..<nameEnd]),
                    let value = CassetteFastReader.scalar(Substring(text.utf8[text.utf8.index(nameEnd, offsetBy: 2)...]))
                else { return nil }
                fields.append(HeaderField(name, value))
                advance()
            }
            return fields
        }

        /// Appends the UTF-8 of `piece` in one copy when its storage is contiguous (it is, for text read from a file).
        static func append(_ piece: Substring, to bytes: inout [UInt8]) {
            if piece.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
                bytes.append(contentsOf: piece.utf8)
            }
        }

        /// The body: a literal block, a scalar, base64, or none.
        mutating func body() -> [UInt8]? {
            guard let first = peek else { return [] }
            if first.begins("  body_crlf: ") {
                advance()
                guard let text = plainBody() else { return nil }
                return BodyLineEnds.join(text, value: String(first.dropFirst(13)))
            }
            return plainBody()
        }

        /// The body as its block or scalar holds it.
        private mutating func plainBody() -> [UInt8]? {
            guard let line = peek else { return [] }
            if line.begins("  body_base64: ") {
                advance()
                guard let data = Data(base64Encoded: String(line.dropFirst(15))) else { return nil }
                return Array(data)
            }
            guard line.begins("  body: ") else { return [] }
            advance()
            let header = line.dropFirst(8)
            guard header.first == "|" else { return CassetteFastReader.scalar(header).map { Array($0.utf8) } }
            let chomping = header.dropFirst()
            guard chomping.isEmpty || chomping == "-" || chomping == "+" else { return nil }
            var content: [Substring] = []
            while let next = peek, next.isEmpty || next.begins("    ") {
                content.append(next.isEmpty ? next : next.droppingUTF8(4))
                advance()
            }
            var bytes: [UInt8] = []
            if chomping == "+" {
                for piece in content { Self.append(piece, to: &bytes); bytes.append(0x0A) }
                return bytes
            }
            while let last = content.last, last.isEmpty { content.removeLast() }
            for (number, piece) in content.enumerated() {
                if number > 0 { bytes.append(0x0A) }
                Self.append(piece, to: &bytes)
            }
            if chomping.isEmpty && !content.isEmpty { bytes.append(0x0A) }
            return bytes
        }
    }
}

extension Substring {
    /// `hasPrefix` over UTF-8 bytes (the character-wise comparison is many times slower on long files).
    @inline(__always)
    func begins(_ prefix: String) -> Bool { utf8.starts(with: prefix.utf8) }

    /// The substring without its first `count` UTF-8 bytes (the caller knows they are ASCII): `dropFirst` counts
    /// Characters, walking grapheme clusters.
    @inline(__always)
    func droppingUTF8(_ count: Int) -> Substring { Substring(utf8.dropFirst(count)) }

    /// Where the first `": "` starts, found over UTF-8 bytes (not Foundation's `range(of:)`).
    func utf8Separator() -> Index? {
        var previous: UInt8 = 0
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            if previous == 0x3A && byte == 0x20 { return utf8.index(before: index) }
            previous = byte
            index = utf8.index(after: index)
        }
        return nil
    }
}
