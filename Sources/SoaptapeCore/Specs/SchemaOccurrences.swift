import Foundation
import SoapXML

/// What an operation's schema says about occurrence, as comparison rules for its spec's envelopes: elements
/// with `minOccurs="0"` are optional, `nillable="true"` may be nil, `maxOccurs` above one repeat. A spec imported
/// from a reference page and one imported from the WSDL thus give the same verdicts on the same traffic.
struct SchemaOccurrences {
    /// Local-name paths (`/Envelope/Body/ToggleFavourite/ExtraInfo`) of elements that may be absent.
    var optional: [String] = []
    /// Paths of elements that may be nil.
    var nillable: [String] = []
    /// Paths of elements that may repeat.
    var repeating: [String] = []

    /// The rules for `spec`'s envelopes from the WSDL at `schema` (nothing for an XSD, or a WSDL that does not
    /// describe the operation or cannot be read: the schema catalog reports that).
    static func of(_ spec: OperationSpec, schema: String) -> SchemaOccurrences {
        guard schema.lowercased().hasSuffix(".wsdl"), let contract = WSDLContracts.shared.contract(at: schema) else {
            return SchemaOccurrences()
        }
        // The operation whose request element the spec's is (WCF names it after the operation).
        let operations = contract.operations.values.sorted { $0.key < $1.key }
        guard let operation = operations.first(where: { $0.request?.name == spec.requestElementName })
            ?? operations.first(where: { $0.name == spec.operation })
        else { return SchemaOccurrences() }
        var result = SchemaOccurrences()
        for (envelope, shape) in [(spec.request, operation.request), (spec.response, operation.response)] {
            guard let shape, let document = try? XMLDocument(string: envelope, name: "spec"),
                let root = document.rootElement(),
                let body = root.elements.first(where: { $0.localName == "Body" }),
                let payload = body.elements.first, payload.localName == shape.name
            else { continue }
            result.walk(payload, shape, path: "/\(root.localName)/\(body.localName)/\(payload.localName)")
        }
        return result
    }

    private mutating func walk(_ element: XMLElement, _ shape: ElementShape, path: String) {
        var seen = Set<String>()
        for child in element.elements where seen.insert(child.localName).inserted {
            guard let declared = shape.children.first(where: { $0.name == child.localName }) else { continue }
            let here = path + "/" + child.localName
            if declared.minOccurs == 0 { optional.append(here) }
            if declared.nillable == true { nillable.append(here) }
            if declared.repeating { repeating.append(here) }
            walk(child, declared, path: here)
        }
    }

    /// Adds these rules to `options` (the spec's own rules stay).
    func apply(to options: inout ComparisonOptions) {
        func add(_ paths: [String], to selectors: inout [XPathSelector]) {
            let existing = Set(selectors.map(\.expression))
            for path in paths where !existing.contains(path) {
                if let selector = try? XPathSelector(path) { selectors.append(selector) }
            }
        }
        add(optional, to: &options.optional)
        add(nillable, to: &options.nillable)
        add(repeating, to: &options.repeating)
    }
}

/// WSDL contracts read once per file: a folder of specs shares one WSDL per agent.
final class WSDLContracts: @unchecked Sendable {
    static let shared = WSDLContracts()
    private let lock = NSLock()
    private var contracts: [String: ServiceContract?] = [:]

    /// The contract of the WSDL at `path`, nil when it cannot be read.
    func contract(at path: String) -> ServiceContract? {
        let key = (path as NSString).standardizingPath
        if let cached = lock.withLock({ contracts[key] }) { return cached }
        let contract = try? ContractReader.wsdl(key)
        lock.withLock { contracts[key] = contract }
        return contract
    }
}
