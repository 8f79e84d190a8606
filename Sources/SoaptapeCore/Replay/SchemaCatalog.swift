import Foundation
import SoapXML

/// Each spec's schema (its `schema:` file, XSD or WSDL, with its `schema_map`), compiled once per file and
/// shared by verify, replay and serve. A schema that cannot be compiled is an error placed in its file.
public final class SchemaCatalog: @unchecked Sendable {
    /// A spec's compiled schema and the namespace map applied before validating against it.
    public struct Entry: Sendable {
        /// The compiled schema.
        public var schema: XMLSchemaSet
        /// Namespace rewrites applied first (a version validated against the nearest version's WSDL).
        public var namespaceMap: [NamespaceMapping]
        /// `Favourite.wsdl`, or `CustomerService.wsdl (namespaces mapped: Services83=Services86)`.
        public var label: String
    }

    private var bySpec: [String: Entry] = [:]

    /// Compiles the schema of every spec in `specs` that names one.
    public init(_ specs: SpecSet) throws(SchemaError) {
        var compiled: [String: XMLSchemaSet] = [:]
        for loaded in specs.specs {
            guard let schema = loaded.spec.schema else { continue }
            let path = ((loaded.file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(schema)
            if compiled[path] == nil { compiled[path] = try XMLSchemaSet(contentsOf: path) }
            let map = loaded.spec.schemaMap
            bySpec[loaded.file] = Entry(
                schema: compiled[path]!, namespaceMap: map.compactMap { try? NamespaceMapping.parse($0, regex: false) },
                label: (path as NSString).lastPathComponent
                    + (map.isEmpty ? "" : " (namespaces mapped: \(map.joined(separator: ", ")))"))
        }
    }

    /// The schema of the spec loaded from `file`, if it names one.
    public func entry(for loaded: LoadedSpec) -> Entry? { bySpec[loaded.file] }

    /// Every check that holds for `document` as a message of `loaded`'s operation: the SOAP envelope's structure,
    /// its xsi:type values, and the spec's schema when it names one; each violation as a difference whose path
    /// starts with `side` (`request: /Envelope/…`). WS-I Basic Profile warnings are left out (see `check`).
    public func violations(_ document: XMLDocument, spec loaded: LoadedSpec?, side: String) -> [Difference] {
        check(document, spec: loaded, side: side).failures
    }

    /// The same checks, with WS-I Basic Profile findings apart: `warnings` are what SOAP allows but the profile
    /// forbids (`soap:encodingStyle` in a document/literal message), shown in every report and failing only when
    /// asked (`--fail-on-warnings`).
    public func check(_ document: XMLDocument, spec loaded: LoadedSpec?, side: String)
        -> (failures: [Difference], warnings: [Difference])
    {
        var differences: [Difference] = []
        var warnings: [Difference] = []
        func difference(_ violation: SchemaViolation, against: String, in schema: XMLSchemaSet? = nil) -> Difference {
            var expected = "valid against \(against)"
            // Where the schema declares the element, so that a reader can see what it expects there.
            if let schema, let declared = schema.declaration(forPath: violation.path) {
                expected += "; \(declared.name) is declared at \(schema.name):\(declared.line)"
            }
            return Difference(kind: .schema, path: "\(side): \(violation.path)", expected: expected,
                              actual: violation.message, actualLine: violation.line)
        }
        // A fault's structure is the envelope schema's business; the service schema declares no Fault.
        let found = loaded.flatMap { self.entry(for: $0) }
        let schema = document.bodyFirstChild?.localName == "Fault" ? nil : found
        for violation in EnvelopeChecks.validate(document, schema: schema?.schema, namespaceMap: schema?.namespaceMap ?? []) {
            switch violation.source {
            case .envelope: differences.append(difference(violation, against: "the SOAP envelope schema"))
            case .declaredType: differences.append(difference(violation, against: "its xsi:type"))
            case .schema:
                differences.append(difference(violation, against: schema?.label ?? "the schema", in: schema?.schema))
            case .profile: warnings.append(difference(violation, against: "the WS-I Basic Profile"))
            }
        }
        return (differences, warnings)
    }
}
