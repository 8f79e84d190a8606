import Foundation
import SoapXML
import Yams

/// A YAML file being read, with positions for every error: each node keeps its line and column.
struct YAMLSource {
    let file: String
    let text: String
    let lines: [Substring]
    /// Lines of the file before `text` (when `text` is one document of a multi-document file).
    let lineOffset: Int

    init(file: String, text: String, lineOffset: Int = 0) {
        self.file = file
        self.text = text
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        self.lineOffset = lineOffset
    }

    /// Reads `path`, or fails with a `FILE: error:`-style message.
    static func read(_ path: String) throws(SourceError) -> YAMLSource {
        guard let bytes = LocalFile.bytes(atPath: path) else {
            throw SourceError(file: path, line: 1, column: 1, message: "cannot read the file; check the path and its permissions")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SourceError(file: path, line: 1, column: 1, message: "the file is not UTF-8 text")
        }
        return YAMLSource(file: path, text: text)
    }

    func line(_ number: Int) -> String? {
        number >= 1 && number <= lines.count ? String(lines[number - 1]) : nil
    }

    func error(at mark: Mark?, _ message: String) -> SourceError {
        let line = mark?.line ?? 1
        let column = mark?.column ?? 1
        return SourceError(file: file, line: line + lineOffset, column: column, message: message,
                           sourceLine: self.line(line))
    }

    /// The document's root node, or the YAML syntax error at its place.
    func compose() throws(SourceError) -> Node {
        try refuseExplicitKeys()
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw error(at: nil, "the file is empty; expected a mapping of keys such as version, agent, operation")
            }
            return node
        } catch let yaml as YamlError {
            switch yaml {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
                .composer(_, let problem, let mark, _):
                throw error(at: mark, "this is not valid YAML: \(problem)")
            default:
                throw error(at: nil, "this is not valid YAML: \(yaml)")
            }
        } catch let source as SourceError {
            throw source
        } catch {
            throw self.error(at: nil, "this is not valid YAML: \(error)")
        }
    }

    /// soaptape's files never use explicit (`? key`) mapping keys, and Yams compares such complex keys in time that
    /// grows exponentially with their nesting (a 2.5 KB file found by fuzzing took minutes): refuse them before
    /// composing. Lines inside block scalars (bodies) are skipped.
    func refuseExplicitKeys() throws(SourceError) {
        var blockIndent: Int?
        // YAML breaks lines at CR, LF, CRLF, NEL, LS and PS alike (a CR alone hid keys from a first version).
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let indent = line.prefix { $0 == " " }.count
            var rest = line.dropFirst(indent)
            if let opened = blockIndent {
                if rest.allSatisfy({ $0 == " " }) || indent > opened { continue }
                blockIndent = nil
            }
            var column = indent
            while rest.hasPrefix("- ") {
                rest = rest.dropFirst(2)
                column += 2 + rest.prefix { $0 == " " }.count
                rest = rest.drop { $0 == " " }
            }
            if rest == "?" || rest.hasPrefix("? ") || rest.hasPrefix("?\t") {
                throw SourceError(
                    file: file, line: index + 1 + lineOffset, column: column + 1,
                    message: "an explicit mapping key ('? ') is not part of soaptape's formats; write 'key: value'",
                    sourceLine: String(line))
            }
            let content = rest.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let trimmed = content.trimmingCharacters(in: .whitespaces)
            if let last = trimmed.split(separator: " ").last,
                let first = last.first, first == "|" || first == ">",
                last.dropFirst().allSatisfy({ "+-0123456789".contains($0) })
            {
                blockIndent = indent
            }
        }
    }

    /// Where line `xmlLine`, column `xmlColumn` of an XML block scalar stands in this file.
    func place(inBlock node: Node, xmlLine: Int, xmlColumn: Int) -> (line: Int, column: Int) {
        guard let mark = node.mark else { return (1, 1) }
        if case .scalar(let scalar) = node, scalar.style == .literal || scalar.style == .folded {
            let line = mark.line + xmlLine
            let indent = self.line(line).map { $0.prefix { $0 == " " }.count } ?? 0
            return (line, xmlColumn + indent)
        }
        return (mark.line, mark.column + xmlColumn)
    }
}

/// A YAML mapping read key by key, refusing unknown keys with a suggestion.
struct MappingReader {
    let source: YAMLSource
    let node: Node
    let mapping: Node.Mapping
    let what: String

    init(_ node: Node, source: YAMLSource, what: String) throws(SourceError) {
        guard case .mapping(let mapping) = node else {
            throw source.error(at: node.mark, "\(what) must be a mapping of keys to values")
        }
        self.source = source
        self.node = node
        self.mapping = mapping
        self.what = what
    }

    func checkKeys(_ known: [String]) throws(SourceError) {
        for (key, _) in mapping {
            guard let name = key.string, !known.contains(name) else { continue }
            var message = "unknown key '\(name)' in \(what)"
            if let suggestion = DidYouMean.suggestion(for: name, among: known) {
                message += "; did you mean '\(suggestion)'?"
            } else {
                message += "; the keys are \(known.joined(separator: ", "))"
            }
            throw source.error(at: key.mark, message)
        }
    }

    func node(_ key: String) -> Node? { mapping[Node(key)] }

    func keyMark(_ key: String) -> Mark? {
        mapping.first { $0.key.string == key }?.key.mark
    }

    func string(_ key: String) throws(SourceError) -> String? {
        guard let value = node(key) else { return nil }
        guard case .scalar(let scalar) = value else {
            throw source.error(at: value.mark, "'\(key)' must be text, not a \(value.isMapping ? "mapping" : "list")")
        }
        return scalar.string
    }

    func required(_ key: String) throws(SourceError) -> String {
        guard let value = try string(key) else {
            throw source.error(at: node.mark, "\(what) lacks the required key '\(key)'")
        }
        return value
    }

    func int(_ key: String) throws(SourceError) -> Int? {
        guard let text = try string(key) else { return nil }
        guard let value = Int(text) else {
            throw source.error(at: node(key)?.mark, "'\(key)' must be a whole number, not '\(text)'")
        }
        return value
    }

    /// A list of text values; a single value counts as a list of one.
    func strings(_ key: String) throws(SourceError) -> [(String, Mark?)] {
        guard let value = node(key) else { return [] }
        switch value {
        case .scalar(let scalar): return [(scalar.string, value.mark)]
        case .sequence(let sequence):
            var result: [(String, Mark?)] = []
            for item in sequence {
                guard case .scalar(let scalar) = item else {
                    throw source.error(at: item.mark, "each entry of '\(key)' must be text")
                }
                result.append((scalar.string, item.mark))
            }
            return result
        default:
            throw source.error(at: value.mark, "'\(key)' must be a list of text values")
        }
    }

    func sequence(_ key: String) throws(SourceError) -> [Node] {
        guard let value = node(key) else { return [] }
        guard case .sequence(let sequence) = value else {
            throw source.error(at: value.mark, "'\(key)' must be a list")
        }
        return Array(sequence)
    }

    func mapping(_ key: String, what: String) throws(SourceError) -> MappingReader? {
        guard let value = node(key) else { return nil }
        return try MappingReader(value, source: source, what: what)
    }
}

extension Node {
    var isMapping: Bool { if case .mapping = self { true } else { false } }
}
