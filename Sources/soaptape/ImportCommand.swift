import ArgumentParser
import Foundation
import SoaptapeCore
import SoaptapeHTTP

/// `soaptape import`: SuperOffice reference pages to specs.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Turn SuperOffice reference pages (.md), or any WSDL, into specs.",
        discussion: """
            Reads pages laid out as SuperOffice's SOAP reference (front matter, a description, the request and \
            response ```xml blocks) and writes one spec per page to OUT/<ServicesNN>/<Agent>/<Operation>.yaml. \
            It fixes the pages' quirks: ApplicationToken and Credentials standing directly in Envelope move into \
            a Header and are ignored when comparing, example values become typed placeholders from their \
            xsi:type, and the items of ArrayOf… types are marked repeating.

            Re-importing gives the same bytes. A spec edited by hand since it was imported is never \
            overwritten unless --force is given; put hand-wired settings (schema, extra rules) in the agent's \
            _defaults.yaml and examples in <Operation>.examples.yaml, which import never touches.

            With --wsdl FILE, every operation of each document/literal SOAP binding becomes a spec (rpc and encoded \
            bindings are reported and skipped): version and agent from the target namespace and port type, the \
            endpoint from soap:address (a tenant prefix before /Remote/ dropped), the action and SOAP version from \
            the binding, header blocks from soap:header parts (ignored when comparing), and request and response \
            envelopes generated from the schema — every element in schema order with a typed placeholder \
            (${int}, ${dateTime}, enumerations as ${regex:A|B}), optional and repeating elements in the rules, \
            derived types flattened base first, recursion cut at depth 12. The WSDL is copied beside the specs \
            and named as their schema.

            Exit status: 0 written or unchanged, 1 a hand-edited spec was left alone, 2 an unreadable page or WSDL.

            Examples:
              soaptape import ../docs/Services88/Favourite/ToggleFavourite.md --out specs
              soaptape import --wsdl Favourite.wsdl --out /tmp/specs --operations ToggleFavourite,GetFavourites
            """)

    @Argument(help: ArgumentHelp("Reference pages to import.", valueName: "page.md"))
    var pages: [String] = []

    @Option(name: .customLong("wsdl"), help: ArgumentHelp("Import every operation of this WSDL (a file, or an http(s) URL) "
                                                          + "instead.", valueName: "file-or-url"))
    var wsdl: String?

    @Option(name: .customLong("header"), parsing: .singleValue,
            help: ArgumentHelp("A header sent when fetching --wsdl by URL (repeatable), such as a credential.",
                               valueName: "name:value"))
    var headers: [String] = []

    @Flag(name: .customLong("allow-other-hosts"),
          help: "When fetching --wsdl by URL, follow its imports to other hosts too.")
    var allowOtherHosts = false

    @Option(name: .customLong("operations"),
            help: ArgumentHelp("With --wsdl: only these operations (comma-separated).", valueName: "names"))
    var operations: String?

    @Option(name: .customLong("out"), help: ArgumentHelp("The specs folder.", valueName: "folder"))
    var out: String = "specs"

    @Option(name: .customLong("soap"), help: ArgumentHelp("The SOAP versions the specs accept (pages); with --wsdl, "
                                                          + "the binding to import when it has both.", valueName: "versions"))
    var soap: String = "1.1,1.2"

    @Flag(name: .customLong("force"), help: "Replace specs even when they were edited by hand.")
    var force = false

    func validate() throws {
        for part in soap.split(separator: ",") where SoapVersion(rawValue: String(part)) == nil {
            throw ValidationError("--soap '\(soap)' is not a list of SOAP versions; use 1.1, 1.2 or 1.1,1.2.")
        }
        if wsdl == nil && pages.isEmpty { throw ValidationError("Name reference pages to import, or --wsdl FILE.") }
        if wsdl != nil && !pages.isEmpty { throw ValidationError("Import either pages or --wsdl, not both at once.") }
        for header in headers where !header.contains(":") {
            throw ValidationError("--header '\(header)' is not of the form name:value.")
        }
    }

    func run() async throws {
        if let wsdl {
            guard wsdl.hasPrefix("http://") || wsdl.hasPrefix("https://") else { return try importWSDL(wsdl, name: nil) }
            // Fetched once, its imported schemas inlined; then imported like a file.
            var fetcher = WSDLFetcher()
            fetcher.allowOtherHosts = allowOtherHosts
            fetcher.headers = headers.map { header in
                let parts = header.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                return (parts[0], parts.count > 1 ? parts[1] : "")
            }
            let bytes: [UInt8]
            do { bytes = try await fetcher.fetch(wsdl) } catch {
                throw CLIError(description: "soaptape import: error: \(error.description)")
            }
            let stem = URL(string: wsdl)?.deletingPathExtension().lastPathComponent ?? "service"
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("soaptape-\(UUID().uuidString)-\(stem).wsdl").path
            _ = FileManager.default.createFile(atPath: file, contents: Data(bytes))
            defer { try? FileManager.default.removeItem(atPath: file) }
            return try importWSDL(file, name: stem + ".wsdl")
        }
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

    /// Writes one spec per operation of `wsdl`, the WSDL copied beside them as the agent's schema.
    func importWSDL(_ wsdl: String, name: String?) throws {
        let versions = soap.split(separator: ",").compactMap { SoapVersion(rawValue: String($0)) }
        let names = operations?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        let schemaName = name ?? (wsdl as NSString).lastPathComponent
        let imported: WSDLImporter.Import
        do {
            imported = try WSDLImporter.importWSDL(wsdl, schemaPath: schemaName, operations: names,
                                                   soap: versions.count == 1 ? versions[0] : nil)
        } catch {
            throw CLIError(description: error.description)
        }
        for note in imported.skipped { FileHandle.standardError.write(Data("skipped \(note)\n".utf8)) }
        guard !imported.results.isEmpty else {
            throw CLIError(description: "\(wsdl): error: no document/literal SOAP operation to import")
        }
        var refused = 0
        var copied = Set<String>()
        for result in imported.results {
            let path = (out as NSString).appendingPathComponent(result.relativePath)
            let folder = (path as NSString).deletingLastPathComponent
            let yaml = try SpecWriter.yaml(result.spec, generatedFrom: schemaName + "#" + result.spec.operation)
            let existing = FileManager.default.contents(atPath: path).flatMap { String(data: $0, encoding: .utf8) }
            if let existing, existing == yaml {
                print("unchanged \(path)")
                continue
            }
            if let existing, !SpecWriter.isUntouchedImport(existing) && !force {
                FileHandle.standardError.write(Data(("\(path): error: this spec was edited by hand since it was imported, "
                    + "so it was left alone; re-run with --force to replace it\n").utf8))
                refused += 1
                continue
            }
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                let schemaCopy = (folder as NSString).appendingPathComponent(schemaName)
                if copied.insert(schemaCopy).inserted,
                    URL(fileURLWithPath: schemaCopy).standardizedFileURL != URL(fileURLWithPath: wsdl).standardizedFileURL
                {
                    if FileManager.default.fileExists(atPath: schemaCopy) { try FileManager.default.removeItem(atPath: schemaCopy) }
                    try FileManager.default.copyItem(atPath: wsdl, toPath: schemaCopy)
                }
                try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError(description: "\(path): error: cannot write the spec (\(error.localizedDescription))")
            }
            print("\(existing == nil ? "wrote" : "updated") \(path)")
        }
        print("\(imported.results.count) operation\(imported.results.count == 1 ? "" : "s") from \(self.wsdl ?? wsdl)"
              + (imported.skipped.isEmpty ? "" : "; \(imported.skipped.count) skipped"))
        if refused > 0 { throw ExitCode(1) }
    }
}
