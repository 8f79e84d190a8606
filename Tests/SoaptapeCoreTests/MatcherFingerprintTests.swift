import Foundation
import SoapXML
import SoaptapeCore
import Testing

/// The matcher finds a request's recordings by a value fingerprint. With rules that are plain element paths the
/// fingerprint agrees with the comparison, so a request equal under the rules is found at once, and one that is
/// not costs only the bounded search for the nearest recording — never a comparison with every recording.
struct MatcherFingerprintTests {
    static let spec = """
        format: 1
        version: Services88
        agent: Shop
        operation: Get
        endpoint: /Remote/Services88/Shop.svc
        soap: ["1.1", "1.2"]
        action: urn:s/Get
        namespace: urn:s
        rules:
          ignore:
          - /Envelope/Header/Credentials
          unordered:
          - //Get/Tags
          optional:
          - //Get/Note
          repeating:
          - //Get/Items/Item
        request: |
          <e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><s:Get xmlns:s="urn:s"/></e:Body></e:Envelope>
        response: |
          <e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><s:R xmlns:s="urn:s"/></e:Body></e:Envelope>

        """

    /// A recording of Get for `id`, as one SOAP stack writes it.
    static func recorded(_ id: Int) -> String {
        """
        <e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:s="urn:s" \
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
          <e:Header><s:Credentials><s:Ticket>${redacted}</s:Ticket></s:Credentials></e:Header>
          <e:Body><s:Get>
            <s:Id xsi:type="xsd:int">\(id)</s:Id>
            <s:Name kind="short" lang="en">Item  \(id)</s:Name>
            <s:Tags><s:Tag>red</s:Tag><s:Tag>big</s:Tag></s:Tags>
            <s:Note>fragile</s:Note>
            <s:Items><s:Item>x</s:Item></s:Items>
          </s:Get></e:Body>
        </e:Envelope>
        """
    }

    static func request(_ body: String) -> HTTPRequestMessage {
        HTTPRequestMessage(method: "POST", path: "/Remote/Services88/Shop.svc",
                           headers: [("Content-Type", "text/xml")], body: Array(body.utf8))
    }

    func matcher(count: Int) throws -> InteractionMatcher {
        let folder = try Paths.folder(["Services88/Shop/Get.yaml": Self.spec])
        let interactions = (1...count).map { id in
            Interaction(sequence: id, recordedAt: "2026-11-30T12:00:00.000Z", durationMilliseconds: 1,
                        operation: nil,
                        request: RecordedRequest(method: "POST", path: "/Remote/Services88/Shop.svc",
                                                 headers: [HeaderField("Content-Type", "text/xml")],
                                                 body: Array(Self.recorded(id).utf8)),
                        response: RecordedResponse(status: 200, headers: [], body: Array("<r/>".utf8), fault: false))
        }
        return InteractionMatcher(interactions, specs: try SpecSet.load([folder]))
    }

    @Test func requestsEqualUnderTheRulesAreFoundByTheirFingerprintAlone() throws {
        let matcher = try matcher(count: 3000)
        // The same request as another stack writes it, and within what the rules allow.
        let variants = [
            "as recorded, with a live ticket": Self.recorded(1234).replacingOccurrences(of: "${redacted}", with: "7T:live"),
            "other prefixes, also in xsi:type": Self.recorded(1234)
                .replacingOccurrences(of: "xmlns:s=", with: "xmlns:q=").replacingOccurrences(of: "<s:", with: "<q:")
                .replacingOccurrences(of: "</s:", with: "</q:")
                .replacingOccurrences(of: "xmlns:xsd=", with: "xmlns:x=").replacingOccurrences(of: "xsd:int", with: "x:int"),
            "attributes in another order": Self.recorded(1234)
                .replacingOccurrences(of: "kind=\"short\" lang=\"en\"", with: "lang=\"en\" kind=\"short\""),
            "other whitespace around values and between elements": Self.recorded(1234)
                .replacingOccurrences(of: ">1234<", with: ">\n   1234 <").replacingOccurrences(of: "\n    ", with: " "),
            "unordered children reordered": Self.recorded(1234)
                .replacingOccurrences(of: "<s:Tag>red</s:Tag><s:Tag>big</s:Tag>", with: "<s:Tag>big</s:Tag><s:Tag>red</s:Tag>"),
            "the ignored header block left out": Self.recorded(1234)
                .replacingOccurrences(of: "<s:Credentials><s:Ticket>${redacted}</s:Ticket></s:Credentials>", with: ""),
        ]
        for (what, body) in variants.sorted(by: { $0.key < $1.key }) {
            let found = matcher.lookup(Self.request(body))
            #expect(found.equal.map { matcher.interaction(at: $0).sequence } == [1234], "\(what)")
            #expect(found.compared == 1, "\(what): \(found.compared) comparisons")
        }
    }

    /// A recording is concrete: the spec's template rules (optional, repeating) say what a *spec* allows, not that
    /// a request with other items or fewer elements is the one recorded.
    @Test func theSpecsTemplateRulesDoNotMakeAnotherRequestEqualToARecording() throws {
        let matcher = try matcher(count: 50)
        let variants = [
            "the optional element left out": (Self.recorded(12).replacingOccurrences(of: "<s:Note>fragile</s:Note>", with: ""),
                                              "missing-element /Envelope/Body/Get/Note"),
            "the repeating element three times": (Self.recorded(12).replacingOccurrences(
                of: "<s:Item>x</s:Item>", with: "<s:Item>x</s:Item><s:Item>x</s:Item><s:Item>x</s:Item>"),
                                                  "unexpected-element /Envelope/Body/Get/Items/Item[2]"),
            "the repeating element not at all": (Self.recorded(12).replacingOccurrences(of: "<s:Item>x</s:Item>", with: ""),
                                                 "missing-element /Envelope/Body/Get/Items/Item"),
        ]
        for (what, (body, difference)) in variants.sorted(by: { $0.key < $1.key }) {
            let found = matcher.lookup(Self.request(body))
            #expect(found.equal.isEmpty, "\(what)")
            #expect(found.nearest.map { matcher.interaction(at: $0).sequence } == 12, "\(what)")
            #expect(found.differences.map { "\($0.kind.rawValue) \($0.path)" }.first == difference, "\(what)")
        }
    }

    @Test func anUnmatchedRequestIsNotComparedWithEveryRecording() throws {
        let matcher = try matcher(count: 3000)
        // A value no recording has: the nearest is sought among a bounded number, and named.
        let stray = Self.recorded(12).replacingOccurrences(of: "Item  12", with: "Item 99")
        let found = matcher.lookup(Self.request(stray))
        #expect(found.equal.isEmpty)
        #expect(found.compared < 1_100, "\(found.compared) comparisons for one unmatched request")
        #expect(found.differences.map(\.path) == ["/Envelope/Body/Get/Name"])
        // Whitespace inside a value counts under the default rules: not a match either.
        let spaced = Self.recorded(1234).replacingOccurrences(of: "Item  1234", with: "Item 1234")
        #expect(matcher.lookup(Self.request(spaced)).equal.isEmpty)
        // Nor is SOAP 1.2 for a SOAP 1.1 recording: the envelope's namespace counts.
        let soap12 = Self.recorded(1234).replacingOccurrences(of: "http://schemas.xmlsoap.org/soap/envelope/",
                                                              with: "http://www.w3.org/2003/05/soap-envelope")
        #expect(matcher.lookup(Self.request(soap12)).equal.isEmpty)
    }
}
