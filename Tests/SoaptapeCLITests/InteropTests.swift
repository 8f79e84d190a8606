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

    /// Creates `.build/interop-venv` with zeep, spyne, waitress, suds-community and PyYAML from PyPI, once.
    /// Tests run in parallel and many need the venv: one makes it while the others wait (two pip runs into one venv
    /// at once fail).
    private static let environmentLock = NSLock()

    static func ensureEnvironment() throws {
        environmentLock.lock()
        defer { environmentLock.unlock() }
        if FileManager.default.fileExists(atPath: venv + "/.soaptape-ready-2") { return }
        for arguments in [["python3", "-m", "venv", venv],
                          [venv + "/bin/pip", "install", "-q", "zeep==4.3.3", "spyne==2.14.0", "waitress==3.0.2",
                           "suds-community==1.2.0", "PyYAML==6.0.2"]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw InteropError("'\(arguments.joined(separator: " "))' failed; the interop tests need python3-venv and PyPI")
            }
        }
        _ = FileManager.default.createFile(atPath: venv + "/.soaptape-ready-2", contents: Data())
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
            // The recorded WSDLs name the address they were served from, whose port differs from run to run: a WSDL
            // fetch is compared as a contract (operations and types), never by that address.
            let outcome = try CLI.run(["replay", "cassettes/spyne", "--target", upstream, "--mode", mode,
                                       "--set", "Ticket=7T:replayTicket"], in: CLI.root.path)
            #expect(outcome.status == 0, "\(mode): \(outcome)")
            #expect(outcome.stdout.contains("8 interactions: 8 passed. Result: passed."), "\(mode): \(outcome)")
        }
    }

    /// A correct client leaves out an element its schema makes optional, or sends it nil. Against a spec whose
    /// folder names a schema (Services84 CustomerService, validated against the Services86 WSDL with the namespace
    /// mapped) verify passes it; against the same spec with no schema the example is the contract, and the failure
    /// says so.
    @Test func anOmittedOrNilOptionalElementPassesWhereASchemaJudgesShape() throws {
        try Self.ensureEnvironment()
        let (spyne, upstream) = try CLI.startServer(
            [CLI.root.appendingPathComponent("Tests/Interop/spyne_server.py").path], executable: Self.python)
        defer { CLI.stop(spyne) }
        let cassette = FileManager.default.temporaryDirectory.appendingPathComponent("soaptape-\(UUID().uuidString).yaml").path
        let (recorder, proxy) = try CLI.startServer(["record", "--upstream", upstream, "--cassette", cassette,
                                                     "--listen", "127.0.0.1:0"])
        defer { CLI.stop(recorder) }
        let client = try CLI.runExecutable(Self.python, [
            CLI.root.appendingPathComponent("Tests/Interop/zeep_optional_client.py").path, proxy])
        #expect(client.status == 0, "\(client.stderr)")
        CLI.stop(recorder)
        let recorded = try String(contentsOfFile: cassette, encoding: .utf8)
        #expect(!recorded.contains("<ns0:FeatureToggles>") && recorded.contains("xsi:nil=\"true\""))

        let withSchema = try CLI.run(["verify", cassette, "--specs", "specs", "--require-spec"], in: CLI.root.path)
        #expect(withSchema.status == 0, "\(withSchema)")
        #expect(withSchema.stdout.contains("3 interactions: 2 passed, 1 skipped. Result: passed."), "\(withSchema)")

        // The same spec, no schema: its example shows FeatureToggles, so it is taken for required.
        let folder = try CLI.directory(with: [:]) + "/specs/Services84/CustomerService"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: CLI.root.appendingPathComponent("specs/Services84/CustomerService/UpdateFeatureToggles.yaml").path,
            toPath: folder + "/UpdateFeatureToggles.yaml")
        let specs = (folder as NSString).deletingLastPathComponent
        let example = try CLI.run(["verify", cassette, "--specs", (specs as NSString).deletingLastPathComponent],
                                  in: CLI.root.path)
        #expect(example.status == 1, "\(example)")
        #expect(example.stdout.contains("shape judged from the spec's example: give the service's WSDL (schema: in the "
                                        + "spec or its _defaults.yaml) to judge it by the contract"), "\(example)")
    }

    /// SOAP::Lite (Perl) types every element with xsi:type, writes soap:encodingStyle on every Envelope and marks
    /// Credentials mustUnderstand — traffic the WSDL allows (encodingStyle aside, which the WS-I profile forbids):
    /// every operation of the Services88 Favourite WSDL, recorded between SOAP::Lite's client and server, passes
    /// verify with the profile warnings listed (and fails with --fail-on-warnings), and replays exactly against a
    /// fresh SOAP::Lite server although its answers carry encodingStyle too.
    @Test func soapLiteTrafficPassesVerifyAndReplayWithProfileWarnings() throws {
        try Self.ensureEnvironment()
        let folder = try CLI.directory(with: [:])
        let plan = try CLI.runExecutable(Self.python, [
            CLI.root.appendingPathComponent("Tests/Interop/plan/wsdl_plan.py").path, "specs/Services88/Favourite/Favourite.wsdl"])
        #expect(plan.status == 0, "\(plan.stderr)")
        try plan.stdout.write(toFile: folder + "/plan.json", atomically: true, encoding: .utf8)
        let perl = CLI.root.appendingPathComponent("Tests/Interop/perl").path
        let environment = ["INTEROP_PLAN": folder + "/plan.json", "INTEROP_VARIANT": "normal"]
        let (server, upstream) = try CLI.startServer([], executable: perl + "/server", environment: environment)
        defer { CLI.stop(server) }
        let cassette = folder + "/soaplite.yaml"
        let (recorder, proxy) = try CLI.startServer(["record", "--upstream", upstream, "--cassette", cassette,
                                                     "--listen", "127.0.0.1:0"])
        defer { CLI.stop(recorder) }
        let client = try CLI.runExecutable(perl + "/client", ["--plan", folder + "/plan.json",
                                                              "--endpoint", proxy + "/Remote/Services88/Favourite.svc"])
        #expect(client.status == 0, "\(client.stderr)")
        #expect(client.stdout.split(separator: "\n").count == 11 && !client.stdout.contains("\"error\""), "\(client.stdout)")
        CLI.stop(recorder)
        let requests = try CassetteLoader.load(cassette).cassette.interactions.map { String(decoding: $0.request.body, as: UTF8.self) }
        #expect(requests.count == 11 && requests.allSatisfy {
            $0.contains("soap:encodingStyle=") && $0.contains("soap:mustUnderstand=\"1\"") && $0.contains("xsi:type=")
        })

        let imported = try CLI.run(["import", "--wsdl", "specs/Services88/Favourite/Favourite.wsdl", "--out", folder + "/specs"],
                                   in: CLI.root.path)
        #expect(imported.status == 0, "\(imported)")
        let verified = try CLI.run(["verify", cassette, "--specs", folder + "/specs", "--require-spec"], in: CLI.root.path)
        #expect(verified.status == 0, "\(verified)")
        #expect(verified.stdout.contains("11 interactions: 11 passed. Result: passed."), "\(verified)")
        #expect(verified.stdout.contains("warning (passes; --fail-on-warnings fails it): request: /Envelope/@encodingStyle: "
                                         + "soap:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\" on Envelope: SOAP "
                                         + "allows it, but the WS-I Basic Profile (R1005) forbids it"))
        let strict = try CLI.run(["verify", cassette, "--specs", folder + "/specs", "--fail-on-warnings"], in: CLI.root.path)
        #expect(strict.status == 1)
        #expect(strict.stdout.contains("11 interactions: 0 passed, 11 failed. Result: failed."), "\(strict)")

        let (fresh, target) = try CLI.startServer([], executable: perl + "/server", environment: environment)
        defer { CLI.stop(fresh) }
        let replayed = try CLI.run(["replay", cassette, "--target", target, "--specs", folder + "/specs"], in: CLI.root.path)
        #expect(replayed.status == 0, "\(replayed)")
        #expect(replayed.stdout.contains("11 interactions: 11 passed. Result: passed."), "\(replayed)")
    }

    /// The interop matrix (Tests/Interop/matrix.py): zeep, suds-community and PHP's SoapClient against spyne and
    /// PHP's SoapServer, through record, verify, serve and replay, with injected changes. Correct traffic from
    /// stacks we did not write must pass every step, and every injected change must be caught.
    @Test func theInteropMatrixHasNoFalseVerdictAndCatchesEveryInjectedChange() throws {
        try Self.ensureEnvironment()
        let out = try CLI.directory(with: [:])
        let run = try CLI.runExecutable(Self.python, [CLI.root.appendingPathComponent("Tests/Interop/matrix.py").path,
                                                      CLI.binary.path, out])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let result = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/matrix.json")))
            as? [String: Any]
        let rows = result?["rows"] as? [[String: Any]] ?? []
        #expect(result?["false_verdicts"] as? Int == 0 && result?["missed_catches"] as? Int == 0)
        // Nine pairs of stacks (spyne serves SOAP 1.1 only), seven steps each; every step saw the whole scenario.
        #expect(rows.count == 63)
        #expect(rows.allSatisfy { ($0["interactions"] as? Int ?? 0) >= 11 })
        // The injected changes were there to catch: exact replay fails the six answers holding a value, contract
        // replay the seven whose Response element was dropped, for every pair.
        #expect(rows.filter { ($0["step"] as? String) == "replay exact → changed server" }.allSatisfy { $0["failed"] as? Int == 6 })
        #expect(rows.filter { ($0["step"] as? String) == "replay contract → dropped server" }.allSatisfy { $0["failed"] as? Int == 7 })
    }
}
