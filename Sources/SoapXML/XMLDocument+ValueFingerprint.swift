internal import CLibXML2
import Foundation

/// Value fingerprints: a hash of a document's leaf values, each with its path of local names, so that a mock
/// server finds the recordings a request may equal without comparing it with each one.
///
/// Values at masked paths (where some recording holds a placeholder) and nodes the ignore rules select are
/// left out, so a request and a recording equal under the comparison rules almost always share a
/// fingerprint. Equal fingerprints are a hint, never a verdict: candidates are still compared in full, and
/// a miss falls back to comparing every recording of the operation.
extension XMLDocument {
    /// Hashed paths (`/Envelope/Header/Credentials/Ticket`, `…/@attr`) whose value is a placeholder here.
    public func placeholderValuePaths() -> Set<UInt64> {
        var paths = Set<UInt64>()
        guard let root else { return paths }
        Self.walkValues(root, parentPath: ComparisonRun.FNV1a(), ignored: []) { path, bytes in
            if (try? Placeholder.parse(bytes: bytes)) != nil { paths.insert(path) }
        }
        return paths
    }

    /// The fingerprint of every leaf value and attribute value with its path, in document order (ends trimmed),
    /// leaving out values at `masked` paths and the subtrees `ignoring` selects.
    public func valueFingerprint(masking masked: Set<UInt64>, ignoring: [XPathSelector] = []) -> UInt64 {
        guard let root else { return 0 }
        var ignored = Set<UnsafeMutableRawPointer>()
        for selector in ignoring { ignored.formUnion(selector.select(in: self)) }
        var hash = ComparisonRun.FNV1a()
        Self.walkValues(root, parentPath: ComparisonRun.FNV1a(), ignored: ignored) { path, bytes in
            hash.add(path)
            if masked.contains(path) { return }
            hash.add(Lexical.trimmed(bytes))
            hash.add(UInt64(0xFF))
        }
        return hash.value
    }

    /// Calls `visit` with the hashed path and value of every attribute and every element without element
    /// children, in document order.
    private static func walkValues(
        _ node: Node, parentPath: ComparisonRun.FNV1a, ignored: Set<UnsafeMutableRawPointer>,
        _ visit: (UInt64, UnsafeBufferPointer<UInt8>) -> Void
    ) {
        if !ignored.isEmpty, ignored.contains(node.identity) { return }
        var path = parentPath
        path.add(UInt64(0x2F))
        path.add(node.pointee.name)
        var attribute = node.pointee.properties
        while let attr = attribute {
            attribute = attr.pointee.next
            if !ignored.isEmpty, ignored.contains(attr.identity) { continue }
            var attributePath = path
            attributePath.add(UInt64(0x40))
            attributePath.add(attr.pointee.name)
            attr.withValue { visit(attributePath.value, $0) }
        }
        if node.hasElementChild {
            var child = node.pointee.children
            while let current = child {
                child = current.pointee.next
                if current.isElement { walkValues(current, parentPath: path, ignored: ignored, visit) }
            }
            return
        }
        if let only = node.pointee.children, only.pointee.next == nil, only.isText, let content = only.pointee.content {
            visit(path.value, UnsafeBufferPointer(start: content, count: cLength(content)))
            return
        }
        guard let owned = xmlNodeGetContent(node) else {
            visit(path.value, UnsafeBufferPointer(start: nil, count: 0))
            return
        }
        defer { free(owned) }
        visit(path.value, UnsafeBufferPointer(start: owned, count: cLength(owned)))
    }
}
