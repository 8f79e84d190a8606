internal import CLibXML2

/// Prints documents in soaptape's canonical pretty form, for people and for any line-based diff tool.
///
/// Names get stable generated prefixes (declared once, on the root), attributes are sorted by namespace
/// and name, QName values are rewritten to the generated prefixes, text follows the whitespace rule,
/// and comments, processing instructions and ignored nodes are left out. Two documents equal under the
/// options print the same, apart from what placeholders and unordered children accept.
public struct CanonicalPrinter: Sendable {
    /// The rules applied: namespace mode and mappings, whitespace, ignore XPaths, QName-valued attributes.
    public let options: ComparisonOptions

    /// Creates a printer with `options`.
    public init(options: ComparisonOptions = ComparisonOptions()) {
        self.options = options
    }

    /// The canonical form of `document`.
    public func print(_ document: XMLDocument) -> String {
        print([document])[0]
    }

    /// The canonical forms of `documents`, sharing one prefix table so that their lines compare well.
    public func print(_ documents: [XMLDocument]) -> [String] {
        var ignored = Set<UnsafeMutableRawPointer>()
        for selector in options.ignore {
            for document in documents { ignored.formUnion(selector.select(in: document)) }
        }
        var table = PrefixTable(options: options)
        for document in documents {
            if let root = document.root { table.collect(root, in: document, ignored: ignored) }
        }
        return documents.map { document in
            var writer = Writer(options: options, table: table, ignored: ignored, document: document)
            if let root = document.root { writer.element(root, depth: 0, preserve: false, isRoot: true) }
            return String(decoding: writer.output, as: UTF8.self)
        }
    }
}

/// Namespace URIs in order of first use, each with a stable prefix.
private struct PrefixTable {
    let options: ComparisonOptions
    private(set) var ordered: [(uri: String, prefix: String)] = []
    private var prefixes: [String: String] = [:]
    private var next = 1

    static let wellKnown: [String: String] = [
        "http://schemas.xmlsoap.org/soap/envelope/": "soap",
        "http://www.w3.org/2003/05/soap-envelope": "soap12",
        "http://www.w3.org/2001/XMLSchema-instance": "xsi",
        "http://www.w3.org/2001/XMLSchema": "xsd",
        "http://www.w3.org/XML/1998/namespace": "xml",
        "http://schemas.microsoft.com/2003/10/Serialization/": "ser",
        "http://schemas.microsoft.com/2003/10/Serialization/Arrays": "arr",
    ]

    init(options: ComparisonOptions) { self.options = options }

    func prefix(for uri: String) -> String? { prefixes[uri] }

    mutating func add(_ rawURI: String) {
        let uri = options.mapped(rawURI)
        guard !uri.isEmpty, options.namespaces != .ignore, prefixes[uri] == nil else { return }
        var prefix = Self.wellKnown[uri] ?? ""
        if prefix.isEmpty || prefixes.values.contains(prefix) {
            prefix = "ns\(next)"
            next += 1
        }
        prefixes[uri] = prefix
        if uri != LibXML2.xmlNamespace { ordered.append((uri, prefix)) }
    }

    mutating func collect(_ node: Node, in document: XMLDocument, ignored: Set<UnsafeMutableRawPointer>) {
        add(string(node.namespaceURI))
        var attribute = node.pointee.properties
        while let attr = attribute {
            attribute = attr.pointee.next
            if ignored.contains(attr.identity) { continue }
            add(string(attr.namespaceURI))
            if isQNameValued(attr, options: options), let (uri, _) = resolveQName(attr.value, at: node, in: document) {
                add(uri)
            }
        }
        var child = node.pointee.children
        while let current = child {
            if current.isElement, !ignored.contains(current.identity) { collect(current, in: document, ignored: ignored) }
            child = current.pointee.next
        }
    }
}

private func isQNameValued(_ attr: UnsafeMutablePointer<xmlAttr>, options: ComparisonOptions) -> Bool {
    let local = attr.localName
    let uri = string(attr.namespaceURI)
    return options.qnameAttributes.contains { $0.localName == local && $0.namespace == uri }
}

/// `prefix:local` resolved at `node`: the namespace URI and the local part; nil when the prefix is unbound.
private func resolveQName(_ value: String, at node: Node, in document: XMLDocument) -> (String, String)? {
    let trimmed = value.trimmingXMLWhitespace()
    let parts = trimmed.split(separator: ":", maxSplits: 1)
    let prefix = parts.count == 2 ? String(parts[0]) : nil
    let local = String(parts.last ?? "")
    let ns = prefix.map { xmlSearchNs(document.doc, node, $0) } ?? xmlSearchNs(document.doc, node, nil)
    guard let ns else { return prefix == nil ? ("", local) : nil }
    return (string(ns.pointee.href), local)
}

