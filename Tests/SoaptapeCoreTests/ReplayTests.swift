import Foundation
import SoapXML
import SoaptapeCore
import Testing

/// The domain side of replay: contract rules, redacted values filled, recordings found among many, reports.
struct ReplayTests {
    static func interaction(_ sequence: Int, request: String, response: String, fault: Bool = false) -> Interaction {
        Interaction(
            sequence: sequence, recordedAt: "2026-11-30T12:00:00.000Z", durationMilliseconds: 2,
            operation: OperationIdentity(element: "{urn:s}Get"),
            request: RecordedRequest(method: "POST", path: "/Remote/Services88/S.svc",
                                     headers: [HeaderField("Content-Type", "text/xml")], body: Array(request.utf8)),
            response: RecordedResponse(status: 200, headers: [HeaderField("Content-Type", "text/xml")],
                                       body: Array(response.utf8), fault: fault))
    }

    static func envelope(_ body: String) -> String {
        """
        <e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:s="urn:s" \
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">\
        <e:Body>\(body)</e:Body></e:Envelope>
        """
    }

    static let recorded = envelope("""
        <s:GetResponse><s:Id xsi:type="xsd:int">7</s:Id><s:Name>Ann</s:Name>\
        <s:Tags><s:Tag>a</s:Tag><s:Tag>b</s:Tag></s:Tags><s:Note xsi:nil="true"/></s:GetResponse>
        """)

    func contract(_ actual: String) -> [Difference] {
        let recorded = Self.interaction(1, request: Self.envelope("<s:Get/>"), response: Self.recorded)
        return ResponseCheck(mode: .contract).check(recorded, status: 200, body: Array(actual.utf8)).differences
    }

