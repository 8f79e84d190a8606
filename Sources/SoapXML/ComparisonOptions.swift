import Foundation

/// How namespace URIs take part in a comparison.
public enum NamespaceMode: String, CaseIterable, Sendable {
    /// Namespace URIs must match exactly (prefixes never matter).
    case strict
    /// Namespace URIs are rewritten by the mappings first, QName values included, then must match.
    case map
    /// Only local names are compared.
    case ignore
}

/// How text values are compared.
public enum WhitespaceMode: String, CaseIterable, Sendable {
    /// Leading and trailing whitespace of text is ignored (the default).
    case trim
    /// As `trim`, and runs of internal whitespace count as one space.
    case normalize
    /// Text is compared exactly; only whitespace-only text between elements is dropped.
    case exact
}

/// A rewrite rule for namespace URIs, applied before comparing in `NamespaceMode.map`.
public struct NamespaceMapping: Sendable, CustomStringConvertible {
    private enum Rule: @unchecked Sendable {
        case substring(String, String)
        case regex(Regex<AnyRegexOutput>, pattern: String, replacement: String)
    }

    private let rule: Rule

    /// Replaces every occurrence of `from` with `to` (`Services86` → `Services88`).
    public static func substring(_ from: String, _ to: String) -> NamespaceMapping {
        NamespaceMapping(rule: .substring(from, to))
    }

    /// Rewrites each match of `pattern` with `replacement`, where `$1`…`$9` insert capture groups.
    public static func regex(_ pattern: String, _ replacement: String) throws -> NamespaceMapping {
        NamespaceMapping(rule: .regex(try Regex(pattern), pattern: pattern, replacement: replacement))
    }

    /// Parses `FROM=TO`; with `regex`, FROM is a regular expression.
    public static func parse(_ text: String, regex: Bool) throws -> NamespaceMapping {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw NamespaceMappingError(text: text)
        }
        let from = String(text[..<equals])
        let to = String(text[text.index(after: equals)...])
        return regex ? try .regex(from, to) : .substring(from, to)
    }

    /// Applies the rule to `uri`.
    public func apply(to uri: String) -> String {
        switch rule {
        case .substring(let from, let to):
            return Self.replacing(from, with: to, in: uri)
        case .regex(let regex, _, let replacement):
            var result = ""
            var position = uri.startIndex
            for match in uri.matches(of: regex) {
                result += uri[position..<match.range.lowerBound]
                result += expand(replacement, match.output)
                position = match.range.upperBound
            }
            result += uri[position...]
            return result
        }
    }

    /// `text` with every occurrence of `from` replaced by `to`, over UTF-8 bytes (no Foundation: this runs for
    /// every namespace of every document a mock server compares).
    static func replacing(_ from: String, with to: String, in text: String) -> String {
        let pattern = Array(from.utf8)
        let bytes = Array(text.utf8)
        guard let first = pattern.first, bytes.count >= pattern.count else { return text }
        var output: [UInt8] = []
        var index = 0
        var copied = 0
        while index + pattern.count <= bytes.count {
            if bytes[index] == first, bytes[index..<(index + pattern.count)].elementsEqual(pattern) {
                output.append(contentsOf: bytes[copied..<index])
                output.append(contentsOf: to.utf8)
                index += pattern.count
                copied = index
            } else {
                index += 1
            }
        }
        if copied == 0 { return text }
        output.append(contentsOf: bytes[copied...])
        return String(decoding: output, as: UTF8.self)
    }

    private func expand(_ replacement: String, _ output: AnyRegexOutput) -> String {
        var result = ""
        var chars = replacement.makeIterator()
        while let c = chars.next() {
            if c == "$", let d = chars.next() {
                if let n = d.wholeNumberValue, n < output.count {
                    result += output[n].substring.map(String.init) ?? ""
                } else {
                    result.append(c)
                    result.append(d)
                }
            } else {
                result.append(c)
            }
        }
        return result
    }

    /// `FROM=TO` as given.
    public var description: String {
        switch rule {
        case .substring(let from, let to): "\(from)=\(to)"
        case .regex(_, let pattern, let replacement): "\(pattern)=\(replacement) (regex)"
        }
    }
}

/// A namespace mapping that is not of the form `FROM=TO`.
public struct NamespaceMappingError: Error, Sendable, CustomStringConvertible {
    /// The text given.
    public var text: String
    /// Explains the expected form.
    public var description: String {
        "the namespace mapping '\(text)' is not of the form FROM=TO (for example Services86=Services88)"
    }
}

