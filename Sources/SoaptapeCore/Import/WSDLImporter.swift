import Foundation
import SoapXML

/// Turns a WSDL into one spec per operation of each SOAP binding: endpoint, action, SOAP version and header blocks
/// from the binding; request and response envelopes generated from the schema, every element in schema order
/// with a typed placeholder, optional and repeating elements marked in the rules.
///
/// Supported: document/literal bindings, SOAP 1.1 and 1.2 (WCF's `BasicHttpBinding` among them). Not supported:
/// rpc or encoded bindings (reported, not imported). Derived types are flattened base first; recursive types are
/// cut at a depth of 12.
public enum WSDLImporter {
    /// One generated spec.
    public struct Result: Sendable {
        /// The spec.
        public var spec: OperationSpec
        /// Where it goes under the specs folder: `ServicesNN/Agent/Operation.yaml`.
        public var relativePath: String
    }

    /// Everything a WSDL gives.
    public struct Import: Sendable {
        /// The specs, one per operation and binding version.
        public var results: [Result]
        /// Operations or bindings left out, and why.
        public var skipped: [String]
    }

    static let soap11Binding = "http://schemas.xmlsoap.org/wsdl/soap/"
    static let soap12Binding = "http://schemas.xmlsoap.org/wsdl/soap12/"

    /// Imports the WSDL at `path`; `schemaPath` is what the specs' `schema:` says (relative to where they are
    /// written), `operations` limits the import, `soap` picks one SOAP version when the WSDL binds both.
    public static func importWSDL(_ path: String, schemaPath: String, operations: [String] = [], soap: SoapVersion? = nil)
        throws(SourceError) -> Import
    {
        let definitions = try WSDLDefinitions.read(path)
        let index = SchemaIndex(definitions)
        let target = definitions.attribute("targetNamespace") ?? ""
        let lastSegment = target.split(separator: "/").last.map(String.init) ?? ""
        let version = lastSegment.hasPrefix("Services") ? lastSegment : (definitions.attribute("name") ?? "Service")
        let messages = WSDLDefinitions.messages(of: definitions)
        let portTypes = definitions.elements.filter { $0.localName == "portType" }
        var results: [Result] = []
        var skipped: [String] = []
        var seen = Set<String>()
        for binding in definitions.elements where binding.localName == "binding" {
            guard let soapBinding = binding.elements.first(where: { $0.localName == "binding" }) else { continue }
            let bindingVersion: SoapVersion
            switch soapBinding.namespace {
            case soap11Binding?: bindingVersion = .soap11
            case soap12Binding?: bindingVersion = .soap12
            default:
                skipped.append("binding \(binding.attribute("name") ?? "?"): not a SOAP binding")
                continue
            }
            if let soap, soap != bindingVersion { continue }
            let portTypeName = ContractReader.local(binding.attribute("type") ?? "")
            let agent = portTypes.first { $0.attribute("name") == portTypeName }?.attribute("name") ?? portTypeName
            let endpoint = Self.endpoint(of: binding, in: definitions, agent: agent)
            for operation in binding.elements where operation.localName == "operation" {
                guard let name = operation.attribute("name"), operations.isEmpty || operations.contains(name) else { continue }
                let soapOperation = operation.elements.first { $0.localName == "operation" }
                let style = soapOperation?.attribute("style") ?? soapBinding.attribute("style") ?? "document"
                let uses = operation.elements.flatMap(\.elements).filter { $0.localName == "body" }.compactMap { $0.attribute("use") }
                guard style == "document", !uses.contains("encoded") else {
                    skipped.append("\(agent).\(name): \(style)/\(uses.first ?? "literal") bindings are not supported; only document/literal")
                    continue
                }
                guard seen.insert("\(name) \(bindingVersion.rawValue)").inserted else { continue }
                guard let portOperation = portTypes.first(where: { $0.attribute("name") == portTypeName })?.elements
                    .first(where: { $0.localName == "operation" && $0.attribute("name") == name })
                else { continue }
                func part(_ direction: String) -> ElementShape? {
                    guard let reference = portOperation.elements.first(where: { $0.localName == direction })?.attribute("message"),
                        let message = messages[ContractReader.local(reference)],
                        let element = message.elements.first(where: { $0.localName == "part" })?.attribute("element")
                    else { return nil }
                    return index.shape(ofGlobalElement: ContractReader.local(element))
                }
                func headers(_ direction: String) -> [ElementShape] {
                    guard let side = operation.elements.first(where: { $0.localName == direction }) else { return [] }
                    return side.elements.filter { $0.localName == "header" }.compactMap { header in
                        guard let message = header.attribute("message").map(ContractReader.local).flatMap({ messages[$0] }),
                            let partName = header.attribute("part"),
                            let element = message.elements.first(where: { $0.attribute("name") == partName })?.attribute("element")
                        else { return nil }
                        return index.shape(ofGlobalElement: ContractReader.local(element))
                    }
                }
                guard let request = part("input"), let response = part("output") else {
                    skipped.append("\(agent).\(name): its input or output has no element part")
                    continue
                }
                var generator = EnvelopeGenerator(index: index, version: bindingVersion, target: target)
                let requestXML = generator.envelope(headers: headers("input"), payload: request, message: "request")
                let responseXML = generator.envelope(headers: headers("output"), payload: response, message: "response")
                var spec = OperationSpec(
                    version: version, agent: agent, operation: name, endpoint: endpoint, soap: [bindingVersion],
                    action: soapOperation?.attribute("soapAction") ?? "", namespace: request.namespace ?? target,
                    request: requestXML, response: responseXML)
                if request.name != name { spec.requestElement = request.name }
                if response.name != name + "Response" { spec.responseElement = response.name }
                spec.schema = schemaPath
                spec.rules.optional = generator.optional
                spec.rules.repeating = generator.repeating
                // Header blocks are a session's (credentials, time zone): not compared.
                spec.rules.ignore = generator.headerPaths
                results.append(Result(spec: spec, relativePath: "\(version)/\(agent)/\(name).yaml"))
            }
        }
        return Import(results: results, skipped: skipped)
    }

