import ArgumentParser
import Foundation
import SoaptapeCore

/// `soaptape report`: work on the JSON reports runs wrote.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Work on reports that verify, replay and serve wrote (merge the shards of a sharded run).",
        subcommands: [ReportMergeCommand.self])
}

/// `soaptape report merge`: one report, and one verdict, from the JSON reports of a sharded run's shards.
struct ReportMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the JSON reports of a sharded run's shards into one report and one exit status.",
        discussion: """
            Each shard of a sharded verify or replay (--shard K/N, or a parallel CI job) writes its own report \
            with --json; this makes of them the report the unsharded run would have written — every cassette's \
            suite in run order, its cases in recorded order — and renders it as text or JSON on stdout, and as \
            any of --json, --junit and --html files. A missing or repeated shard, or shards of different runs \
            (another command, another N, another cassette set), is an error that names them (docs/ci.md).

            Exit status: 0 the merged run passed; 1 it failed; 2 the reports cannot be read or merged.

            Example:
              soaptape report merge shard-*.json --junit verify.xml --html verify.html
            """)

    @Argument(help: ArgumentHelp("The shards' JSON reports.", valueName: "report.json"))
    var reports: [String]

    @OptionGroup(title: "Reports")
    var report: ReportFlags

    func validate() throws {
        guard !reports.isEmpty else { throw ValidationError("Name the shards' JSON reports to merge.") }
    }

    func run() throws {
        var read: [(file: String, report: RunReport)] = []
        for file in reports {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CLIError(description: "\(file): error: cannot read the report; check the path")
            }
            do {
                read.append((file, try JSONDecoder().decode(RunReport.self, from: data)))
            } catch {
                throw CLIError(description: "\(file): error: not a soaptape JSON report (\(Self.reason(error))); "
                               + "pass the files each shard wrote with --json")
            }
        }
        let merged: RunReport
        do { merged = try ReportMerge.merge(read) } catch { throw CLIError(description: error.description) }
        try report.emit(merged)
        if merged.failed { throw ExitCode(1) }
    }

    private static func reason(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "it has no \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return context.debugDescription
        case DecodingError.dataCorrupted(let context): return context.debugDescription
        default: return "\(error)"
        }
    }
}
