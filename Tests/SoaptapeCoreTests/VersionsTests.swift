import Foundation
import SoaptapeCore
import Testing

/// `compare`: contracts across versions from specs, WSDLs and pages; every change kind and both classifications.
struct VersionsTests {
    /// A one-agent WSDL in the WCF style: `operations` maps an operation to its request and response element bodies
    /// (the xs:sequence content of each).
    static func wsdl(_ version: String, _ operations: [(name: String, request: String, response: String)],
                     action: (String) -> String = { "http://example.com/\($0)" }) throws -> String {
        let tns = "http://www.superoffice.net/ws/crm/NetServer/\(version)"
        var schema = ""
        var messages = ""
        var portType = ""
        var binding = ""
        for operation in operations {
            schema += """
                <xs:element name="\(operation.name)"><xs:complexType><xs:sequence>\(operation.request)</xs:sequence></xs:complexType></xs:element>
                <xs:element name="\(operation.name)Response"><xs:complexType><xs:sequence>\(operation.response)</xs:sequence></xs:complexType></xs:element>
                """
            messages += """
                <wsdl:message name="\(operation.name)Request"><wsdl:part name="parameters" element="tns:\(operation.name)"/></wsdl:message>
                <wsdl:message name="\(operation.name)Response"><wsdl:part name="parameters" element="tns:\(operation.name)Response"/></wsdl:message>
                """
            portType += """
                <wsdl:operation name="\(operation.name)"><wsdl:input message="tns:\(operation.name)Request"/>\
                <wsdl:output message="tns:\(operation.name)Response"/></wsdl:operation>
                """
            binding += """
                <wsdl:operation name="\(operation.name)"><soap:operation soapAction="\(action(operation.name))"/></wsdl:operation>
                """
        }
        let text = """
            <wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
                xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="\(tns)" targetNamespace="\(tns)">
              <wsdl:types><xs:schema targetNamespace="\(tns)" elementFormDefault="qualified">
                \(schema)
                <xs:complexType name="Item"><xs:sequence><xs:element name="Id" type="xs:int"/></xs:sequence></xs:complexType>
                <xs:complexType name="Special"><xs:complexContent><xs:extension base="tns:Item"><xs:sequence>\
            <xs:element name="Extra" type="xs:string" minOccurs="0"/></xs:sequence></xs:extension></xs:complexContent></xs:complexType>
              </xs:schema></wsdl:types>
              \(messages)
              <wsdl:portType name="Agent">\(portType)</wsdl:portType>
              <wsdl:binding name="B" type="tns:Agent">\(binding)</wsdl:binding>
            </wsdl:definitions>
            """
        return try Paths.folder(["\(version).wsdl": text]) + "/\(version).wsdl"
    }

    func compare(_ old: [(name: String, request: String, response: String)],
                 _ new: [(name: String, request: String, response: String)]) throws -> ContractComparison {
        ContractComparison(old: try ContractReader.read(try Self.wsdl("Services86", old)),
                           new: try ContractReader.read(try Self.wsdl("Services88", new)))
    }

    static let base = #"<xs:element name="Id" type="xs:int"/><xs:element name="Name" type="xs:string" minOccurs="0"/>"#

    func kinds(_ comparison: ContractComparison) -> [String] {
        comparison.changes.map { "\($0.impact.rawValue) \($0.kind) \($0.message ?? "") \($0.path ?? "")" }
    }

    @Test func theSameContractInAnotherVersionIsNoChange() throws {
        let comparison = try compare([("Get", Self.base, Self.base)], [("Get", Self.base, Self.base)])
        #expect(comparison.changes.isEmpty)
        #expect(comparison.unchanged == ["Agent/Get"])
        #expect(comparison.summary == "1 operation compared: no change — the contracts are the same once namespaces are mapped.")
    }

    @Test func operationsAddedAndRemoved() throws {
        let comparison = try compare([("Get", Self.base, Self.base), ("Old", "", "")], [("Get", Self.base, Self.base), ("New", "", "")])
        #expect(kinds(comparison) == ["additive operation-added  ", "breaking operation-removed  "])
        #expect(comparison.hasBreakingChanges)
    }

