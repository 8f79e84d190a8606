import Foundation

/// Carriage returns kept beside a body instead of inside it, so that a body whose lines end in CRLF (gSOAP ends
/// every message with `\r\n`; Windows stacks write CRLF throughout) stays a readable literal block. YAML folds CRLF
/// into LF in a block, so the cassette says where the CRs were: `body_crlf: all` (every line break is CRLF), or
/// `body_crlf: [1, 4]` (the 1-based numbers of the lines that end in CRLF). A CR anywhere else keeps the body base64.
enum BodyLineEnds {
    /// `bytes` without the CR of each CRLF, and the `body_crlf` value that puts them back; nil when there is no CR,
    /// or a CR stands anywhere but before a LF.
    static func split(_ bytes: [UInt8]) -> (text: [UInt8], value: String)? {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count)
        var crlfLines: [Int] = []
        var line = 1
        var breaks = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D {
                guard index + 1 < bytes.count, bytes[index + 1] == 0x0A else { return nil }
                crlfLines.append(line)
                index += 1
                continue
            }
            if byte == 0x0A {
                line += 1
                breaks += 1
            }
            text.append(byte)
            index += 1
        }
        guard !crlfLines.isEmpty else { return nil }
        let value = crlfLines.count == breaks ? "all" : "[" + crlfLines.map(String.init).joined(separator: ", ") + "]"
        return (text, value)
    }

    /// `text` with a CR put back before the line feeds `value` names; nil when `value` is neither `all` nor a list
    /// of line numbers that end in a line feed.
    static func join(_ text: [UInt8], value: String) -> [UInt8]? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        var lines: Set<Int>?
        if trimmed != "all" {
            guard trimmed.hasPrefix("["), trimmed.hasSuffix("]") else { return nil }
            var numbers = Set<Int>()
            for part in trimmed.dropFirst().dropLast().split(separator: ",") {
                guard let number = Int(part.trimmingCharacters(in: .whitespaces)), number >= 1 else { return nil }
                numbers.insert(number)
            }
            lines = numbers
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count + (lines?.count ?? 64))
        var line = 1
        for byte in text {
            if byte == 0x0A {
                if lines?.contains(line) ?? true { bytes.append(0x0D) }
                lines?.remove(line)
                line += 1
            }
            bytes.append(byte)
        }
        // Every listed line must have ended in a line feed.
        if let lines, !lines.isEmpty { return nil }
        return bytes
    }
}
