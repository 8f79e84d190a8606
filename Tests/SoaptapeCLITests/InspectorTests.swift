import Foundation
import SoaptapeCore
import SoaptapeHTTP
import Testing

/// `record --check` and the inspector page with real software on both sides: zeep sessions through the proxy to
/// spyne (and PHP's SoapServer answering every operation of a WSDL), the page driven in headless chromium.
@Suite(.serialized)
struct InspectorTests {
    static let spyne = CLI.root.appendingPathComponent("Tests/Interop/spyne_server.py").path
    static let session = CLI.root.appendingPathComponent("Tests/Interop/stateful_client.py").path
    static let browser = CLI.root.appendingPathComponent("Tests/Interop/inspector_browser.py").path

    static func temporary(_ suffix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("soaptape-\(UUID().uuidString)\(suffix)").path
    }

    static func stop(_ process: Process, _ output: Pipe) -> (status: Int32, text: String) {
        process.interrupt()
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: rest, as: UTF8.self))
    }

    /// The cases of a report, without their timings (a live check and a later verify differ only there).
    static func cases(_ path: String) throws -> [String] {
        let report = try JSONDecoder().decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        return report.suites.flatMap(\.cases).map { item in
            var item = item
            item.durationMilliseconds = nil
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: (try? encoder.encode(item)) ?? Data(), as: UTF8.self)
        }
    }

    @Test func aNonConformingEnvelopeIsFlaggedWithinASecondInTheTerminalAndOnThePage() throws {
        try InteropTests.ensureEnvironment()
        #expect(FileManager.default.isExecutableFile(atPath: HTMLReportTests.chromium),
                "chromium is not installed: `make test` installs it (apt-get install chromium)")
        guard FileManager.default.isExecutableFile(atPath: HTMLReportTests.chromium) else { return }
        let tickets = Self.temporary(".tickets")
        _ = FileManager.default.createFile(atPath: tickets, contents: Data())
        let (spyne, upstream) = try CLI.startServer([Self.spyne], executable: InteropTests.python,
                                                    environment: ["INTEROP_TICKETS": tickets])
        defer { CLI.stop(spyne) }
        let cassette = Self.temporary(".yaml")
        let live = Self.temporary(".json")
        let (recorder, proxy, output) = try CLI.startServerKeepingOutput(
            ["record", "--upstream", upstream, "--cassette", cassette, "--check", "--json", live])
        defer { CLI.stop(recorder) }
        let client = try CLI.runExecutable(InteropTests.python, [Self.session, proxy])
        #expect(client.status == 0, "\(client)")
        // A login whose answer (spyne's carrier, a subset of SuperOffice's) the page spec does not allow; the ticket
        // it issues must never reach the page.
        let login = Self.temporary(".xml")
        try ("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><AuthenticateUsernamePassword "
            + "xmlns=\"http://www.superoffice.net/ws/crm/NetServer/Services88\"><UserName>interop</UserName><Password/>"
            + "</AuthenticateUsernamePassword></s:Body></s:Envelope>").write(toFile: login, atomically: true, encoding: .utf8)
        let driven = try CLI.runExecutable(InteropTests.python, [
            Self.browser, HTMLReportTests.chromium, proxy + "/__soaptape/", proxy + "/Remote/Services88/SoPrincipal.svc",
            "http://www.superoffice.net/ws/crm/NetServer/Services88/SoPrincipal/AuthenticateUsernamePassword", login,
            tickets,
        ])
        #expect(driven.status == 0, "\(driven)")
        struct Seen: Decodable {
            var rows_before: Int
            var rows_after: Int
            var appeared_after_ms: Double
            var sequence: Int
            var row_class: String
            var detail_text: String
            var secrets_in_dom: [String]
        }
        let seen = try JSONDecoder().decode(Seen.self, from: Data(driven.stdout.utf8))
        #expect(seen.rows_before == 11 && seen.rows_after == 12 && seen.sequence == 12, "\(driven.stdout)")
        #expect(seen.appeared_after_ms < 1000, "\(driven.stdout)")
        #expect(seen.row_class == "interaction failed", "\(driven.stdout)")
        #expect(seen.detail_text.contains("missing element at response: /Envelope/Body/AuthenticateResponse/Response/"
            + "UserType\nexpected: <UserType> in http://www.superoffice.net/ws/crm/NetServer/Services88\n"
            + "actual: (absent)\n"), "\(seen.detail_text)")
        #expect(seen.detail_text.contains("<ns1:Ticket>${redacted}</ns1:Ticket>"), "\(seen.detail_text)")
        let issued = try String(contentsOfFile: tickets, encoding: .utf8).split(separator: "\n")
        #expect(issued.count == 2 && seen.secrets_in_dom.isEmpty, "\(seen.secrets_in_dom)")

        let (status, text) = Self.stop(recorder, output)
        #expect(status == 1, "\(text)")
        // The terminal said it as it happened, in verify's words.
        #expect(text.contains("\nFAIL   #12 Services88/SoPrincipal/AuthenticateUsernamePassword — missing element at "
            + "response: /Envelope/Body/AuthenticateResponse/Response/UserType: expected <UserType> in "
            + "http://www.superoffice.net/ws/crm/NetServer/Services88, found (absent) (and 22 more)\n"), "\(text)")
        #expect(text.contains("PASS   #1 ") == false && text.contains("SKIP   #1 GET /Remote/Services88/SoPrincipal.svc?wsdl"),
                "\(text)")
        #expect(text.contains("12 interactions: 0 passed, 5 failed, 5 with no spec, 2 skipped. Result: failed."), "\(text)")
        // The live verdicts are verify's, case for case.
        let later = Self.temporary(".json")
        let verified = try CLI.run(["verify", cassette, "--json", later], in: CLI.root.path)
        #expect(verified.status == 1, "\(verified)")
        #expect(try Self.cases(live) == Self.cases(later))
        #expect(try Self.cases(live).count == 12)
    }

    @Test func liveVerdictsAreVerifysForEveryOperationOfAWSDL() async throws {
        try InteropTests.ensureEnvironment()
        // Specs imported from the WSDL (every operation) beside the page specs' folder layout.
        let specs = Self.temporary("-specs")
        let imported = try CLI.run(["import", "--wsdl", "specs/Services84/Favourite/Favourite.wsdl", "--out", specs],
                                   in: CLI.root.path)
        #expect(imported.status == 0, "\(imported)")
        let plan = Self.temporary(".json")
        let planned = try CLI.runExecutable(InteropTests.python, [
            CLI.root.appendingPathComponent("Tests/Interop/plan/wsdl_plan.py").path, "specs/Services84/Favourite/Favourite.wsdl",
        ])
        #expect(planned.status == 0, "\(planned)")
        try planned.stdout.write(toFile: plan, atomically: true, encoding: .utf8)
        for variant in ["normal", "dropped"] {
            // PHP's built-in server says where it listens on stderr.
            let (php, upstream) = try CLI.startLoggedServer(
                ["-S", "127.0.0.1:0", CLI.root.appendingPathComponent("Tests/Interop/php_plan_server.php").path],
                log: Self.temporary(".log"), executable: "/usr/bin/php",
                environment: ["INTEROP_PLAN": plan, "INTEROP_VARIANT": variant])
            defer { CLI.stop(php) }
            let cassette = Self.temporary(".yaml")
            let live = Self.temporary(".json")
            let (recorder, proxy, output) = try CLI.startServerKeepingOutput(
                ["record", "--upstream", upstream, "--cassette", cassette, "--check", "--specs", specs, "--json", live])
            defer { CLI.stop(recorder) }
            let client = try CLI.runExecutable(InteropTests.python, [
                CLI.root.appendingPathComponent("Tests/Interop/plan_zeep_client.py").path, "--plan", plan,
                "--endpoint", proxy + "/Remote/Services84/Favourite.svc",
            ])
            #expect(client.status == 0, "\(variant): \(client)")
            // The client's traffic is unchanged by the check: an answer through the proxy is the server's, byte for
            // byte.
            let envelope = Array(("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
                + "<IsFavourite xmlns=\"http://www.superoffice.net/ws/crm/NetServer/Services84\"><TableName>contact"
                + "</TableName><RecordId>7</RecordId></IsFavourite></s:Body></s:Envelope>").utf8)
            let headers = [("Content-Type", "text/xml; charset=utf-8"),
                           ("SOAPAction", "\"http://www.superoffice.net/ws/crm/NetServer/Services84/Favourite/IsFavourite\"")]
            let http = SoapClient()
            let direct = try await http.post(upstream + "/Remote/Services84/Favourite.svc", headers: headers, body: envelope)
            let proxied = try await http.post(proxy + "/Remote/Services84/Favourite.svc", headers: headers, body: envelope)
            #expect(direct.status == 200 && proxied.status == direct.status && proxied.body == direct.body,
                    "\(variant): \(String(decoding: proxied.body, as: UTF8.self))")
            let (_, text) = Self.stop(recorder, output)
            let later = Self.temporary(".json")
            _ = try CLI.run(["verify", cassette, "--specs", specs, "--json", later], in: CLI.root.path)
            let checked = try Self.cases(live)
            #expect(checked.count >= 8, "\(variant): \(text)")
            #expect(checked == (try Self.cases(later)), "\(variant): \(text)")
            // Every answer conforms, the empty `<XResponse/>` too: WCF's members are all minOccurs="0", so the schema
            // allows it, and neither the check nor verify may call it a failure.
            #expect(!text.contains("FAIL ") && text.contains("\(checked.count) interactions: \(checked.count) passed."),
                    "\(variant): \(text)")
        }
    }

    @Test func theInspectorNeedsItsTokenWhenOneIsSet() async throws {
        let token = "inspector-token-0123456789"
        let (sandbox, url, _) = try CLI.startServerKeepingOutput(["sandbox", "--ui-token", token])
        defer { CLI.stop(sandbox) }
        let client = SoapClient()
        #expect(try await client.get(url + "/__soaptape/").status == 403)
        #expect(try await client.get(url + "/__soaptape/?token=wrong-token-0123456789").status == 403)
        #expect(try await client.get(url + "/__soaptape/api/interactions?after=0").status == 403)
        let page = try await client.get(url + "/__soaptape/?token=" + token)
        #expect(page.status == 200 && String(decoding: page.body, as: UTF8.self).contains("<title>soaptape sandbox"))
        #expect(try await client.get(url + "/__soaptape/api/interactions?after=0&token=" + token).status == 200)
        #expect(try await client.get(url + "/__soaptape/api/interactions?after=0",
                                     headers: [("X-Soaptape-Token", token)]).status == 200)
    }

    @Test func serveReportSoFarNeedsTheTokenToo() async throws {
        let token = "inspector-token-0123456789"
        let (serve, url, _) = try CLI.startServerKeepingOutput(["serve", "cassettes/spyne/ToggleFavourite.yaml", "--ui-token", token])
        defer { CLI.stop(serve) }
        let client = SoapClient()
        #expect(try await client.get(url + "/__soaptape/report").status == 403)
        let report = try await client.get(url + "/__soaptape/report?token=" + token)
        #expect(report.status == 200)
        #expect(try JSONDecoder().decode(RunReport.self, from: Data(report.body)).command == "serve")
    }

    @Test func offLoopbackAFreshTokenGuardsThePage() {
        #expect(InspectorRoutes.isLoopback("127.0.0.1") && InspectorRoutes.isLoopback("::1")
            && InspectorRoutes.isLoopback("localhost"))
        #expect(!InspectorRoutes.isLoopback("0.0.0.0") && !InspectorRoutes.isLoopback("192.168.1.20"))
        let routes = InspectorRoutes(log: InspectorLog(command: "record", specs: nil), token: InspectorRoutes.makeToken())
        #expect(routes.token?.count == 32)
        #expect(routes.answer(method: "GET", uri: "/__soaptape/", headers: [])?.status == 403)
        #expect(routes.answer(method: "GET", uri: "/__soaptape/?token=" + routes.token!, headers: [])?.status == 200)
        #expect(routes.answer(method: "GET", uri: "/Remote/Services88/Favourite.svc", headers: []) == nil)
    }
}
