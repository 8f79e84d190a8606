import ArgumentParser
import Foundation
import SoapXML
import SoaptapeCore

/// `soaptape validate`: envelopes (or every envelope in cassettes) checked against an XSD or a WSDL's schemas.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate SOAP envelopes, or the envelopes in cassettes, against an XSD or WSDL.",
        discussion: """
            The envelope's structure (Envelope, Header, Body, and the fault structure of its SOAP version) is \
            checked against soaptape's own SOAP 1.1 and 1.2 schemas, and every value whose xsi:type names an XML \
            Schema built-in is checked lexically — with or without --schema.

            Each child of the SOAP Body is validated with libxml2 against the schema; header blocks are validated \
            when the schema declares them globally (ApplicationToken, Credentials, TimeZone, …). A WSDL's \
            schemas are all used — WCF's three siblings (the service namespace, Serialization and \
            Serialization/Arrays) joined by their namespace-only imports, with the declarations they inherit from \
            wsdl:definitions. Whitespace-only text between elements is left out first (the reference pages write \
            an empty response as <XResponse> and a newline, which strict XSD rejects). Nothing is fetched from \
            the network: only schemas inside the file and local .xsd files beside it are read.

            Each violation is printed as FILE:LINE: the element's path, and libxml2's reason with names shortened \
            to their local names; in a cassette, FILE#N names interaction N and its request or response.

            Exit status: 0 valid; 1 a violation; 2 bad input (a schema or document that cannot be read).

            Examples:
              soaptape validate response.xml --schema specs/Services88/Favourite/Favourite.wsdl
              soaptape validate cassettes/customer83.yaml --schema specs/Services86/CustomerService/CustomerService.wsdl \\
                  --map-namespace Services83=Services86
            """)

    @Argument(help: ArgumentHelp("Envelope files (.xml), cassettes (.yaml), or folders of them.",
                                 valueName: "envelope-or-cassette"))
    var inputs: [String]

    @Option(name: .customLong("schema"), parsing: .singleValue,
            help: ArgumentHelp("An XSD or WSDL to validate against (repeatable: each input is checked against each). "
                               + "Without one, only the envelope's structure and its xsi:type values are checked.",
                               valueName: "file"))
    var schemas: [String] = []

    @Option(name: .customLong("map-namespace"), parsing: .singleValue,
            help: ArgumentHelp("Rewrite namespace URIs FROM to TO before validating against --schema (a version with "
                               + "no published WSDL against the nearest version's).", valueName: "FROM=TO"))
    var mapNamespace: [String] = []

    func validate() throws {
        try ValueFlags.validate(mapNamespace, flag: "--map-namespace", example: "Services83=Services86")
    }

    @Flag(name: .customLong("fail-on-warnings"),
          help: ArgumentHelp("Count WS-I Basic Profile warnings (soap:encodingStyle in a document/literal message, "
                                 + "which SOAP and WCF accept) as violations."))
    var failOnWarnings = false

    @OptionGroup(title: "Sharding")
    var sharding: ShardFlags

    func run() throws {
        let shard = try sharding.resolve(command: "validate")
        var compiled: [XMLSchemaSet] = []
        for path in schemas {
            do { compiled.append(try XMLSchemaSet(contentsOf: path)) } catch { throw CLIError(description: error.description) }
        }
        let mappings = ValueFlags.rewrites(mapNamespace).map { NamespaceMapping.substring($0.from, $0.to) }
        var violations = 0
        var warnings = 0
        var checked = 0
        // Each envelope is checked as soon as it is read, so memory stays flat however many there are.
        func check(_ document: XMLDocument, name: String) {
            checked += 1
            var found: [SchemaViolation] = []
            if compiled.isEmpty {
                found = EnvelopeChecks.validate(document, schema: nil)
            } else {
                for (index, schema) in compiled.enumerated() {
                    // The envelope's own checks once, with the first schema; the others add their own.
                    found += index == 0 ? EnvelopeChecks.validate(document, schema: schema, namespaceMap: mappings)
                        : schema.validateEnvelope(document, namespaceMap: mappings)
                }
            }
            for violation in found {
                if violation.source == .profile && !failOnWarnings {
                    warnings += 1
                    print("\(name):\(violation.line): warning: \(violation.path): \(violation.message)")
                    continue
                }
                violations += 1
                print("\(name):\(violation.line): \(violation.path): \(violation.message)")
            }
        }
        // A folder stands for the envelopes (*.xml) and cassettes (*.yaml) in it.
        let files = inputs.flatMap { input -> [String] in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory), isDirectory.boolValue else {
                return [input]
            }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []
            return names.filter { $0.hasSuffix(".xml") || $0.hasSuffix(".yaml") }.sorted()
                .map { (input as NSString).appendingPathComponent($0) }
        }
        for input in files {
            if input.hasSuffix(".yaml") || input.hasSuffix(".yml") {
                let cassette: Cassette
                do { cassette = try CassetteLoader.load(input).cassette } catch { throw CLIError(description: error.description) }
                for interaction in cassette.interactions where interaction.request.method == "POST"
                    && shard?.owns(cassette: input, sequence: interaction.sequence) != false
                {
                    for (side, body) in [("request", interaction.request.body), ("response", interaction.response.body)] {
                        guard let document = try? XMLDocument(bytes: body, name: "\(input)#\(interaction.sequence) \(side)")
                        else { continue }
                        check(document, name: document.name)
                    }
                }
            } else if shard?.owns(cassette: input) != false {
                do { check(try XMLDocument(contentsOf: input), name: input) } catch {
                    throw CLIError(description: error.description)
                }
            }
        }
        let against = schemas.isEmpty ? "the SOAP envelope schemas and their xsi:types"
            : schemas.joined(separator: ", ") + " and the SOAP envelope schemas"
        let part = shard.map { " (shard \($0.index) of \($0.count))" } ?? ""
        let warned = warnings == 0 ? "" : " (\(warnings) profile warning\(warnings == 1 ? "" : "s"); --fail-on-warnings fails them)"
        print(violations == 0
              ? "valid: \(checked) envelope\(checked == 1 ? "" : "s") against \(against)\(part)\(warned)"
              : "invalid: \(violations) violation\(violations == 1 ? "" : "s") in \(checked) envelope\(checked == 1 ? "" : "s")\(part)")
        if violations > 0 { throw ExitCode(1) }
    }
}
