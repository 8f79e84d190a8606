import Foundation
import SoaptapeCore
import Testing

/// Real SOAP software on both sides: a Python zeep client, through `soaptape record`, to a Python spyne
/// server (Tests/Interop). The test setup creates the virtual environment they run in (once: the tests run one
/// at a time, so no two create it at once).
@Suite(.serialized)
struct InteropTests {
    static let venv = CLI.root.appendingPathComponent(".build/interop-venv").path
    static let python = venv + "/bin/python"

    /// Creates `.build/interop-venv` with zeep, spyne and waitress from PyPI, once.
    static func ensureEnvironment() throws {
        if FileManager.default.fileExists(atPath: venv + "/.soaptape-ready") { return }
        for arguments in [["python3", "-m", "venv", venv],
                          [venv + "/bin/pip", "install", "-q", "zeep==4.3.3", "spyne==2.14.0", "waitress==3.0.2"]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw InteropError("'\(arguments.joined(separator: " "))' failed; the interop tests need python3-venv and PyPI")
            }
        }
        FileManager.default.createFile(atPath: venv + "/.soaptape-ready", contents: Data())
    }

    struct InteropError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test func zeepThroughTheRecordProxyToSpyne() throws {
        try Self.ensureEnvironment()
        let (spyne, upstream) = try CLI.startServer([CLI.root.appendingPathComponent("Tests/Interop/spyne_server.py").path],
                                                    executable: Self.python)
        defer { CLI.stop(spyne) }
        #expect(upstream.hasPrefix("http://127.0.0.1:"))
        let cassette = FileManager.default.temporaryDirectory.appendingPathComponent("soaptape-\(UUID().uuidString).yaml").path
        let (recorder, proxy) = try CLI.startServer(["record", "--upstream", upstream, "--cassette", cassette,
                                                     "--listen", "127.0.0.1:0"])
        defer { if recorder.isRunning { recorder.terminate() } }
        let client = try CLI.runExecutable(Self.python, [
            CLI.root.appendingPathComponent("Tests/Interop/zeep_client.py").path, proxy,
            "ToggleFavourite", "UpdateFeatureToggles", "ToggleErpConnectionActive",
        ])
        #expect(client.status == 0, "\(client.stderr)")
        #expect(client.stdout == "{\"ToggleErpConnectionActive\": [null, [\"No such connection\"]], "
            + "\"ToggleFavourite\": [true, false], \"UpdateFeatureToggles\": [null]}\n")
        recorder.interrupt()
        recorder.waitUntilExit()
        #expect(recorder.terminationStatus == 0)

        let text = try String(contentsOfFile: cassette, encoding: .utf8)
        #expect(!text.contains("zeepLiveTicket"))
        let loaded = try CassetteLoader.load(cassette).cassette
        #expect(loaded.interactions.map(\.label) == [
            "GET /Remote/Services88/Favourite.svc?wsdl",
            "Services88/Favourite/ToggleFavourite", "Services88/Favourite/ToggleFavourite",
            "GET /Remote/Services83/CustomerService.svc?wsdl",
            "Services83/CustomerService/UpdateFeatureToggles",
            "GET /Remote/Services86/ErpSync.svc?wsdl",
            "Services86/ErpSync/ToggleErpConnectionActive", "Services86/ErpSync/ToggleErpConnectionActive",
        ])
        let toggles = loaded.interactions.filter { $0.operation?.name == "ToggleFavourite" }
        #expect(toggles.map { String(decoding: $0.response.body, as: UTF8.self).contains("<tns:Response>true</tns:Response>") }
            == [true, false])
        #expect(toggles.allSatisfy { String(decoding: $0.request.body, as: UTF8.self).contains("<ns0:Ticket>${redacted}</ns0:Ticket>") })
        #expect(loaded.interactions.allSatisfy { $0.response.status == 200 && !$0.response.fault })
    }

    static let liveResults = "{\"ToggleErpConnectionActive\": [null, [\"No such connection\"]], "
        + "\"ToggleFavourite\": [true, false], \"UpdateFeatureToggles\": [null]}\n"

    @Test func zeepAgainstServeGetsWhatItGotLive() throws {
        try Self.ensureEnvironment()
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("soaptape-\(UUID().uuidString).json").path
        let (server, url) = try CLI.startServer(["serve", "cassettes/spyne", "--strict", "--json", json])
        defer { CLI.stop(server) }
        let client = try CLI.runExecutable(Self.python, [
            CLI.root.appendingPathComponent("Tests/Interop/zeep_client.py").path, url,
            "ToggleFavourite", "UpdateFeatureToggles", "ToggleErpConnectionActive",
        ])
        #expect(client.status == 0, "\(client.stderr)")
        #expect(client.stdout == Self.liveResults)
        CLI.stop(server)
        // --strict: every recording was used (the WSDLs too) and no request went unmatched.
        #expect(server.terminationStatus == 0)
        let report = try JSONDecoder().decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        #expect(report.summary.passed == 8 && report.summary.unmatched == 0)
    }

    @Test func replayAgainstLiveSpynePassesExactlyAndByContract() throws {
        try Self.ensureEnvironment()
        for mode in ["exact", "contract"] {
            // A fresh server each time: ToggleFavourite is stateful (true, then false).
            let (spyne, upstream) = try CLI.startServer(
                [CLI.root.appendingPathComponent("Tests/Interop/spyne_server.py").path], executable: Self.python)
            defer { CLI.stop(spyne) }
            // The WSDLs name the address they were served from, whose port differs from run to run.
            let outcome = try CLI.run(["replay", "cassettes/spyne", "--target", upstream, "--mode", mode,
                                       "--ignore", "//address/@location", "--set", "Ticket=7T:replayTicket"],
                                      in: CLI.root.path)
            #expect(outcome.status == 0, "\(mode): \(outcome)")
            #expect(outcome.stdout.contains("8 interactions: 8 passed. Result: passed."), "\(mode): \(outcome)")
        }
    }
}
