import Foundation
import SoapXML

/// Compares a live answer with the recorded one: `exact` (equal under the rules) or `contract` (same shape and
/// types, values free; see `ContractRules`). A fault where the recording had none, or the reverse, and another
/// HTTP status are always differences.
public struct ResponseCheck: Sendable {
    /// How strictly answers are compared.
    public enum Mode: String, CaseIterable, Sendable {
        /// Equal under the comparison rules (the spec's, `--ignore`, namespace maps).
        case exact
        /// The same structure and types; values free.
        case contract
    }

    /// What a check found.
    public struct Outcome: Sendable {
        /// Every difference; empty when the answer holds.
        public var differences: [Difference]
        /// The expectation's canonical form, when there are differences.
        public var expected: String?
        /// The answer's canonical form, when there are differences.
        public var actual: String?
        /// Changes existing clients can live with, listed rather than failed (contract mode; WSDL fetches).
        public var additive: [Difference] = []
    }

    /// How strictly answers are compared.
    public var mode: Mode
    /// Specs that give each operation's rules and types.
    public var specs: SpecSet?
    /// Namespace rewrites (`Services86` → `Services88`) applied to both sides.
    public var namespaceMappings: [NamespaceMapping]
    /// Nodes left out of every comparison.
    public var ignore: [XPathSelector]
    /// When true (`--fail-on any`), additive changes fail too.
    public var failOnAdditive = false

    /// A check in `mode`.
    public init(mode: Mode, specs: SpecSet? = nil, namespaceMappings: [NamespaceMapping] = [], ignore: [XPathSelector] = []) {
        self.mode = mode
        self.specs = specs
        self.namespaceMappings = namespaceMappings
        self.ignore = ignore
    }

    /// Checks the answer (`status`, `body`) the target gave to `recorded`'s request.
    public func check(_ recorded: Interaction, status: Int, body: [UInt8]) -> Outcome {
        var differences: [Difference] = []
        if status != recorded.response.status {
            differences.append(Difference(kind: .httpStatus, path: "HTTP status", expected: String(recorded.response.status),
                                          actual: String(status)))
        }
        let expectedDocument = try? XMLDocument(bytes: recorded.response.body, name: "recorded response")
        let actualDocument: XMLDocument
        do {
            actualDocument = try XMLDocument(bytes: body, name: "actual response")
        } catch {
            if expectedDocument == nil {
                // Neither side is XML (a plain-text answer): the bytes must agree in exact mode.
                if mode == .exact && body != recorded.response.body {
                    differences.append(Difference(kind: .textValue, path: "(body)",
                                                  expected: String(decoding: recorded.response.body.prefix(400), as: UTF8.self),
                                                  actual: String(decoding: body.prefix(400), as: UTF8.self)))
                }
                return Outcome(differences: differences)
            }
            let preview = String(SecretScrubber().text(body).prefix(200))
            differences.append(Difference(kind: .notXML, path: "(body)", expected: "a SOAP envelope",
                                          actual: "\(error.message) at line \(error.line), column \(error.column): \(preview)"))
            return Outcome(differences: differences)
        }
        guard let expectedDocument else {
            differences.append(Difference(kind: .notXML, path: "(body)", expected: "the recorded body (not XML)",
                                          actual: "an XML document"))
            return Outcome(differences: differences)
        }
        if Self.isWSDLFetch(recorded), let before = expectedDocument.rootElement(), before.localName == "definitions" {
            let (breaking, additive) = wsdlChanges(before, actualDocument)
            // Exact: any change of contract fails; contract: additive ones are listed (failing under --fail-on any).
            if mode == .exact || failOnAdditive { return Outcome(differences: differences + breaking + additive) }
            return Outcome(differences: differences + breaking, additive: additive)
        }
        let actualFault = SoapMessage.faultDetails(actualDocument)
        if recorded.response.fault != (actualFault != nil) {
            let recordedFault = SoapMessage.faultDetails(expectedDocument)
            differences.append(Difference(
                kind: .fault, path: "/Envelope/Body/Fault",
                expected: recordedFault.map { "a SOAP Fault (\($0.code): \($0.reason))" }
                    ?? "a response (\(expectedDocument.bodyFirstChild?.localName ?? "no payload")), not a fault",
                actual: actualFault.map { "a SOAP Fault (\($0.code): \($0.reason))" }
                    ?? "a response (\(actualDocument.bodyFirstChild?.localName ?? "no payload")), not a fault"))
            return Outcome(differences: differences)
        }
        let loaded = spec(for: recorded)
        var expectation = expectedDocument
        // Exact: the recording is concrete (item by item); contract: the spec's template rules apply.
        var options = loaded?.recordingOptions ?? ComparisonOptions()
        if mode == .contract {
            let template = recorded.response.fault ? nil : loaded?.spec.response
            (expectation, options) = ContractRules.expectation(for: expectedDocument, template: template, spec: loaded)
        }
        options.ignore += PerMessageHeaders.ignored + ignore
        if !namespaceMappings.isEmpty {
            options.namespaces = .map
            options.namespaceMappings += namespaceMappings
        }
        let result = XMLComparator(options: options).compare(expectation, actualDocument)
        differences += result.differences
        // By contract, what the recording lacks (a new response element or attribute) is additive, as compare
        // classes a new response element: existing clients ignore it.
        var additive: [Difference] = []
        if mode == .contract {
            (differences, additive) = partitionAdditive(differences)
        }
        guard !differences.isEmpty else { return Outcome(differences: [], additive: SecretScrubber().scrub(additive)) }
        // The live answer may carry credentials (an authentication returns a ticket): never in a report.
        let scrubber = SecretScrubber()
        let shown = scrubber.document(body, name: "actual response") ?? actualDocument
        let forms = CanonicalPrinter(options: options).print([expectation, shown])
        return Outcome(differences: scrubber.scrub(differences), expected: forms[0], actual: forms[1],
                       additive: scrubber.scrub(additive))
    }

