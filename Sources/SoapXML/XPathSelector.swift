internal import CLibXML2
import Foundation

/// A compiled XPath 1.0 expression that selects nodes for a comparison rule (ignore, unordered, …).
///
/// Prefixes are bound by the namespaces given; an unprefixed element name test matches by local name in
/// any namespace, so `//Ticket` finds `<Favourite:Ticket>` as a reader would expect.
public final class XPathSelector: @unchecked Sendable, CustomStringConvertible {
    /// The expression as the user wrote it.
    public let expression: String
    /// Prefix → namespace URI bindings used by the expression.
    public let namespaces: [String: String]
    private let compiled: xmlXPathCompExprPtr
    /// The same expression as name steps walked natively, when it is only that.
    private let path: ElementPath?

    /// Prefixes bound unless the caller binds them otherwise: `xsi` and `xsd`, as soaptape's paths write them.
    public static let defaultNamespaces = [
        "xsi": "http://www.w3.org/2001/XMLSchema-instance",
        "xsd": "http://www.w3.org/2001/XMLSchema",
    ]

    /// Compiles `expression` with `namespaces` (and the default `xsi`, `xsd`) bound; throws when it is not
    /// valid XPath 1.0 or uses an unbound prefix.
    public init(_ expression: String, namespaces given: [String: String] = [:]) throws(XPathError) {
        _ = LibXML2.initialized
        let namespaces = XPathSelector.defaultNamespaces.merging(given) { _, new in new }
        self.expression = expression
        self.namespaces = namespaces
        let rewritten = XPathSelector.localNameTests(in: expression)
        for prefix in XPathSelector.prefixes(in: expression) where namespaces[prefix] == nil && prefix != "xml" {
            throw XPathError(
                expression: expression,
                reason: "the prefix '\(prefix)' is not bound; bind it with --ns \(prefix)=URI, or drop the prefix "
                    + "to match by local name")
        }
        guard !expression.trimmingCharacters(in: .whitespaces).isEmpty,
            let compiled = XPathSelector.silently({ xmlXPathCompile(rewritten) })
        else {
            throw XPathError(expression: expression, reason: "it is not a valid XPath 1.0 expression")
        }
        self.compiled = compiled
        path = ElementPath.compile(expression, namespaces: namespaces)
    }

    deinit { xmlXPathFreeCompExpr(compiled) }

    /// True when the expression is only element name steps, matched without the XPath engine.
    var isElementPath: Bool { path != nil }

    /// The path as element name steps, when it is only that.
    var elementPath: ElementPath? { path }

    /// True when the expression is only element steps by local name (`/Envelope/Header/Ticket`, `//Credentials/*`):
    /// what it selects depends on an element's path of local names alone, the same in every document.
    public var isLocalNamePath: Bool { path?.byLocalNames ?? false }

    /// The expression, for messages.
    public var description: String { expression }

    /// The nodes of `document` the expression selects, as opaque identities.
    func select(in document: XMLDocument) -> Set<UnsafeMutableRawPointer> {
        if let path { return path.select(in: document) }
        return selectWithXPath(in: document)
    }

    /// The nodes libxml2's XPath engine selects (what `select` must agree with when it walks natively).
    func selectWithXPath(in document: XMLDocument) -> Set<UnsafeMutableRawPointer> {
        guard let context = xmlXPathNewContext(document.doc) else { return [] }
        defer { xmlXPathFreeContext(context) }
        for (prefix, uri) in namespaces { xmlXPathRegisterNs(context, prefix, uri) }
        guard let result = XPathSelector.silently({ xmlXPathCompiledEval(compiled, context) }) else { return [] }
        defer { xmlXPathFreeObject(result) }
        var nodes = Set<UnsafeMutableRawPointer>()
        if let set = result.pointee.nodesetval, let table = set.pointee.nodeTab {
            for i in 0..<Int(set.pointee.nodeNr) {
                if let node = table[i] { nodes.insert(UnsafeMutableRawPointer(node)) }
            }
        }
        return nodes
    }

    /// The elements of `document` the expression selects, as paths of local names (`/Envelope/Body/X/Y`, no
    /// positions): for tools that reason about a document's shape rather than its nodes.
    public func selectedElementPaths(in document: XMLDocument) -> Set<String> {
        var paths = Set<String>()
        for raw in select(in: document) {
            let node = raw.assumingMemoryBound(to: xmlNode.self)
            guard node.isElement else { continue }
            var names: [String] = []
            var current: Node? = node
            while let each = current, each.isElement {
                names.append(each.localName)
                current = each.pointee.parent
            }
            paths.insert("/" + names.reversed().joined(separator: "/"))
        }
        return paths
    }

