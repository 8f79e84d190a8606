import Foundation
import Testing

/// import, lint, sandbox and send as a user runs them, in real processes.
struct SpecCommandTests {
    static let repository = CLI.root.path

    @Test func lintPassesOnTheRepositorysSpecs() throws {
        let outcome = try CLI.run(["lint", "specs"], in: Self.repository)
        #expect(outcome.status == 0)
        #expect(outcome.stderr == "")
        #expect(outcome.stdout.hasSuffix("lint: 13 specs clean.\n"))
        // Specs with no schema are clean, but lint says their shape is judged from an example.
        #expect(outcome.stdout.contains("specs/Services88/Sale/GetSale.yaml: note: shape judged from the spec's example "
                                        + "(no schema); give the service's WSDL (schema: in the spec or its _defaults.yaml) "
                                        + "so that verify judges structure by the contract\n"))
        #expect(!outcome.stdout.contains("Services84/CustomerService/UpdateFeatureToggles.yaml: note"))
    }

    @Test func importIsIdempotentAndLeavesHandEditsAlone() throws {
        let page = CLI.root.appendingPathComponent("Tests/Fixtures/pages/Services99/Widget/SpinWidget.md").path
        let folder = try CLI.directory(with: [:])
        let first = try CLI.run(["import", page, "--out", "out"], in: folder)
        #expect(first.status == 0)
        #expect(first.stdout.hasPrefix("wrote out/Services99/Widget/SpinWidget.yaml\n  - read the front matter key"))
        #expect(try CLI.run(["import", page, "--out", "out"], in: folder)
            == Outcome(stdout: "unchanged out/Services99/Widget/SpinWidget.yaml\n", stderr: "", status: 0))
        let spec = folder + "/out/Services99/Widget/SpinWidget.yaml"
        let edited = try String(contentsOfFile: spec, encoding: .utf8).replacingOccurrences(of: "${long}", with: "${int}")
        try edited.write(toFile: spec, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["import", page, "--out", "out"], in: folder) == Outcome(
            stdout: "", stderr: "out/Services99/Widget/SpinWidget.yaml: error: this spec was edited by hand since it "
                + "was imported, so it was left alone; move hand edits to _defaults.yaml or SpinWidget.examples.yaml, "
                + "or re-run with --force to replace it\n", status: 1))
        #expect(try String(contentsOfFile: spec, encoding: .utf8) == edited)
        #expect(try CLI.run(["import", page, "--out", "out", "--force"], in: folder).status == 0)
        #expect(try String(contentsOfFile: spec, encoding: .utf8) != edited)
    }

    @Test func sendNamesWhatItCannotDo() throws {
        #expect(try CLI.run(["send", "Services88/Favourite/ToggleFavourite", "--to", "http://127.0.0.1:1"],
                            in: Self.repository) == Outcome(
            stdout: "", stderr: "soaptape send: error: cannot reach http://127.0.0.1:1/Remote/Services88/Favourite.svc: "
                + "connection refused\n", status: 2))
        #expect(try CLI.run(["send", "Favourite/ToggleFavourite", "--to", "http://127.0.0.1:1"], in: Self.repository)
            == Outcome(stdout: "", stderr: "soaptape send: error: 'Favourite/ToggleFavourite' names 3 specs "
                + "(Services84/Favourite/ToggleFavourite, Services86/Favourite/ToggleFavourite, "
                + "Services88/Favourite/ToggleFavourite); name one of them\n", status: 2))
        #expect(try CLI.run(["send", "X", "--to", "ftp://host"], in: Self.repository) == Outcome(
            stdout: "", stderr: """
                Error: --to 'ftp://host' is not an http:// or https:// URL.
                Usage: soaptape send <spec> --to <base-url> [--set <name=value> ...] [--soap <version>] [--specs <folder>]
                  See 'soaptape send --help' for more information.

                """, status: 2))
    }

    @Test func sandboxServesSendAndStopsOnSIGTERM() throws {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["sandbox", "--specs", "specs", "--listen", "127.0.0.1:0"]
        process.currentDirectoryURL = CLI.root
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        // The first line names the address it bound to.
        var firstLine = Data()
        while !firstLine.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            firstLine.append(chunk)
        }
        let banner = String(decoding: firstLine, as: UTF8.self)
        let url = try #require(banner.split(separator: " ").first { $0.hasPrefix("http://127.0.0.1:") })
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(banner.hasPrefix("soaptape sandbox: serving "))
        for version in ["1.1", "1.2"] {
            let sent = try CLI.run(["send", "Services86/ErpSync/ToggleErpConnectionActive", "--to", url, "--soap", version,
                                    "--set", "ErpConnectionId=3"], in: Self.repository)
            #expect(sent.status == 0)
            #expect(sent.stdout.contains("<ns1:ToggleErpConnectionActiveResponse>"))
        }
        // A spec the sandbox does not serve: the fault's code and reason, exit 1.
        let spec = try String(contentsOf: CLI.root.appendingPathComponent("specs/Services88/Favourite/ToggleFavourite.yaml"),
                              encoding: .utf8).replacingOccurrences(of: "Favourite.svc", with: "Unknown.svc")
        let folder = try CLI.directory(with: ["Unknown.yaml": Array(spec.utf8)])
        let fault = try CLI.run(["send", folder + "/Unknown.yaml", "--to", url], in: Self.repository)
        #expect(fault.status == 1)
        #expect(fault.stdout.hasPrefix("fault (HTTP 400): env:Sender: no operation is served at "
                                       + "/Remote/Services88/Unknown.svc; the sandbox serves /Remote/Services83/"))
        process.terminate()  // SIGTERM
        process.waitUntilExit()
        let rest = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0)
        #expect(rest.hasSuffix("soaptape sandbox: stopped (SIGTERM)\n"))
    }
}
