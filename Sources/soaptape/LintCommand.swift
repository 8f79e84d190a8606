import ArgumentParser
import Foundation
import SoaptapeCore

/// `soaptape lint`: checks specs.
struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check that specs load and say what they mean.",
        discussion: """
            Every spec must load (YAML, keys, envelopes, placeholders, XPaths); its envelopes must be SOAP \
            envelopes of the declared versions whose Body holds the declared request or response element in the \
            target namespace; and no two specs may claim the same endpoint and operation.

            Exit status: 0 clean, 1 findings, 2 nothing to read.
            """)

    @Argument(help: ArgumentHelp("Spec files or folders.", valueName: "path"))
    var paths: [String] = ["specs"]

    @Option(name: .customLong("format"), help: ArgumentHelp("Output format: text or json.", valueName: "format"))
    var format: String = "text"

    func validate() throws {
        guard format == "text" || format == "json" else {
            throw ValidationError("--format '\(format)' is not a format; use text or json.")
        }
    }

    func run() throws {
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            throw CLIError(description: "\(path): error: no such file or folder; pass spec files or folders")
        }
        var findings: [SourceError]
        var count = 0
        var exampleJudged: [String] = []
        do {
            let set = try SpecSet.load(paths)
            count = set.specs.count
            findings = SpecLinter.lint(set)
            exampleJudged = set.specs.filter { $0.spec.schema == nil }.map(\.file).sorted()
        } catch {
            findings = error.errors
        }
        if format == "json" {
            let items = findings.map {
                ["file": $0.file, "line": String($0.line), "column": String($0.column), "message": $0.message]
            }
            let data = try JSONSerialization.data(withJSONObject: ["findings": items, "formatVersion": 1,
                                                                  "exampleJudged": exampleJudged],
                                                  options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else if findings.isEmpty {
            printNotes(exampleJudged)
            print("lint: \(count) spec\(count == 1 ? "" : "s") clean.")
        } else {
            for finding in findings { print(finding.description) }
            printNotes(exampleJudged)
            print("lint: \(findings.count) finding\(findings.count == 1 ? "" : "s").")
        }
        if !findings.isEmpty { throw ExitCode(1) }
    }

    /// Specs with no schema are not findings, but their example is taken for the whole contract: say so.
    private func printNotes(_ files: [String]) {
        for file in files {
            print("\(file): note: shape judged from the spec's example (no schema); give the service's WSDL (schema: in "
                  + "the spec or its _defaults.yaml) so that verify judges structure by the contract")
        }
    }
}
