import Foundation
import SoapXML
import SoaptapeCore
import Testing

/// Which recorded values replay carries from live answers (`CorrelationPlan`), how they are put in place
/// (`CorrelationSession`), and the atomic rewrite `replay --update` ends with (`CorrelationPlan`, docs/replay.md).
struct CorrelationTests {
    static func call(_ sequence: Int, _ request: String, _ response: String) -> Interaction {
        ReplayTests.interaction(sequence, request: ReplayTests.envelope(request), response: ReplayTests.envelope(response))
    }

    @Test func onlyValuesThatCanBeIdentifiersAreCarried() {
        for value in ["1017", "-7000", "9223372036854775807", "7T:abc123==", "{3F2504E0-4F89-11D3-9A0C-0305E82C3301}",
                      "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "ORD-2026-00017", "aGVsbG8gd29ybGQx"] {
            #expect(CorrelationPlan.isIdentifierLike(value), "\(value)")
        }
        for value in ["0", "1", "-1", "", "true", "false", "StatusNone", "2026-12-04", "2026-12-04T10:00:00Z",
                      "10:00:00", "1500.5", "12345678.25", "short1", "two words 12345"] {
            #expect(!CorrelationPlan.isIdentifierLike(value), "\(value)")
        }
        // Small integers are identifiers only where the element's name says so: counts and pages are small too.
        for (value, name, carried) in [("42", "SaleId", true), ("42", "ID", true), ("7", "InvoiceNo", true),
                                       ("42", "Count", false), ("2", "Page", false), ("42", nil, false)] {
            #expect(CorrelationPlan.isIdentifierLike(value, name: name) == carried, "\(value) \(name ?? "-")")
        }
        #expect(!CorrelationPlan.isIdentifierLike("20261204", type: "date"))
        #expect(!CorrelationPlan.isIdentifierLike("42", type: "double"))
    }

    @Test func aValueFirstSeenInAResponseAndSentBackIsCarriedAndEchoesAreChecked() {
        let interactions = [
            Self.call(1, "<s:Create><s:Id>0</s:Id><s:Name>Ann</s:Name></s:Create>",
                      "<s:CreateResponse><s:Id>42</s:Id><s:Count>2</s:Count><s:Kind>Customer</s:Kind></s:CreateResponse>"),
            Self.call(2, "<s:Get><s:Id>42</s:Id><s:Page>2</s:Page><s:Kind>Customer</s:Kind></s:Get>",
                      "<s:GetResponse><s:Id>42</s:Id><s:Name>Ann</s:Name></s:GetResponse>"),
            // The client's own value (Ann) is never a server's, even when an answer holds it.
            Self.call(3, "<s:Find><s:Name>Ann-0001-x</s:Name></s:Find>", "<s:FindResponse><s:Name>Ann-0001-x</s:Name></s:FindResponse>"),
            Self.call(4, "<s:Touch><s:Name>Ann-0001-x</s:Name></s:Touch>", "<s:TouchResponse/>"),
        ]
        let plan = CorrelationPlan(interactions)
        #expect(plan.sources.map { "\($0.name)=\($0.recorded) #\($0.sequence) \($0.usedIn)" } == ["Id=42 #1 [2]"])
        let session = CorrelationSession(plan: plan)
        session.learn(0, liveBody: Array(ReplayTests.envelope("<s:CreateResponse><s:Id>1017</s:Id></s:CreateResponse>").utf8))
        let sent = String(decoding: session.request(1, body: interactions[1].request.body), as: UTF8.self)
        #expect(sent.contains("<s:Get><s:Id>1017</s:Id><s:Page>2</s:Page>"))
        let expected = String(decoding: session.expectedResponse(1, body: interactions[1].response.body),
                              as: UTF8.self)
        #expect(expected.contains("<s:GetResponse><s:Id>1017</s:Id>"))
        // The create's own answer expects what the server assigned.
        let own = String(decoding: session.expectedResponse(0, body: interactions[0].response.body), as: UTF8.self)
        #expect(own.contains("<s:Id>1017</s:Id><s:Count>2</s:Count>"))
        #expect(session.report().map(\.sentence) == ["Id 42 → 1017, from #1 {urn:s}Get at /Envelope/Body/CreateResponse/Id; used in #2"])
    }

