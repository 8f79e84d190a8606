import ArgumentParser
import Foundation
import SoaptapeCore

/// `soaptape compare`: what changed in the contracts between two service versions.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare the contracts of two service versions: what changed, and what breaks clients.",
        discussion: """
            Each side is a spec folder (specs/Services86), a WSDL (Favourite.wsdl), or SuperOffice reference \
            pages (a folder of .md files). Operations are matched by agent and name, elements by local name — \
            namespaces are mapped across versions, and ServicesNN in actions is not a change.

            Reported: operations added or removed; request and response elements added, removed, retyped, made \
            required or optional, made repeating or single, made nillable, reordered; action changes. Each is \
            breaking for existing clients (an operation or response element removed, a type changed, a request \
            element that becomes required, a new order) or additive (a new operation, a new optional element, a \
            new response element). Occurrence and nillability are compared only when both sides are WSDLs (specs \
            and pages do not state them).

            Exit status: 0 compared; 1 with --fail-on breaking when a breaking change is found (or --fail-on any \
            and any change); 2 bad input.

            Examples:
              soaptape compare specs/Services86 specs/Services88
              soaptape compare Services84-Favourite.wsdl Services88-Favourite.wsdl --format markdown
              soaptape compare specs/Services84 specs/Services88 --operations ToggleFavourite --fail-on breaking
            """)

    @Argument(help: ArgumentHelp("The old version: a spec folder, a WSDL, or reference pages.", valueName: "old"))
    var old: String

    @Argument(help: ArgumentHelp("The new version, likewise.", valueName: "new"))
    var new: String

    @Option(name: .customLong("format"), help: ArgumentHelp("text, json or markdown.", valueName: "format"))
    var format: String = "text"

    @Option(name: .customLong("operations"),
            help: ArgumentHelp("Compare only these operations (Operation or Agent/Operation, comma-separated).",
                               valueName: "names"))
    var operations: String?

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Exit 1 on a breaking change (breaking) or any change (any).",
                                                             valueName: "impact"))
    var failOn: String?

    func validate() throws {
        guard ["text", "json", "markdown"].contains(format) else {
            throw ValidationError("--format '\(format)' is not a format; use text, json or markdown.")
        }
        if let failOn, !["breaking", "any"].contains(failOn) {
            throw ValidationError("--fail-on '\(failOn)' is not known; use breaking or any.")
        }
    }

    func run() throws {
        let before: ServiceContract
        let after: ServiceContract
        do {
            before = try ContractReader.read(old)
            after = try ContractReader.read(new)
        } catch let error as SourceError {
            throw CLIError(description: error.description)
        } catch let error as SourceErrors {
            throw CLIError(description: error.description)
        } catch {
            throw CLIError(description: "soaptape compare: error: \(error)")
        }
        let names = operations?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        let comparison = ContractComparison(old: before, new: after, operations: names)
        switch format {
        case "json": print(comparison.json(), terminator: "")
        case "markdown": print(comparison.markdown(), terminator: "")
        default: print(comparison.text(), terminator: "")
        }
        if failOn == "breaking" && comparison.hasBreakingChanges { throw ExitCode(1) }
        if failOn == "any" && !comparison.changes.isEmpty { throw ExitCode(1) }
    }
}
