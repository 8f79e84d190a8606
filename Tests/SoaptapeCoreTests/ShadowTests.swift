import Foundation
import SoapXML
import SoaptapeCore
import Testing

/// `shadow`'s domain: which operations are sent twice, how the three answers compare, and how noise learned later
/// reclassifies what was seen before.
struct ShadowTests {
    @Test func onlyOperationsThatReadAreShadowedByDefault() throws {
        let policy = ShadowPolicy()
        for name in ["GetFavourites", "IsFavourite", "FindPerson", "SearchContacts", "HasRight", "CanDelete", "Exists",
                     "CountSales", "ListAgents", "CheckLicense", "ValidateEmail", "Get", "Is2FAEnabled"] {
            #expect(policy.shadows(name), "\(name)")
        }
        for name in ["ToggleFavourite", "SaveSaleEntity", "DeleteSaleEntity", "AuthenticateUsernamePassword",
                     "Getaway", "Island", "Listen", "Checkout", "UpdateFeatureToggles"] {
            #expect(!policy.shadows(name), "\(name)")
        }
        #expect(!policy.shadows(nil))
        let chosen = ShadowPolicy(.matching(try ShadowPattern("^(GetSale|SaveSaleEntity)$")))
        #expect(chosen.shadows("SaveSaleEntity") && chosen.shadows("GetSale") && !chosen.shadows("GetSales"))
        #expect(ShadowPolicy(.all).shadows("DeleteSaleEntity") && ShadowPolicy(.all).shadows(nil))
        #expect(throws: ShadowPatternError.self) { try ShadowPattern("(unclosed") }
    }

