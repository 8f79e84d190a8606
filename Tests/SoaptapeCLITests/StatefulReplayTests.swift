import Foundation
import SoaptapeCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `replay` against a live, stateful server (docs/replay.md): a session recorded by zeep through `record` from the
/// spyne interop server — log in, create two sales, read both, update one, read it, delete both — replayed against
/// the server restarted (a new ticket at login, ids from a counter that starts elsewhere).
@Suite(.serialized) struct StatefulReplayTests {
    static let server = CLI.root.appendingPathComponent("Tests/Interop/spyne_server.py").path
    static let client = CLI.root.appendingPathComponent("Tests/Interop/stateful_client.py").path

    /// A scratch folder, the tickets file the servers append to, and the session recorded against a server whose
    /// ids start at 100.
    struct Recorded {
        var folder: String
        var tickets: String
        var cassette: String
    }

    static func temporary() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("soaptape-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Starts the spyne server with `environment` (and the shared tickets file).
    static func startSpyne(_ environment: [String: String], tickets: String) throws -> (Process, String) {
        try CLI.startServer([server], executable: InteropTests.python,
                            environment: environment.merging(["INTEROP_TICKETS": tickets]) { given, _ in given })
    }

    static func record() throws -> Recorded {
        try InteropTests.ensureEnvironment()
        let folder = try temporary()
        let tickets = folder + "/tickets.txt"
        let cassette = folder + "/session.yaml"
        let (spyne, upstream) = try startSpyne(["INTEROP_ID_START": "100"], tickets: tickets)
        defer { CLI.stop(spyne) }
        let (recorder, proxy) = try CLI.startServer(["record", "--upstream", upstream, "--cassette", cassette,
                                                     "--listen", "127.0.0.1:0"])
        defer { CLI.stop(recorder) }
        let session = try CLI.runExecutable(InteropTests.python, [client, proxy])
        #expect(session.status == 0, "\(session)")
        #expect(session.stdout == Self.liveResult(ids: [100, 101]))
        recorder.interrupt()
        recorder.waitUntilExit()
        return Recorded(folder: folder, tickets: tickets, cassette: cassette)
    }

    static func liveResult(ids: [Int]) -> String {
        "{\"authenticated\": true, \"deleted\": [true, true], \"headings\": [\"Ørsted wind farm\", \"Zürich office\", "
            + "\"Ørsted wind farm, phase 2\"], \"ids\": [\(ids[0]), \(ids[1])]}\n"
    }

    /// The interactions (by sequence) whose recorded request or response holds a sale id: 4, 5 create; 6, 7 read;
    /// 8 updates; 9 reads; 10, 11 delete.
    static let idBearing = [4, 5, 6, 7, 8, 9, 10, 11]

    @Test func aRecordedSessionReplaysGreenAgainstARestartedServerWithNoSet() throws {
        let recorded = try Self.record()
        let cassette = try CassetteLoader.load(recorded.cassette).cassette
        #expect(cassette.interactions.count == 11)
        let (spyne, upstream) = try Self.startSpyne(["INTEROP_ID_START": "7000"], tickets: recorded.tickets)
        defer { CLI.stop(spyne) }
        let json = recorded.folder + "/replay.json", junit = recorded.folder + "/replay.xml"
        let html = recorded.folder + "/replay.html"
        let replayed = try CLI.run(["replay", recorded.cassette, "--target", upstream, "--json", json, "--junit", junit,
                                    "--html", html], in: CLI.root.path)
        #expect(replayed.status == 0, "\(replayed)")
        #expect(replayed.stdout.contains("11 interactions: 11 passed. Result: passed."), "\(replayed)")
        let createLabel = "{http://www.superoffice.net/ws/crm/NetServer/Services88}SaveSaleEntity"
        let expectedLines = [
            "  correlated (values the server assigned, carried from its live answers):",
            "    Ticket ${redacted} → ${redacted}, from #2 Services88/SoPrincipal/AuthenticateUsernamePassword at "
                + "/Envelope/Body/AuthenticateResponse/Credentials/Ticket; used in #4, #5, #6, #7, #8, #9, #10, #11",
            "    SaleId 100 → 7000, from #4 \(createLabel) at /Envelope/Body/SaveSaleEntityResponse/Response/SaleId; "
                + "used in #6, #8, #9, #10",
            "    SaleId 101 → 7001, from #5 \(createLabel) at /Envelope/Body/SaveSaleEntityResponse/Response/SaleId; "
                + "used in #7, #11",
        ]
        #expect(replayed.stdout.contains(expectedLines.joined(separator: "\n") + "\n"), "\(replayed)")
        // Every report format lists them.
        let report = try JSONDecoder().decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        let correlations = try #require(report.suites.first?.correlations)
        #expect(correlations.map { "\($0.name) \($0.recorded)→\($0.live ?? "-") \($0.sequence) \($0.usedIn)" } == [
            "Ticket ${redacted}→${redacted} 2 [4, 5, 6, 7, 8, 9, 10, 11]", "SaleId 100→7000 4 [6, 8, 9, 10]",
            "SaleId 101→7001 5 [7, 11]",
        ])
        let junitText = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(junitText.contains("<property name=\"correlated SaleId\" value=\"SaleId 100 → 7000, from #4 "))
        let htmlText = try String(contentsOfFile: html, encoding: .utf8)
        #expect(htmlText.contains("<li>SaleId 101 → 7001, from #5 "))