    /// Runs a libxml2 call with its error printing silenced.
    private static func silently<T>(_ body: () -> T?) -> T? {
        xmlSetStructuredErrorFunc(nil, { _, _ in })
        return body()
    }
}

/// An XPath expression that cannot be used as a rule.
public struct XPathError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The expression as written.
    public var expression: String
    /// Why it cannot be used, and what to do.
    public var reason: String

    /// Creates an error for `expression`.
    public init(expression: String, reason: String) {
        self.expression = expression
        self.reason = reason
    }

    /// `the XPath 'expr' cannot be used: reason`.
    public var description: String { "the XPath '\(expression)' cannot be used: \(reason)" }
}

// MARK: - Unprefixed name tests by local name

extension XPathSelector {
    /// A token of an XPath 1.0 expression, enough to tell name tests from everything else.
    private enum Token: Equatable {
        case name(String)  // NCName or QName or prefix:*
        case literal(String)
        case number(String)
        case symbol(String)
    }

    private static func tokens(_ expression: String) -> [Token] {
        let chars = Array(expression)
        var tokens: [Token] = []
        var i = 0
        func isNameStart(_ c: Character) -> Bool { c.isLetter || c == "_" }
        func isNameChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "-" || c == "." }
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c == "'" || c == "\"" {
                var j = i + 1
                while j < chars.count, chars[j] != c { j += 1 }
                tokens.append(.literal(String(chars[i..<min(j + 1, chars.count)])))
                i = j + 1
            } else if c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isNumber) {
                var j = i
                while j < chars.count, chars[j].isNumber || chars[j] == "." { j += 1 }
                tokens.append(.number(String(chars[i..<j])))
                i = j
            } else if isNameStart(c) {
                var j = i
                while j < chars.count, isNameChar(chars[j]) { j += 1 }
                if j + 1 < chars.count, chars[j] == ":", chars[j + 1] != ":" {
                    j += 1
                    if chars[j] == "*" {
                        j += 1
                    } else {
                        while j < chars.count, isNameChar(chars[j]) { j += 1 }
                    }
                }
                tokens.append(.name(String(chars[i..<j])))
                i = j
            } else {
                let two = i + 1 < chars.count ? String(chars[i...i + 1]) : ""
                if ["//", "::", "..", "!=", "<=", ">="].contains(two) {
                    tokens.append(.symbol(two))
                    i += 2
                } else {
                    tokens.append(.symbol(String(c)))
                    i += 1
                }
            }
        }
        return tokens
    }

    /// Rewrites each unprefixed element name test `N` as `*[local-name()='N']` (XPath 1.0 lexical rules).
    static func localNameTests(in expression: String) -> String {
        let tokens = tokens(expression)
        var output = ""
        let operatorSymbols: Set<String> = ["/", "//", "|", "+", "-", "=", "!=", "<", "<=", ">", ">=", "(", "[", ",", "::", "@", "*"]
        for (index, token) in tokens.enumerated() {
            let previous = index > 0 ? tokens[index - 1] : nil
            let next = index + 1 < tokens.count ? tokens[index + 1] : nil
            switch token {
            case .name(let name):
                var isNameTest: Bool
                switch previous {
                case nil: isNameTest = true
                case .symbol(let s)?: isNameTest = operatorSymbols.contains(s) && s != "@"
                    && !(s == "*" && !isMultiplyContext(tokens, index - 1))
                case .name(let n)?: isNameTest = ["and", "or", "mod", "div"].contains(n)
                default: isNameTest = false
                }
                if next == .symbol("(") || next == .symbol("::") || name.contains(":") { isNameTest = false }
                if case .symbol("::")? = previous, index >= 2, case .name(let axis) = tokens[index - 2],
                    axis == "attribute" || axis == "namespace"
                {
                    isNameTest = false
                }
                if case .symbol("$")? = previous { isNameTest = false }
                output += isNameTest ? "*[local-name()='\(name)']" : name
            case .literal(let text), .number(let text), .symbol(let text):
                output += text
            }
            if case .name = token, case .name? = next { output += " " }
            if case .name = token, case .number? = next { output += " " }
        }
        return output
    }

    /// True when the `*` at `index` is the multiplication operator rather than a name test.
    private static func isMultiplyContext(_ tokens: [Token], _ index: Int) -> Bool {
        guard index > 0 else { return false }
        switch tokens[index - 1] {
        case .symbol(let s): return s == ")" || s == "]" || s == "." || s == ".."
        case .name(let n): return !["and", "or", "mod", "div"].contains(n)
        default: return true
        }
    }

    /// The prefixes used in name tests of `expression`.
    static func prefixes(in expression: String) -> [String] {
        tokens(expression).compactMap { token in
            guard case .name(let name) = token, let colon = name.firstIndex(of: ":") else { return nil }
            return String(name[..<colon])
        }
    }
}
