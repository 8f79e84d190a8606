internal import CLibXML2
import Foundation

/// Value fingerprints: a hash of a document's leaf values, each with its path of local names, so that a mock
/// server finds the recordings a request may equal without comparing it with each one.
///
/// The fingerprint is built to agree with the comparison: two documents equal under the rules have equal
/// fingerprints whenever the rules are element paths by local name (`XPathSelector.isLocalNamePath`).
/// It is a sum over the values, so order does not count (unordered children, attributes in any order); it
/// leaves out the subtrees at `skipping` paths (where a recording holds a placeholder, or an optional or
/// repeating element stands) and those the ignore rules select; QName-valued attributes such as `xsi:type`,
/// whose prefixes may differ, are left out; text is trimmed (and its inner whitespace collapsed when the rules
/// normalise it). Equal fingerprints are a hint, never a verdict: candidates are still compared in full.
extension XMLDocument {
    /// Hashed paths (`/Envelope/Header/Credentials/Ticket`, `…/@attr`) whose value is a placeholder here: an
    /// attribute's, or an element's own text (a leaf's, or the text beside an element's children).
    public func placeholderValuePaths() -> Set<UInt64> {
        var paths = Set<UInt64>()
        func isPlaceholder(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { (try? Placeholder.parse(bytes: bytes)) != nil }
        func walk(_ node: Node, _ parentPath: ComparisonRun.FNV1a) {
            var path = parentPath
            path.addStep(node.pointee.name)
            var attribute = node.pointee.properties
            while let attr = attribute {
                attribute = attr.pointee.next
                var attributePath = path
                attributePath.add(UInt64(0x40))
                attributePath.add(attr.pointee.name)
                if attr.withValue(isPlaceholder) { paths.insert(attributePath.value) }
            }
            var child = node.pointee.children
            while let current = child {
                child = current.pointee.next
                if current.isElement {
                    walk(current, path)
                } else if current.isText, let content = current.pointee.content,
                    isPlaceholder(UnsafeBufferPointer(start: content, count: cLength(content)))
                {
                    paths.insert(path.value)
                }
            }
        }
        if let root { walk(root, ComparisonRun.FNV1a()) }
        return paths
    }

    /// Hashed paths (in the form `placeholderValuePaths` gives) of the elements `selectors` select here.
    public func selectedElementPaths(_ selectors: [XPathSelector]) -> Set<UInt64> {
        var paths = Set<UInt64>()
        for selector in selectors {
            for raw in selector.select(in: self) {
                let node = raw.assumingMemoryBound(to: xmlNode.self)
                guard node.isElement else { continue }
                var chain: [Node] = []
                var current: Node? = node
                while let each = current, each.isElement {
                    chain.append(each)
                    current = each.pointee.parent
                }
                var path = ComparisonRun.FNV1a()
                for each in chain.reversed() {
                    path.addStep(each.pointee.name)
                }
                paths.insert(path.value)
            }
        }
        return paths
    }

    /// The fingerprint of every leaf value and attribute value with its path, as an order-free sum, leaving out
    /// what `rules` (made once for the many documents fingerprinted alike) leave out.
    public func valueFingerprint(_ rules: FingerprintRules) -> UInt64 {
        guard let root else { return 0 }
        var ignored = Set<UnsafeMutableRawPointer>()
        for selector in rules.ignoring { ignored.formUnion(selector.select(in: self)) }
        if let header = SoapHeaderRule.emptyHeader(under: root, ignored: ignored) { ignored.insert(header.identity) }
        var sum: UInt64 = 0
        Self.walkValues(root, parentPath: ComparisonRun.FNV1a(), skipping: rules.skipping, ignored: ignored,
                        qnameAttributes: rules.qnames)
        { path, bytes in
            var leaf = ComparisonRun.FNV1a()
            leaf.add(path)
            let trimmed = Lexical.trimmed(bytes)
            if rules.whitespace == .normalize {
                leaf.addCollapsed(trimmed)
            } else {
                leaf.add(trimmed)
            }
            sum &+= Self.mixed(leaf.value)
        }
        return sum
    }

    /// A 64-bit finaliser (SplitMix64's), so that a sum of leaf hashes does not cancel out.
    private static func mixed(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Calls `visit` with the hashed path and value of every attribute and every element without element
    /// children, in document order; subtrees and attributes at `skipping` paths, `ignored` nodes and the values
    /// of `qnameAttributes` are passed over.
    private static func walkValues(
        _ node: Node, parentPath: ComparisonRun.FNV1a, skipping: Set<UInt64>, ignored: Set<UnsafeMutableRawPointer>,
        qnameAttributes: [(local: CString, namespace: CString)], _ visit: (UInt64, UnsafeBufferPointer<UInt8>) -> Void
    ) {
        if !ignored.isEmpty, ignored.contains(node.identity) { return }
        var path = parentPath
        path.addStep(node.pointee.name)
        if !skipping.isEmpty, skipping.contains(path.value) { return }
        var attribute = node.pointee.properties
        while let attr = attribute {
            attribute = attr.pointee.next
            if !ignored.isEmpty, ignored.contains(attr.identity) { continue }
            if qnameAttributes.contains(where: { $0.local.equals(attr.pointee.name) && $0.namespace.equals(attr.namespaceURI) }) {
                continue
            }
            var attributePath = path
            attributePath.add(UInt64(0x40))
            attributePath.add(attr.pointee.name)
            if !skipping.isEmpty, skipping.contains(attributePath.value) { continue }
            attr.withValue { visit(attributePath.value, $0) }
        }
        // An element counts as a leaf when it has no element child the comparison looks at: children left out
        // (ignored, or at skipped paths) may be absent from an equal document altogether.
        var hasCompared = false
        var child = node.pointee.children
        while let current = child, !hasCompared {
            child = current.pointee.next
            guard current.isElement, ignored.isEmpty || !ignored.contains(current.identity) else { continue }
            if skipping.isEmpty {
                hasCompared = true
            } else {
                var childPath = path
                childPath.addStep(current.pointee.name)
                hasCompared = !skipping.contains(childPath.value)
            }
        }
        if hasCompared {
            child = node.pointee.children
            while let current = child {
                child = current.pointee.next
                if current.isElement {
                    walkValues(current, parentPath: path, skipping: skipping, ignored: ignored,
                               qnameAttributes: qnameAttributes, visit)
                }
            }
            return
        }
        // The text the comparison reads: the element's own text nodes, joined.
        if let only = node.pointee.children, only.pointee.next == nil, only.isText, let content = only.pointee.content {
            visit(path.value, UnsafeBufferPointer(start: content, count: cLength(content)))
            return
        }
        var text: [UInt8] = []
        child = node.pointee.children
        while let current = child {
            child = current.pointee.next
            if current.isText, let content = current.pointee.content {
                text.append(contentsOf: UnsafeBufferPointer(start: content, count: cLength(content)))
            }
        }
        text.withUnsafeBufferPointer { visit(path.value, $0) }
    }
}

/// What a value fingerprint leaves out and how it reads text: built once, used for every document of a kind.
public struct FingerprintRules: Sendable {
    /// Hashed paths whose subtrees (or attributes) are left out.
    public let skipping: Set<UInt64>
    /// Rules whose selected nodes are left out.
    public let ignoring: [XPathSelector]
    /// How text is read.
    public let whitespace: WhitespaceMode
    /// QName-valued attributes, left out, as C strings for the walk.
    let qnames: [(local: CString, namespace: CString)]

    /// Rules leaving out `skipping` paths, what `ignoring` selects and the values of `qnameAttributes`.
    public init(skipping: Set<UInt64>, ignoring: [XPathSelector] = [], whitespace: WhitespaceMode = .trim,
                qnameAttributes: [QualifiedName] = [.xsiType]) {
        self.skipping = skipping
        self.ignoring = ignoring
        self.whitespace = whitespace
        qnames = qnameAttributes.map { (CString($0.localName), CString($0.namespace)) }
    }
}
