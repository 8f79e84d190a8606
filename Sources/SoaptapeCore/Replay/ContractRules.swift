import Foundation
import SoapXML

/// Contract comparison: the same element structure in the same order, the same `xsi:type`s, and every value
/// lexically valid for its type, values otherwise free.
///
/// A recorded message is turned into an expectation: each leaf value becomes a typed placeholder (the type
/// from its `xsi:type`, else from the spec's envelope at the same path, else `${string}`; an empty or nil
/// value becomes `${ignore}`), attribute values other than `xsi:type` become `${ignore}`, and repeated siblings
/// collapse into one item marked repeating. The spec's rules (repeating, optional, unordered, ignore) apply
/// on top; without a spec, an element recorded as `xsi:nil="true"` is optional.
public enum ContractRules {
    /// The expectation for `recorded` and the comparison options that go with it. `template` is the spec's
    /// envelope for the same message (its request or response), when there is one.
    public static func expectation(for recorded: XMLDocument, template: String?, spec: LoadedSpec?)
        -> (document: XMLDocument, options: ComparisonOptions)
    {
        var options = spec?.contractOptions ?? ComparisonOptions()
        guard var root = recorded.rootElement() else { return (recorded, options) }
        var types: [String: String] = [:]
        if let template, let element = try? XMLDocument(string: template, name: "spec").rootElement() {
            collectPlaceholders(element, path: "", into: &types)
        }
        var repeating: [String] = []
        var optional: [String] = []
        rewrite(&root, path: "", scope: [:], types: types, repeating: &repeating, optional: &optional)
        guard let document = try? XMLDocument(string: root.document(), name: recorded.name) else { return (recorded, options) }
        for path in repeating { if let selector = try? XPathSelector(path) { options.repeating.append(selector) } }
        for path in optional { if let selector = try? XPathSelector(path) { options.optional.append(selector) } }
        return (document, options)
    }

    static let instanceNamespace = "http://www.w3.org/2001/XMLSchema-instance"
    static let schemaNamespace = "http://www.w3.org/2001/XMLSchema"
    static let serializationNamespace = "http://schemas.microsoft.com/2003/10/Serialization/"

    /// Leaf placeholders of a spec envelope by local-name path (`/Envelope/Body/X/Y`).
    private static func collectPlaceholders(_ element: XMLElement, path: String, into types: inout [String: String]) {
        let here = path + "/" + element.localName
        let children = element.elements
        if children.isEmpty {
            let value = element.text.trimmingCharacters(in: .whitespacesAndNewlines)
            if let placeholder = try? Placeholder.parse(value) { types[here] = placeholder.text }
            return
        }
        for child in children { collectPlaceholders(child, path: here, into: &types) }
    }

    private static func rewrite(_ element: inout XMLElement, path: String, scope: [String: String], types: [String: String],
                                repeating: inout [String], optional: inout [String]) {
        let here = path + "/" + element.localName
        var scope = scope
        for declaration in element.declarations { scope[declaration.prefix ?? ""] = declaration.uri }
        let isNil = element.attribute("nil", namespace: instanceNamespace).map { $0.trimmingCharacters(in: .whitespaces) == "true" } ?? false
        if isNil { optional.append(here) }
        for index in element.attributes.indices where element.attributes[index].namespace != instanceNamespace {
            if (try? Placeholder.parse(element.attributes[index].value)) != nil { continue }
            element.attributes[index].value = "${ignore}"
        }
        if element.elements.isEmpty {
            let value = element.text.trimmingCharacters(in: .whitespacesAndNewlines)
            if (try? Placeholder.parse(value)) != nil { return }
            let placeholder: String
            if isNil || value.isEmpty {
                placeholder = "${ignore}"
            } else if let type = declaredType(element, scope: scope) {
                placeholder = "${\(type.rawValue)}"
            } else {
                placeholder = types[here] ?? "${string}"
            }
            element.children = [.text(placeholder)]
            return
        }
        for index in element.children.indices {
            guard case .element(var child) = element.children[index] else { continue }
            rewrite(&child, path: here, scope: scope, types: types, repeating: &repeating, optional: &optional)
            element.children[index] = .element(child)
        }
        // Runs of siblings with the same name and the same shape (an array's items) collapse into their first item,
        // marked repeating; siblings that differ in shape (declarations in a WSDL, say) stay as recorded.
        var kept: [XMLContent] = []
        var collapsed: [String] = []
        for child in element.children {
            if case .element(let item) = child, case .element(let previous)? = kept.last(where: {
                if case .element = $0 { true } else { false }
            }), previous.localName == item.localName, previous.namespace == item.namespace, previous == item {
                let itemPath = here + "/" + item.localName
                if !collapsed.contains(itemPath) { collapsed.append(itemPath) }
                continue
            }
            kept.append(child)
        }
        element.children = kept
        for path in collapsed where !repeating.contains(path) { repeating.append(path) }
    }

    /// The XML Schema built-in (or Serialization `guid`) an element's `xsi:type` names, if any.
    private static func declaredType(_ element: XMLElement, scope: [String: String]) -> XSDLexicalType? {
        guard let value = element.attribute("type", namespace: instanceNamespace)?.trimmingCharacters(in: .whitespaces)
        else { return nil }
        let parts = value.split(separator: ":", maxSplits: 1).map(String.init)
        let (prefix, local) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts[0])
        guard let uri = scope[prefix], uri == schemaNamespace || uri == serializationNamespace else { return nil }
        return XSDLexicalType(name: local)
    }
}