        // Without correlation (the ticket still flows: it is a secret, not a guess), it fails exactly at the ids.
        let off = recorded.folder + "/off.json"
        let uncorrelated = try CLI.run(["replay", recorded.cassette, "--target", upstream, "--correlate", "off",
                                        "--json", off], in: CLI.root.path)
        #expect(uncorrelated.status == 1, "\(uncorrelated)")
        let offReport = try JSONDecoder().decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: off)))
        let cases = try #require(offReport.suites.first?.cases)
        #expect(cases.filter { $0.verdict == .failed }.map(\.sequence) == Self.idBearing)
        #expect(cases.filter { $0.verdict == .passed }.map(\.sequence) == [1, 2, 3])
        for create in cases where [4, 5].contains(create.sequence) {
            #expect(create.differences.map(\.path) == ["/Envelope/Body/SaveSaleEntityResponse/Response/SaleId"])
        }
        for later in cases where later.sequence > 5 {
            #expect(later.differences.contains { $0.actual?.contains("No sale with id 10") == true }, "\(later)")
        }
        #expect(offReport.suites.first?.correlations?.map(\.name) == ["Ticket"])

        // No live ticket reaches the cassette, a report, or what soaptape printed.
        let issued = try String(contentsOfFile: recorded.tickets, encoding: .utf8).split(separator: "\n")
        #expect(issued.count == 3)  // the recording's login, then one per replay
        let written = try [recorded.cassette, json, junit, html, off].map { try String(contentsOfFile: $0, encoding: .utf8) }
        for ticket in issued {
            for text in written + [replayed.stdout, replayed.stderr, uncorrelated.stdout, uncorrelated.stderr] {
                #expect(!text.contains(ticket), "a live ticket leaked")
            }
        }
    }

    @Test func serveVerifyAndRecordNoneKeepWorkingOnTheSession() throws {
        let recorded = try Self.record()
        // serve: the same client gets what it got live (ids and all), and every recording is used.
        let (server, url) = try CLI.startServer(["serve", recorded.cassette, "--strict"])
        defer { CLI.stop(server) }
        let served = try CLI.runExecutable(InteropTests.python, [Self.client, url])
        #expect(served.status == 0, "\(served)")
        #expect(served.stdout == Self.liveResult(ids: [100, 101]))
        CLI.stop(server)
        #expect(server.terminationStatus == 0)
        // record --mode none answers from it the same way.
        let (proxy, proxyURL) = try CLI.startServer(["record", "--mode", "none", "--upstream", "http://127.0.0.1:1",
                                                     "--cassette", recorded.cassette, "--listen", "127.0.0.1:0"])
        defer { CLI.stop(proxy) }
        let answered = try CLI.runExecutable(InteropTests.python, [Self.client, proxyURL])
        #expect(answered.stdout == Self.liveResult(ids: [100, 101]), "\(answered)")
        CLI.stop(proxy)
        // record --mode new in front of a live server: every request matches a recording, nothing is added.
        let before = try Data(contentsOf: URL(fileURLWithPath: recorded.cassette))
        let (spyne, upstream) = try Self.startSpyne(["INTEROP_ID_START": "3000"], tickets: recorded.tickets)
        defer { CLI.stop(spyne) }
        let (adding, addingURL) = try CLI.startServer(["record", "--mode", "new", "--upstream", upstream,
                                                       "--cassette", recorded.cassette, "--listen", "127.0.0.1:0"])
        defer { CLI.stop(adding) }
        let again = try CLI.runExecutable(InteropTests.python, [Self.client, addingURL])
        #expect(again.stdout == Self.liveResult(ids: [100, 101]), "\(again)")
        CLI.stop(adding)
        #expect(try Data(contentsOf: URL(fileURLWithPath: recorded.cassette)) == before)
        // verify, against specs imported from the server's own WSDLs (fetched through serve's recordings).
        let specs = recorded.folder + "/specs"
        let cassette = try CassetteLoader.load(recorded.cassette).cassette
        for fetch in cassette.interactions where fetch.request.method == "GET" {
            let wsdl = recorded.folder + "/" + UUID().uuidString + ".wsdl"
            _ = FileManager.default.createFile(atPath: wsdl, contents: Data(fetch.response.body))
            let imported = try CLI.run(["import", "--wsdl", wsdl, "--out", specs], in: CLI.root.path)
            #expect(imported.status == 0, "\(imported)")
        }
        let verified = try CLI.run(["verify", recorded.cassette, "--specs", specs], in: CLI.root.path)
        #expect(verified.status == 0, "\(verified)")
        #expect(verified.stdout.contains("11 interactions: 9 passed, 2 skipped. Result: passed."), "\(verified)")
    }

    @Test func updateRewritesOnlyTheChangedAnswersAndTheCassetteThenReplaysGreen() throws {
        let recorded = try Self.record()
        let original = try Data(contentsOf: URL(fileURLWithPath: recorded.cassette))
        let (changed, upstream) = try Self.startSpyne(["INTEROP_ID_START": "500", "INTEROP_VARIANT": "changed"],
                                                      tickets: recorded.tickets)
        defer { CLI.stop(changed) }
        let json = recorded.folder + "/update.json"
        let updated = try CLI.run(["replay", recorded.cassette, "--target", upstream, "--update", "--json", json],
                                  in: CLI.root.path)
        #expect(updated.status == 0, "\(updated)")
        #expect(updated.stderr == "soaptape replay: updated \(recorded.cassette): 4 answers rewritten (#3 GET "
                + "/Remote/Services88/Sale.svc?wsdl, #6 Services88/Sale/GetSale, #7 Services88/Sale/GetSale, "
                + "#9 Services88/Sale/GetSale)\n")
        #expect(updated.stdout.contains("  FAIL   #6 Services88/Sale/GetSale — updated: the cassette now holds the live answer"))
        // Only the changed answers differ: every other interaction's text is byte for byte the old one, and the
        // rewritten ones keep their requests and the recorded ids.
        let before = String(decoding: original, as: UTF8.self)
        let after = try String(contentsOfFile: recorded.cassette, encoding: .utf8)
        func interactionTexts(_ text: String) -> [Int: String] {
            var result: [Int: String] = [:]
            for part in text.components(separatedBy: "--- # interaction ").dropFirst() {
                result[Int(part.prefix { $0.isNumber })!] = part
            }
            return result
        }
        let old = interactionTexts(before), new = interactionTexts(after)
        #expect(before.components(separatedBy: "--- # interaction ").first == after.components(separatedBy: "--- # interaction ").first)
        #expect(old.keys.sorted() == new.keys.sorted())
        #expect(old.keys.sorted().filter { old[$0] != new[$0] } == [3, 6, 7, 9])
        let oldCassette = try CassetteLoader.load(writeTemporary(original)).cassette
        let newCassette = try CassetteLoader.load(recorded.cassette).cassette
        #expect(zip(oldCassette.interactions, newCassette.interactions).allSatisfy { $0.request == $1.request })
        let reread = String(decoding: newCassette.interactions[5].response.body, as: UTF8.self)
        #expect(reread.contains("<tns:SaleId>100</tns:SaleId><tns:Heading>ØRSTED WIND FARM</tns:Heading>"), "\(reread)")
        #expect(reread.contains("<tns:Probability>50</tns:Probability>"))
        // The updated cassette replays green against the changed server (restarted: a counter elsewhere again).
        CLI.stop(changed)
        let (again, againURL) = try Self.startSpyne(["INTEROP_ID_START": "900", "INTEROP_VARIANT": "changed"],
                                                    tickets: recorded.tickets)
        defer { CLI.stop(again) }
        let replayed = try CLI.run(["replay", recorded.cassette, "--target", againURL], in: CLI.root.path)
        #expect(replayed.status == 0, "\(replayed)")
        #expect(replayed.stdout.contains("11 interactions: 11 passed. Result: passed."))
        let issued = try String(contentsOfFile: recorded.tickets, encoding: .utf8).split(separator: "\n")
        for ticket in issued {
            for text in [after, try String(contentsOfFile: json, encoding: .utf8), updated.stdout, updated.stderr] {
                #expect(!text.contains(ticket), "a live ticket leaked")
            }
        }
    }

    @Test func contractUpdateRewritesOnlyWhatBreaksTheContract() throws {
        let recorded = try Self.record()
        let original = try Data(contentsOf: URL(fileURLWithPath: recorded.cassette))
        // A new element and new values keep the contract: nothing is rewritten.
        let (changed, upstream) = try Self.startSpyne(["INTEROP_ID_START": "500", "INTEROP_VARIANT": "changed"],
                                                      tickets: recorded.tickets)
        defer { CLI.stop(changed) }
        let kept = try CLI.run(["replay", recorded.cassette, "--target", upstream, "--mode", "contract", "--update"],
                               in: CLI.root.path)
        #expect(kept.status == 0, "\(kept)")
        #expect(kept.stderr == "")
        #expect(try Data(contentsOf: URL(fileURLWithPath: recorded.cassette)) == original)
        // Reads that lose their Response break it: those three answers are rewritten, nothing else.
        CLI.stop(changed)
        let (dropped, droppedURL) = try Self.startSpyne(["INTEROP_ID_START": "600", "INTEROP_VARIANT": "dropped"],
                                                        tickets: recorded.tickets)
        defer { CLI.stop(dropped) }
        let rewritten = try CLI.run(["replay", recorded.cassette, "--target", droppedURL, "--mode", "contract",
                                     "--update"], in: CLI.root.path)
        #expect(rewritten.status == 0, "\(rewritten)")
        #expect(rewritten.stderr == "soaptape replay: updated \(recorded.cassette): 3 answers rewritten (#6 "
                + "Services88/Sale/GetSale, #7 Services88/Sale/GetSale, #9 Services88/Sale/GetSale)\n")
        let reads = try CassetteLoader.load(recorded.cassette).cassette.interactions.filter { $0.operation?.name == "GetSale" }
        #expect(reads.allSatisfy { String(decoding: $0.response.body, as: UTF8.self).contains("<tns:GetSaleResponse/>") },
                "\(reads.map { String(decoding: $0.response.body, as: UTF8.self) })")
    }

    @Test func aKilledUpdateLeavesTheOldCassetteByteForByte() throws {
        let recorded = try Self.record()
        let original = try Data(contentsOf: URL(fileURLWithPath: recorded.cassette))
        // The changed server stalls on the 9th request: by then soaptape holds several answers to rewrite.
        let (changed, upstream, output) = try CLI.startServerKeepingOutput(
            [Self.server], executable: InteropTests.python,
            environment: ["INTEROP_ID_START": "500", "INTEROP_VARIANT": "changed", "INTEROP_STALL_AT": "9"])
        defer { CLI.stop(changed) }
        let replay = Process()
        replay.executableURL = CLI.binary
        replay.arguments = ["replay", recorded.cassette, "--target", upstream, "--update"]
        replay.standardOutput = FileHandle.nullDevice
        replay.standardError = FileHandle.nullDevice
        try replay.run()
        // Wait for the server to say it holds the 9th request, then kill soaptape mid-update.
        var said = Data()
        while !String(decoding: said, as: UTF8.self).contains("stalling") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            said.append(chunk)
        }
        #expect(String(decoding: said, as: UTF8.self).contains("stalling"))
        kill(replay.processIdentifier, SIGKILL)
        replay.waitUntilExit()
        #expect(replay.terminationReason == .uncaughtSignal)
        #expect(try Data(contentsOf: URL(fileURLWithPath: recorded.cassette)) == original)
        let left = try FileManager.default.contentsOfDirectory(atPath: recorded.folder)
        #expect(!left.contains { $0.contains("soaptape-update") })
    }

    @Test func updateRefusesToWriteAnotherVersionsAnswers() throws {
        let refused = try CLI.run(["replay", "cassettes/spyne", "--target", "http://127.0.0.1:1", "--update",
                                   "--map-namespace", "Services86=Services88"], in: CLI.root.path)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("Error: --update cannot be used with --map-namespace or --map-path: it would "
                                        + "write another version's answers into these recordings; record that version "
                                        + "into its own cassette."), "\(refused)")
    }

    private func writeTemporary(_ data: Data) throws -> String {
        let path = try Self.temporary() + "/old.yaml"
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }
}
