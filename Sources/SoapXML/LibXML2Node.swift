internal import CLibXML2
import Foundation

/// A node of a libxml2 tree. Internal to the engine: nothing above it sees a C pointer.
typealias Node = UnsafeMutablePointer<xmlNode>
/// A namespace declaration of a libxml2 tree.
typealias Namespace = UnsafeMutablePointer<xmlNs>

/// A null-terminated copy of a Swift string, for comparisons against libxml2's strings without allocating.
final class CString: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<CChar>
    let string: String

    init(_ string: String) {
        self.string = string
        pointer = strdup(string)!
    }

    deinit { free(pointer) }

    func equals(_ other: UnsafePointer<xmlChar>?) -> Bool {
        guard let other else { return string.isEmpty }
        return strcmp(pointer, UnsafeRawPointer(other).assumingMemoryBound(to: CChar.self)) == 0
    }
}

/// libxml2 strings (`xmlChar *`) compared without building Swift strings: pointer first, then bytes.
@inline(__always)
func sameString(_ a: UnsafePointer<xmlChar>?, _ b: UnsafePointer<xmlChar>?) -> Bool {
    if a == b { return true }
    guard let a, let b else {
        // nil and "" both mean "no namespace".
        return (a?.pointee ?? 0) == 0 && (b?.pointee ?? 0) == 0
    }
    return strcmp(UnsafeRawPointer(a).assumingMemoryBound(to: CChar.self),
                  UnsafeRawPointer(b).assumingMemoryBound(to: CChar.self)) == 0
}

@inline(__always)
func string(_ pointer: UnsafePointer<xmlChar>?) -> String {
    guard let pointer else { return "" }
    return String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
}

@inline(__always)
func cLength(_ pointer: UnsafePointer<xmlChar>) -> Int {
    strlen(UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
}

extension UnsafeMutablePointer where Pointee == xmlNode {
    @inline(__always) var isElement: Bool { pointee.type == XML_ELEMENT_NODE }
    @inline(__always) var isText: Bool { pointee.type == XML_TEXT_NODE || pointee.type == XML_CDATA_SECTION_NODE }
    @inline(__always) var namespaceURI: UnsafePointer<xmlChar>? { pointee.ns?.pointee.href }
    var localName: String { string(pointee.name) }
    var line: Int { Int(xmlGetLineNo(self)) }
    var identity: UnsafeMutableRawPointer { UnsafeMutableRawPointer(self) }

    /// True when any child is an element.
    var hasElementChild: Bool {
        var child = pointee.children
        while let current = child {
            if current.isElement { return true }
            child = current.pointee.next
        }
        return false
    }

    /// `<Name>` with its namespace, for messages.
    var elementDescription: String {
        let uri = string(namespaceURI)
        return uri.isEmpty ? "<\(localName)>" : "<\(localName)> in \(uri)"
    }

    /// The 1-based position among siblings of the same name, and whether there are several.
    var siblingPosition: (index: Int, repeats: Bool) {
        var index = 1
        var total = 1
        var node = pointee.prev
        while let sibling = node {
            if sibling.isElement, sameString(sibling.pointee.name, pointee.name) { index += 1; total += 1 }
            node = sibling.pointee.prev
        }
        node = pointee.next
        while let sibling = node {
            if sibling.isElement, sameString(sibling.pointee.name, pointee.name) { total += 1 }
            node = sibling.pointee.next
        }
        return (index, total > 1)
    }

    /// The path segment: `Name`, or `Name[2]` when same-named siblings repeat.
    var pathSegment: String {
        let (index, repeats) = siblingPosition
        return repeats ? "\(localName)[\(index)]" : localName
    }
}

extension UnsafeMutablePointer where Pointee == xmlAttr {
    var localName: String { string(pointee.name) }
    var namespaceURI: UnsafePointer<xmlChar>? { pointee.ns?.pointee.href }
    var identity: UnsafeMutableRawPointer { UnsafeMutableRawPointer(self) }

    /// Calls `body` with the attribute's value, without copying in the common single-text-node case.
    func withValue<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let child = pointee.children, child.pointee.next == nil, child.pointee.type == XML_TEXT_NODE,
            let content = child.pointee.content
        {
            return body(UnsafeBufferPointer(start: content, count: cLength(content)))
        }
        guard let owned = xmlNodeListGetString(pointee.doc, pointee.children, 1) else {
            return body(UnsafeBufferPointer(start: nil, count: 0))
        }
        defer { free(owned) }
        return body(UnsafeBufferPointer(start: owned, count: cLength(owned)))
    }

    var value: String { withValue { String(decoding: $0, as: UTF8.self) } }
}

/// SOAP's rule that a Header carrying nothing is the same as no Header.
enum SoapHeaderRule {
    static let envelopeNamespaces = [CString("http://schemas.xmlsoap.org/soap/envelope/"),
                                     CString("http://www.w3.org/2003/05/soap-envelope")]
    static let header = CString("Header")

    /// The SOAP Header under `root` (an Envelope) when every element child of it is among `ignored` (or it has
    /// none): WCF and every SOAP stack read a missing header block as absent, so such a Header says nothing.
    static func emptyHeader(under root: Node?, ignored: Set<UnsafeMutableRawPointer>) -> Node? {
        guard let root, envelopeNamespaces.contains(where: { $0.equals(root.namespaceURI) }) else { return nil }
        var child = root.pointee.children
        while let current = child {
            child = current.pointee.next
            guard current.isElement else { continue }
            guard header.equals(current.pointee.name), sameString(current.namespaceURI, root.namespaceURI),
                !ignored.contains(current.identity)
            else { return nil }
            var block = current.pointee.children
            while let each = block {
                if each.isElement, !ignored.contains(each.identity) { return nil }
                block = each.pointee.next
            }
            return current
        }
        return nil
    }
}
