import Foundation
import SoapXML

/// Puts values back where the recorder wrote `${redacted}`: the value given for the element (or attribute, or
/// header) of that name, else — when stand-ins are on — a stable stand-in, `REDACTED-1`, `REDACTED-2`, … one
/// per name. Bodies are edited in place, byte for byte; everything else stays as recorded.
public final class RedactionFiller: @unchecked Sendable {
    private let values: [String: String]
    private let given: [String: String]
    private let standIns: Bool
    private let lock = NSLock()
    private var assigned: [String: String] = [:]

    /// A filler using `values` (by element, attribute or header name; header names match in any case);
    /// `standIns` fills the names without a value.
    public init(values: [String: String], standIns: Bool) {
        var byName = values
        for (name, value) in values { byName[name.lowercased()] = byName[name.lowercased()] ?? value }
        self.values = byName
        self.given = values
        self.standIns = standIns
    }

    /// This filler with `more` values, which win over those given (a ticket a replayed login just returned).
    public func adding(_ more: [String: String]) -> RedactionFiller {
        guard !more.isEmpty else { return self }
        return RedactionFiller(values: given.merging(more) { _, new in new }, standIns: standIns)
    }

    private static let marker = Array(Redactor.placeholder.utf8)

    /// `body` with every `${redacted}` filled, and the names left unfilled (no value, stand-ins off).
    public func fill(_ body: [UInt8]) -> (body: [UInt8], missing: [String]) {
        guard ByteSearch.contains(body, Self.marker) else { return (body, []) }
        var output: [UInt8] = []
        output.reserveCapacity(body.count)
        var missing: [String] = []
        var index = 0
        while index < body.count {
            if body[index] == UInt8(ascii: "$"), index + Self.marker.count <= body.count,
                body[index..<(index + Self.marker.count)].elementsEqual(Self.marker)
            {
                let name = Self.name(before: index, in: body)
                if let value = name.flatMap(value(for:)) {
                    output += Array(XMLEscaping.attribute(value).utf8)
                } else {
                    if let name, !missing.contains(name) { missing.append(name) }
                    output += Self.marker
                }
                index += Self.marker.count
                continue
            }
            output.append(body[index])
            index += 1
        }
        return (output, missing)
    }

    /// A header's value with `${redacted}` filled (headers are named as sent).
    public func fill(header name: String, value: String) -> String {
        guard value.contains(Redactor.placeholder) else { return value }
        guard let filled = self.value(for: name) else { return value }
        return value.replacingOccurrences(of: Redactor.placeholder, with: filled)
    }

    /// The value given for `name`, else its stand-in (when on).
    public func value(for name: String) -> String? {
        if let given = values[name] ?? values[name.lowercased()] { return given }
        guard standIns else { return nil }
        return lock.withLock {
            if let known = assigned[name] { return known }
            let made = "REDACTED-\(assigned.count + 1)"
            assigned[name] = made
            return made
        }
    }

    /// The local name of the element whose text, or the attribute whose value, holds the byte at `position`.
    static func name(before position: Int, in body: [UInt8]) -> String? {
        var cursor = position - 1
        while cursor >= 0, body[cursor] != UInt8(ascii: "<"), body[cursor] != UInt8(ascii: ">") { cursor -= 1 }
        guard cursor >= 0 else { return nil }
        if body[cursor] == UInt8(ascii: "<") {
            // Inside a tag: an attribute value, `name="${redacted}"`.
            var end = position - 1
            while end > cursor, [UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "="), UInt8(ascii: " ")].contains(body[end]) {
                end -= 1
            }
            var start = end
            while start > cursor, !isSpace(body[start - 1]) { start -= 1 }
            return localName(body[start...end])
        }
        // Text: the start tag before it names the element.
        var open = cursor
        while open >= 0, body[open] != UInt8(ascii: "<") { open -= 1 }
        guard open >= 0, open + 1 < body.count, body[open + 1] != UInt8(ascii: "/") else { return nil }
        var end = open + 1
        while end < cursor, !isSpace(body[end]), body[end] != UInt8(ascii: "/"), body[end] != UInt8(ascii: ">") { end += 1 }
        return localName(body[(open + 1)..<end])
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    private static func localName(_ qualified: ArraySlice<UInt8>) -> String? {
        let text = String(decoding: qualified, as: UTF8.self)
        let local = text.split(separator: ":").last.map(String.init) ?? text
        return local.isEmpty ? nil : local
    }
}
