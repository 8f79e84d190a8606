import Foundation

/// An element with text and no child elements, as it stands in a document's bytes: what `replay` reads values
/// from and writes values into, byte for byte, leaving every other byte as it was.
public struct XMLLeaf: Equatable, Sendable {
    /// `/Envelope[1]/Body[1]/GetSale[1]/SaleId[1]`: local names, each with its 1-based index among same-named
    /// siblings.
    public var path: String
    /// The element's local name.
    public var localName: String
    /// The bytes between the start and the end tag.
    public var range: Range<Int>
    /// The text, entities decoded, surrounding whitespace trimmed.
    public var text: String
    /// The local part of the element's `xsi:type` (`int`, `string`), when it has one.
    public var declaredType: String?

    /// The path without the `[1]`s: `/Envelope/Body/GetSale/SaleId`.
    public var readablePath: String { XMLLeaves.readable(path) }
}

/// Finds the leaves of well-formed XML in its bytes (UTF-8 or ASCII), and replaces their text.
public enum XMLLeaves {
    /// Every leaf of `bytes`, in document order; empty when they are not an ASCII-compatible encoding. Leaves that
    /// hold CDATA or comments are left out. The bytes must be well-formed XML (parse them first).
    public static func scan(_ bytes: [UInt8]) -> [XMLLeaf] {
        if ByteSearch.isWide(bytes) { return [] }
        struct Open {
            var name: String
            var path: String
            var contentStart: Int
            var type: String?
            var plain = true
            var counts: [String: Int] = [:]
        }
        var leaves: [XMLLeaf] = []
        var stack: [Open] = []
        var rootCounts: [String: Int] = [:]
        let n = bytes.count
        var i = 0
        func starts(_ text: StaticString, at index: Int) -> Bool { ByteSearch.has(text, in: bytes, at: index) }
        func skip(past text: StaticString, from index: Int) -> Int { ByteSearch.skip(past: text, from: index, in: bytes) }
        while i < n {
            guard bytes[i] == UInt8(ascii: "<") else { i += 1; continue }
            if starts("<!--", at: i) || starts("<![CDATA[", at: i) {
                if !stack.isEmpty { stack[stack.count - 1].plain = false }
                i = starts("<!--", at: i) ? skip(past: "-->", from: i) : skip(past: "]]>", from: i)
                continue
            }
            if starts("<?", at: i) { i = skip(past: "?>", from: i + 2); continue }
            if starts("<!", at: i) { i = skip(past: ">", from: i); continue }
            if starts("</", at: i) {
                let end = skip(past: ">", from: i)
                if let open = stack.popLast(), open.plain {
                    leaves.append(XMLLeaf(path: open.path, localName: open.name, range: open.contentStart..<i,
                                          text: decode(bytes[open.contentStart..<i]), declaredType: open.type))
                }
                i = end
                continue
            }
            var j = i + 1
            while j < n, !Lexical.isSpace(bytes[j]), bytes[j] != UInt8(ascii: ">"), bytes[j] != UInt8(ascii: "/") { j += 1 }
            let name = localPart(bytes[(i + 1)..<j])
            let index: Int
            if stack.isEmpty {
                rootCounts[name, default: 0] += 1
                index = rootCounts[name]!
            } else {
                stack[stack.count - 1].plain = false
                stack[stack.count - 1].counts[name, default: 0] += 1
                index = stack[stack.count - 1].counts[name]!
            }
            let path = (stack.last?.path ?? "") + "/\(name)[\(index)]"
            var type: String?
            let (end, selfClosing) = ByteSearch.startTagRest(bytes, from: j, tagStart: i) { attribute, value in
                // `xsi:type` (any prefix but none: a bare `type` attribute is the application's own).
                if attribute.contains(UInt8(ascii: ":")), localPart(attribute) == "type",
                    !attribute.starts(with: Array("xmlns".utf8))
                {
                    type = localPart(bytes[value])
                }
            }
            j = end
            if !selfClosing {
                stack.append(Open(name: name, path: path, contentStart: min(j + 1, n), type: type))
            }
            i = j + 1
        }
        return leaves
    }

    /// `bytes` with each leaf's text replaced by the value given for it (escaped for character data).
    public static func replacing(_ bytes: [UInt8], _ replacements: [(leaf: XMLLeaf, value: String)]) -> [UInt8] {
        guard !replacements.isEmpty else { return bytes }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 32 * replacements.count)
        var position = 0
        for (leaf, value) in replacements.sorted(by: { $0.leaf.range.lowerBound < $1.leaf.range.lowerBound }) {
            guard leaf.range.lowerBound >= position else { continue }
            output.append(contentsOf: bytes[position..<leaf.range.lowerBound])
            output.append(contentsOf: XMLEscaping.text(value).utf8)
            position = leaf.range.upperBound
        }
        output.append(contentsOf: bytes[position...])
        return output
    }

    /// `/Envelope[1]/Body[1]/X[2]` → `/Envelope/Body/X[2]`.
    public static func readable(_ path: String) -> String {
        path.replacingOccurrences(of: "[1]", with: "")
    }

    private static func localPart(_ qualified: ArraySlice<UInt8>) -> String {
        let local = qualified.lastIndex(of: UInt8(ascii: ":")).map { qualified[($0 + 1)...] } ?? qualified
        return String(decoding: local, as: UTF8.self)
    }

    /// Character data with the predefined and numeric entities decoded, trimmed.
    static func decode(_ raw: ArraySlice<UInt8>) -> String {
        let text = String(decoding: raw, as: UTF8.self).trimmingXMLWhitespace()
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            guard let semicolon = rest[amp...].firstIndex(of: ";") else { break }
            let entity = rest[rest.index(after: amp)..<semicolon]
            switch entity {
            case "amp": result += "&"
            case "lt": result += "<"
            case "gt": result += ">"
            case "quot": result += "\""
            case "apos": result += "'"
            default:
                let hex = entity.hasPrefix("#x")
                let digits = entity.dropFirst(hex ? 2 : 1)
                if entity.hasPrefix("#"), let code = UInt32(digits, radix: hex ? 16 : 10), let scalar = Unicode.Scalar(code) {
                    result.unicodeScalars.append(scalar)
                } else {
                    result += "&" + entity + ";"
                }
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return result + rest
    }
}
