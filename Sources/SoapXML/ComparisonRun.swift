internal import CLibXML2
import Foundation

/// One comparison of two trees: the walk, its state, and the differences it collects.
struct ComparisonRun {
    let options: ComparisonOptions
    let expected: XMLDocument
    let actual: XMLDocument

    private(set) var differences: [Difference] = []
    /// Differences counted in the current mode (recorded, or probed when choosing a best match).
    private(set) var differenceCount = 0
    private var limit: Int
    private var recording: Bool
    /// Set when the limit is reached: every loop stops.
    private(set) var aborted = false

    /// The element pairs from the root to the current one, for paths built only when reporting.
    var stack: [(expected: Node?, actual: Node?)] = []

    let ignored: Set<UnsafeMutableRawPointer>
    let unordered: Set<UnsafeMutableRawPointer>
    let repeating: Set<UnsafeMutableRawPointer>
    let optional: Set<UnsafeMutableRawPointer>
    let nillable: Set<UnsafeMutableRawPointer>
    let openContent: Set<UnsafeMutableRawPointer>
    private let hasFlags: Bool
    let qnameAttributes: [(local: CString, namespace: CString)]
    let openAttributeNamespaces: [CString]
    private var mappedNamespaces: [UnsafeMutableRawPointer: String] = [:]
    var fingerprints: [UnsafeMutableRawPointer: UInt64] = [:]

    init(options: ComparisonOptions, qnameAttributes: [(local: CString, namespace: CString)], expected: XMLDocument,
         actual: XMLDocument, stopAfter: Int?) {
        self.options = options
        self.expected = expected
        self.actual = actual
        self.limit = stopAfter ?? .max
        self.recording = stopAfter == nil
        func select(_ selectors: [XPathSelector]) -> Set<UnsafeMutableRawPointer> {
            selectors.reduce(into: Set()) { $0.formUnion($1.select(in: expected)) }
        }
        unordered = select(options.unordered)
        repeating = select(options.repeating)
        optional = select(options.optional)
        nillable = select(options.nillable)
        openContent = select(options.openContent)
        var ignored = Set<UnsafeMutableRawPointer>()
        for selector in options.ignore {
            ignored.formUnion(selector.select(in: expected))
            ignored.formUnion(selector.select(in: actual))
        }
        // A Header whose blocks are all ignored (or that has none) is the same as no Header — unless it is open
        // content, which still takes blocks the expected one does not name.
        for document in [expected, actual] {
            if let header = SoapHeaderRule.emptyHeader(under: document.root, ignored: ignored),
                !openContent.contains(header.identity)
            {
                ignored.insert(header.identity)
            }
        }
        self.ignored = ignored
        hasFlags = !repeating.isEmpty || !optional.isEmpty
        self.qnameAttributes = qnameAttributes
        openAttributeNamespaces = options.openAttributeNamespaces.map(CString.init)
    }

    mutating func compareDocuments() {
        guard let e = expected.root, let a = actual.root else { return }
        switch nameMatch(e, a) {
        case .same, .namespaceOnly:
            if options.structure == .schema {
                comparePinned(e, a, depth: 0, preserve: false)
            } else {
                compareElement(e, a, inherited: (nil, nil), preserve: false)
            }
        case .different:
            report(.missingElement, leaf: (e, nil), expected: e.elementDescription,
                   actual: "\(a.elementDescription) instead")
        }
        if !aborted { checkRequired() }
    }

    /// Every `required` path that the expected document has (a request's header block is no answer's) must select
    /// something in the actual document.
    private mutating func checkRequired() {
        for selector in options.required where selector.select(in: actual).isEmpty && !selector.select(in: expected).isEmpty {
            differenceCount += 1
            if differenceCount >= limit { aborted = true }
            if recording {
                differences.append(Difference(kind: .requiredElement, path: selector.expression,
                                              expected: "present (the spec's rules.required)", actual: nil))
            }
            if aborted { return }
        }
    }

    // MARK: Reporting

