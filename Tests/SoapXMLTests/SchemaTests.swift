import Foundation
import SoapXML
import Testing

/// Schema validation against the real SuperOffice WCF WSDLs in ../shared/wsdl: valid bodies pass, and each kind of
/// invalid body is reported with its path, line and a readable reason. Nothing is ever fetched.
struct SchemaTests {
    /// SuperOffice's WSDLs (../shared/wsdl), as committed beside the specs they govern.
    static func schema(_ name: String) throws -> XMLSchemaSet {
        let (version, agent) = (name.split(separator: "-")[0], name.split(separator: "-")[1].dropLast(5))
        return try XMLSchemaSet(contentsOf: Fixtures.root.appendingPathComponent("specs/\(version)/\(agent)/\(agent).wsdl").path)
    }

    static func envelope(_ body: String, namespace: String = fav88) -> String {
        """
        <e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:f="\(namespace)" \
        xmlns:xsi="\(xsi)" xmlns:xsd="\(xsd)"
            xmlns:a="http://schemas.microsoft.com/2003/10/Serialization/Arrays">
          <e:Body>
        \(body)
          </e:Body>
        </e:Envelope>
        """
    }

    func violations(_ body: String, namespace: String = fav88, against name: String = "Services88-Favourite.wsdl")
        throws -> [SchemaViolation]
    {
        try Self.schema(name).validateEnvelope(try XMLDocument(string: Self.envelope(body, namespace: namespace)))
    }

    static let toggle = """
        <f:ToggleFavourite>
          <f:TableName>contact</f:TableName>
          <f:RecordId>42</f:RecordId>
          <f:AssociateId>7</f:AssociateId>
          <f:ExtraInfo></f:ExtraInfo>
        </f:ToggleFavourite>
        """

    @Test func everyWSDLCompilesWithItsSiblingSchemas() throws {
        for name in ["Services88-Favourite.wsdl", "Services84-Favourite.wsdl", "Services86-ErpSync.wsdl",
                     "Services86-CustomerService.wsdl"] {
            #expect(try Self.schema(name).schemaCount == 3, "\(name)")
        }
    }

    @Test func theSeedEnvelopesAreValid() throws {
        let favourite = try Self.schema("Services88-Favourite.wsdl")
        let erpSync = try Self.schema("Services86-ErpSync.wsdl")
        for (file, schema) in [("Services88-ToggleFavourite-request.xml", favourite),
                               ("Services88-ToggleFavourite-response.xml", favourite),
                               ("Services86-ToggleErpConnectionActive-request.xml", erpSync),
                               ("Services86-ToggleErpConnectionActive-response.xml", erpSync)] {
            let document = try XMLDocument(contentsOf: Fixtures.envelopes.appendingPathComponent(file).path)
            #expect(schema.validateEnvelope(document) == [], "\(file)")
        }
        #expect(try violations(Self.toggle) == [])
    }

