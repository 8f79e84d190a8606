import SoapXML

/// Turns a spec envelope into a concrete message: placeholders filled, envelope namespace set to a version.
public enum EnvelopeTemplate {
    /// `xml` with values from `values` (keyed by element local name, or by a path of local names such as
    /// `/Envelope/Body/ToggleFavourite/RecordId` or `ToggleFavourite/RecordId`), every other placeholder
    /// given its type's default, and the SOAP envelope namespace rewritten to `version` when given.
    public static func render(_ xml: String, as version: SoapVersion?, values: [String: String] = [:]) throws
        -> String
    {
        let document = try XMLDocument(string: xml, name: "template")
        guard var root = document.rootElement() else { return xml }
        let rules = values.map { (key, value) in
            (segments: key.split(separator: "/").map(String.init), absolute: key.hasPrefix("/"), value: value)
        }
        root.visit { element, path in
            for rule in rules where matches(path, rule.segments, absolute: rule.absolute) {
                element.children = element.children.filter { if case .element = $0 { true } else { false } }
                element.children.insert(.text(rule.value), at: 0)
                return
            }
            for index in element.children.indices {
                if case .text(let text) = element.children[index], let placeholder = try? Placeholder.parse(text) {
                    element.children[index] = .text(placeholder.defaultValue)
                }
            }
            for index in element.attributes.indices {
                if let placeholder = try? Placeholder.parse(element.attributes[index].value) {
                    element.attributes[index].value = placeholder.defaultValue
                }
            }
        }
        if let version { root = convert(root, to: version) }
        return root.document()
    }

    static func matches(_ path: [String], _ segments: [String], absolute: Bool) -> Bool {
        guard !segments.isEmpty, segments.count <= path.count else { return false }
        if absolute { return path == segments }
        return Array(path.suffix(segments.count)) == segments
    }

    /// The element with every SOAP envelope namespace replaced by `version`'s.
    public static func convert(_ element: XMLElement, to version: SoapVersion) -> XMLElement {
        let envelopes = Set(SoapVersion.allCases.map(\.envelopeNamespace))
        var copy = element
        copy.visit { node, _ in
            if let namespace = node.namespace, envelopes.contains(namespace) { node.namespace = version.envelopeNamespace }
            for index in node.declarations.indices where envelopes.contains(node.declarations[index].uri) {
                node.declarations[index].uri = version.envelopeNamespace
            }
            for index in node.attributes.indices {
                if let namespace = node.attributes[index].namespace, envelopes.contains(namespace) {
                    node.attributes[index].namespace = version.envelopeNamespace
                }
            }
        }
        return copy
    }
}
