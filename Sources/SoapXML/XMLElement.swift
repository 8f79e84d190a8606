internal import CLibXML2

/// A plain Swift copy of an element and its subtree, for building and rewriting documents (imports, specs,
/// stub responses). Comparison never builds one: it walks libxml2's tree in place.
public struct XMLElement: Equatable, Sendable {
    /// The prefix written on the element (nil for none).
    public var prefix: String?
    /// The namespace URI (nil for none).
    public var namespace: String?
    /// The local name.
    public var localName: String
    /// Namespace declarations written on this element, in order.
    public var declarations: [NamespaceDeclaration]
    /// Attributes in document order.
    public var attributes: [XMLAttribute]
    /// Element and text children in document order; whitespace-only text beside elements is dropped.
    public var children: [XMLContent]

    /// Creates an element.
    public init(
        prefix: String? = nil, namespace: String? = nil, localName: String,
        declarations: [NamespaceDeclaration] = [], attributes: [XMLAttribute] = [], children: [XMLContent] = []
    ) {
        self.prefix = prefix
        self.namespace = namespace
        self.localName = localName
        self.declarations = declarations
        self.attributes = attributes
        self.children = children
    }

    /// The child elements.
    public var elements: [XMLElement] {
        children.compactMap { if case .element(let element) = $0 { element } else { nil } }
    }

    /// The concatenated text children.
    public var text: String {
        children.reduce(into: "") { if case .text(let text) = $1 { $0 += text } }
    }

    /// The qualified name as written: `prefix:local` or `local`.
    public var qualifiedName: String { prefix.map { "\($0):\(localName)" } ?? localName }

    /// The value of the attribute with this namespace and local name.
    public func attribute(_ localName: String, namespace: String? = nil) -> String? {
        attributes.first { $0.localName == localName && $0.namespace == namespace }?.value
    }

    /// The document serialised with an XML declaration, two-space indentation and the prefixes as given.
    public func document() -> String {
        var output = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        write(into: &output, depth: 0)
        return output
    }

    private func write(into output: inout String, depth: Int) {
        let indent = String(repeating: "  ", count: depth)
        output += indent + "<" + qualifiedName
        // Several declarations read best one per line, as the vendors' pages write them.
        let separator = declarations.count > 1 ? "\n" + indent + "    " : " "
        for declaration in declarations {
            output += separator + (declaration.prefix.map { "xmlns:\($0)=" } ?? "xmlns=")
            output += "\"" + XMLEscaping.attribute(declaration.uri) + "\""
        }
        for attribute in attributes {
            output += " \(attribute.qualifiedName)=\"\(XMLEscaping.attribute(attribute.value))\""
        }
        let childElements = elements
        if childElements.isEmpty {
            // Whitespace-only content (the pages' empty responses) is written as an empty element.
            let value = text
            output += value.trimmingXMLWhitespace().isEmpty
                ? "/>\n" : ">" + XMLEscaping.text(value) + "</" + qualifiedName + ">\n"
            return
        }
        output += ">\n"
        for child in children {
            switch child {
            case .element(let element): element.write(into: &output, depth: depth + 1)
            case .text(let text):
                let trimmed = text.trimmingXMLWhitespace()
                if !trimmed.isEmpty { output += indent + "  " + XMLEscaping.text(trimmed) + "\n" }
            }
        }
        output += indent + "</" + qualifiedName + ">\n"
    }

    /// Applies `transform` to this element and every descendant, parents before children.
    public mutating func visit(_ transform: (inout XMLElement, _ path: [String]) -> Void) {
        visit(path: [], transform)
    }

    private mutating func visit(path: [String], _ transform: (inout XMLElement, [String]) -> Void) {
        let here = path + [localName]
        transform(&self, here)
        for index in children.indices {
            if case .element(var element) = children[index] {
                element.visit(path: here, transform)
                children[index] = .element(element)
            }
        }
    }
}

/// A child of an element.
public enum XMLContent: Equatable, Sendable {
    /// A child element.
    case element(XMLElement)
    /// Character data.
    case text(String)
}

/// An attribute of an `XMLElement`.
public struct XMLAttribute: Equatable, Sendable {
    /// The prefix written (nil for none).
    public var prefix: String?
    /// The namespace URI (nil for none).
    public var namespace: String?
    /// The local name.
    public var localName: String
    /// The value.
    public var value: String

    /// Creates an attribute.
    public init(prefix: String? = nil, namespace: String? = nil, localName: String, value: String) {
        self.prefix = prefix
        self.namespace = namespace
        self.localName = localName
        self.value = value
    }

    /// `prefix:local` or `local`.
    public var qualifiedName: String { prefix.map { "\($0):\(localName)" } ?? localName }
}

/// An `xmlns` or `xmlns:prefix` declaration.
public struct NamespaceDeclaration: Equatable, Sendable {
    /// The prefix declared; nil for the default namespace.
    public var prefix: String?
    /// The namespace URI.
    public var uri: String

    /// Creates a declaration.
    public init(prefix: String?, uri: String) {
        self.prefix = prefix
        self.uri = uri
    }
}

/// Escaping for text and attribute values.
public enum XMLEscaping {
    /// Escapes `&`, `<`, `>` (and carriage returns) in character data.
    public static func text(_ value: String) -> String {
        var result = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\r": result += "&#13;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Escapes text for an HTML page, in content or in a double-quoted attribute: `&`, `<`, `>` and `"`; control
    /// characters a page cannot show are written `\u{…}`. The one escaping of every HTML soaptape makes (reports,
    /// the inspector page).
    public static func markup(_ value: String) -> String {
        var result = ""
        result.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    /// Escapes text for a double-quoted attribute value.
    public static func attribute(_ value: String) -> String {
        var result = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case "\"": result += "&quot;"
            case "\n": result += "&#10;"
            case "\t": result += "&#9;"
            case "\r": result += "&#13;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

extension XMLDocument {
    /// A Swift copy of the document's root element and its subtree.
    public func rootElement() -> XMLElement? {
        guard let root else { return nil }
        return XMLDocument.copy(root)
    }

    private static func copy(_ node: Node) -> XMLElement {
        var element = XMLElement(
            prefix: node.pointee.ns?.pointee.prefix.map { string($0) },
            namespace: node.pointee.ns.map { string($0.pointee.href) },
            localName: node.localName)
        var ns = node.pointee.nsDef
        while let declaration = ns {
            element.declarations.append(NamespaceDeclaration(
                prefix: declaration.pointee.prefix.map { string($0) }, uri: string(declaration.pointee.href)))
            ns = declaration.pointee.next
        }
        var attribute = node.pointee.properties
        while let attr = attribute {
            element.attributes.append(XMLAttribute(
                prefix: attr.pointee.ns?.pointee.prefix.map { string($0) },
                namespace: attr.pointee.ns.map { string($0.pointee.href) }, localName: attr.localName, value: attr.value))
            attribute = attr.pointee.next
        }
        let hasElements = node.hasElementChild
        var child = node.pointee.children
        while let current = child {
            child = current.pointee.next
            if current.isElement {
                element.children.append(.element(copy(current)))
            } else if current.isText, let content = current.pointee.content {
                let text = string(content)
                if hasElements && text.trimmingXMLWhitespace().isEmpty { continue }
                element.children.append(.text(text))
            }
        }
        return element
    }
}
