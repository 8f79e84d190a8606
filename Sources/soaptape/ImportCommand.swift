import ArgumentParser
import Foundation
import SoaptapeCore

/// `soaptape import`: SuperOffice reference pages to specs.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Turn SuperOffice reference pages (.md) into specs.",
        discussion: """
            Reads pages laid out as SuperOffice's SOAP reference (front matter, a description, the request and \
            response ```xml blocks) and writes one spec per page to OUT/<ServicesNN>/<Agent>/<Operation>.yaml. \
            It fixes the pages' quirks: ApplicationToken and Credentials standing directly in Envelope move into \
            a Header and are ignored when comparing, example values become typed placeholders from their \
            xsi:type, and the items of ArrayOf… types are marked repeating.

            Re-importing gives the same bytes. A spec edited by hand since it was imported is never \
            overwritten unless --force is given; put hand-wired settings (schema, extra rules) in the agent's \
            _defaults.yaml and examples in <Operation>.examples.yaml, which import never touches.

            Exit status: 0 written or unchanged, 1 a hand-edited spec was left alone, 2 an unreadable page.
            """)

    @Argument(help: ArgumentHelp("Reference pages to import.", valueName: "page.md"))
    var pages: [String]

    @Option(name: .customLong("out"), help: ArgumentHelp("The specs folder.", valueName: "folder"))
    var out: String = "specs"

    @Option(name: .customLong("soap"), help: ArgumentHelp("The SOAP versions the specs accept.", valueName: "versions"))
    var soap: String = "1.1,1.2"

    @Flag(name: .customLong("force"), help: "Replace specs even when they were edited by hand.")
    var force = false

    func validate() throws {
        for part in soap.split(separator: ",") where SoapVersion(rawValue: String(part)) == nil {
            throw ValidationError("--soap '\(soap)' is not a list of SOAP versions; use 1.1, 1.2 or 1.1,1.2.")
        }
    }

    func run() throws {
        let versions = soap.split(separator: ",").compactMap { SoapVersion(rawValue: String($0)) }
        var refused = 0
        for page in pages {
            let result: PageImporter.Result
            do {
                result = try PageImporter.importPage(page, versions: versions)
            } catch {
                throw CLIError(description: error.description)
            }
            let source = page.split(separator: "/").suffix(3).joined(separator: "/")
            let yaml = try SpecWriter.yaml(result.spec, generatedFrom: source)
            let path = (out as NSString).appendingPathComponent(result.relativePath)
            let existing = FileManager.default.contents(atPath: path).flatMap { String(data: $0, encoding: .utf8) }
            var verb = "wrote"
            if let existing {
                if existing == yaml {
                    print("unchanged \(path)")
                    continue
                }
                if !SpecWriter.isUntouchedImport(existing) && !force {
                    FileHandle.standardError.write(Data(("\(path): error: this spec was edited by hand since it was "
                        + "imported, so it was left alone; move hand edits to _defaults.yaml or "
                        + "\(result.spec.operation).examples.yaml, or re-run with --force to replace it\n").utf8))
                    refused += 1
                    continue
                }
                verb = "updated"
            }
            do {
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
                try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError(description: "\(path): error: cannot write the spec (\(error.localizedDescription))")
            }
            print("\(verb) \(path)")
            for fix in result.fixes { print("  - \(fix)") }
        }
        if refused > 0 { throw ExitCode(1) }
    }
}