    /// Records a difference at the current path (plus `leaf`, and `/@attribute` when given).
    mutating func report(
        _ kind: DifferenceKind, leaf: (Node?, Node?)? = nil, attribute: String? = nil,
        expected: @autoclosure () -> String?, actual: @autoclosure () -> String?,
        lines: (Node?, Node?)? = nil
    ) {
        differenceCount += 1
        if differenceCount >= limit { aborted = true }
        guard recording else { return }
        var segments: [String] = []
        var entries = stack
        if let leaf { entries.append(leaf) }
        for entry in entries {
            if let node = entry.actual ?? entry.expected { segments.append(node.pathSegment) }
        }
        var path = "/" + segments.joined(separator: "/")
        if let attribute { path += "/@" + attribute }
        let lineNodes = lines ?? leaf ?? stack.last ?? (nil, nil)
        differences.append(Difference(
            kind: kind, path: path, expected: expected(), actual: actual(),
            expectedLine: lineNodes.0.map(\.line), actualLine: lineNodes.1.map(\.line)))
    }

    /// Counts the differences between two elements without recording them, stopping past `limit`.
    mutating func probe(_ e: Node, _ a: Node, limit probeLimit: Int, preserve: Bool) -> Int {
        let saved = (differenceCount, limit, recording, aborted)
        differenceCount = 0
        limit = probeLimit
        recording = false
        aborted = false
        compareElement(e, a, inherited: (nil, nil), preserve: preserve)
        let count = differenceCount
        (differenceCount, limit, recording, aborted) = saved
        return count
    }

    // MARK: Names

    enum NameMatch { case same, namespaceOnly, different }

    @inline(__always)
    mutating func nameMatch(_ e: Node, _ a: Node) -> NameMatch {
        guard sameString(e.pointee.name, a.pointee.name) else { return .different }
        return sameNamespace(e.pointee.ns, a.pointee.ns) ? .same : .namespaceOnly
    }

    /// Namespace equality under the mode; mapped URIs are cached per declaration.
    @inline(__always)
    mutating func sameNamespace(_ e: Namespace?, _ a: Namespace?) -> Bool {
        switch options.namespaces {
        case .ignore: return true
        case .strict: return sameString(e?.pointee.href, a?.pointee.href)
        case .map: return mappedURI(e) == mappedURI(a)
        }
    }

    mutating func mappedURI(_ ns: Namespace?) -> String {
        guard let ns else { return "" }
        if let cached = mappedNamespaces[UnsafeMutableRawPointer(ns)] { return cached }
        let mapped = options.mapped(string(ns.pointee.href))
        mappedNamespaces[UnsafeMutableRawPointer(ns)] = mapped
        return mapped
    }

    // MARK: Elements

    /// Compares two elements whose names match (or differ only by namespace URI), and their subtrees.
    mutating func compareElement(
        _ e: Node, _ a: Node, inherited: (UnsafePointer<xmlChar>?, UnsafePointer<xmlChar>?), preserve: Bool
    ) {
        stack.append((e, a))
        defer { stack.removeLast() }
        var inherited = inherited
        if options.namespaces != .ignore, !sameNamespace(e.pointee.ns, a.pointee.ns) {
            let eURI = e.namespaceURI
            let aURI = a.namespaceURI
            if !(sameString(eURI, inherited.0) && sameString(aURI, inherited.1)) {
                report(.namespaceURI, expected: string(eURI), actual: string(aURI))
                if aborted { return }
            }
            inherited = (eURI, aURI)
        }
        // A nillable element sent as nil says "no value": nothing inside it to compare.
        if !nillable.isEmpty, nillable.contains(e.identity), Self.isNil(a) { return }
        if options.identical {
            compareDeclarations(e, a)
            if aborted { return }
        }
        let preserve = spacePreserved(e, inherited: preserve)
        compareAttributes(e, a)
        if aborted { return }
        if compareText(e, a, preserve: preserve) == .skipChildren { return }
        if aborted { return }
        compareChildren(e, a, inherited: inherited, preserve: preserve)
    }

    private static let nilName = CString("nil")
    private static let instanceNamespace = CString("http://www.w3.org/2001/XMLSchema-instance")

    /// True when `node` is `xsi:nil="true"` (or `"1"`) with no element inside.
    static func isNil(_ node: Node) -> Bool {
        var attribute = node.pointee.properties
        while let attr = attribute {
            attribute = attr.pointee.next
            guard nilName.equals(attr.pointee.name), instanceNamespace.equals(attr.namespaceURI) else { continue }
            let value = attr.value.trimmingCharacters(in: .whitespaces)
            return (value == "true" || value == "1") && !node.hasElementChild
        }
        return false
    }

