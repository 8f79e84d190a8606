import Foundation
import SoapXML
import Testing

/// The three seed operations' envelopes: equal to their twins, and a deep change found by its exact path.
struct SeedEnvelopeTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var file: String
        var changedPath: String
        var testDescription: String { file }
    }

    static let cases: [Case] = [
        Case(file: "Services88-ToggleFavourite-request.xml", changedPath: "/Envelope/Body/ToggleFavourite/ExtraInfo"),
        Case(file: "Services88-ToggleFavourite-response.xml",
             changedPath: "/Envelope/Body/ToggleFavouriteResponse/Response"),
        Case(file: "Services83-UpdateFeatureToggles-request.xml",
             changedPath: "/Envelope/Body/UpdateFeatureToggles/FeatureToggles/CsFeatureToggle/State"),
        Case(file: "Services83-UpdateFeatureToggles-response.xml",
             changedPath: "/Envelope/Body/UpdateFeatureTogglesResponse"),
        Case(file: "Services86-ToggleErpConnectionActive-request.xml",
             changedPath: "/Envelope/Body/ToggleErpConnectionActive/ErpConnectionId"),
        Case(file: "Services86-ToggleErpConnectionActive-response.xml",
             changedPath: "/Envelope/Body/ToggleErpConnectionActiveResponse/Response/string"),
    ]

    @Test(arguments: cases)
    func twinIsEqual(_ seed: Case) throws {
        let original = try Fixtures.envelope(seed.file)
        let twin = TwinWriter.twin(of: original)
        #expect(twin != original)
        #expect(!twin.contains("SOAP-ENV:"))
        let result = XMLComparator().compare(try Fixtures.document(original), try Fixtures.document(twin))
        #expect(result.differences == [])
    }

    @Test(arguments: cases)
    func changedCopyReportsTheExactPath(_ seed: Case) throws {
        let original = try Fixtures.envelope(seed.file)
        let changed = TwinWriter.twin(of: original, changeLastLeaf: "soaptape-changed")
        let result = XMLComparator().compare(try Fixtures.document(original, "expected.xml"),
                                             try Fixtures.document(changed, "actual.xml"))
        #expect(result.differences.count == 1)
        let difference = try #require(result.differences.first)
        #expect(difference.kind == .textValue)
        #expect(difference.path == seed.changedPath)
        #expect(difference.actual == "soaptape-changed")
        #expect(difference.expectedLine != nil && difference.actualLine != nil)
    }

    @Test(arguments: cases)
    func twinPrintsTheSameCanonicalForm(_ seed: Case) throws {
        let original = try Fixtures.envelope(seed.file)
        let printer = CanonicalPrinter()
        let forms = printer.print([try Fixtures.document(original), try Fixtures.document(TwinWriter.twin(of: original))])
        #expect(forms[0] == forms[1])
    }

    /// Every page under ../shared/seeds (other versions, drift, auth included), when it is present.
    @Test func everySharedSeedPage() throws {
        guard let seeds = Fixtures.sharedSeeds else { return }
        let pages = FileManager.default.enumerator(at: seeds, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "md" && $0.lastPathComponent != "README.md" }
        #expect(pages.count >= 3)
        for page in pages {
            let blocks = try Fixtures.xmlBlocks(ofPage: page)
            #expect(blocks.count == 2, "\(page.path)")
            for block in blocks {
                let original = try Fixtures.document(block)
                let twin = try Fixtures.document(TwinWriter.twin(of: block))
                #expect(XMLComparator().compare(original, twin).differences == [], "\(page.path)")
                let changed = try Fixtures.document(TwinWriter.twin(of: block, changeLastLeaf: "soaptape-changed"))
                let differences = XMLComparator().compare(original, changed).differences
                #expect(differences.map(\.kind) == [.textValue], "\(page.path)")
            }
        }
    }
}
