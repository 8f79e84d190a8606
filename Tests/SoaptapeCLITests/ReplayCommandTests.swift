import Foundation
import SoaptapeCore
import SoaptapeHTTP
import Testing

/// The whole loop on real sockets: record through the proxy against the sandbox, then `serve` the cassette to
/// a client, `replay` it against servers, and `verify` cassettes offline.
@Suite(.serialized)
struct ReplayCommandTests {
    /// Records ToggleFavourite twice (the sandbox's example answers true, then false) and ErpSync once, with a
    /// live-looking ticket, into a fresh cassette.
    static func recordSeedCassette() throws -> String {
        let (sandbox, upstream) = try CLI.startServer(["sandbox", "--specs", "specs", "--listen", "127.0.0.1:0"])
        defer { CLI.stop(sandbox) }
        let cassette = try CLI.directory(with: [:]) + "/seed.yaml"
        let (recorder, proxy) = try CLI.startServer(["record", "--upstream", upstream, "--cassette", cassette])
        for _ in 0..<2 { _ = try send(favourite + ["--to", proxy]) }
        _ = try send(["Services86/ErpSync/ToggleErpConnectionActive", "--set", "Ticket=7T:liveTicket", "--to", proxy])
        CLI.stop(recorder)
        return cassette
    }

    static let favourite = ["Services88/Favourite/ToggleFavourite", "--soap", "1.1", "--set", "TableName=contact",
                            "--set", "RecordId=42", "--set", "Ticket=7T:liveTicket"]

    static func send(_ arguments: [String]) throws -> Outcome {
        try CLI.run(["send"] + arguments, in: CLI.root.path)
    }