    @Test func contractModeLetsValuesAndCountsVaryButNotShapeOrTypes() {
        // Other values, one tag instead of two, the nil element absent: the same contract.
        #expect(contract(Self.envelope("""
            <s:GetResponse><s:Id xsi:type="xsd:int">8</s:Id><s:Name>Bo</s:Name><s:Tags><s:Tag>z</s:Tag></s:Tags>\
            </s:GetResponse>
            """)).isEmpty)
        // A value that is not of its declared type.
        let badType = contract(Self.envelope("""
            <s:GetResponse><s:Id xsi:type="xsd:int">eight</s:Id><s:Name>Bo</s:Name><s:Tags/></s:GetResponse>
            """))
        #expect(badType.map(\.kind) == [.placeholderMismatch])
        #expect(badType.map(\.path) == ["/Envelope/Body/GetResponse/Id"])
        // An element renamed: the shape changed.
        let renamed = contract(Self.envelope("""
            <s:GetResponse><s:Id xsi:type="xsd:int">8</s:Id><s:FullName>Bo</s:FullName><s:Tags/></s:GetResponse>
            """))
        #expect(renamed.contains { $0.kind == .missingElement && $0.path == "/Envelope/Body/GetResponse/Name" })
        // Another xsi:type.
        let retyped = contract(Self.envelope("""
            <s:GetResponse><s:Id xsi:type="xsd:long">8</s:Id><s:Name>Bo</s:Name><s:Tags/></s:GetResponse>
            """))
        #expect(retyped.map(\.path) == ["/Envelope/Body/GetResponse/Id/@xsi:type"])
    }

    @Test func aFaultWhereTheRecordingHadNoneIsAlwaysADifference() {
        let fault = """
            <e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><e:Fault>\
            <faultcode>e:Server</faultcode><faultstring>Ticket expired</faultstring></e:Fault></e:Body></e:Envelope>
            """
        let recorded = Self.interaction(1, request: Self.envelope("<s:Get/>"), response: Self.recorded)
        for mode in ResponseCheck.Mode.allCases {
            let differences = ResponseCheck(mode: mode).check(recorded, status: 500, body: Array(fault.utf8)).differences
            #expect(differences.map(\.kind) == [.httpStatus, .fault])
            #expect(differences.last?.actual == "a SOAP Fault (e:Server: Ticket expired)")
        }
    }

    @Test func redactedValuesAreFilledByNameOrWithStableStandIns() {
        let body = Array("<h><a:Ticket>${redacted}</a:Ticket><Token x=\"${redacted}\"/><a:Ticket>${redacted}</a:Ticket></h>".utf8)
        let given = RedactionFiller(values: ["Ticket": "7T:a&b"], standIns: false).fill(body)
        #expect(String(decoding: given.body, as: UTF8.self)
                == "<h><a:Ticket>7T:a&amp;b</a:Ticket><Token x=\"${redacted}\"/><a:Ticket>7T:a&amp;b</a:Ticket></h>")
        #expect(given.missing == ["x"])
        let standIns = RedactionFiller(values: [:], standIns: true)
        #expect(String(decoding: standIns.fill(body).body, as: UTF8.self)
                == "<h><a:Ticket>REDACTED-1</a:Ticket><Token x=\"REDACTED-2\"/><a:Ticket>REDACTED-1</a:Ticket></h>")
        #expect(standIns.fill(header: "Set-Cookie", value: "${redacted}") == "REDACTED-3")
    }

    @Test func aRecordingIsFoundAmongManyAndPlaceholdersStillMatch() throws {
        // 2,000 recordings of one operation, the Ticket redacted in each; the request carries a live ticket.
        let interactions = (1...2000).map { number in
            Self.interaction(number, request: Self.envelope("<s:Get><s:Ticket>${redacted}</s:Ticket><s:Id>\(number)</s:Id></s:Get>"),
                             response: Self.envelope("<s:GetResponse><s:Id>\(number)</s:Id></s:GetResponse>"))
        }
        let matcher = InteractionMatcher(interactions)
        let request = HTTPRequestMessage(
            method: "POST", path: "/Remote/Services88/S.svc", headers: [("Content-Type", "text/xml")],
            body: Array(Self.envelope("<s:Get><s:Ticket>7T:live</s:Ticket><s:Id>1234</s:Id></s:Get>").utf8))
        let found = matcher.lookup(request)
        #expect(found.equal.map { matcher.interaction(at: $0).sequence } == [1234])
        let missing = HTTPRequestMessage(method: "POST", path: "/Remote/Services88/S.svc", headers: [],
                                         body: Array(Self.envelope("<s:Get><s:Ticket>t</s:Ticket><s:Id>0</s:Id></s:Get>").utf8))
        let nearest = matcher.lookup(missing)
        #expect(nearest.equal.isEmpty)
        #expect(nearest.differences.map(\.path) == ["/Envelope/Body/Get/Id"])
    }

    @Test func theNearestRecordingIsSoughtAmongABoundedNumber() {
        func get(_ a: Int, _ b: Int, _ c: Int) -> String {
            Self.envelope("<s:Get><s:A>\(a)</s:A><s:B>\(b)</s:B><s:C>\(c)</s:C></s:Get>")
        }
        // Two, three and one difference from the request.
        let recordings = [get(2, 2, 1), get(2, 2, 2), get(1, 1, 2)].enumerated().map { number, body in
            Self.interaction(number + 1, request: body, response: Self.envelope("<s:R/>"))
        }
        let request = HTTPRequestMessage(method: "POST", path: "/Remote/Services88/S.svc", headers: [],
                                         body: Array(get(1, 1, 1).utf8))
        let all = InteractionMatcher(recordings)
        let nearest = all.lookup(request).nearest.map { all.interaction(at: $0).sequence }
        #expect(nearest == 3)
        #expect(all.lookup(request).differences.map(\.path) == ["/Envelope/Body/Get/C"])
        // With room for two comparisons only, the nearer of the first two is named.
        let bounded = InteractionMatcher(recordings, nearestSearchLimit: 2)
        #expect(bounded.lookup(request).nearest.map { bounded.interaction(at: $0).sequence } == 1)
    }

    @Test func serveAnswersInRecordedOrderThenByPolicy() {
        let request = Self.envelope("<s:Toggle/>")
        let cassette = Cassette(header: CassetteHeader(soaptape: "0.1.0", upstream: "http://x", createdAt: "now"),
                                interactions: [Self.interaction(1, request: request, response: Self.envelope("<s:R>true</s:R>")),
                                               Self.interaction(2, request: request, response: Self.envelope("<s:R>false</s:R>"))])
        let message = HTTPRequestMessage(method: "POST", path: "/Remote/Services88/S.svc", headers: [], body: Array(request.utf8))
        func answers(_ policy: ServeSession.RepeatPolicy) -> [String] {
            let session = ServeSession(cassettes: [("c.yaml", cassette)], specs: nil, repeatPolicy: policy)
            return (0..<4).map { _ in
                let body = String(decoding: session.respond(to: message).response.body, as: UTF8.self)
                return body.contains(">true<") ? "true" : body.contains(">false<") ? "false" : "fault"
            }
        }
        #expect(answers(.last) == ["true", "false", "false", "false"])
        #expect(answers(.cycle) == ["true", "false", "true", "false"])
        #expect(answers(.fault) == ["true", "false", "fault", "fault"])
    }

    @Test func serveListsTheFirstUnmatchedRequestsAndCountsTheRest() throws {
        let cassette = Cassette(header: CassetteHeader(soaptape: "0.1.0", upstream: "http://x", createdAt: "now"),
                                interactions: [Self.interaction(1, request: Self.envelope("<s:Toggle/>"),
                                                                response: Self.envelope("<s:R>true</s:R>"))])
        let session = ServeSession(cassettes: [("c.yaml", cassette)], specs: nil, unmatchedKept: 2)
        for number in 0..<5 {
            let stray = HTTPRequestMessage(method: "POST", path: "/Remote/Services88/S.svc", headers: [],
                                           body: Array(Self.envelope("<s:Other>\(number)</s:Other>").utf8))
            #expect(session.respond(to: stray).response.status == 500)
        }
        let report = session.report()
        // A stray client cannot make the report (or the server's memory) grow without bound.
        #expect(report.unmatched.map(\.request) == [1, 2])
        #expect(report.unmatchedNotListed == 3)
        #expect(report.summary.unmatched == 5 && report.failed)
        #expect(report.text(colour: false).contains("  … 3 more, counted but not listed (serve keeps the first 2 "
                                                    + "unmatched requests in full)"))
        #expect(report.summaryLine().contains("5 requests unmatched"))
        let junit = report.junit()
        #expect(junit.contains("<testsuite name=\"unmatched requests\" tests=\"3\" failures=\"3\""))
        #expect(report.html().contains("<p class=\"not-listed\">… 3 more"))
        let decoded = try JSONDecoder().decode(RunReport.self, from: Data(report.json().utf8))
        #expect(decoded.unmatchedNotListed == 3 && decoded.summary.unmatched == 5)
    }

    @Test func theReportRendersAsJUnitAndHTML() throws {
        let difference = Difference(kind: .textValue, path: "/Envelope/Body/R", expected: "true", actual: "false")
        let report = RunReport(
            command: "replay", subject: "test", startedAt: "a", finishedAt: "b",
            suites: [ReportSuite(cassette: "c.yaml", cases: [
                ReportCase(sequence: 1, operation: "Services88/Favourite/ToggleFavourite", verdict: .passed),
                ReportCase(sequence: 2, operation: "Services88/Favourite/ToggleFavourite", verdict: .failed,
                           differences: [difference], expected: "<R>true</R>\n", actual: "<R>false</R>\n"),
            ])])
        #expect(report.failed)
        #expect(report.summary.failed == 1 && report.summary.passed == 1)
        let junit = report.junit()
        let document = try XMLDocument(string: junit, name: "junit")
        #expect(document.rootName?.localName == "testsuites")
        #expect(junit.contains("<testsuite name=\"c.yaml\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\""))
        #expect(junit.contains("<failure message=\"text value at /Envelope/Body/R: expected &quot;true&quot;, found &quot;false&quot;\""))
        let html = report.html()
        #expect(html.contains("<tr class=\"interaction failed\" data-sequence=\"2\">"))
        #expect(html.contains("<div class=\"old changed\">&lt;R&gt;true&lt;/R&gt;</div><div class=\"new changed\">&lt;R&gt;false&lt;/R&gt;</div>"))
        let decoded = try JSONDecoder().decode(RunReport.self, from: Data(report.json().utf8))
        #expect(decoded.suites[0].cases[1].differences == [difference])
    }
}
