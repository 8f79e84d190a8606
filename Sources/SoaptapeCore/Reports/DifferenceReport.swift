import Foundation
import SoapXML

/// The outcome of comparing two documents, ready to print as text for people or JSON for machines.
public struct DifferenceReport: Sendable {
    /// The expected document's name as the user gave it.
    public var expectedName: String
    /// The actual document's name as the user gave it.
    public var actualName: String
    /// Every difference found.
    public var differences: [Difference]
    /// The unified diff of the two canonical forms (empty when equal).
    public var canonicalDiff: String

    /// Creates a report.
    public init(expectedName: String, actualName: String, differences: [Difference], canonicalDiff: String) {
        self.expectedName = expectedName
        self.actualName = actualName
        self.differences = differences
        self.canonicalDiff = canonicalDiff
    }

    /// The report as terminal text; `colour` adds ANSI colours (only for a TTY).
    public func text(colour: Bool) -> String {
        let style = Style(enabled: colour)
        guard !differences.isEmpty else {
            return style.green("equal:") + " \(expectedName) and \(actualName) are the same document under the "
                + "canonical comparison.\n"
        }
        let count = differences.count == 1 ? "1 difference" : "\(differences.count) differences"
        var output = style.red("different:") + " \(count) between \(expectedName) (expected) and \(actualName) (actual).\n"
        for (number, difference) in differences.enumerated() {
            output += "\n" + Self.describe(difference, number: number + 1, indent: "", style: style,
                                           expectedName: expectedName, actualName: actualName)
        }
        if !canonicalDiff.isEmpty {
            output += "\nCanonical forms (soaptape canon), line by line:\n"
            for line in canonicalDiff.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                if line.hasPrefix("+++") || line.hasPrefix("---") {
                    output += style.bold(String(line))
                } else if line.hasPrefix("@@") {
                    output += style.cyan(String(line))
                } else if line.hasPrefix("-") {
                    output += style.red(String(line))
                } else if line.hasPrefix("+") {
                    output += style.green(String(line))
                } else {
                    output += String(line)
                }
                output += "\n"
            }
        }
        return output
    }

    /// One numbered difference as text lines: where, expected, actual (with their lines), and the hint.
    static func describe(_ difference: Difference, number: Int, indent: String, style: Style, expectedName: String,
                         actualName: String) -> String {
        var output = indent + "\(number)) " + style.bold("\(difference.kind.phrase) at \(difference.path)") + "\n"
        output += indent + "   expected: \(show(difference.expected, kind: difference.kind))"
        output += difference.expectedLine.map { "  (\(expectedName):\($0))" } ?? ""
        output += "\n" + indent + "   actual:   \(show(difference.actual, kind: difference.kind))"
        output += difference.actualLine.map { "  (\(actualName):\($0))" } ?? ""
        output += "\n" + indent + "   hint: \(difference.hint)\n"
        return output
    }

    /// Values are quoted where they are values, shown bare where they describe a node, `(absent)` for none.
    static func show(_ value: String?, kind: DifferenceKind) -> String {
        guard let value else { return "(absent)" }
        switch kind {
        case .textValue, .attributeValue, .missingAttribute, .unexpectedAttribute:
            return quote(value)
        default:
            return value
        }
    }

    static func quote(_ value: String) -> String {
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default: result.unicodeScalars.append(scalar)
            }
        }
        let limit = 400
        if result.count > limit { result = String(result.prefix(limit)) + "…(\(value.count) characters)" }
        return result + "\""
    }

    /// The report as JSON (documented in docs/diff.md).
    public func json() -> String {
        struct Entry: Encodable {
            var kind: String
            var path: String
            var expected: String?
            var actual: String?
            var expectedLine: Int?
            var actualLine: Int?
            var hint: String
        }
        struct Body: Encodable {
            var formatVersion = 1
            var result: String
            var expected: String
            var actual: String
            var differences: [Entry]
        }
        let body = Body(
            result: differences.isEmpty ? "equal" : "different", expected: expectedName, actual: actualName,
            differences: differences.map {
                Entry(kind: $0.kind.rawValue, path: $0.path, expected: $0.expected, actual: $0.actual,
                      expectedLine: $0.expectedLine, actualLine: $0.actualLine, hint: $0.hint)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(body)) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// ANSI styling that is a no-op when disabled.
public struct Style: Sendable {
    var enabled: Bool
    /// Styling on when `enabled`.
    public init(enabled: Bool) { self.enabled = enabled }
    private func wrap(_ code: String, _ text: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func red(_ text: String) -> String { wrap("31", text) }
    func green(_ text: String) -> String { wrap("32", text) }
    func cyan(_ text: String) -> String { wrap("36", text) }
    func bold(_ text: String) -> String { wrap("1", text) }
    func yellow(_ text: String) -> String { wrap("33", text) }
}
