import Foundation
import SoapXML

/// The sandbox's answers: a stub for every spec'd operation, no SuperOffice needed. Pure domain logic: the
/// HTTP module feeds it requests and writes back what it returns.
///
/// A request is identified by its endpoint and the Body's first child (and its action, when it sends one);
/// it is answered with the first example whose request matches under the spec's rules (an example's
/// responses in turn, the last repeating), else with the spec's response, placeholders given typed defaults;
/// always in the request's SOAP version. Anything else gets a SOAP Fault saying what was wrong.
public final class SandboxResponder: @unchecked Sendable {
    private let specs: SpecSet
    private let lock = NSLock()
    private var served: [String: Int] = [:]

    /// A responder for `specs`.
    public init(specs: SpecSet) { self.specs = specs }

    /// The answer to `request`.
    public func respond(to request: HTTPRequestMessage) -> HTTPResponseMessage {
        let contentType = request.header("Content-Type")
        var version = SoapMessage.version(contentType: contentType) ?? .soap11
        if request.method == "GET", request.path.lowercased().hasSuffix("?wsdl") { return wsdl(for: request.path) }
        guard request.method == "POST" else {
            return fault(version, sender: true, "\(request.method) is not a SOAP request; POST a SOAP envelope to an endpoint such as "
                         + (specs.specs.first?.spec.endpoint ?? "/Remote/Services88/Favourite.svc"), status: 405)
        }
        let document: XMLDocument
        do {
            document = try XMLDocument(bytes: request.body, name: "request")
        } catch {
            return fault(version, sender: true, "the request is not well-formed XML (line \(error.line), column "
                         + "\(error.column)): \(error.message)")
        }
        guard let root = document.rootName, root.localName == "Envelope",
            let envelopeVersion = SoapVersion(envelopeNamespace: root.namespace)
        else {
            return fault(version, sender: true, "the request is not a SOAP envelope: its root element is "
                         + "\(document.rootName?.description ?? "missing"), not a SOAP 1.1 or 1.2 Envelope")
        }
        if SoapMessage.version(contentType: contentType) == nil { version = envelopeVersion }
        guard envelopeVersion == version else {
            return fault(version, sender: true, "the Content-Type says SOAP \(version.rawValue) but the envelope is "
                         + "SOAP \(envelopeVersion.rawValue); send text/xml for 1.1 or application/soap+xml for 1.2")
        }
        let candidates = specs.specs(atEndpoint: request.path)
        guard !candidates.isEmpty else {
            let known = Set(specs.specs.map(\.spec.endpoint)).sorted().joined(separator: ", ")
            return fault(version, sender: true, "no operation is served at \(request.path); the sandbox serves \(known)")
        }
        guard let element = document.bodyFirstChild else {
            return fault(version, sender: true, "the envelope's Body is empty; it must hold the operation's request element")
        }
        guard let loaded = specs.spec(atEndpoint: request.path, requestElement: element) else {
            let known = candidates.map { "\($0.spec.requestElementName)" }.joined(separator: ", ")
            return fault(version, sender: true, "\(request.path) has no operation with request element \(element); "
                         + "it serves \(known) in \(candidates[0].spec.namespace)")
        }
        let spec = loaded.spec
        guard spec.soap.contains(version) else {
            return fault(version, sender: true, "\(spec.agent).\(spec.operation) accepts SOAP "
                         + spec.soap.map(\.rawValue).joined(separator: " and ") + " only")
        }
        if let action = SoapMessage.action(contentType: contentType, soapActionHeader: request.header("SOAPAction")),
            action != spec.action
        {
            return fault(version, sender: true, "the action '\(action)' does not match \(spec.agent).\(spec.operation), "
                         + "whose action is '\(spec.action)'")
        }
        let template = chooseResponse(for: document, spec: loaded, version: version)
        do {
            let body = try EnvelopeTemplate.render(template, as: version)
            return HTTPResponseMessage(
                status: 200, headers: [("Content-Type", SoapMessage.contentType(version, action: nil))],
                body: Array(body.utf8))
        } catch {
            return fault(version, sender: false, "the spec's response for \(spec.operation) is not well-formed XML: \(error)")
        }
    }

    /// The first matching example's next response, else the spec's response.
    private func chooseResponse(for request: XMLDocument, spec loaded: LoadedSpec, version: SoapVersion) -> String {
        var options = loaded.options
        options.namespaces = .map
        options.namespaceMappings.append(.substring(SoapVersion.soap11.envelopeNamespace,
                                                    SoapVersion.soap12.envelopeNamespace))
        let comparator = XMLComparator(options: options)
        for (index, example) in loaded.spec.examples.enumerated() {
            guard let expected = try? XMLDocument(string: example.request, name: "example"),
                comparator.isEqual(expected, request)
            else { continue }
            let key = "\(loaded.file)#\(index)"
            let turn: Int = lock.withLock {
                let current = served[key, default: 0]
                served[key] = current + 1
                return current
            }
            return example.responses[min(turn, example.responses.count - 1)]
        }
        return loaded.spec.response
    }

    private func wsdl(for path: String) -> HTTPResponseMessage {
        let candidates = specs.specs(atEndpoint: path)
        for loaded in candidates {
            guard let schema = loaded.spec.schema, schema.lowercased().hasSuffix(".wsdl") else { continue }
            let file = ((loaded.file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(schema)
            if let data = FileManager.default.contents(atPath: file) {
                return HTTPResponseMessage(status: 200, headers: [("Content-Type", "text/xml; charset=utf-8")],
                                           body: Array(data))
            }
        }
        let reason = candidates.isEmpty ? "no operation is served at \(path)"
            : "no WSDL is configured for \(path); set 'schema: FILE.wsdl' in a spec or the agent's _defaults.yaml"
        return HTTPResponseMessage(status: 404, headers: [("Content-Type", "text/plain; charset=utf-8")],
                                   body: Array((reason + "\n").utf8))
    }

    private func fault(_ version: SoapVersion, sender: Bool, _ reason: String, status: Int? = nil) -> HTTPResponseMessage {
        HTTPResponseMessage(
            status: status ?? SoapMessage.faultStatus(version, sender: sender),
            headers: [("Content-Type", SoapMessage.contentType(version, action: nil))],
            body: Array(SoapMessage.fault(version, sender: sender, reason: reason).utf8))
    }
}
