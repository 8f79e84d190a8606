import Foundation
import SoapXML

/// `verify`: checks recordings against their specs, offline. Each interaction is identified with its spec (by
/// endpoint and the request's payload element); its request and response must conform to the spec's
/// envelopes under the spec's rules (placeholders, ignore rules, repeating and optional elements), and its
/// SOAP version and action must be the spec's. A fault response is checked against the spec's faults when it
/// lists any.
public struct CassetteVerifier: Sendable {
    static let envelopeHeader = try! XPathSelector("/Envelope/Header")
    static let optionalHeaders = [envelopeHeader, try! XPathSelector("/Envelope/Header/*")]

    /// The specs recordings are checked against.
    public var specs: SpecSet
    /// Interactions with no spec fail rather than being listed.
    public var requireSpec: Bool
    /// WS-I Basic Profile warnings fail the interaction instead of being listed beside a pass.
    public var failOnWarnings = false

    static let openAttributeNamespaces = [QualifiedName.xsiType.namespace, SoapVersion.soap11.envelopeNamespace,
                                          SoapVersion.soap12.envelopeNamespace]

    /// Each spec's envelopes parsed once, with the comparators that check them, by spec file.
    private let prepared: [String: Prepared]

    /// A spec's envelopes, parsed, and how each is compared.
    private struct Prepared: @unchecked Sendable {
        var options: ComparisonOptions
        var request: (document: XMLDocument, comparator: XMLComparator)?
        var response: (document: XMLDocument, comparator: XMLComparator)?
        var faults: [XMLDocument]
        var faultComparator: XMLComparator

        init(_ loaded: LoadedSpec) {
            var options = loaded.options
            // A spec's envelopes are written in one SOAP version; recordings may use the other.
            options.namespaces = .map
            // The vendor's pages write xsi:type on every element; document/literal servers send none for a
            // declared type.
            options.typeAttributesOptional = true
            options.namespaceMappings.append(.substring(SoapVersion.soap11.envelopeNamespace,
                                                        SoapVersion.soap12.envelopeNamespace))
            // SOAP header blocks are optional to send (WCF reads a missing one as null), and so is a Header; header
            // blocks the spec does not name (WS-Addressing's MessageID and To, which zeep sends when a WCF WSDL asks
            // for addressing; a server's own, such as SuperOffice's ExceptionInfo and TimeZone) are not the
            // operation's contract.
            options.optional += CassetteVerifier.optionalHeaders
            options.openContent.append(CassetteVerifier.envelopeHeader)
            // XML Schema's instance attributes may stand on any element (a stack that types every element sends
            // xsi:type everywhere), and SOAP's own (mustUnderstand, actor, role, relay, encodingStyle) belong to the
            // envelope; the schema checks and the xsi:type check judge them.
            options.openAttributeNamespaces = CassetteVerifier.openAttributeNamespaces
            faultComparator = XMLComparator(options: options)
            // The schema decides shape; the spec decides values. With a schema beside it, the spec's envelope
            // constrains only what it pins, and the validator judges presence, order, occurrence, recursion,
            // derivation, choice and nil — once.
            if loaded.spec.schema != nil { options.structure = .schema }
            self.options = options
            var headerless = options
            headerless.ignore.append(CassetteVerifier.envelopeHeader)
            func prepare(_ template: String, _ side: String) -> (XMLDocument, XMLComparator)? {
                guard let document = try? XMLDocument(string: template, name: "spec \(side)") else { return nil }
                let describesHeader = document.rootElement()?.elements.contains { $0.localName == "Header" } ?? false
                return (document, XMLComparator(options: describesHeader ? options : headerless))
            }
            request = prepare(loaded.spec.request, "request")
            response = prepare(loaded.spec.response, "response")
            faults = loaded.spec.faults.compactMap { try? XMLDocument(string: $0, name: "spec fault") }
        }
    }

    /// Each spec's schema, compiled once.
    private let schemas: SchemaCatalog

    /// A verifier for `specs`; a spec's `schema:` that cannot be compiled is an error placed in the schema file.
    public init(specs: SpecSet, requireSpec: Bool = false) throws(SchemaError) {
        self.specs = specs
        self.requireSpec = requireSpec
        var prepared: [String: Prepared] = [:]
        for loaded in specs.specs { prepared[loaded.file] = Prepared(loaded) }
        self.prepared = prepared
        schemas = try SchemaCatalog(specs)
    }

