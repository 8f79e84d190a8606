import SoapXML
import Testing

/// `StructureMode.schema`: where a schema judges shape, the expected document constrains only what it pins.
struct PinnedValueTests {
    static let spec = """
        <e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:f="urn:fav">
          <e:Body>
            <f:AddTickets>
              <f:Provider>${string}</f:Provider>
              <f:Restriction>
                <f:Name>status</f:Name>
                <f:Sub/>
              </f:Restriction>
              <f:Ids><f:int>${int}</f:int></f:Ids>
            </f:AddTickets>
          </e:Body>
        </e:Envelope>
        """

    static func schemaMode(_ options: inout ComparisonOptions) { options.structure = .schema }

    @Test func recursionInheritedMembersAndTypedElementsAreTheSchemasBusiness() throws {
        // One level deeper than the example, a base type's members first, xsi:type on every element, three items
        // where the example shows one, a nil element: none of it is shape the example can judge.
        let traffic = """
            <S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                xmlns:xsd="http://www.w3.org/2001/XMLSchema" S:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">
              <S:Header><TimeZone xmlns="urn:fav" S:mustUnderstand="1">UTC</TimeZone></S:Header>
              <S:Body>
                <AddTickets xmlns="urn:fav">
                  <TableRight xsi:type="xsd:string">Read</TableRight>
                  <Provider xsi:nil="true"/>
                  <Restriction xsi:type="RestrictionInfo">
                    <Name xsi:type="xsd:string">status</Name>
                    <Sub><Restriction><Name>deeper</Name><Sub/></Restriction></Sub>
                  </Restriction>
                  <Ids><int>1</int><int>2</int><int>3</int></Ids>
                </AddTickets>
              </S:Body>
            </S:Envelope>
            """
        #expect(try differences(Self.spec, traffic, Self.schemaMode) == [])
        // The example's own comparison fails the same traffic on shape.
        #expect(try !differences(Self.spec, traffic).isEmpty)
    }

    @Test func aPinnedValueIsComparedWhereverItsPathOccurs() throws {
        let changed = """
            <S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/">
              <S:Body><AddTickets xmlns="urn:fav"><Restriction><Name>owner</Name></Restriction></AddTickets></S:Body>
            </S:Envelope>
            """
        let found = try differences(Self.spec, changed, Self.schemaMode)
        #expect(found.map(\.path) == ["/Envelope/Body/AddTickets/Restriction/Name"])
        #expect(found.first?.kind == .textValue)
        #expect(found.first?.expected == "status")
        #expect(found.first?.actual == "owner")
    }

    @Test func aPatternTheAuthorWroteIsAValueTypedPlaceholdersAreNot() throws {
        let spec = Self.spec.replacingOccurrences(of: "<f:Provider>${string}</f:Provider>",
                                                  with: "<f:Provider>${regex:[A-Z]{3}}</f:Provider>")
        let traffic = """
            <S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/">
              <S:Body><AddTickets xmlns="urn:fav"><Provider>abc</Provider><Ids><int>not a number</int></Ids></AddTickets></S:Body>
            </S:Envelope>
            """
        let found = try differences(spec, traffic, Self.schemaMode)
        // ${int} is the schema's to judge; the pattern is the author's.
        #expect(found.map(\.path) == ["/Envelope/Body/AddTickets/Provider"])
        #expect(found.first?.kind == .placeholderMismatch)
    }

    @Test func thePayloadElementIsNoQuestionOfShape() throws {
        let other = """
            <S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><GetSale xmlns="urn:fav"/></S:Body></S:Envelope>
            """
        let found = try differences(Self.spec, other, Self.schemaMode)
        #expect(found.map(\.kind) == [.missingElement])
        #expect(found.first?.path == "/Envelope/Body/AddTickets")
        let otherNamespace = """
            <S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><AddTickets xmlns="urn:other"/></S:Body></S:Envelope>
            """
        #expect(try differences(Self.spec, otherNamespace, Self.schemaMode).map(\.kind) == [.namespaceURI])
    }

    @Test func requiredElementsMustBePresentInEitherMode() throws {
        let spec = Self.spec.replacingOccurrences(
            of: "<e:Body>", with: "<e:Header><f:Credentials><f:Ticket>${redacted}</f:Ticket></f:Credentials></e:Header><e:Body>")
        let headerless = """
            <S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><AddTickets xmlns="urn:fav"/></S:Body></S:Envelope>
            """
        for schema in [false, true] {
            let found = try differences(spec, headerless) { options in
                if schema { options.structure = .schema } else { options.optional = [try! XPathSelector("//*")] }
                options.required = [try! XPathSelector("/Envelope/Header/Credentials")]
            }
            #expect(found.map(\.kind) == [.requiredElement], "schema: \(schema)")
            #expect(found.first?.path == "/Envelope/Header/Credentials")
            // A message whose spec envelope has no such element (the answer to a request with credentials) is not
            // bound by the rule.
            #expect(try differences(Self.spec, headerless) { options in
                if schema { options.structure = .schema } else { options.optional = [try! XPathSelector("//*")] }
                options.required = [try! XPathSelector("/Envelope/Header/Credentials")]
            } == [])
        }
    }

    @Test func instanceAndSOAPAttributesAreOpenInTheExamplesComparison() throws {
        let spec = """
            <e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><f:Get xmlns:f="urn:fav"><f:Id>${int}</f:Id></f:Get></e:Body></e:Envelope>
            """
        let typed = """
            <S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                xmlns:xsd="http://www.w3.org/2001/XMLSchema" S:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">
              <S:Body><Get xmlns="urn:fav" xsi:type="Get"><Id xsi:type="xsd:int">7</Id></Get></S:Body>
            </S:Envelope>
            """
        #expect(try differences(spec, typed).map(\.kind) == [.unexpectedAttribute, .unexpectedAttribute, .unexpectedAttribute])
        #expect(try differences(spec, typed) {
            $0.openAttributeNamespaces = ["http://www.w3.org/2001/XMLSchema-instance", "http://schemas.xmlsoap.org/soap/envelope/"]
        } == [])
    }
}
