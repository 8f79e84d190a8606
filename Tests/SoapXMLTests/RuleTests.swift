import SoapXML
import Testing

/// The rules: ignore XPaths, unordered, repeating, optional.
struct RuleTests {
    let envelope = """
        <s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:f="\(fav88)">
          <s:Header><f:Credentials><f:Ticket>7T:abc</f:Ticket></f:Credentials></s:Header>
          <s:Body><f:Get id="1"><f:Id>5</f:Id></f:Get></s:Body>
        </s:Envelope>
        """

    @Test func ignoreByUnprefixedNameMatchesAnyNamespace() throws {
        let other = envelope.replacingOccurrences(of: "7T:abc", with: "7T:zzz")
        #expect(try differences(envelope, other).map(\.path) == ["/Envelope/Header/Credentials/Ticket"])
        #expect(try differences(envelope, other) { $0.ignore = [try XPathSelector("//Ticket")] } == [])
    }

    @Test func ignoreWithBoundPrefixes() throws {
        let other = envelope.replacingOccurrences(of: "7T:abc", with: "7T:zzz")
        #expect(try differences(envelope, other) {
            $0.ignore = [try XPathSelector("/env:Envelope/env:Header//fav:Ticket",
                                           namespaces: ["env": "http://www.w3.org/2003/05/soap-envelope", "fav": fav88])]
        } == [])
    }

    @Test func ignoredElementsMayBeMissingOrExtra() throws {
        let without = envelope.replacingOccurrences(
            of: "<s:Header><f:Credentials><f:Ticket>7T:abc</f:Ticket></f:Credentials></s:Header>", with: "")
        #expect(try differences(envelope, without) { $0.ignore = [try XPathSelector("//Header")] } == [])
        #expect(try differences(without, envelope) { $0.ignore = [try XPathSelector("//Header")] } == [])
    }

    @Test func ignoredAttributes() throws {
        let other = envelope.replacingOccurrences(of: "id=\"1\"", with: "id=\"2\"")
        #expect(try differences(envelope, other).map(\.path) == ["/Envelope/Body/Get/@id"])
        #expect(try differences(envelope, other) { $0.ignore = [try XPathSelector("//Get/@id")] } == [])
    }

    @Test func pathsFromHintsWorkAsIgnoreRules() throws {
        let a = "<r xmlns:xsi='\(xsi)' xmlns='urn:x'><v xsi:type='a'>1</v><v>2</v></r>"
        let b = "<r xmlns:xsi='\(xsi)' xmlns='urn:x'><v xsi:type='b'>1</v><v>3</v></r>"
        let found = try differences(a, b)
        #expect(found.map(\.path) == ["/r/v[1]/@xsi:type", "/r/v[2]"])
        #expect(try differences(a, b) { options in
            options.ignore = try found.map { try XPathSelector($0.path) }
        } == [])
    }

    @Test func badXPathsAreRefusedWithAReason() throws {
        #expect(throws: XPathError(expression: "//[", reason: "it is not a valid XPath 1.0 expression")) {
            try XPathSelector("//[")
        }
        #expect(throws: XPathError(
            expression: "//f:Ticket",
            reason: "the prefix 'f' is not bound; bind it with --ns f=URI, or drop the prefix to match by local name"
        )) { try XPathSelector("//f:Ticket") }
    }

    @Test func unorderedChildrenCompareAsAMultiset() throws {
        let a = "<r><list><i>1</i><i>2</i><i>3</i></list></r>"
        let b = "<r><list><i>3</i><i>1</i><i>2</i></list></r>"
        #expect(try differences(a, b).count == 3)
        #expect(try differences(a, b) { $0.unordered = [try XPathSelector("//list")] } == [])
        let changed = "<r><list><i>3</i><i>1</i><i>9</i></list></r>"
        let found = try differences(a, changed) { $0.unordered = [try XPathSelector("//list")] }
        #expect(found == [Difference(kind: .textValue, path: "/r/list/i[3]", expected: "2", actual: "9",
                                     expectedLine: 1, actualLine: 1)])
    }

    @Test func repeatingTemplateMatchesEveryItem() throws {
        let template = "<r><Favourites><Favourite><Id>${int}</Id><Name>${string}</Name></Favourite></Favourites></r>"
        let three = "<r><Favourites>" + (1...3).map { "<Favourite><Id>\($0)</Id><Name>n\($0)</Name></Favourite>" }
            .joined() + "</Favourites></r>"
        let rule: (inout ComparisonOptions) throws -> Void = { $0.repeating = [try XPathSelector("//Favourite")] }
        #expect(try differences(template, three, rule) == [])
        #expect(try differences(template, "<r><Favourites/></r>", rule) == [])
        let bad = three.replacingOccurrences(of: "<Id>2</Id>", with: "<Id>two</Id>")
        #expect(try differences(template, bad, rule) == [
            Difference(kind: .placeholderMismatch, path: "/r/Favourites/Favourite[2]/Id", expected: "${int}",
                       actual: "\"two\", which is not a valid xsd:int", expectedLine: 1, actualLine: 1),
        ])
        #expect(try differences(template, three).map(\.kind) == [.unexpectedElement, .unexpectedElement])
    }

    @Test func optionalElementsMayBeAbsent() throws {
        let a = "<r><a>1</a><ExtraInfo>x</ExtraInfo><b>2</b></r>"
        let rule: (inout ComparisonOptions) throws -> Void = { $0.optional = [try XPathSelector("//ExtraInfo")] }
        #expect(try differences(a, "<r><a>1</a><b>2</b></r>", rule) == [])
        #expect(try differences(a, a, rule) == [])
        #expect(try differences(a, "<r><a>1</a><ExtraInfo>y</ExtraInfo><b>2</b></r>", rule).map(\.kind) == [.textValue])
        #expect(try differences(a, "<r><a>1</a><b>2</b></r>").map(\.kind) == [.missingElement])
    }
}