    /// Splits differences into those that fail and the additive ones (which fail only under `failOnAdditive`).
    private func partitionAdditive(_ differences: [Difference]) -> (failing: [Difference], additive: [Difference]) {
        let additive = differences.filter(Self.isAdditive)
        if failOnAdditive || additive.isEmpty { return (differences, []) }
        return (differences.filter { !Self.isAdditive($0) }, additive)
    }

    /// What a live answer has and the recording lacks: existing clients ignore it, as compare classes a new
    /// response element.
    static func isAdditive(_ difference: Difference) -> Bool {
        difference.kind == .unexpectedElement || difference.kind == .unexpectedAttribute
    }

    /// True for a recorded `GET …?wsdl` (any case, `?singleWsdl` too): a contract, not a SOAP call.
    public static func isWSDLFetch(_ interaction: Interaction) -> Bool {
        guard interaction.request.method == "GET", let query = interaction.request.path.firstIndex(of: "?") else {
            return false
        }
        return interaction.request.path[query...].lowercased().contains("wsdl")
    }

    /// A WSDL fetch compared as a contract (operations and types, as `compare` does), never by the service
    /// address inside it: its breaking and its additive changes, each as a difference that names the operation
    /// and element, the change and why it is classed so.
    private func wsdlChanges(_ before: XMLElement, _ after: XMLDocument) -> (breaking: [Difference], additive: [Difference]) {
        guard let definitions = after.rootElement(), definitions.localName == "definitions" else {
            return ([Difference(kind: .contractChange, path: "(WSDL)", expected: "a WSDL (wsdl:definitions)",
                                actual: after.rootElement().map { "<\($0.localName)>" } ?? "an empty document")], [])
        }
        let changes = ContractComparison(old: ContractReader.wsdl(definitions: before, source: "recorded WSDL"),
                                         new: ContractReader.wsdl(definitions: definitions, source: "live WSDL")).changes
        func difference(_ change: ContractChange) -> Difference {
            let place = [change.operation, change.message, change.path].compactMap { $0 }.joined(separator: " ")
            let found = [change.new, "(\(change.impact.rawValue) \(change.kind): \(change.reason))"].compactMap { $0 }
            return Difference(kind: .contractChange, path: place, expected: change.old, actual: found.joined(separator: " "))
        }
        return (changes.filter { $0.impact == .breaking }.map(difference),
                changes.filter { $0.impact == .additive }.map(difference))
    }

    /// The spec of the recorded request's operation.
    func spec(for recorded: Interaction) -> LoadedSpec? {
        guard let specs, let document = try? XMLDocument(bytes: recorded.request.body, name: "recorded request"),
            let element = document.bodyFirstChild
        else { return nil }
        return specs.spec(atEndpoint: recorded.request.path, requestElement: element)
    }
}
