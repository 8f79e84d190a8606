internal import CLibXML2
import Foundation

/// A qualified name: namespace URI (empty for none) and local name.
public struct ExpandedName: Hashable, Sendable, CustomStringConvertible {
    /// The namespace URI, empty for none.
    public var namespace: String
    /// The local name.
    public var localName: String

    /// Creates `{namespace}localName`.
    public init(namespace: String, localName: String) {
        self.namespace = namespace
        self.localName = localName
    }

    /// `{URI}local`, or `local` without a namespace.
    public var description: String { namespace.isEmpty ? localName : "{\(namespace)}\(localName)" }
}

extension XMLDocument {
    /// The root element's name.
    public var rootName: ExpandedName? {
        root.map { ExpandedName(namespace: string($0.namespaceURI), localName: $0.localName) }
    }

    /// The first element child of the root's child named `Body` in the root's namespace: a SOAP
    /// envelope's payload element. Nil when there is no Body or it is empty.
    public var bodyFirstChild: ExpandedName? {
        guard let root else { return nil }
        var child = root.pointee.children
        while let current = child {
            if current.isElement, current.localName == "Body", sameString(current.namespaceURI, root.namespaceURI) {
                var inner = current.pointee.children
                while let node = inner {
                    if node.isElement { return ExpandedName(namespace: string(node.namespaceURI), localName: node.localName) }
                    inner = node.pointee.next
                }
                return nil
            }
            child = current.pointee.next
        }
        return nil
    }
}

extension Placeholder {
    /// The value a stub answers with for this placeholder: the type's default (0, false, empty, …).
    public var defaultValue: String {
        switch self {
        case .ignore: return ""
        case .regex(let pattern):
            // An enumeration's alternatives (`A|B|C`): the first; anything else has no safe default.
            let first = pattern.split(separator: "|", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let literal = first.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "_-. ".unicodeScalars.contains($0) }
            return literal ? first : ""
        case .redacted: return "REDACTED"
        case .typed(let type):
            switch type {
            case .int, .long, .short, .byte, .integer, .nonNegativeInteger, .nonPositiveInteger, .unsignedInt,
                .unsignedLong, .unsignedShort, .unsignedByte, .decimal, .double, .float:
                return "0"
            case .positiveInteger: return "1"
            case .negativeInteger: return "-1"
            case .boolean: return "false"
            case .dateTime: return "0001-01-01T00:00:00"
            case .date: return "0001-01-01"
            case .time: return "00:00:00"
            case .duration: return "PT0S"
            case .guid: return "00000000-0000-0000-0000-000000000000"
            case .QName, .NCName: return "x"
            case .string, .normalizedString, .token, .anyURI, .base64Binary, .hexBinary: return ""
            }
        }
    }
}