    @Test func everyElementChangeIsClassed() throws {
        let old = #"""
            <xs:element name="Id" type="xs:int"/><xs:element name="Name" type="xs:string" minOccurs="0"/>\
            <xs:element name="Tag" type="xs:string"/><xs:element name="Gone" type="xs:string"/>\
            <xs:element name="A" type="xs:string"/><xs:element name="B" type="xs:string"/>
            """#
        let new = #"""
            <xs:element name="Id" type="xs:long"/><xs:element name="Name" type="xs:string"/>\
            <xs:element name="Tag" type="xs:string" maxOccurs="unbounded"/>\
            <xs:element name="B" type="xs:string"/><xs:element name="A" type="xs:string" nillable="true"/>\
            <xs:element name="Opt" type="xs:string" minOccurs="0"/><xs:element name="Req" type="xs:string"/>
            """#
        let comparison = try compare([("Get", old, old)], [("Get", new, new)])
        #expect(kinds(comparison) == [
            "breaking element-removed request /Get/Gone",
            "additive element-added request /Get/Opt",
            "breaking element-added request /Get/Req",
            "breaking elements-reordered request /Get",
            "breaking element-retyped request /Get/Id",
            "breaking element-made-required request /Get/Name",
            "additive element-made-repeating request /Get/Tag",
            "breaking element-removed response /GetResponse/Gone",
            "additive element-added response /GetResponse/Opt",
            "additive element-added response /GetResponse/Req",
            "breaking elements-reordered response /GetResponse",
            "breaking element-retyped response /GetResponse/Id",
            "additive element-made-required response /GetResponse/Name",
            "breaking element-made-repeating response /GetResponse/Tag",
            "breaking element-made-nillable response /GetResponse/A",
        ])
        let retyped = comparison.changes.first { $0.kind == "element-retyped" }
        #expect(retyped?.old == "int" && retyped?.new == "long")
    }

    @Test func repeatingMadeSingleAndRequiredMadeOptional() throws {
        let old = #"<xs:element name="Tag" type="xs:string" maxOccurs="unbounded"/><xs:element name="Must" type="xs:int"/>"#
        let new = #"<xs:element name="Tag" type="xs:string"/><xs:element name="Must" type="xs:int" minOccurs="0"/>"#
        let comparison = try compare([("Get", old, old)], [("Get", new, new)])
        #expect(Set(kinds(comparison)) == [
            "additive element-made-optional request /Get/Must", "breaking element-made-single request /Get/Tag",
            "breaking element-made-optional response /GetResponse/Must", "additive element-made-single response /GetResponse/Tag",
        ])
    }

    @Test func derivedTypesAreFlattenedBaseFirst() throws {
        let old = #"<xs:element name="Item" type="tns:Item"/>"#
        let new = #"<xs:element name="Item" type="tns:Special"/>"#
        let comparison = try compare([("Get", old, old)], [("Get", new, new)])
        #expect(kinds(comparison).contains("breaking element-retyped response /GetResponse/Item"))
        #expect(kinds(comparison).contains("additive element-added response /GetResponse/Item/Extra"))
        #expect(!kinds(comparison).contains { $0.contains("/Item/Id") })  // Id comes from the base on both sides
    }

    @Test func anActionChangeBeyondTheVersionIsBreaking() throws {
        let old = try ContractReader.read(try Self.wsdl("Services86", [("Get", Self.base, Self.base)],
                                                        action: { "http://x/Services86/Agent/\($0)" }))
        let same = try ContractReader.read(try Self.wsdl("Services88", [("Get", Self.base, Self.base)],
                                                         action: { "http://x/Services88/Agent/\($0)" }))
        let other = try ContractReader.read(try Self.wsdl("Services88", [("Get", Self.base, Self.base)],
                                                          action: { "http://x/Services88/Agent/Fetch\($0)" }))
        #expect(ContractComparison(old: old, new: same).changes.isEmpty)
        #expect(ContractComparison(old: old, new: other).changes.map(\.kind) == ["action-changed"])
    }

    @Test func theRealFavouriteWSDLsFrom84To88AddOperationsAndAField() throws {
        let comparison = ContractComparison(
            old: try ContractReader.read(Paths.root.appendingPathComponent("specs/Services84/Favourite/Favourite.wsdl").path),
            new: try ContractReader.read(Paths.root.appendingPathComponent("specs/Services88/Favourite/Favourite.wsdl").path))
        // ETableRight and EFieldRight (WCF flag enumerations: lists of enumerated strings) gain values that
        // GetFavourites answers with: an old .NET client refuses a value it does not know.
        #expect(kinds(comparison) == [
            "additive operation-added  ",
            "additive element-added response /GetFavouritesResponse/Response/Favourite/Rank",
            "breaking enumeration-values-added response /GetFavouritesResponse/Response/Favourite/TableRight/Mask",
            "breaking enumeration-values-added response "
                + "/GetFavouritesResponse/Response/Favourite/FieldProperties/FieldPropertyDictionaryKeyValuePair/Value/FieldRight/Mask",
            "additive operation-added  ",
            "additive operation-added  ",
        ])
        #expect(comparison.changes.filter { $0.kind == "enumeration-values-added" }.map(\.new)
                    == ["list item Unused1, Uninitialized, R, F", "list item Nullable"])
        #expect(comparison.changes.filter { $0.kind == "operation-added" }.map(\.operation)
                    == ["Favourite/AddTicketsToFavouritesByProvider", "Favourite/RemoveFavourites",
                        "Favourite/RemoveTicketsFromFavouritesByProvider"])
        #expect(comparison.unchanged.contains("Favourite/ToggleFavourite"))
        #expect(comparison.hasBreakingChanges)
    }

    @Test func valueSpaceChangesAreClassedByDirection() throws {
        func restricted(_ name: String, _ facets: String, base: String = "xs:string") -> String {
            #"<xs:element name="\#(name)"><xs:simpleType><xs:restriction base="\#(base)">\#(facets)</xs:restriction></xs:simpleType></xs:element>"#
        }
        func enumerated(_ values: [String]) -> String { values.map { #"<xs:enumeration value="\#($0)"/>"# }.joined() }
        let old = restricted("Colour", enumerated(["Red", "Green"])) + restricted("Code", #"<xs:maxLength value="10"/>"#)
            + restricted("Count", #"<xs:minInclusive value="0"/>"#, base: "xs:int")
            + restricted("Ref", #"<xs:pattern value="[A-Z]+"/>"#)
            + #"<xs:element name="Flags"><xs:simpleType><xs:list itemType="xs:int"/></xs:simpleType></xs:element>"#
            + #"<xs:element name="Either"><xs:simpleType><xs:union memberTypes="xs:int"/></xs:simpleType></xs:element>"#
        let new = restricted("Colour", enumerated(["Red", "Blue"])) + restricted("Code", #"<xs:maxLength value="5"/>"#)
            + restricted("Count", #"<xs:minInclusive value="-5"/>"#, base: "xs:int")
            + restricted("Ref", #"<xs:pattern value="[A-Z0-9]+"/>"#)
            + restricted("Flags", "", base: "xs:int")
            + #"<xs:element name="Either"><xs:simpleType><xs:union memberTypes="xs:int xs:date"/></xs:simpleType></xs:element>"#
        let comparison = try compare([("Get", old, old)], [("Get", new, new)])
        #expect(kinds(comparison) == [
            "additive enumeration-values-added request /Get/Colour",
            "breaking enumeration-values-removed request /Get/Colour",
            "breaking facet-narrowed request /Get/Code",
            "additive facet-widened request /Get/Count",
            "breaking facet-changed request /Get/Ref",
            "breaking value-type-changed request /Get/Flags",
            "additive union-members-changed request /Get/Either",
            "breaking enumeration-values-added response /GetResponse/Colour",
            "additive enumeration-values-removed response /GetResponse/Colour",
            "additive facet-narrowed response /GetResponse/Code",
            "breaking facet-widened response /GetResponse/Count",
            "breaking facet-changed response /GetResponse/Ref",
            "breaking value-type-changed response /GetResponse/Flags",
            "breaking union-members-changed response /GetResponse/Either",
        ])
        let code = comparison.changes.first { $0.kind == "facet-narrowed" }
        #expect(code?.old == "maxLength 10" && code?.new == "maxLength 5")
    }

    @Test func theSeedOperationsDidNotChangeAcrossVersions() throws {
        let operations = ["Favourite/ToggleFavourite", "CustomerService/UpdateFeatureToggles", "ErpSync/ToggleErpConnectionActive"]
        for (old, new) in [("Services84", "Services86"), ("Services86", "Services88"), ("Services84", "Services88")] {
            let comparison = ContractComparison(
                old: try ContractReader.read(Paths.root.appendingPathComponent("specs/\(old)").path),
                new: try ContractReader.read(Paths.root.appendingPathComponent("specs/\(new)").path), operations: operations)
            #expect(comparison.changes.isEmpty, "\(old) → \(new): \(comparison.changes)")
            #expect(comparison.unchanged.count == 3)
        }
    }

    /// The drift pages: the copies in Tests/Fixtures/pages/drift, and ../shared/seeds/drift as well where it exists.
    static var driftFolders: [String] {
        [Paths.pages + "/drift"] + (Paths.sharedSeeds.map { [$0 + "/drift"] } ?? [])
    }

    @Test func theDriftPagesShowSaleGainingANumber() throws {
        for drift in Self.driftFolders {
            let comparison = ContractComparison(old: try ContractReader.read(drift + "/Services86"),
                                                new: try ContractReader.read(drift + "/Services88"))
            #expect(comparison.old.kind == .pages, "\(drift)")
            #expect(kinds(comparison) == ["additive element-added response /GetSaleResponse/Response/Number"], "\(drift)")
            #expect(comparison.markdown().contains(
                "| Sale/GetSale | additive | element-added | response `/GetSaleResponse/Response/Number` | – | `string` |"),
                    "\(drift)")
        }
    }

    @Test func specsAndPagesGiveTheSameContract() throws {
        for drift in Self.driftFolders {
            let comparison = ContractComparison(
                old: try ContractReader.read(Paths.root.appendingPathComponent("specs/Services86/Sale").path),
                new: try ContractReader.read(drift + "/Services86/Sale"))
            #expect(comparison.changes.isEmpty, "\(drift)")
        }
    }
}