extension String {
    func trimmingXMLWhitespace() -> String {
        var copy = self
        return copy.withUTF8 { String(decoding: Lexical.trimmed($0), as: UTF8.self) }
    }
}

/// Writes one document's canonical form into a byte buffer.
private struct Writer {
    let options: ComparisonOptions
    let table: PrefixTable
    let ignored: Set<UnsafeMutableRawPointer>
    let document: XMLDocument
    var output: [UInt8] = []

    init(options: ComparisonOptions, table: PrefixTable, ignored: Set<UnsafeMutableRawPointer>, document: XMLDocument) {
        self.options = options
        self.table = table
        self.ignored = ignored
        self.document = document
        output.reserveCapacity(4096)
    }

    mutating func write(_ text: String) { output.append(contentsOf: text.utf8) }

    func qualified(_ local: String, uri: String) -> String {
        guard options.namespaces != .ignore, let prefix = table.prefix(for: options.mapped(uri)) else { return local }
        return prefix + ":" + local
    }

    mutating func element(_ node: Node, depth: Int, preserve inherited: Bool, isRoot: Bool) {
        let indent = String(repeating: "  ", count: depth)
        write(indent + "<" + qualified(node.localName, uri: string(node.namespaceURI)))
        if isRoot {
            for (uri, prefix) in table.ordered { write(" xmlns:\(prefix)=\"\(escape(uri, attribute: true))\"") }
        }
        var preserve = inherited
        var attributes: [(key: String, name: String, value: String)] = []
        var attribute = node.pointee.properties
        while let attr = attribute {
            attribute = attr.pointee.next
            if ignored.contains(attr.identity) { continue }
            let uri = string(attr.namespaceURI)
            var value = attr.value
            if uri == LibXML2.xmlNamespace && attr.localName == "space" { preserve = value == "preserve" }
            if isQNameValued(attr, options: options), (try? Placeholder.parse(value)) == nil,
                let (valueURI, local) = resolveQName(value, at: node, in: document)
            {
                value = qualified(local, uri: valueURI)
            }
            let name = uri == LibXML2.xmlNamespace ? "xml:" + attr.localName : qualified(attr.localName, uri: uri)
            attributes.append((options.mapped(uri) + " " + attr.localName, name, value))
        }
        for (_, name, value) in attributes.sorted(by: { $0.key < $1.key }) {
            write(" \(name)=\"\(escape(value, attribute: true))\"")
        }
        var children: [Node] = []
        var textParts: [UInt8] = []
        var child = node.pointee.children
        while let current = child {
            child = current.pointee.next
            if ignored.contains(current.identity) { continue }
            if current.isElement {
                children.append(current)
            } else if current.isText, let content = current.pointee.content {
                textParts.append(contentsOf: UnsafeBufferPointer(start: content, count: cLength(content)))
            }
        }
        let text = canonicalText(textParts, preserve: preserve, besideElements: !children.isEmpty)
        if children.isEmpty {
            if text.isEmpty {
                write("/>\n")
            } else {
                write(">" + escape(text, attribute: false) + "</" + qualified(node.localName, uri: string(node.namespaceURI)) + ">\n")
            }
            return
        }
        write(">\n")
        if !text.isEmpty { write(indent + "  " + escape(text, attribute: false) + "\n") }
        for current in children { element(current, depth: depth + 1, preserve: preserve, isRoot: false) }
        write(indent + "</" + qualified(node.localName, uri: string(node.namespaceURI)) + ">\n")
    }

    func canonicalText(_ bytes: [UInt8], preserve: Bool, besideElements: Bool) -> String {
        bytes.withUnsafeBufferPointer { buffer in
            let trimmed = Lexical.trimmed(buffer)
            if besideElements && !preserve && trimmed.isEmpty { return "" }
            if preserve || options.whitespace == .exact { return String(decoding: buffer, as: UTF8.self) }
            if options.whitespace == .trim { return String(decoding: trimmed, as: UTF8.self) }
            var collapsed: [UInt8] = []
            var inSpace = false
            for byte in trimmed {
                if Lexical.isSpace(byte) {
                    if !inSpace { collapsed.append(0x20) }
                    inSpace = true
                } else {
                    collapsed.append(byte)
                    inSpace = false
                }
            }
            return String(decoding: collapsed, as: UTF8.self)
        }
    }

    func escape(_ text: String, attribute: Bool) -> String {
        attribute ? XMLEscaping.attribute(text) : XMLEscaping.text(text)
    }
}
