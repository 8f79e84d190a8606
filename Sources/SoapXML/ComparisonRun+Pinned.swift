internal import CLibXML2
import Foundation

/// The walk under `StructureMode.schema`: a schema judges the message's shape (a validator runs beside), so only
/// what the expected document pins is compared — literal text and attribute values, and `${regex:…}` patterns, never
/// typed placeholders — wherever
/// the actual document has an element at the same path. Absent, added, reordered, repeated, nil or derived
/// elements are the schema's verdict, given once. The Body and its payload element must still be the expected
/// ones: which operation a message carries is not a question of shape.
extension ComparisonRun {
    /// Compares what `e` pins with `a` and, below it, with every actual element of the same path. `depth` is 0 at
    /// the root.
    mutating func comparePinned(_ e: Node, _ a: Node, depth: Int, preserve: Bool) {
        stack.append((e, a))
        defer { stack.removeLast() }
        // A nil element holds nothing to compare; whether it may be nil is the schema's question.
        if Self.isNil(a) { return }
        let preserve = spacePreserved(e, inherited: preserve)
        comparePinnedAttributes(e, a)
        if aborted { return }
        let expectedChildren = elementChildren(e)
        if expectedChildren.isEmpty {
            comparePinnedText(e, a, preserve: preserve)
            return
        }
        let actualChildren = elementChildren(a)
        for (index, x) in expectedChildren.enumerated() {
            var position = 0
            var namesakes = 0
            for (other, sibling) in expectedChildren.enumerated() where nameMatch(sibling, x) == .same {
                if other < index { position += 1 }
                namesakes += 1
            }
            var matches: [Node] = []
            for y in actualChildren where nameMatch(x, y) == .same { matches.append(y) }
            if matches.isEmpty {
                if isPayloadOrBody(x, depth: depth + 1) {
                    if let other = actualChildren.first(where: { nameMatch(x, $0) == .namespaceOnly }) {
                        stack.append((x, other))
                        report(.namespaceURI, expected: string(x.namespaceURI), actual: string(other.namespaceURI))
                        stack.removeLast()
                    } else {
                        report(.missingElement, leaf: (x, nil), expected: x.elementDescription, actual: nil)
                    }
                    if aborted { return }
                }
                continue
            }
            // One expected item stands for every actual one of its name (an array's item, a recursion's level);
            // several are paired in order.
            if namesakes == 1 {
                for y in matches {
                    comparePinned(x, y, depth: depth + 1, preserve: preserve)
                    if aborted { return }
                }
            } else if position < matches.count {
                comparePinned(x, matches[position], depth: depth + 1, preserve: preserve)
                if aborted { return }
            }
        }
    }

    /// The Body (a child of the root) and the Body's children: present whatever the schema allows.
    private func isPayloadOrBody(_ node: Node, depth: Int) -> Bool {
        switch depth {
        case 1: return node.localName == "Body"
        case 2: return node.pointee.parent?.localName == "Body"
        default: return false
        }
    }

    /// A leaf's text, compared when the expected one pins it: a literal value, or a `${regex:…}` its author wrote
    /// (a constraint on values the schema does not make); typed placeholders (`${int}`, …) leave types to the schema.
    private mutating func comparePinnedText(_ e: Node, _ a: Node, preserve: Bool) {
        let eText = text(of: e, preserve: preserve)
        let pinned = eText.withBytes { bytes -> Bool in
            let trimmed = Lexical.trimmed(bytes)
            if trimmed.isEmpty { return false }
            switch try? Placeholder.parse(bytes: trimmed) {
            case nil: return true
            case .regex?: return true
            default: return false
            }
        }
        guard pinned else { return }
        if hasElementChildren(a) {
            let value = eText.withBytes { String(decoding: Lexical.trimmed($0), as: UTF8.self) }
            report(.textValue, expected: value, actual: "elements instead of a value")
            return
        }
        _ = compareText(e, a, preserve: preserve)
    }

    /// Attribute values the expected element pins, where the actual element has the attribute. XML Schema's
    /// instance attributes are the schema's business.
    private mutating func comparePinnedAttributes(_ e: Node, _ a: Node) {
        var eAttr = e.pointee.properties
        while let x = eAttr {
            eAttr = x.pointee.next
            if !ignored.isEmpty, ignored.contains(x.identity) { continue }
            if string(x.namespaceURI) == QualifiedName.xsiType.namespace { continue }
            let isPlaceholder = x.withValue { value in (try? Placeholder.parse(bytes: value)) != nil }
            if isPlaceholder { continue }
            var aAttr = a.pointee.properties
            while let y = aAttr {
                aAttr = y.pointee.next
                guard sameString(x.pointee.name, y.pointee.name), sameNamespace(x.pointee.ns, y.pointee.ns) else {
                    continue
                }
                let label = attributeLabel(x)
                x.withValue { xv in
                    y.withValue { yv in
                        _ = compareValue(xv, yv, preserve: true, kind: .attributeValue, attribute: label)
                    }
                }
                break
            }
            if aborted { return }
        }
    }
}