/// An attribute named by namespace URI and local name, written `{URI}local` (Clark notation).
public struct QualifiedName: Hashable, Sendable, CustomStringConvertible {
    /// The namespace URI, empty for none.
    public var namespace: String
    /// The local name.
    public var localName: String

    /// Creates the name `{namespace}localName`.
    public init(namespace: String, localName: String) {
        self.namespace = namespace
        self.localName = localName
    }

    /// Parses `{URI}local`, or `local` for a name in no namespace.
    public init?(clark: String) {
        if clark.hasPrefix("{"), let close = clark.firstIndex(of: "}") {
            namespace = String(clark[clark.index(after: clark.startIndex)..<close])
            localName = String(clark[clark.index(after: close)...])
        } else {
            namespace = ""
            localName = clark
        }
        if localName.isEmpty || localName.contains(":") { return nil }
    }

    /// `xsi:type`, whose value is always compared as a QName.
    public static let xsiType = QualifiedName(namespace: "http://www.w3.org/2001/XMLSchema-instance", localName: "type")

    /// `{URI}local`.
    public var description: String { namespace.isEmpty ? localName : "{\(namespace)}\(localName)" }
}

/// Who judges a message's shape: its element structure, order, occurrence and attributes.
public enum StructureMode: String, Sendable {
    /// The expected document is the whole contract: every element and attribute it has must be there, and nothing
    /// else (the rules widen that).
    case example
    /// A schema judges the shape (a validator runs beside the comparison): only what the expected document pins —
    /// literal values, not placeholders — is compared, wherever the actual document has an element of that path.
    /// The Body's payload element must still be the expected one.
    case schema
}

/// The rules of a comparison. The defaults compare SOAP envelopes "similar" in XMLUnit's sense.
///
/// Built once and reused: a mock server compares every request with the same options.
public struct ComparisonOptions: Sendable {
    /// How namespace URIs are compared.
    public var namespaces: NamespaceMode = .strict
    /// Rewrite rules for namespace URIs, used in `NamespaceMode.map`.
    public var namespaceMappings: [NamespaceMapping] = []
    /// How text is compared.
    public var whitespace: WhitespaceMode = .trim
    /// Nodes left out of the comparison.
    public var ignore: [XPathSelector] = []
    /// Elements whose children compare as a multiset.
    public var unordered: [XPathSelector] = []
    /// Expected elements that stand for zero or more consecutive actual siblings of the same name.
    public var repeating: [XPathSelector] = []
    /// Expected elements that may be absent.
    public var optional: [XPathSelector] = []
    /// Expected elements that may be nil instead (`xsi:nil="true"`, no content), as a schema's `nillable` says.
    public var nillable: [XPathSelector] = []
    /// Expected elements whose actual children beyond the expected ones are no difference (open content, like
    /// a schema's `xs:any`): a SOAP Header carries blocks a contract does not name (WS-Addressing's).
    public var openContent: [XPathSelector] = []
    /// Attributes whose values are QNames, compared as resolved `{URI}local`.
    public var qnameAttributes: [QualifiedName] = [.xsiType]
    /// Who judges the shape: the expected document (the default) or a schema beside the comparison.
    public var structure: StructureMode = .example
    /// Elements that must be present in the actual document wherever the expected one has them (a request's
    /// header block binds requests, not answers), in either structure mode.
    public var required: [XPathSelector] = []
    /// Namespace URIs whose attributes on an actual element need no counterpart in the expected one: XML Schema's
    /// instance attributes (`xsi:type`, `xsi:schemaLocation`) and SOAP's own (`mustUnderstand`, `encodingStyle`)
    /// may stand on any element; what they say is checked elsewhere.
    public var openAttributeNamespaces: [String] = []
    /// When true, prefixes and where namespaces are declared count too.
    public var identical: Bool = false
    /// When true, an expected `xsi:type` may be absent from the actual element (document/literal services such
    /// as WCF send none for an element's declared type); a present one must still name the same type.
    public var typeAttributesOptional: Bool = false

    /// The default, similar comparison.
    public init() {}

    /// Applies the namespace mappings (in `map` mode) to `uri`.
    public func mapped(_ uri: String) -> String {
        guard namespaces == .map else { return uri }
        return namespaceMappings.reduce(uri) { $1.apply(to: $0) }
    }
}
