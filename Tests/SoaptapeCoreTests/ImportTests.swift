import Foundation
import SoaptapeCore
import Testing

/// Import reproduces the committed specs byte for byte, fixes the pages' quirks, and is idempotent.
struct ImportTests {
    func imported(_ page: String) throws -> (PageImporter.Result, String) {
        let result = try PageImporter.importPage(page)
        let source = page.split(separator: "/").suffix(3).joined(separator: "/")
        return (result, try SpecWriter.yaml(result.spec, generatedFrom: source))
    }

    @Test func fixturePageGivesTheExpectedSpec() throws {
        let (result, yaml) = try imported(Paths.pages + "/Services99/Widget/SpinWidget.md")
        let expected = try String(contentsOfFile: Paths.pages + "/expected/Services99/Widget/SpinWidget.yaml",
                                  encoding: .utf8)
        #expect(yaml == expected)
        #expect(result.relativePath == "Services99/Widget/SpinWidget.yaml")
        #expect(result.fixes == [
            "read the front matter key 'Generated' as 'generated'",
            "moved ApplicationToken and Credentials from directly inside Envelope into a Header",
            "ignored the credentials (ApplicationToken, Credentials) and marked their values ${redacted}",
            "turned 6 example values into typed placeholders from their xsi:type",
            "marked array items repeating: /Envelope/Body/SpinResult/Angles/int",
            "the response element is SpinResult, not SpinWidgetResponse: recorded as response_element",
        ])
        #expect(SpecWriter.isUntouchedImport(yaml))
        #expect(!SpecWriter.isUntouchedImport(yaml.replacingOccurrences(of: "${int}", with: "${long}")))
        #expect(!yaml.contains("ticket-value") && !yaml.contains("token-value"))
    }

    @Test func everySharedPageReproducesItsCommittedSpec() throws {
        guard let seeds = Paths.sharedSeeds else { return }
        let pages = FileManager.default.enumerator(atPath: seeds)!.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".md") && !$0.hasSuffix("README.md") }
        #expect(pages.count == 13)
        for page in pages {
            let (result, yaml) = try imported(seeds + "/" + page)
            let committed = try String(contentsOfFile: Paths.specs + "/" + result.relativePath, encoding: .utf8)
            #expect(yaml == committed, "\(page)")
            #expect(!yaml.contains("7T:"), "\(page)")
        }
    }

    @Test func authenticationAnswersWithAnotherElement() throws {
        let loaded = try SpecLoader.load(Paths.specs + "/Services88/SoPrincipal/AuthenticateUsernamePassword.yaml")
        #expect(loaded.spec.responseElementName == "AuthenticateResponse")
        #expect(loaded.spec.action
            == "http://www.superoffice.net/ws/crm/NetServer/Services88/SoPrincipal/AuthenticateUsernamePassword")
    }

    @Test func seedSpecsCarryTheirContract() throws {
        let loaded = try SpecLoader.load(Paths.specs + "/Services88/Favourite/ToggleFavourite.yaml")
        #expect(loaded.spec.endpoint == "/Remote/Services88/Favourite.svc")
        #expect(loaded.spec.action == "http://www.superoffice.net/ws/crm/NetServer/Services88/Favourite/ToggleFavourite")
        #expect(loaded.spec.namespace == "http://www.superoffice.net/ws/crm/NetServer/Services88")
        #expect(loaded.spec.soap == [.soap11, .soap12])
        #expect(loaded.spec.examples.map(\.responses.count) == [2])
        #expect(loaded.spec.request.contains("<Favourite:RecordId xsi:type=\"xsd:int\">${int}</Favourite:RecordId>"))
    }

    @Test func pagesWithoutEnvelopesAreRefused() {
        #expect(throws: SourceError(file: "p.md", line: 2, column: 1,
                                    message: "the page has 0 ```xml block(s); expected the request and the response",
                                    sourceLine: "# Services99 Widget Spin")) {
            try PageImporter.importPage(text: "\n# Services99 Widget Spin", file: "p.md", versions: [.soap12])
        }
    }
}
