import ArgumentParser
import Foundation
import SoaptapeCore

/// `soaptape verify`: every recorded interaction checked against its spec, offline.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check recorded cassettes against their specs, offline.",
        discussion: """
            No network. Each interaction is identified with its spec by endpoint and the request's payload \
            element; its request and response must conform to the spec's envelopes under the spec's rules \
            (placeholders such as ${int}, ignore rules, repeating and optional elements), and its SOAP version \
            and action must be the spec's. A recorded SOAP Fault is checked against the spec's faults when it \
            lists any. Interactions no spec describes are listed (--require-spec makes them failures); non-SOAP \
            requests such as GET ?wsdl are skipped.

            This is what CI runs on every commit (make verify).

            Exit status: 0 everything conforms; 1 a difference (or, with --require-spec, an interaction with no \
            spec); 2 bad input (a cassette or spec that cannot be read, placed at FILE:LINE:COL).

            Examples:
              soaptape verify cassettes/
              soaptape verify --specs specs cassettes/spyne --junit verify.xml --html verify.html
            """)

    @Argument(help: ArgumentHelp("Cassette files or folders (default: cassettes).", valueName: "cassette-or-folder"))
    var cassettes: [String] = []

    @Option(name: .customLong("specs"), help: ArgumentHelp("The specs folder.", valueName: "folder"))
    var specs: String = "specs"

    @Flag(name: .customLong("require-spec"), help: "Fail interactions that no spec describes.")
    var requireSpec = false

    @OptionGroup(title: "Sharding")
    var sharding: ShardFlags

    @OptionGroup(title: "Reports")
    var report: ReportFlags

    func run() throws {
        let started = Date().iso8601Milliseconds
        let shard = try sharding.resolve(command: "verify")
        let set: SpecSet
        do { set = try SpecSet.load([specs]) } catch { throw CLIError(description: error.description) }
        let loaded = try CassetteLoading.load(cassettes.isEmpty ? ["cassettes"] : cassettes)
        let verifier: CassetteVerifier
        do { verifier = try CassetteVerifier(specs: set, requireSpec: requireSpec) } catch {
            throw CLIError(description: error.description)
        }
        var suites: [ReportSuite] = []
        for (name, cassette) in loaded {
            guard let shard else {
                suites.append(verifier.verify(cassette, name: name))
                continue
            }
            let mine = cassette.interactions.filter { shard.owns(cassette: name, sequence: $0.sequence) }
            if !mine.isEmpty { suites.append(ReportSuite(cassette: name, cases: mine.map(verifier.verify))) }
        }
        let total = suites.reduce(0) { $0 + $1.cases.count }
        var result = RunReport(
            command: "verify",
            subject: "\(total) interaction\(total == 1 ? "" : "s") in \(suites.count) cassette\(suites.count == 1 ? "" : "s") "
                + "checked against the \(set.specs.count) specs in \(specs)",
            startedAt: started, finishedAt: Date().iso8601Milliseconds, strict: requireSpec, suites: suites)
        result.expectedLabel = "spec"
        result.actualLabel = "recorded"
        if let shard {
            let names = loaded.map(\.name)
            result.shard = ShardReport(shard: shard, cassettes: names, covered: suites.map(\.cassette),
                                       fingerprint: ShardReport.fingerprint(of: names))
        }
        try report.emit(result)
        if result.failed { throw ExitCode(1) }
    }
}
