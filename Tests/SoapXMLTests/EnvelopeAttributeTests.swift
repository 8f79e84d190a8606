import Foundation
import SoapXML
import Testing

/// SOAP's own attributes belong to the envelope: on header blocks they are checked for what they are and kept
/// away from the service schema; `soap:encodingStyle` in a document/literal message is a WS-I profile warning.
struct EnvelopeAttributeTests {
    static func envelope(header: String, envelopeAttributes: String = "", soap12: Bool = false) -> String {
        let uri = soap12 ? "http://www.w3.org/2003/05/soap-envelope" : "http://schemas.xmlsoap.org/soap/envelope/"
        return """
            <SOAP-ENV:Envelope xmlns:SOAP-ENV="\(uri)" xmlns:f="\(fav88)"\(envelopeAttributes)>
              <SOAP-ENV:Header>\(header)</SOAP-ENV:Header>
              <SOAP-ENV:Body>
                <f:ToggleFavourite><f:TableName>contact</f:TableName><f:RecordId>42</f:RecordId></f:ToggleFavourite>
              </SOAP-ENV:Body>
            </SOAP-ENV:Envelope>
            """
    }

    func check(_ text: String) throws -> [SchemaViolation] {
        EnvelopeChecks.validate(try XMLDocument(string: text), schema: try SchemaTests.schema("Services88-Favourite.wsdl"))
    }

    @Test func mustUnderstandActorAndRoleOnHeaderBlocksAreTheEnvelopes() throws {
        // gSOAP marks every header block its binding declares; SOAP::Lite marks the ones it is told to.
        let marked = #"<f:Credentials SOAP-ENV:mustUnderstand="1" SOAP-ENV:actor="http://schemas.xmlsoap.org/soap/actor/next">"#
            + "<f:Ticket>t</f:Ticket></f:Credentials><f:ApplicationToken SOAP-ENV:mustUnderstand=\"true\">a</f:ApplicationToken>"
        #expect(try check(Self.envelope(header: marked)) == [])
        let soap12 = #"<f:Credentials SOAP-ENV:mustUnderstand="true" SOAP-ENV:role="urn:r" SOAP-ENV:relay="0">"#
            + "<f:Ticket>t</f:Ticket></f:Credentials>"
        #expect(try check(Self.envelope(header: soap12, soap12: true)) == [])
    }

    @Test func aMustUnderstandThatIsNoBooleanIsReportedAtItsPath() throws {
        let found = try check(Self.envelope(header: #"<f:Credentials SOAP-ENV:mustUnderstand="yes"><f:Ticket>t</f:Ticket></f:Credentials>"#))
        #expect(found.map(\.path) == ["/Envelope/Header/Credentials/@mustUnderstand"])
        #expect(found.first?.message == "Element 'Credentials': mustUnderstand is 'yes'; SOAP allows 0, 1, true or false.")
        #expect(found.first?.source == .envelope)
    }

    @Test func encodingStyleOnTheEnvelopeIsAProfileWarningInSOAP11AndAViolationInSOAP12() throws {
        let style = #" SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/""#
        let soap11 = try check(Self.envelope(header: "", envelopeAttributes: style))
        #expect(soap11.map(\.source) == [.profile])
        #expect(soap11.first?.path == "/Envelope/@encodingStyle")
        #expect(soap11.first?.message.contains("WS-I Basic Profile (R1005)") == true)
        let soap12 = try check(Self.envelope(header: "", envelopeAttributes: style, soap12: true))
        #expect(soap12.map(\.source) == [.envelope])
        #expect(soap12.first?.message == "SOAP 1.2 does not allow encodingStyle on the Envelope element (SOAP 1.2 Part 1, 5.1.1).")
    }

    @Test func anAttributeTheBlocksTypeDoesNotAllowStillFails() throws {
        // Only SOAP's own attributes are taken out: any other stays the schema's to judge.
        let found = try check(Self.envelope(header: #"<f:Credentials extra="1"><f:Ticket>t</f:Ticket></f:Credentials>"#))
        #expect(found.map(\.source) == [.schema])
        #expect(found.first?.message.contains("'extra'") == true)
    }
}

/// `xsi:type` on elements: the declared type (as SOAP::Lite writes on every element) is valid; a type that is not
/// the declared one nor derived from it fails, by the schema.
struct InstanceTypeTests {
    func violations(_ payload: String) throws -> [SchemaViolation] {
        let text = """
            <e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:f="\(fav88)" xmlns:xsi="\(xsi)"
                xmlns:xsd="\(xsd)"><e:Body>\(payload)</e:Body></e:Envelope>
            """
        return EnvelopeChecks.validate(try XMLDocument(string: text), schema: try SchemaTests.schema("Services88-Favourite.wsdl"))
    }

    @Test func theDeclaredTypeNamedOnEveryElementIsValid() throws {
        #expect(try violations("""
            <f:ToggleFavourite xsi:type="f:ToggleFavourite"><f:TableName xsi:type="xsd:string">contact</f:TableName>\
            <f:RecordId xsi:type="xsd:int">42</f:RecordId></f:ToggleFavourite>
            """).filter { $0.path.hasSuffix("TableName") || $0.path.hasSuffix("RecordId") } == [])
    }

    @Test func aTypeNotDerivedFromTheDeclaredOneFails() throws {
        let found = try violations("""
            <f:ToggleFavourite><f:TableName xsi:type="xsd:int">7</f:TableName><f:RecordId>42</f:RecordId></f:ToggleFavourite>
            """)
        #expect(found.map(\.path) == ["/Envelope/Body/ToggleFavourite/TableName"])
        #expect(found.first?.source == .schema)
        #expect(found.first?.message.contains("not validly derived") == true, "\(found)")
    }
}
