internal import CLibXML2
import Foundation

/// Text and attribute values: whitespace rules, placeholders, QName resolution.
extension ComparisonRun {
    enum TextOutcome { case compareChildren, skipChildren }

    /// An element's own text: its text children joined, borrowed from libxml2 when there is just one.
    struct Text {
        var borrowed: UnsafeBufferPointer<UInt8>
        var owned: [UInt8]?

        func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
            if let owned { return owned.withUnsafeBufferPointer(body) }
            return body(borrowed)
        }
    }

    /// The text of `node`; whitespace-only pieces beside child elements are dropped unless space is preserved.
    func text(of node: Node, preserve: Bool) -> Text {
        var first: UnsafeBufferPointer<UInt8>?
        var owned: [UInt8]?
        let hasElements = node.hasElementChild
        var child = node.pointee.children
        while let current = child {
            child = current.pointee.next
            guard current.isText, let content = current.pointee.content, !isIgnored(current) else { continue }
            let bytes = UnsafeBufferPointer(start: content, count: cLength(content))
            if hasElements && !preserve && Lexical.trimmed(bytes).isEmpty { continue }
            if first == nil {
                first = bytes
            } else {
                if owned == nil { owned = Array(first!) }
                owned!.append(contentsOf: bytes)
            }
        }
        return Text(borrowed: first ?? UnsafeBufferPointer(start: nil, count: 0), owned: owned)
    }

    mutating func compareText(_ e: Node, _ a: Node, preserve: Bool) -> TextOutcome {
        let eText = text(of: e, preserve: preserve)
        let aText = text(of: a, preserve: preserve)
        return eText.withBytes { eBytes in
            aText.withBytes { aBytes in
                switch compareValue(eBytes, aBytes, preserve: preserve, kind: .textValue, attribute: nil) {
                case .wildcard where !hasElementChildren(e): .skipChildren
                default: .compareChildren
                }
            }
        }
    }

    enum ValueOutcome { case equal, wildcard, different }

    /// Compares a value against an expected one that may be a placeholder; reports what differs.
    mutating func compareValue(
        _ e: UnsafeBufferPointer<UInt8>, _ a: UnsafeBufferPointer<UInt8>, preserve: Bool,
        kind: DifferenceKind, attribute: String?
    ) -> ValueOutcome {
        let placeholder: Placeholder?
        do {
            placeholder = try Placeholder.parse(bytes: e)
        } catch {
            report(.placeholderMismatch, attribute: attribute, expected: error.placeholder, actual: error.reason)
            return .different
        }
        if let placeholder {
            switch placeholder {
            case .ignore, .redacted:
                return .wildcard
            case .typed(let type):
                if type.accepts(bytes: a) { return .equal }
                report(.placeholderMismatch, attribute: attribute, expected: placeholder.text,
                       actual: "\(Self.quoted(a)), which is not a valid xsd:\(type.rawValue)")
                return .different
            case .regex(let pattern):
                let value = String(decoding: a, as: UTF8.self)
                guard let regex = RegexCache.shared.regex(pattern) else {
                    report(.placeholderMismatch, attribute: attribute, expected: placeholder.text,
                           actual: "(the pattern does not compile)")
                    return .different
                }
                let subject = preserve || options.whitespace == .exact
                    ? value : value.trimmingCharacters(in: .whitespacesAndNewlines)
                if (try? regex.wholeMatch(in: subject)) != nil { return .equal }
                report(.placeholderMismatch, attribute: attribute, expected: placeholder.text,
                       actual: "\(Self.quoted(a)), which the pattern does not match")
                return .different
            }
        }
        if valuesEqual(e, a, preserve: preserve) { return .equal }
        let exact = preserve || options.whitespace == .exact
        report(kind, attribute: attribute, expected: Self.displayed(e, exact: exact),
               actual: Self.displayed(a, exact: exact))
        return .different
    }

    @inline(__always)
    func valuesEqual(_ e: UnsafeBufferPointer<UInt8>, _ a: UnsafeBufferPointer<UInt8>, preserve: Bool) -> Bool {
        if preserve || options.whitespace == .exact { return bytesEqual(e, a) }
        let et = Lexical.trimmed(e)
        let at = Lexical.trimmed(a)
        if options.whitespace == .trim { return bytesEqual(et, at) }
        return collapsedEqual(et, at)
    }

    @inline(__always)
    private func bytesEqual(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        guard x.count == y.count else { return false }
        if x.count == 0 { return true }
        return memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0
    }

    /// Equality with every run of whitespace counted as one space (both sides already trimmed).
    private func collapsedEqual(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        var j = 0
        while i < x.count && j < y.count {
            let xs = Lexical.isSpace(x[i])
            let ys = Lexical.isSpace(y[j])
            if xs != ys { return false }
            if xs {
                while i < x.count, Lexical.isSpace(x[i]) { i += 1 }
                while j < y.count, Lexical.isSpace(y[j]) { j += 1 }
            } else {
                if x[i] != y[j] { return false }
                i += 1
                j += 1
            }
        }
        return i == x.count && j == y.count
    }

    private static func displayed(_ bytes: UnsafeBufferPointer<UInt8>, exact: Bool) -> String {
        let value = exact ? bytes : Lexical.trimmed(bytes)
        return String(decoding: value, as: UTF8.self)
    }

    private static func quoted(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        "\"\(String(decoding: Lexical.trimmed(bytes), as: UTF8.self))\""
    }

    // MARK: Attributes

    private func isQNameValued(_ attr: UnsafeMutablePointer<xmlAttr>) -> Bool {
        for name in qnameAttributes where name.local.equals(attr.pointee.name) {
            if name.namespace.equals(attr.namespaceURI) { return true }
        }
        return false
    }

    /// The attribute name as a reader knows it: `xsi:type` for well-known namespaces, else the local name.
    func attributeLabel(_ attr: UnsafeMutablePointer<xmlAttr>) -> String {
        let uri = string(attr.namespaceURI)
        switch uri {
        case "http://www.w3.org/2001/XMLSchema-instance": return "xsi:" + attr.localName
        case LibXML2.xmlNamespace: return "xml:" + attr.localName
        default: return attr.localName
        }
    }

    private func isXSIType(_ attribute: UnsafeMutablePointer<xmlAttr>) -> Bool {
        guard let ns = attribute.pointee.ns?.pointee.href else { return false }
        return string(attribute.pointee.name) == "type" && string(ns) == QualifiedName.xsiType.namespace
    }

    mutating func compareAttributes(_ e: Node, _ a: Node) {
        var eAttr = e.pointee.properties
        while let x = eAttr {
            eAttr = x.pointee.next
            if !ignored.isEmpty, ignored.contains(x.identity) { continue }
            var found: UnsafeMutablePointer<xmlAttr>?
            var aAttr = a.pointee.properties
            while let y = aAttr {
                if sameString(x.pointee.name, y.pointee.name), sameNamespace(x.pointee.ns, y.pointee.ns),
                    ignored.isEmpty || !ignored.contains(y.identity)
                {
                    found = y
                    break
                }
                aAttr = y.pointee.next
            }
            guard let y = found else {
                if options.typeAttributesOptional, isXSIType(x) { continue }
                report(.missingAttribute, attribute: attributeLabel(x), expected: x.value, actual: nil,
                       lines: (e, a))
                if aborted { return }
                continue
            }
            if isQNameValued(x) {
                compareQName(x, in: e, y, in: a)
            } else {
                x.withValue { xv in
                    y.withValue { yv in
                        _ = compareValue(xv, yv, preserve: true, kind: .attributeValue, attribute: attributeLabel(x))
                    }
                }
            }
            if aborted { return }
        }
        var aAttr = a.pointee.properties
        while let y = aAttr {
            aAttr = y.pointee.next
            if !ignored.isEmpty, ignored.contains(y.identity) { continue }
            if hasCounterpart(y, in: e) || isOpen(y) { continue }
            report(.unexpectedAttribute, attribute: attributeLabel(y), expected: nil, actual: y.value, lines: (e, a))
            if aborted { return }
        }
    }

    /// True when `attribute` is in a namespace whose attributes may stand on any element.
    func isOpen(_ attribute: UnsafeMutablePointer<xmlAttr>) -> Bool {
        guard !openAttributeNamespaces.isEmpty else { return false }
        let uri = attribute.namespaceURI
        return openAttributeNamespaces.contains { $0.equals(uri) }
    }

    private mutating func hasCounterpart(_ y: UnsafeMutablePointer<xmlAttr>, in e: Node) -> Bool {
        var attribute = e.pointee.properties
        while let x = attribute {
            if sameString(x.pointee.name, y.pointee.name), sameNamespace(x.pointee.ns, y.pointee.ns),
                ignored.isEmpty || !ignored.contains(x.identity)
            {
                return true
            }
            attribute = x.pointee.next
        }
        return false
    }

    // MARK: QName values

    /// Compares QName-valued attributes as resolved `{URI}local`, prefixes aside.
    private mutating func compareQName(
        _ x: UnsafeMutablePointer<xmlAttr>, in e: Node, _ y: UnsafeMutablePointer<xmlAttr>, in a: Node
    ) {
        let label = attributeLabel(x)
        let outcome: Bool? = x.withValue { xv in
            if (try? Placeholder.parse(bytes: xv)) != nil { return nil }
            return y.withValue { yv in
                let (xNamespace, xLocal) = resolve(xv, at: e, in: expected)
                let (yNamespace, yLocal) = resolve(yv, at: a, in: actual)
                guard bytesEqual(xLocal, yLocal) else { return false }
                if options.namespaces == .ignore { return true }
                return sameNamespace(xNamespace, yNamespace)
            }
        }
        switch outcome {
        case nil:
            x.withValue { xv in
                y.withValue { yv in
                    _ = compareValue(xv, yv, preserve: false, kind: .attributeValue, attribute: label)
                }
            }
        case true?:
            return
        case false?:
            let expectedValue = describeQName(x, at: e, in: expected)
            let actualValue = describeQName(y, at: a, in: actual)
            report(.attributeValue, attribute: label, expected: expectedValue, actual: actualValue)
        }
    }

    /// Splits `prefix:local` and finds the namespace the prefix is bound to at `node`.
    private func resolve(_ value: UnsafeBufferPointer<UInt8>, at node: Node, in document: XMLDocument)
        -> (Namespace?, UnsafeBufferPointer<UInt8>)
    {
        let trimmed = Lexical.trimmed(value)
        guard let colon = trimmed.firstIndex(of: UInt8(ascii: ":")) else {
            return (xmlSearchNs(document.doc, node, nil), trimmed)
        }
        let local = UnsafeBufferPointer(rebasing: trimmed[(colon + 1)...])
        let namespace: Namespace? = withUnsafeTemporaryAllocation(of: xmlChar.self, capacity: colon + 1) { prefix in
            for i in 0..<colon { prefix[i] = trimmed[i] }
            prefix[colon] = 0
            return xmlSearchNs(document.doc, node, prefix.baseAddress)
        }
        return (namespace, local)
    }

    private mutating func describeQName(_ attr: UnsafeMutablePointer<xmlAttr>, at node: Node, in document: XMLDocument)
        -> String
    {
        let raw = attr.value
        let (namespace, local) = attr.withValue { resolve($0, at: node, in: document) }
        let localName = String(decoding: local, as: UTF8.self)
        guard let namespace else { return "\(raw) (prefix not declared)" }
        let uri = options.namespaces == .map ? mappedURI(namespace) : string(namespace.pointee.href)
        return "\(raw) = {\(uri)}\(localName)"
    }
}

/// Compiled `${regex:…}` patterns, shared by every comparison in the process.
final class RegexCache: @unchecked Sendable {
    static let shared = RegexCache()
    private let lock = NSLock()
    private var cache: [String: Regex<AnyRegexOutput>?] = [:]

    func regex(_ pattern: String) -> Regex<AnyRegexOutput>? {
        lock.lock()
        defer { lock.unlock() }
        if let cached = cache[pattern] { return cached }
        let compiled = try? Regex(pattern)
        cache[pattern] = .some(compiled)
        return compiled
    }
}
