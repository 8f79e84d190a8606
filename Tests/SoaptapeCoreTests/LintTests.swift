import Foundation
import SoaptapeCore
import Testing

/// Lint on the repository's specs and on specs that say the wrong thing.
struct LintTests {
    @Test func committedSpecsAreClean() throws {
        let set = try SpecSet.load([Paths.specs])
        #expect(set.specs.count >= 13)
        #expect(SpecLinter.lint(set) == [])
    }

    @Test func wrongBodyElementAndDuplicateClaims() throws {
        let wrong = SpecLoaderTests.valid.replacingOccurrences(of: "<f:ToggleFavouriteResponse xmlns:f=\"urn:fav\"/>",
                                                               with: "<f:Toggled xmlns:f=\"urn:fav\"/>")
        let folder = try Paths.folder(["a/one.yaml": SpecLoaderTests.valid, "a/two.yaml": wrong])
        let findings = SpecLinter.lint(try SpecSet.load([folder]))
            .map { $0.description.replacingOccurrences(of: folder + "/", with: "") }
        #expect(findings == [
            """
            a/two.yaml:18:16: error: the response's Body holds {urn:fav}Toggled but the spec declares <ToggleFavouriteResponse> in urn:fav; fix the envelope, or set 'response_element' or 'namespace'
                <e:Body><f:Toggled xmlns:f="urn:fav"/></e:Body>
                           ^
            """,
            """
            a/two.yaml:4:1: error: /Remote/Services88/Favourite.svc ToggleFavourite is already claimed by a/one.yaml; keep one spec per endpoint and operation
            operation: ToggleFavourite
            ^
            """,
        ])
    }

    @Test func soap11EnvelopeInA12OnlySpec() throws {
        let yaml = SpecLoaderTests.valid.replacingOccurrences(of: "http://www.w3.org/2003/05/soap-envelope",
                                                              with: "http://schemas.xmlsoap.org/soap/envelope/")
        let folder = try Paths.folder(["s.yaml": yaml])
        let findings = SpecLinter.lint(try SpecSet.load([folder]))
        #expect(findings.map(\.message) == [
            "the request is a SOAP 1.1 envelope but the spec accepts SOAP 1.2; add it to 'soap'",
            "the response is a SOAP 1.1 envelope but the spec accepts SOAP 1.2; add it to 'soap'",
        ])
    }
}