    @Test func theLatestAssignmentWinsAndARuleCarriesWhatHeuristicsMiss() {
        let interactions = [
            Self.call(1, "<s:Create/>", "<s:CreateResponse><s:Id>42</s:Id><s:Slot>1</s:Slot></s:CreateResponse>"),
            Self.call(2, "<s:Delete><s:Id>42</s:Id></s:Delete>", "<s:DeleteResponse/>"),
            Self.call(3, "<s:Create/>", "<s:CreateResponse><s:Id>42</s:Id><s:Slot>1</s:Slot></s:CreateResponse>"),
            Self.call(4, "<s:Get><s:Id>42</s:Id><s:Slot>1</s:Slot></s:Get>", "<s:GetResponse/>"),
        ]
        let plan = CorrelationPlan(interactions, rules: [CorrelationPlan.Rule(from: "//CreateResponse/Slot", to: "//Get/Slot")])
        #expect(plan.sources.map { "\($0.name)=\($0.recorded) #\($0.sequence) \($0.usedIn)" }
            == ["Id=42 #1 [2]", "Id=42 #3 [4]", "Slot=1 #3 [4]"])
        let off = CorrelationPlan(interactions, automatic: false)
        #expect(off.sources.isEmpty)
    }

    @Test func aSecretAnAnswerReturnedFlowsByNameAndIsNeverShown() {
        let interactions = [
            Self.call(1, "<s:Login><s:Password>${redacted}</s:Password></s:Login>",
                      "<s:LoginResponse><s:Credentials><s:Ticket>${redacted}</s:Ticket></s:Credentials></s:LoginResponse>"),
            Self.call(2, "<s:Get><s:Credentials><s:Ticket>${redacted}</s:Ticket></s:Credentials></s:Get>", "<s:GetResponse/>"),
        ]
        let plan = CorrelationPlan(interactions)
        let session = CorrelationSession(plan: plan)
        session.learn(0, liveBody: Array(ReplayTests.envelope(
            "<s:LoginResponse><s:Credentials><s:Ticket>7T:live==</s:Ticket></s:Credentials></s:LoginResponse>").utf8))
        #expect(session.secretValues == ["Ticket": "7T:live=="])
        let filled = RedactionFiller(values: ["Ticket": "7T:given"], standIns: false).adding(session.secretValues)
        #expect(String(decoding: filled.fill(interactions[1].request.body).body, as: UTF8.self)
            .contains("<s:Ticket>7T:live==</s:Ticket>"))
        #expect(session.report().map(\.sentence)
            == ["Ticket ${redacted} → ${redacted}, from #1 {urn:s}Get at /Envelope/Body/LoginResponse/Credentials/Ticket; used in #2"])
    }

    @Test func anUpdateThatCannotBeWrittenLeavesTheCassetteAsItWas() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("soaptape-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/c.yaml"
        let writer = try CassetteWriter(path: path, header: CassetteHeader(soaptape: "test", upstream: "http://x",
                                                                          createdAt: "2026-12-04T00:00:00.000Z"))
        try writer.append(contentsOf: [Self.call(1, "<s:A/>", "<s:AResponse/>"), Self.call(2, "<s:B/>", "<s:BResponse/>")])
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var changed = try CassetteLoader.load(path).cassette.interactions[1]
        changed.response.body = Array(ReplayTests.envelope("<s:BResponse><s:New>1</s:New></s:BResponse>").utf8)
        // The temporary file's name is taken by a folder: the write fails, the cassette is untouched.
        let blocker = folder + "/.c.yaml.soaptape-update-\(getpid())"
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: true)
        #expect(throws: CassetteUpdateError.self) { try CassetteRewriter.replace(path, with: [changed]) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        try FileManager.default.removeItem(atPath: blocker)
        try CassetteRewriter.replace(path, with: [changed])
        let after = try CassetteLoader.load(path).cassette
        #expect(after.interactions.map(\.sequence) == [1, 2])
        #expect(String(decoding: after.interactions[1].response.body, as: UTF8.self).contains("<s:New>1</s:New>"))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let unchanged = String(decoding: before, as: UTF8.self).components(separatedBy: "--- # interaction 2").first
        #expect(text.hasPrefix(unchanged!))
    }
}