    @Test func aWrongTypeIsReportedWithItsPathAndLine() throws {
        let found = try violations(Self.toggle.replacingOccurrences(of: "<f:RecordId>42", with: "<f:RecordId>forty-two"))
        #expect(found == [SchemaViolation(
            path: "/Envelope/Body/ToggleFavourite/RecordId", line: 6,
            message: "Element 'RecordId': 'forty-two' is not a valid value of the atomic type 'xs:int'.")])
    }

    @Test func anUnknownElementAndElementsOutOfOrderNameWhatWasExpected() throws {
        let unknown = try violations(Self.toggle.replacingOccurrences(of: "<f:ExtraInfo></f:ExtraInfo>",
                                                                      with: "<f:Colour>red</f:Colour>"))
        #expect(unknown.map(\.path) == ["/Envelope/Body/ToggleFavourite/Colour"])
        #expect(unknown.first?.message == "Element 'Colour': This element is not expected. Expected is ( ExtraInfo ).")
        let swapped = try violations("""
            <f:ToggleFavourite><f:RecordId>42</f:RecordId><f:TableName>contact</f:TableName></f:ToggleFavourite>
            """)
        // Every field is optional (minOccurs 0), so RecordId may come first; TableName may not follow it.
        #expect(swapped.map(\.path) == ["/Envelope/Body/ToggleFavourite/TableName"])
        #expect(swapped.first?.message == "Element 'TableName': This element is not expected. Expected is one of "
                    + "( AssociateId, ExtraInfo ).")
    }

    @Test func theWrongVersionsNamespaceIsNotDeclared() throws {
        let found = try violations(Self.toggle, namespace: "http://www.superoffice.net/ws/crm/NetServer/Services86")
        #expect(found.map(\.path) == ["/Envelope/Body/ToggleFavourite"])
        #expect(found.first?.message == "Element 'ToggleFavourite': No matching global declaration available for the "
                    + "validation root.")
    }

    @Test func aMalformedArrayIsReported() throws {
        // ErpSync answers a string array: its items are <string> in the Serialization/Arrays namespace.
        let body = """
            <f:ToggleErpConnectionActiveResponse>
              <f:Response><a:string>ok</a:string><f:string>in the wrong namespace</f:string></f:Response>
            </f:ToggleErpConnectionActiveResponse>
            """
        let erp86 = "http://www.superoffice.net/ws/crm/NetServer/Services86"
        #expect(try violations(body.replacingOccurrences(of: "<f:string>in the wrong namespace</f:string>", with: ""),
                               namespace: erp86, against: "Services86-ErpSync.wsdl") == [])
        let found = try violations(body, namespace: erp86, against: "Services86-ErpSync.wsdl")
        #expect(found.map(\.path) == ["/Envelope/Body/ToggleErpConnectionActiveResponse/Response/string[2]"])
    }

    @Test func anEmptyResponseWrittenOverTwoLinesIsValid() throws {
        // The reference pages write an empty response as an open tag, a newline and a close tag.
        #expect(try violations("<f:SetFavouritesResponse>\n</f:SetFavouritesResponse>",
                               against: "Services88-Favourite.wsdl").filter { !$0.message.contains("global declaration") }
                    == [])
    }

    @Test func aSchemaThatPointsAtTheNetworkIsRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("soaptape-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("remote.xsd").path
        try """
            <xs:schema xmlns:xs="\(xsd)" targetNamespace="urn:t">
              <xs:import namespace="urn:o" schemaLocation="http://127.0.0.1:9/o.xsd"/>
            </xs:schema>
            """.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: SchemaError.self) { try XMLSchemaSet(contentsOf: file) }
        do {
            _ = try XMLSchemaSet(contentsOf: file)
        } catch {
            #expect(error.message.hasPrefix("the schema refers to http://127.0.0.1:9/o.xsd, which soaptape does not fetch"))
        }
    }

    @Test func theEnvelopeStructureIsCheckedWithoutAServiceSchema() throws {
        let soap11Fault = """
            <e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><e:Fault>
              <faultcode>e:Server</faultcode><faultstring>Ticket expired</faultstring>
            </e:Fault></e:Body></e:Envelope>
            """
        #expect(EnvelopeChecks.structure(try XMLDocument(string: soap11Fault)) == [])
        let noReason = """
            <e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><e:Fault>
              <e:Code><e:Value>e:Receiver</e:Value></e:Code>
            </e:Fault></e:Body></e:Envelope>
            """
        let found = EnvelopeChecks.structure(try XMLDocument(string: noReason))
        #expect(found.map(\.path) == ["/Envelope/Body/Fault"])
        #expect(found.first?.message == "Element 'Fault': Missing child element(s). Expected is ( Reason ).")
        // The vendor's pages put the credentials outside a Header.
        let seed = try XMLDocument(contentsOf: Fixtures.envelopes.appendingPathComponent("Services88-ToggleFavourite-request.xml").path)
        #expect(EnvelopeChecks.structure(seed).map(\.path) == ["/Envelope/ApplicationToken"])
        let notSOAP = EnvelopeChecks.structure(try XMLDocument(string: "<Envelope/>"))
        #expect(notSOAP.first?.message == "The root element is <Envelope>, not a SOAP 1.1 or 1.2 Envelope.")
    }

    @Test func declaredTypesAreCheckedLexically() throws {
        let document = try XMLDocument(string: Self.envelope("""
            <f:Get>
              <f:Id xsi:type="xsd:int">12x</f:Id>
              <f:When xsi:type="xsd:dateTime">2026-11-30T12:00:00Z</f:When>
              <f:Key xsi:type="s:guid" xmlns:s="http://schemas.microsoft.com/2003/10/Serialization/">not-a-guid</f:Key>
              <f:Gone xsi:nil="true">but here</f:Gone>
              <f:Free xsi:type="f:Custom">anything</f:Free>
            </f:Get>
            """))
        let found = EnvelopeChecks.declaredTypes(document)
        #expect(found.map(\.path) == ["/Envelope/Body/Get/Id", "/Envelope/Body/Get/Key", "/Envelope/Body/Get/Gone"])
        #expect(found.first?.message == "Element 'Id': '12x' is not a valid value of its xsi:type xsd:int.")
        #expect(found.last?.message == "Element 'Gone': xsi:nil is \"true\" but the element has content.")
    }

    @Test func aVersionWithoutAWSDLIsValidatedThroughTheNamespaceMap() throws {
        let schema = try Self.schema("Services86-CustomerService.wsdl")
        let request = try XMLDocument(contentsOf: Fixtures.envelopes.appendingPathComponent("Services83-UpdateFeatureToggles-request.xml").path)
        #expect(schema.validateEnvelope(request).map(\.message).contains(
            "Element 'UpdateFeatureToggles': No matching global declaration available for the validation root."))
        let mapped = schema.validateEnvelope(request, namespaceMap: [.substring("Services83", "Services86")])
        #expect(mapped == [])
    }

    @Test func customerServiceBodiesAreCheckedToo() throws {
        let cs86 = "http://www.superoffice.net/ws/crm/NetServer/Services86"
        let valid = """
            <f:UpdateFeatureToggles><f:FeatureToggles><f:CsFeatureToggle><f:Name>NewEditor</f:Name>\
            <f:State>true</f:State></f:CsFeatureToggle></f:FeatureToggles></f:UpdateFeatureToggles>
            """
        #expect(try violations(valid, namespace: cs86, against: "Services86-CustomerService.wsdl") == [])
        let wrongType = try violations(valid.replacingOccurrences(of: "<f:State>true", with: "<f:State>on"),
                                       namespace: cs86, against: "Services86-CustomerService.wsdl")
        #expect(wrongType.map(\.path) == ["/Envelope/Body/UpdateFeatureToggles/FeatureToggles/CsFeatureToggle/State"])
        #expect(wrongType.first?.message == "Element 'State': 'on' is not a valid value of the atomic type 'xs:boolean'.")
    }
}