    /// The case for one interaction.
    public func verify(_ interaction: Interaction) -> ReportCase {
        let label = interaction.label
        func make(_ verdict: Verdict, _ message: String?, _ differences: [Difference] = [], forms: [String]? = nil)
            -> ReportCase
        {
            ReportCase(sequence: interaction.sequence, operation: label, verdict: verdict, message: message,
                       differences: differences, expected: forms?[0], actual: forms?[1])
        }
        guard interaction.request.method == "POST" else {
            return make(.skipped, "\(interaction.request.method) request, not a SOAP call")
        }
        let request: XMLDocument
        do {
            request = try XMLDocument(bytes: interaction.request.body, name: "request")
        } catch {
            return make(.failed, "the recorded request is not XML",
                        [Difference(kind: .notXML, path: "(request body)", expected: "a SOAP envelope",
                                    actual: "\(error.message) at line \(error.line), column \(error.column)")])
        }
        guard let element = request.bodyFirstChild,
            let loaded = specs.spec(atEndpoint: interaction.request.path, requestElement: element)
        else {
            let what = request.bodyFirstChild.map { "\($0) at \(interaction.request.path)" } ?? interaction.request.path
            return make(.unidentified, "no spec describes \(what)"
                        + (requireSpec ? "; write one (soaptape import) or leave out --require-spec" : ""))
        }
        let spec = loaded.spec
        let named = "\(spec.version)/\(spec.agent)/\(spec.operation)"
        var warnings: [Difference] = []
        func result(_ verdict: Verdict, _ message: String?, _ differences: [Difference] = [], forms: [String]? = nil)
            -> ReportCase
        {
            var made = ReportCase(sequence: interaction.sequence, operation: named, verdict: verdict, message: message,
                                  differences: differences, expected: forms?[0], actual: forms?[1])
            if !warnings.isEmpty { made.warnings = warnings }
            return made
        }
        var differences: [Difference] = []
        let contentType = interaction.request.headers.first { $0.name.lowercased() == "content-type" }?.value
        let soapAction = interaction.request.headers.first { $0.name.lowercased() == "soapaction" }?.value
        let version = SoapMessage.version(contentType: contentType)
            ?? request.rootName.flatMap { SoapVersion(envelopeNamespace: $0.namespace) }
        if let version, !spec.soap.contains(version) {
            differences.append(Difference(kind: .soapBinding, path: "SOAP version",
                                          expected: spec.soap.map { "SOAP \($0.rawValue)" }.joined(separator: " or "),
                                          actual: "SOAP \(version.rawValue)"))
        }
        if let action = SoapMessage.action(contentType: contentType, soapActionHeader: soapAction), action != spec.action {
            differences.append(Difference(kind: .soapBinding, path: "SOAP action", expected: spec.action, actual: action))
        }
        let contract = prepared[loaded.file] ?? Prepared(loaded)
        let scrubber = SecretScrubber()
        var forms: [String]?
        func check(_ expected: (document: XMLDocument, comparator: XMLComparator)?, _ document: XMLDocument, side: String) {
            guard let expected else { return }
            let found = expected.comparator.compare(expected.document, document).differences
            guard !found.isEmpty else { return }
            differences += scrubber.scrub(found).map { difference in
                var marked = difference
                marked.path = "\(side): \(difference.path)"
                return marked
            }
            if forms == nil {
                // A credential written into a spec is not repeated in reports.
                let printed = CanonicalPrinter(options: contract.options).print(expected.document)
                let shown = scrubber.document(Array(printed.utf8), name: "spec") ?? expected.document
                forms = CanonicalPrinter(options: contract.options).print([shown, document])
            }
        }
        check(contract.request, request, side: "request")
        let schema = schemas.entry(for: loaded)
        func validate(_ document: XMLDocument, side: String) {
            let found = schemas.check(document, spec: loaded, side: side)
            differences += found.failures
            if failOnWarnings { differences += found.warnings } else { warnings += found.warnings }
        }
        validate(request, side: "request")
        let response: XMLDocument
        do {
            response = try XMLDocument(bytes: interaction.response.body, name: "response")
        } catch {
            differences.append(Difference(kind: .notXML, path: "response: (body)", expected: "a SOAP envelope",
                                          actual: "\(error.message) at line \(error.line), column \(error.column)"))
            return result(.failed, "\(spec.agent).\(spec.operation)", differences, forms: forms)
        }
        if response.bodyFirstChild?.localName == "Fault", let fault = SoapMessage.faultDetails(response) {
            if !spec.faults.isEmpty {
                let matches = contract.faults.contains { contract.faultComparator.isEqual($0, response) }
                if !matches {
                    differences.append(Difference(kind: .fault, path: "response: /Envelope/Body/Fault",
                                                  expected: "one of the \(spec.faults.count) faults the spec lists",
                                                  actual: "\(fault.code): \(fault.reason)"))
                }
            }
            let message = "a SOAP Fault was recorded (\(fault.code): \(fault.reason))"
            return differences.isEmpty ? result(.passed, message) : result(.failed, message, differences, forms: forms)
        }
        check(contract.response, response, side: "response")
        validate(response, side: "response")
        // Without a schema, the example is the contract: say so, so that nobody takes its strictness for the service's.
        let judged = schema == nil ? "; shape judged from the spec's example: give the service's WSDL (schema: in the "
            + "spec or its _defaults.yaml) to judge it by the contract" : ""
        // A value the schema already refuses is reported once, by the schema, not again by a pattern the spec wrote.
        let refused = Set(differences.filter { $0.kind == .schema }.map(\.path))
        differences.removeAll { $0.kind == .placeholderMismatch && refused.contains($0.path) }
        return differences.isEmpty
            ? result(.passed, "conforms to \(loaded.file)" + (schema.map { " and \($0.label)" } ?? ""))
            : result(.failed, "does not conform to \(named) (\(loaded.file))\(judged)", differences, forms: forms)
    }
}
