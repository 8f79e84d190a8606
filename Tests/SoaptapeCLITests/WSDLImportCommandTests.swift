import Foundation
import SoaptapeCore
import Testing

/// `import --wsdl` and `sandbox --wsdl`: a whole service's specs from its WSDL, served without writing a spec.
struct WSDLImportCommandTests {
    static let erpSync = CLI.root.appendingPathComponent("specs/Services86/ErpSync/ErpSync.wsdl").path

    @Test func aWSDLBecomesSpecsAndHandEditsAreKept() throws {
        let out = try CLI.directory(with: [:]) + "/specs"
        let first = try CLI.run(["import", "--wsdl", Self.erpSync, "--out", out], in: CLI.root.path)
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout.hasSuffix("44 operations from \(Self.erpSync)\n"))
        let spec = out + "/Services86/ErpSync/ToggleErpConnectionActive.yaml"
        let loaded = try SpecLoader.load(spec).spec
        #expect(loaded.endpoint == "/Remote/Services86/ErpSync.svc")
        #expect(loaded.action == "http://www.superoffice.net/ws/crm/NetServer/Services86/ErpSync/ToggleErpConnectionActive")
        #expect(loaded.soap == [.soap11])
        #expect(loaded.schema == "ErpSync.wsdl")
        #expect(FileManager.default.fileExists(atPath: out + "/Services86/ErpSync/ErpSync.wsdl"))
        #expect(loaded.request.contains("<tns:ErpConnectionId>${int}</tns:ErpConnectionId>"))
        #expect(loaded.rules.repeating == ["/Envelope/Body/ToggleErpConnectionActiveResponse/Response/string"])
        #expect(try CLI.run(["lint", out], in: CLI.root.path).stdout == "lint: 44 specs clean.\n")
        // Importing again changes nothing; a hand edit is kept unless --force.
        #expect(try CLI.run(["import", "--wsdl", Self.erpSync, "--out", out], in: CLI.root.path).stdout.contains("unchanged \(spec)"))
        try (try String(contentsOfFile: spec, encoding: .utf8)).replacingOccurrences(of: "${int}", with: "${long}")
            .write(toFile: spec, atomically: true, encoding: .utf8)
        let kept = try CLI.run(["import", "--wsdl", Self.erpSync, "--out", out, "--operations", "ToggleErpConnectionActive"],
                               in: CLI.root.path)
        #expect(kept.status == 1)
        #expect(kept.stderr.contains("\(spec): error: this spec was edited by hand since it was imported"))
        #expect(try CLI.run(["import", "--wsdl", Self.erpSync, "--out", out, "--operations", "ToggleErpConnectionActive",
                             "--force"], in: CLI.root.path).status == 0)
    }

    @Test func theSandboxStubsAWholeServiceFromItsWSDL() throws {
        let out = try CLI.directory(with: [:]) + "/specs"
        _ = try CLI.run(["import", "--wsdl", Self.erpSync, "--out", out], in: CLI.root.path)
        let (sandbox, url) = try CLI.startServer(["sandbox", "--wsdl", Self.erpSync])
        defer { CLI.stop(sandbox) }
        // Any operation of the WSDL answers, with an envelope valid against the WSDL.
        let answer = try CLI.run(["send", out + "/Services86/ErpSync/GetErpSyncConnectionSummary.yaml", "--to", url],
                                 in: CLI.root.path)
        #expect(answer.status == 0, "\(answer)")
        #expect(answer.stdout.contains("GetErpSyncConnectionSummaryResponse"))
        let file = try CLI.directory(with: ["answer.xml": Array(answer.stdout.utf8)]) + "/answer.xml"
        let valid = try CLI.run(["validate", file, "--schema", Self.erpSync], in: CLI.root.path)
        #expect(valid.status == 0, "\(valid)")
    }
}
