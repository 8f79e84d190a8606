import Foundation
import SoapXML
import SoaptapeCore
import Testing

/// Specs generated from SuperOffice's WSDLs: one per operation, and every generated envelope — placeholders filled
/// with typed defaults — valid against the WSDL it came from.
struct WSDLImportTests {
    static let wsdls = ["Services88/Favourite/Favourite.wsdl", "Services84/Favourite/Favourite.wsdl",
                        "Services86/ErpSync/ErpSync.wsdl", "Services86/CustomerService/CustomerService.wsdl"]

    static func path(_ relative: String) -> String { Paths.root.appendingPathComponent("specs/" + relative).path }

    @Test(arguments: wsdls)
    func everyGeneratedEnvelopeValidates(_ wsdl: String) throws {
        let imported = try WSDLImporter.importWSDL(Self.path(wsdl), schemaPath: "x.wsdl")
        let schema = try XMLSchemaSet(contentsOf: Self.path(wsdl))
        let operations = try ContractReader.read(Self.path(wsdl)).operations.count
        #expect(imported.results.count == operations, "\(wsdl): \(imported.skipped)")
        var failures: [String] = []
        for result in imported.results {
            for (side, template) in [("request", result.spec.request), ("response", result.spec.response)] {
                let rendered = try EnvelopeTemplate.render(template, as: nil)
                let document = try XMLDocument(string: rendered, name: "\(result.spec.operation) \(side)")
                let violations = EnvelopeChecks.validate(document, schema: schema)
                if !violations.isEmpty {
                    failures.append("\(result.spec.operation) \(side): " + violations.map { "\($0.path): \($0.message)" }.joined(separator: "; "))
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5).joined(separator: "\n"))")
    }

    /// The seed operations' specs generated from the WSDLs against those imported from the reference pages, under the
    /// contract rules: equal, except CustomerService's CsFeatureToggle, whose WSDL type extends WCF's Carrier (two
    /// optional elements, TableRight and FieldProperties, that the pages leave out). (The pages' SOAP 1.2 against the
    /// WSDLs' SOAP 1.1 binding is not part of the contract comparison.)
    @Test func generatedAndPageImportedSpecsAgreeForTheSeedOperations() throws {
        let cases = [("Services88/Favourite/Favourite.wsdl", "ToggleFavourite", "specs/Services88/Favourite"),
                     ("Services86/ErpSync/ErpSync.wsdl", "ToggleErpConnectionActive", "specs/Services86/ErpSync"),
                     ("Services86/CustomerService/CustomerService.wsdl", "UpdateFeatureToggles", "specs/Services86/CustomerService")]
        for (wsdl, operation, pages) in cases {
            let imported = try WSDLImporter.importWSDL(Self.path(wsdl), schemaPath: "x.wsdl", operations: [operation])
            let folder = try Paths.folder(["placeholder.txt": ""])
            let file = folder + "/\(operation).yaml"
            try SpecWriter.yaml(imported.results[0].spec).write(toFile: file, atomically: true, encoding: .utf8)
            let generated = ContractReader.specs(SpecSet([try SpecLoader.load(file)]), source: folder)
            let paged = try ContractReader.read(Paths.root.appendingPathComponent(pages).path)
            let comparison = ContractComparison(old: paged, new: generated, operations: [operation])
            if operation == "UpdateFeatureToggles" {
                #expect(comparison.changes.map { "\($0.kind) \($0.path ?? "")" } == [
                    "element-added /UpdateFeatureToggles/FeatureToggles/CsFeatureToggle/TableRight",
                    "element-added /UpdateFeatureToggles/FeatureToggles/CsFeatureToggle/FieldProperties",
                ])
            } else {
                #expect(comparison.changes.isEmpty, "\(operation): \(comparison.changes)")
            }
            #expect(imported.results[0].spec.soap == [.soap11])
        }
    }
}
