internal import CLibXML2
import Foundation

/// An XPath made only of element name steps (`/Envelope/Header/Ticket`, `//Credentials/Ticket`, `//p:Item/*`),
/// matched by walking the tree instead of through libxml2's XPath engine: the rules specs write most often, and
/// the ones evaluated for every request a server matches. Anything else (predicates, axes, attributes, functions,
/// unions) is left to XPath; `compile` says nil for it.
struct ElementPath: Sendable {
    /// One name test and how it is reached from the step before.
    struct Step: Sendable {
        /// True for `//` (any depth below the step before), false for `/` (a child of it).
        var anyDepth: Bool
        /// The local name, nil for `*`.
        var localName: CString?
        /// The namespace a prefixed step requires; nil when the step has no prefix (any namespace).
        var namespace: CString?
    }

    let steps: [Step]
    /// The steps reached by `//`, as a mask: they stay open below an element that tried them.
    private let deep: UInt64

    init(steps: [Step]) {
        self.steps = steps
        var deep: UInt64 = 0
        for (index, step) in steps.enumerated() where step.anyDepth { deep |= 1 << UInt64(index) }
        self.deep = deep
    }

    /// True when no step names a namespace: the path selects by local names alone.
    var byLocalNames: Bool { steps.allSatisfy { $0.namespace == nil } }

    /// The path `expression` spells, with its prefixes bound by `namespaces`; nil when it is more than name steps.
    static func compile(_ expression: String, namespaces: [String: String]) -> ElementPath? {
        let bytes = Array(expression.utf8)
        var steps: [Step] = []
        var index = 0
        func isNameStart(_ byte: UInt8) -> Bool {
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
        }
        func isNameByte(_ byte: UInt8) -> Bool {
            isNameStart(byte) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x2E
        }
        /// An NCName or `*` at `index`, advancing past it.
        func name() -> String?? {
            guard index < bytes.count else { return nil }
            if bytes[index] == 0x2A { index += 1; return .some(nil) }
            guard isNameStart(bytes[index]) else { return nil }
            let start = index
            while index < bytes.count, isNameByte(bytes[index]) { index += 1 }
            return .some(String(decoding: bytes[start..<index], as: UTF8.self))
        }
        while index < bytes.count {
            guard bytes[index] == 0x2F else { return nil }
            index += 1
            var anyDepth = false
            if index < bytes.count, bytes[index] == 0x2F { anyDepth = true; index += 1 }
            guard case .some(let first) = name() else { return nil }
            var step = Step(anyDepth: anyDepth, localName: first.map(CString.init), namespace: nil)
            if index < bytes.count, bytes[index] == 0x3A {
                // `prefix:name` or `prefix:*`; `*:name` is not XPath 1.0.
                guard let prefix = first, prefix != "xml", let uri = namespaces[prefix] else { return nil }
                index += 1
                guard case .some(let local) = name() else { return nil }
                step = Step(anyDepth: anyDepth, localName: local.map(CString.init), namespace: CString(uri))
            }
            steps.append(step)
        }
        // Every subset of steps fits in a 64-bit mask (see `select`).
        guard !steps.isEmpty, steps.count < 64 else { return nil }
        return ElementPath(steps: steps)
    }

    /// True when an element named `localName` in `namespace` passes the name test of step `index`.
    @inline(__always)
    private func test(_ index: Int, _ localName: UnsafePointer<xmlChar>?, _ namespace: UnsafePointer<xmlChar>?)
        -> Bool
    {
        let step = steps[index]
        if let name = step.localName, !name.equals(localName) { return false }
        if let required = step.namespace, !required.equals(namespace) { return false }
        return true
    }

    /// The steps the document's root element tries.
    static let rootTrying: UInt64 = 1

    /// One element met in document order: given the steps it may try (`rootTrying` for the root, else what its
    /// parent's `visit` returned), whether the path selects it, and the steps its children may try (0: none).
    ///
    /// Step `k` is tried when the parent passed step `k - 1`, or when an ancestor did and step `k` is reached by
    /// `//`; the element is selected when it passes the last step.
    @inline(__always)
    func visit(trying: UInt64, localName: UnsafePointer<xmlChar>?, namespace: UnsafePointer<xmlChar>?)
        -> (selected: Bool, children: UInt64)
    {
        var passed: UInt64 = 0
        var pending = trying
        while pending != 0 {
            let index = pending.trailingZeroBitCount
            pending &= pending - 1
            if test(index, localName, namespace) { passed |= 1 << UInt64(index) }
        }
        let count = UInt64(steps.count)
        let children = ((passed << 1) | (trying & deep)) & ~(UInt64.max << count)
        return (passed & (1 << (count - 1)) != 0, children)
    }

    /// The elements of `document` the path selects, as XPath would select them: one walk of the tree.
    func select(in document: XMLDocument) -> Set<UnsafeMutableRawPointer> {
        var selected = Set<UnsafeMutableRawPointer>()
        guard let root = document.root else { return selected }
        func walk(_ node: Node, trying: UInt64) {
            let (isSelected, next) = visit(trying: trying, localName: node.pointee.name, namespace: node.namespaceURI)
            if isSelected { selected.insert(node.identity) }
            guard next != 0 else { return }
            var child = node.pointee.children
            while let current = child {
                if current.isElement { walk(current, trying: next) }
                child = current.pointee.next
            }
        }
        walk(root, trying: Self.rootTrying)
        return selected
    }
}