    /// `xml:space="preserve"` on the expected element turns trimming off below it; `default` turns it back on.
    func spacePreserved(_ e: Node, inherited: Bool) -> Bool {
        var attribute = e.pointee.properties
        while let attr = attribute {
            if attr.pointee.name.map({ strcmp(UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self), "space") == 0 })
                == true, let ns = attr.pointee.ns, string(ns.pointee.href) == LibXML2.xmlNamespace
            {
                return attr.value == "preserve"
            }
            attribute = attr.pointee.next
        }
        return inherited
    }

    /// Under `identical`: the same prefixes, and the same declarations on each element.
    private mutating func compareDeclarations(_ e: Node, _ a: Node) {
        let ePrefix = string(e.pointee.ns?.pointee.prefix)
        let aPrefix = string(a.pointee.ns?.pointee.prefix)
        if ePrefix != aPrefix {
            report(.namespacePrefix, expected: ePrefix.isEmpty ? "(default namespace)" : ePrefix,
                   actual: aPrefix.isEmpty ? "(default namespace)" : aPrefix)
        }
        func declarations(_ node: Node) -> [String] {
            var result: [String] = []
            var ns = node.pointee.nsDef
            while let current = ns {
                let prefix = string(current.pointee.prefix)
                result.append("xmlns\(prefix.isEmpty ? "" : ":" + prefix)=\"\(string(current.pointee.href))\"")
                ns = current.pointee.next
            }
            return result.sorted()
        }
        let eDeclarations = declarations(e)
        let aDeclarations = declarations(a)
        if eDeclarations != aDeclarations {
            report(.namespaceDeclaration,
                   expected: eDeclarations.isEmpty ? "(none)" : eDeclarations.joined(separator: " "),
                   actual: aDeclarations.isEmpty ? "(none)" : aDeclarations.joined(separator: " "))
        }
    }

    // MARK: Children

    @inline(__always)
    func isIgnored(_ node: Node) -> Bool { !ignored.isEmpty && ignored.contains(node.identity) }

    @inline(__always)
    func firstElement(from start: Node?) -> Node? {
        var node = start
        while let current = node {
            if current.isElement, !isIgnored(current) { return current }
            node = current.pointee.next
        }
        return nil
    }

    @inline(__always)
    func hasElementChildren(_ node: Node) -> Bool { firstElement(from: node.pointee.children) != nil }

    @inline(__always)
    func isFlagged(_ node: Node) -> Bool {
        hasFlags && (repeating.contains(node.identity) || optional.contains(node.identity))
    }

    /// Children in order: pairwise when names line up (the common case, no allocation); aligned otherwise.
    mutating func compareChildren(
        _ e: Node, _ a: Node, inherited: (UnsafePointer<xmlChar>?, UnsafePointer<xmlChar>?), preserve: Bool
    ) {
        if !unordered.isEmpty, unordered.contains(e.identity) {
            compareUnordered(e, a, inherited: inherited, preserve: preserve)
            return
        }
        var eChild = firstElement(from: e.pointee.children)
        var aChild = firstElement(from: a.pointee.children)
        var simple = true
        while let x = eChild, let y = aChild {
            if isFlagged(x) || nameMatch(x, y) == .different {
                simple = false
                break
            }
            eChild = firstElement(from: x.pointee.next)
            aChild = firstElement(from: y.pointee.next)
        }
        guard simple, eChild == nil, aChild == nil else {
            alignChildren(e, a, inherited: inherited, preserve: preserve)
            return
        }
        eChild = firstElement(from: e.pointee.children)
        aChild = firstElement(from: a.pointee.children)
        while let x = eChild, let y = aChild {
            compareElement(x, y, inherited: inherited, preserve: preserve)
            if aborted { return }
            eChild = firstElement(from: x.pointee.next)
            aChild = firstElement(from: y.pointee.next)
        }
    }

    func elementChildren(_ node: Node) -> [Node] {
        var result: [Node] = []
        var child = firstElement(from: node.pointee.children)
        while let current = child {
            result.append(current)
            child = firstElement(from: current.pointee.next)
        }
        return result
    }
}
