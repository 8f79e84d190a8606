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
}