    static func report(_ path: String) throws -> RunReport {
        try JSONDecoder().decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func serveAnswersTogglesInRecordedOrderAndExplainsAnAlteredRequest() throws {
        let cassette = try Self.recordSeedCassette()
        let text = try String(contentsOfFile: cassette, encoding: .utf8)
        #expect(!text.contains("liveTicket"))
        let json = cassette + ".serve.json"
        let (server, url) = try CLI.startServer(["serve", cassette, "--strict", "--json", json])
        // Another ticket than the recorded one: redacted values match anything.
        let first = try Self.send(Self.favourite.dropLast() + ["Ticket=otherTicket", "--to", url])
        let second = try Self.send(Self.favourite + ["--to", url])
        #expect(first.stdout.contains(">true</"))
        #expect(second.stdout.contains(">false</"))
        let altered = try Self.send(["Services88/Favourite/ToggleFavourite", "--soap", "1.1", "--set", "TableName=contact",
                                     "--set", "RecordId=43", "--to", url])
        #expect(altered.status == 1)
        #expect(altered.stdout.contains("no recorded interaction matches this request; the nearest recording is "
                                        + "\(cassette)#1 (Services88/Favourite/ToggleFavourite), which differs at "
                                        + "/Envelope/Body/ToggleFavourite/RecordId (expected 42, found 43)"))
        CLI.stop(server)
        #expect(server.terminationStatus == 1)  // --strict: an unmatched request and an unused recording
        let report = try Self.report(json)
        #expect(report.suites[0].cases.map(\.verdict) == [.passed, .passed, .unused])
        #expect(report.unmatched.count == 1)
        #expect(report.unmatched[0].differences.map(\.path) == ["/Envelope/Body/ToggleFavourite/RecordId"])
        #expect(report.unmatched[0].differences.map(\.expected) == ["42"])
        #expect(report.unmatched[0].differences.map(\.actual) == ["43"])
    }

    @Test func serveFillsRedactedValuesAndRepeatsAsAsked() throws {
        let cassette = try Self.recordSeedCassette()
        let (server, url) = try CLI.startServer(["serve", cassette, "--repeat", "fault", "--exit-after", "3"])
        #expect(try Self.send(Self.favourite + ["--to", url]).stdout.contains(">true</"))
        #expect(try Self.send(Self.favourite + ["--to", url]).stdout.contains(">false</"))
        let third = try Self.send(Self.favourite + ["--to", url])
        #expect(third.status == 1)
        #expect(third.stdout.contains("every recording of this request (2) has been served, and --repeat fault"))
        server.waitUntilExit()  // --exit-after 3
        #expect(server.terminationStatus == 0)
    }

    @Test func replayPassesAgainstAFreshSandboxAndFailsWithThePathWhenTheServerChanged() throws {
        let cassette = try Self.recordSeedCassette()
        let (fresh, freshURL) = try CLI.startServer(["sandbox", "--specs", "specs"])
        defer { CLI.stop(fresh) }
        let passing = try CLI.run(["replay", cassette, "--target", freshURL, "--set", "Ticket=7T:injected"],
                                  in: CLI.root.path)
        #expect(passing.status == 0, "\(passing)")
        #expect(passing.stdout.contains("3 interactions: 3 passed. Result: passed."))

        // The same specs, but the example now answers false first: the server changed.
        let specs = try CLI.directory(with: [:]) + "/specs"
        try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("specs").path, toPath: specs)
        let examples = specs + "/Services88/Favourite/ToggleFavourite.examples.yaml"
        let original = try String(contentsOfFile: examples, encoding: .utf8)
        try original.replacingOccurrences(of: ">true</", with: ">false</")
            .write(toFile: examples, atomically: true, encoding: .utf8)
        let (changed, changedURL) = try CLI.startServer(["sandbox", "--specs", specs])
        defer { CLI.stop(changed) }
        let html = specs + "/../replay.html"
        let junit = specs + "/../replay.xml"
        let failing = try CLI.run(["replay", cassette, "--target", changedURL, "--html", html, "--junit", junit,
                                   "--set", "Ticket=7T:injected", "--set", "ApplicationToken=app"], in: CLI.root.path)
        #expect(failing.status == 1, "\(failing)")
        #expect(failing.stdout.contains("""
              FAIL   #1 Services88/Favourite/ToggleFavourite
                  1) text value at /Envelope/Body/ToggleFavouriteResponse/Response
                     expected: "true"
            """))
        #expect(failing.stdout.contains("3 interactions: 2 passed, 1 failed. Result: failed."))
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.components(separatedBy: "<tr class=\"interaction ").count - 1 == 3)
        #expect(page.contains("/Envelope/Body/ToggleFavouriteResponse/Response"))
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains("<failure message=\"text value at /Envelope/Body/ToggleFavouriteResponse/Response: "
                             + "expected &quot;true&quot;, found &quot;false&quot;\""))

        // In contract mode the value is free, the type is not.
        let contract = try CLI.run(["replay", cassette, "--target", changedURL, "--mode", "contract"], in: CLI.root.path)
        #expect(contract.status == 0, "\(contract)")
    }

    @Test func replayOfAnUnreachableTargetExitsTwo() throws {
        let cassette = try Self.recordSeedCassette()
        let outcome = try CLI.run(["replay", cassette, "--target", "http://127.0.0.1:1"], in: CLI.root.path)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("nothing could be compared: cannot reach http://127.0.0.1:1/Remote/Services88/"
                                        + "Favourite.svc: connection refused"))
        #expect(outcome.stdout.contains("ERROR  #1 Services88/Favourite/ToggleFavourite"))
    }

    @Test func verifyPassesOnTheCommittedCassettesAndFailsOnATamperedCopy() throws {
        let committed = try CLI.run(["verify", "cassettes"], in: CLI.root.path)
        #expect(committed.status == 0, "\(committed)")
        #expect(committed.stdout.contains("Result: passed."))

        let original = try String(contentsOfFile: CLI.root.appendingPathComponent("cassettes/spyne/ToggleFavourite.yaml").path,
                                  encoding: .utf8)
        #expect(original.contains("<tns:Response>true</tns:Response>"))
        let tampered = original.replacingOccurrences(of: "<tns:Response>true</tns:Response>",
                                                     with: "<tns:Response>yes</tns:Response>")
        let folder = try CLI.directory(with: ["ToggleFavourite.yaml": Array(tampered.utf8)])
        let junit = folder + "/verify.xml"
        let outcome = try CLI.run(["verify", folder + "/ToggleFavourite.yaml", "--junit", junit], in: CLI.root.path)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("""
              FAIL   #2 Services88/Favourite/ToggleFavourite — does not conform to Services88/Favourite/ToggleFavourite \
            (specs/Services88/Favourite/ToggleFavourite.yaml)
                  1) schema violation at response: /Envelope/Body/ToggleFavouriteResponse/Response
                     expected: valid against Favourite.wsdl; Response is declared at \
            specs/Services88/Favourite/Favourite.wsdl:388
                     actual:   Element 'Response': 'yes' is not a valid value of the atomic type 'xs:boolean'.  (recorded:2)
            """))
        // The schema decides shape and types, once: the spec's ${boolean} does not say it a second time.
        #expect(!outcome.stdout.contains("placeholder mismatch"))
        #expect(try String(contentsOfFile: junit, encoding: .utf8).contains("<testsuite name=\"\(folder)/ToggleFavourite.yaml\" tests=\"3\" failures=\"1\""))
    }

    @Test func verifyListsInteractionsWithoutASpecAndRequireSpecFailsThem() throws {
        let cassette = try Self.recordSeedCassette()
        let specs = try CLI.directory(with: [:]) + "/specs"
        try FileManager.default.createDirectory(atPath: specs + "/Services88/Favourite", withIntermediateDirectories: true)
        for name in ["ToggleFavourite.yaml", "ToggleFavourite.examples.yaml"] {
            try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("specs/Services88/Favourite/" + name).path,
                                             toPath: specs + "/Services88/Favourite/" + name)
        }
        let listed = try CLI.run(["verify", "--specs", specs, cassette], in: CLI.root.path)
        #expect(listed.status == 0, "\(listed)")
        #expect(listed.stdout.contains("NOSPEC #3 Services86/ErpSync/ToggleErpConnectionActive — no spec describes "
                                       + "{http://www.superoffice.net/ws/crm/NetServer/Services86}ToggleErpConnectionActive at "
                                       + "/Remote/Services86/ErpSync.svc"))
        let required = try CLI.run(["verify", "--specs", specs, cassette, "--require-spec"], in: CLI.root.path)
        #expect(required.status == 1)
    }

    @Test func aBrokenCassetteIsPlacedAndExitsTwo() throws {
        let folder = try CLI.directory(with: ["broken.yaml": Array("format: 1\nsoaptape: [\n".utf8)])
        let outcome = try CLI.run(["verify", folder + "/broken.yaml"], in: CLI.root.path)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.hasPrefix(folder + "/broken.yaml:"))
    }

    @Test func services86RecordingsReplayAgainstServices88ThroughTheMaps() throws {
        // Record Services86 ErpSync and Favourite through the proxy, then replay them against the same sandbox's
        // Services88 endpoints: namespaces, actions and paths rewritten, answers compared with the namespaces mapped.
        let (sandbox, upstream) = try CLI.startServer(["sandbox", "--specs", "specs"])
        defer { CLI.stop(sandbox) }
        let cassette = try CLI.directory(with: [:]) + "/v86.yaml"
        let (recorder, proxy) = try CLI.startServer(["record", "--upstream", upstream, "--cassette", cassette])
        for operation in ["Services86/ErpSync/ToggleErpConnectionActive", "Services86/Favourite/ToggleFavourite"] {
            #expect(try Self.send([operation, "--soap", "1.1", "--set", "Ticket=t", "--to", proxy]).status == 0)
        }
        CLI.stop(recorder)
        let unmapped = try CLI.run(["replay", cassette, "--target", upstream, "--map-path", "/Services86/=/Services88/"],
                                   in: CLI.root.path)
        #expect(unmapped.status == 1)  // the Services88 endpoints refuse Services86 payloads
        #expect(unmapped.stdout.contains("1) HTTP status at HTTP status"))
        let mapped = try CLI.run(["replay", cassette, "--target", upstream, "--map-namespace", "Services86=Services88",
                                  "--map-path", "/Services86/=/Services88/"], in: CLI.root.path)
        #expect(mapped.status == 0, "\(mapped)")
        #expect(mapped.stdout.contains("2 interactions: 2 passed. Result: passed."))
    }

    @Test func serveStopsWhenIdleAndServesTheReportWhileRunning() async throws {
        let cassette = try Self.recordSeedCassette()
        let (server, url) = try CLI.startServer(["serve", cassette, "--idle-timeout", "1"])
        let report = try await SoapClient().get(url + "/__soaptape/report")
        let decoded = try JSONDecoder().decode(RunReport.self, from: Data(report.body))
        #expect(decoded.command == "serve" && decoded.summary.unused == 3)
        server.waitUntilExit()  // stops by itself a second after the last request
        #expect(server.terminationStatus == 0)
    }

    @Test func verifyReportsSchemaViolationsFromTheSpecsWSDL() throws {
        // The spec ignores the Credentials header block, but the WSDL declares it: an unknown child is caught there.
        let original = try String(contentsOfFile: CLI.root.appendingPathComponent("cassettes/spyne/ToggleFavourite.yaml").path,
                                  encoding: .utf8)
        let tampered = original.replacingOccurrences(of: "</ns0:Credentials>",
                                                     with: "<ns0:Colour>red</ns0:Colour></ns0:Credentials>")
        let folder = try CLI.directory(with: ["ToggleFavourite.yaml": Array(tampered.utf8)])
        let outcome = try CLI.run(["verify", folder + "/ToggleFavourite.yaml"], in: CLI.root.path)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("""
                  1) schema violation at request: /Envelope/Header/Credentials/Colour
                     expected: valid against Favourite.wsdl; Credentials is declared at \
            specs/Services88/Favourite/Favourite.wsdl:23
                     actual:   Element 'Colour': This element is not expected.
            """), "\(outcome)")
    }

    @Test func serveValidateAnswersASchemaViolationWithAFault() async throws {
        let cassette = try Self.recordSeedCassette()
        let (server, url) = try CLI.startServer(["serve", cassette, "--validate"])
        defer { CLI.stop(server) }
        let recorded = try CassetteLoader.load(cassette).cassette.interactions[0].request
        var body = String(decoding: recorded.body, as: UTF8.self)
        #expect(body.contains("</Favourite:ToggleFavourite>"))
        body = body.replacingOccurrences(of: "</Favourite:ToggleFavourite>",
                                         with: "<Favourite:Colour>red</Favourite:Colour></Favourite:ToggleFavourite>")
        let headers = recorded.headers.map { (name: $0.name, value: $0.value) }
        let answer = try await SoapClient().post(url + recorded.path, headers: headers, body: Array(body.utf8))
        #expect(answer.status == 500)
        let text = String(decoding: answer.body, as: UTF8.self)
        #expect(text.contains("soaptape serve: the request does not conform to its schema (--validate): "
                              + "request: /Envelope/Body/ToggleFavourite/Colour"), "\(text)")
        #expect(text.contains("This element is not expected."), "\(text)")
        #expect(text.contains("/Envelope/Body/ToggleFavourite/Colour"))
        // The recorded request itself is valid and still served.
        let valid = try await SoapClient().post(url + recorded.path, headers: headers, body: recorded.body)
        #expect(valid.status == 200)
    }

    @Test func replayValidatesAnswersAgainstTheOperationsWSDL() throws {
        let cassette = try Self.recordSeedCassette()
        let specs = try CLI.directory(with: [:]) + "/specs"
        try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("specs").path, toPath: specs)
        let examples = specs + "/Services88/Favourite/ToggleFavourite.examples.yaml"
        try String(contentsOfFile: examples, encoding: .utf8)
            .replacingOccurrences(of: "true</Favourite:Response>",
                                  with: "true</Favourite:Response><Favourite:Colour>red</Favourite:Colour>")
            .write(toFile: examples, atomically: true, encoding: .utf8)
        let (sandbox, url) = try CLI.startServer(["sandbox", "--specs", specs])
        defer { CLI.stop(sandbox) }
        let outcome = try CLI.run(["replay", cassette, "--target", url, "--mode", "contract"], in: CLI.root.path)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("schema violation at response: /Envelope/Body/ToggleFavouriteResponse/Colour"), "\(outcome)")
    }
}