    /// The endpoint path from the port's `soap:address` (a tenant prefix before `/Remote/` dropped), else
    /// `/<Agent>.svc`.
    static func endpoint(of binding: XMLElement, in definitions: XMLElement, agent: String) -> String {
        let bindingName = binding.attribute("name") ?? ""
        for service in definitions.elements where service.localName == "service" {
            for port in service.elements where port.localName == "port" && ContractReader.local(port.attribute("binding") ?? "") == bindingName {
                guard let location = port.elements.first(where: { $0.localName == "address" })?.attribute("location"),
                    let url = URL(string: location)
                else { continue }
                var path = url.path
                if let remote = path.range(of: "/Remote/") { path = String(path[remote.lowerBound...]) }
                return path.isEmpty ? "/" : path
            }
        }
        return "/\(agent).svc"
    }
}

/// Writes envelopes for a schema's element shapes, with typed placeholders and the rules that go with them.
struct EnvelopeGenerator {
    let index: SchemaIndex
    let version: SoapVersion
    let target: String
    /// Paths of optional elements (`minOccurs="0"`), for the rules.
    var optional: [String] = []
    /// Paths of repeating elements (`maxOccurs` above 1), for the rules.
    var repeating: [String] = []
    /// Paths of the header blocks.
    var headerPaths: [String] = []
    private var prefixes: [String: String] = [:]

    init(index: SchemaIndex, version: SoapVersion, target: String) {
        self.index = index
        self.version = version
        self.target = target
    }

    mutating func envelope(headers: [ElementShape], payload: ElementShape, message: String) -> String {
        prefixes = [target: "tns"]
        var body = ""
        element(payload, path: "/Envelope/Body", depth: 2, into: &body, record: message == "request" || message == "response")
        var header = ""
        for block in headers {
            if !headerPaths.contains("/Envelope/Header/" + block.name) { headerPaths.append("/Envelope/Header/" + block.name) }
            element(block, path: "/Envelope/Header", depth: 2, into: &header, record: false)
        }
        var declarations = "xmlns:soap=\"\(version.envelopeNamespace)\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
        for (uri, prefix) in prefixes.sorted(by: { $0.value < $1.value }) {
            declarations += "\n    xmlns:\(prefix)=\"\(XMLEscaping.attribute(uri))\""
        }
        var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap:Envelope \(declarations)>\n"
        if !header.isEmpty { text += "  <soap:Header>\n" + header + "  </soap:Header>\n" }
        return text + "  <soap:Body>\n" + body + "  </soap:Body>\n</soap:Envelope>\n"
    }

    private mutating func prefix(for uri: String) -> String? {
        guard !uri.isEmpty else { return nil }
        if let known = prefixes[uri] { return known }
        let made = "ns\(prefixes.count)"
        prefixes[uri] = made
        return made
    }

    private mutating func element(_ shape: ElementShape, path: String, depth: Int, into out: inout String, record: Bool) {
        let here = path + "/" + shape.name
        if record {
            if shape.minOccurs == 0, !optional.contains(here) { optional.append(here) }
            if shape.repeating, !repeating.contains(here) { repeating.append(here) }
        }
        let indent = String(repeating: "  ", count: depth)
        let name = prefix(for: shape.namespace ?? target).map { "\($0):\(shape.name)" } ?? shape.name
        if shape.children.isEmpty {
            let placeholder = placeholder(for: shape)
            out += placeholder.isEmpty ? "\(indent)<\(name)/>\n" : "\(indent)<\(name)>\(XMLEscaping.text(placeholder))</\(name)>\n"
            return
        }
        out += "\(indent)<\(name)>\n"
        for child in shape.children { element(child, path: here, depth: depth + 1, into: &out, record: record) }
        out += "\(indent)</\(name)>\n"
    }

    /// The placeholder for a simple-typed element: the built-in's, an enumeration's alternatives, a restriction's
    /// base, `${string}` for lists and anything else; nothing for a complex type with no elements.
    func placeholder(for shape: ElementShape) -> String {
        guard let type = shape.type else { return "" }
        return placeholder(forType: type, namespace: shape.typeNamespace, depth: 0)
    }

    private func placeholder(forType type: String, namespace: String?, depth: Int) -> String {
        if namespace == nil || namespace == "http://www.w3.org/2001/XMLSchema" || index.simpleTypes[type] == nil {
            if index.complexTypes[type] != nil { return "" }
            if let lexical = XSDLexicalType(name: type) { return "${\(lexical.rawValue)}" }
            switch type {
            case "guid": return "${guid}"
            case "char": return "${int}"
            case "anyType", "anySimpleType": return "${ignore}"
            default: if index.simpleTypes[type] == nil { return "${string}" }
            }
        }
        guard depth < 8, let simple = index.simpleTypes[type]?.node else { return "${string}" }
        if let restriction = simple.elements.first(where: { $0.localName == "restriction" }) {
            let values = restriction.elements.filter { $0.localName == "enumeration" }.compactMap { $0.attribute("value") }
            if !values.isEmpty {
                let escaped = values.map { NSRegularExpression.escapedPattern(for: $0) }
                return "${regex:" + escaped.joined(separator: "|") + "}"
            }
            if let base = restriction.attribute("base") {
                return placeholder(forType: ContractReader.local(base), namespace: nil, depth: depth + 1)
            }
        }
        return "${string}"
    }
}