    @Test func noisePathsHoldForEveryItemOfAnArray() {
        #expect(ShadowFinding.generalPath("/Envelope/Body/R/Response/Favourite[2]/TableRight/Mask")
            == "/Envelope/Body/R/Response/Favourite/TableRight/Mask")
        #expect(ShadowFinding.generalPath("/Envelope/Body/R/Item[10]/Pair[1]/@id") == "/Envelope/Body/R/Item/Pair/@id")
        #expect(ShadowFinding.generalPath("HTTP status") == "HTTP status")
    }

    static let request = envelope(
        "<GetFavourites xmlns=\"http://www.superoffice.net/ws/crm/NetServer/Services84\"><TableName>contact</TableName>"
            + "</GetFavourites>")

    /// The Services84 answer the PHP SoapServer of the interop matrix gives from the WSDL's plan (two favourites).
    static func favourites(version: String = "Services84", mask: String = "Select", recordId: String = "1020",
                           tableName: String = "TableName-19", rank: Bool = false, updated: String? = nil) -> [UInt8] {
        func favourite(_ first: Bool) -> String {
            "<Favourite><TableRight><Mask>\(first ? mask : "Select")</Mask><Reason>Reason-8</Reason></TableRight>"
                + "<FieldProperties><FieldPropertyDictionaryKeyValuePair><Key>Key-9</Key><Value><FieldRight><Mask>Read"
                + "</Mask><Reason>Reason-11</Reason></FieldRight><FieldType>FieldType-12</FieldType><FieldLength>1013"
                + "</FieldLength></Value></FieldPropertyDictionaryKeyValuePair></FieldProperties>"
                + "<TableName>\(first ? tableName : "TableName-35")</TableName>"
                + "<RecordId>\(first ? recordId : "1036")</RecordId><AssociateId>1021</AssociateId>"
                + "<ExtraInfo>\(updated ?? "ExtraInfo-22")</ExtraInfo>\(rank ? "<Rank>1</Rank>" : "")</Favourite>"
        }
        return envelope("<GetFavouritesResponse xmlns=\"http://www.superoffice.net/ws/crm/NetServer/\(version)\">"
                        + "<Response>\(favourite(true))\(favourite(false))</Response></GetFavouritesResponse>")
    }

    static func envelope(_ body: String) -> [UInt8] {
        Array(("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>" + body
            + "</s:Body></s:Envelope>").utf8)
    }

    static func answer(_ body: [UInt8], status: Int = 200) -> HTTPResponseMessage {
        HTTPResponseMessage(status: status, headers: [("Content-Type", "text/xml; charset=utf-8")], body: body)
    }

    static let message = HTTPRequestMessage(
        method: "POST", path: "/Remote/Services84/Favourite.svc",
        headers: [("Content-Type", "text/xml; charset=utf-8"), ("SOAPAction", "\"GetFavourites\"")], body: request)

    @Test func theCandidatesDifferencesAreClassedByWhatAClientOfThePrimaryCanRead() throws {
        let specs = try SpecSet.load([Paths.specs])
        let comparison = ShadowComparison(specs: specs, catalog: try SchemaCatalog(specs),
                                          namespaces: [(from: "Services84", to: "Services88")])
        // Services88 adds Rank (additive), answers a Mask value Services84's WSDL does not list (breaking: a .NET
        // client of Services84 cannot read it), a RecordId that is no int (breaking) and another TableName (value).
        let candidate = Self.favourites(version: "Services88", mask: "Unused1", recordId: "abc", tableName: "Other",
                                        rank: true)
        let finding = comparison.compare(request: Self.message, primary: Self.answer(Self.favourites()),
                                         secondary: Self.answer(Self.favourites()), candidate: Self.answer(candidate))
        #expect(finding.noisePaths.isEmpty && !finding.unstable)
        let seen = finding.differences.map { "\($0.shadowClass.rawValue) \($0.difference.kind.rawValue) \($0.difference.path)" }
        let response = "/Envelope/Body/GetFavouritesResponse/Response/Favourite[1]"
        #expect(seen == [
            "breaking text-value \(response)/TableRight/Mask",
            "value text-value \(response)/TableName",
            "breaking text-value \(response)/RecordId",
            "additive unexpected-element \(response)/Rank",
            "additive unexpected-element /Envelope/Body/GetFavouritesResponse/Response/Favourite[2]/Rank",
        ])
        let mask = try #require(finding.differences.first)
        #expect(mask.difference.expected == "Select" && mask.difference.actual == "Unused1" && mask.secondary == "Select")
        #expect(mask.reason?.hasPrefix("the primary's schema refuses it (") == true, "\(mask.reason ?? "")")
        #expect(mask.reason?.contains("Unused1") == true)
    }

    @Test func noiseLearnedLaterTakesBackWhatLookedLikeARegression() throws {
        let comparison = ShadowComparison()
        let ledger = ShadowLedger()
        let operation = ShadowOperation(label: "GetFavourites", name: "GetFavourites")
        // First call: the secondary happens to agree, the candidate's ExtraInfo differs.
        ledger.seen(operation)
        ledger.queued()
        ledger.record(operation, sequence: 1, comparison.compare(
            request: Self.message, primary: Self.answer(Self.favourites(updated: "t1")),
            secondary: Self.answer(Self.favourites(updated: "t1")), candidate: Self.answer(Self.favourites(updated: "t2"))))
        func report() -> ShadowReport {
            ledger.report(command: "shadow", primary: "http://p", candidate: "http://c", secondary: nil, mappings: [],
                          policy: ShadowPolicy(), failOnAny: false, startedAt: "then")
        }
        var entry = try #require(report().operations.first)
        #expect(entry.differences.map(\.path) == ["/Envelope/Body/GetFavouritesResponse/Response/Favourite/ExtraInfo"])
        #expect(entry.differences.first?.shadowClass == .value && entry.differences.first?.count == 1)
        #expect(report().failed)
        // Second call: the primary's own two answers differ there, so it is noise, for the first call too.
        ledger.seen(operation)
        ledger.queued()
        ledger.record(operation, sequence: 2, comparison.compare(
            request: Self.message, primary: Self.answer(Self.favourites(updated: "t3")),
            secondary: Self.answer(Self.favourites(updated: "t4")), candidate: Self.answer(Self.favourites(updated: "t5"))))
        let whole = report()
        entry = try #require(whole.operations.first)
        #expect(entry.differences.isEmpty)
        #expect(entry.noise == [ShadowNoise(path: "/Envelope/Body/GetFavouritesResponse/Response/Favourite/ExtraInfo",
                                            count: 1, candidateCount: 2)])
        #expect(entry.noiseOnly == 2 && entry.equal == 0 && entry.differing == 0 && entry.verdict == "passed")
        #expect(!whole.failed && whole.summary.pending == 0 && whole.summary.shadowed == 2)
    }

    @Test func whenTheSecondaryCannotReproduceTheAnswerTheCandidateIsHeldToTheSecondarys() throws {
        // A write landed between the client's call and the shadow calls: both versions now answer a fault.
        let fault = Self.envelope("<s:Fault><faultcode>s:Client</faultcode><faultstring>No sale with id 100."
                                  + "</faultstring></s:Fault>")
        let finding = ShadowComparison().compare(request: Self.message, primary: Self.answer(Self.favourites()),
                                                 secondary: Self.answer(fault, status: 500),
                                                 candidate: Self.answer(fault, status: 500))
        #expect(finding.unstable && finding.differences.isEmpty && finding.noisePaths.isEmpty)
        // A candidate that fails where the primary's version answers is breaking, reported as such.
        let failing = ShadowComparison().compare(request: Self.message, primary: Self.answer(Self.favourites()),
                                                 secondary: Self.answer(Self.favourites()),
                                                 candidate: Self.answer(fault, status: 500))
        #expect(failing.differences.map { "\($0.shadowClass.rawValue) \($0.difference.kind.rawValue)" }
            == ["breaking http-status", "breaking fault"])
    }
}
