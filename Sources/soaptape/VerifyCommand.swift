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
            element, and its SOAP version and action must be the spec's.

            The schema decides shape; the spec decides values. When the spec names a schema (its schema: or its \
            folder's _defaults.yaml), the request and response are validated against that XSD or WSDL — which \
            elements, their order and number, recursion, derivation, xsi:type, nil, header blocks — and the \
            spec's envelopes constrain only what they pin: literal values and ${regex:…} patterns (typed \
            placeholders such as ${int} leave types to the schema), the payload \
            element, and the spec's rules (ignore, required). Without a schema the spec's envelope is the whole \
            contract (placeholders such as ${int}, repeating and optional elements), and every failure says so.

            SOAP's own attributes (mustUnderstand, actor, role, relay) on header blocks and xsi:type on any \
            element are accepted and checked for what they are. soap:encodingStyle in a document/literal message \
            is a WS-I Basic Profile warning, listed beside a pass (--fail-on-warnings fails it). A recorded SOAP \
            Fault is checked against the spec's faults when it lists any. Interactions no spec describes are \
            listed (--require-spec makes them failures); non-SOAP requests such as GET ?wsdl are skipped.

            This is what CI runs on every commit (make verify).

            Cassettes are read one interaction at a time and checked by --jobs workers, so memory stays flat \
            however large the cassettes are; --shard K/N checks one part of them (docs/ci.md).

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

    @Flag(name: .customLong("fail-on-warnings"),
          help: ArgumentHelp("Fail interactions with WS-I Basic Profile warnings (soap:encodingStyle in a "
                                 + "document/literal message), which are otherwise listed beside a pass."))
    var failOnWarnings = false

    @Option(name: .customLong("jobs"),
            help: ArgumentHelp("Workers checking interactions at once (default: the number of cores).", valueName: "count"))
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1.") }
    }

    @OptionGroup(title: "Sharding")
    var sharding: ShardFlags

    @OptionGroup(title: "Reports")
    var report: ReportFlags

    func run() throws {
        let started = Date().iso8601Milliseconds
        let shard = try sharding.resolve(command: "verify")
        let set: SpecSet
        do { set = try SpecSet.load([specs]) } catch { throw CLIError(description: error.description) }
        let files = CassetteLoading.files(cassettes.isEmpty ? ["cassettes"] : cassettes)
        if files.isEmpty {
            throw CLIError(description: "error: no cassette files (*.yaml) in "
                           + (cassettes.isEmpty ? ["cassettes"] : cassettes).joined(separator: ", "))
        }
        let verification: StreamingVerification
        do {
            verification = try StreamingVerification(specs: set, requireSpec: requireSpec, failOnWarnings: failOnWarnings,
                                                      jobs: jobs, shard: shard)
        } catch {
            throw CLIError(description: error.description)
        }
        let showProgress = isatty(STDERR_FILENO) == 1
        let outcome = verification.run(files) { checked in
            guard showProgress, checked % 4096 < verification.batchSize else { return }
            FileHandle.standardError.write(Data("\r\u{1B}[2K  verified \(checked)".utf8))
        }
        if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        if !outcome.errors.isEmpty {
            throw CLIError(description: outcome.errors.map(\.description).joined(separator: "\n"))
        }
        let suites = outcome.suites
        let total = suites.reduce(0) { $0 + $1.caseCount }
        var result = RunReport(
            command: "verify",
            subject: "\(total) interaction\(total == 1 ? "" : "s") in \(suites.count) cassette\(suites.count == 1 ? "" : "s") "
                + "checked against the \(set.specs.count) specs in \(specs)",
            startedAt: started, finishedAt: Date().iso8601Milliseconds, strict: requireSpec, suites: suites)
        result.expectedLabel = "spec"
        result.actualLabel = "recorded"
        if let shard {
            result.shard = ShardReport(shard: shard, cassettes: files, covered: suites.map(\.cassette),
                                       fingerprint: ShardReport.fingerprint(of: files))
        }
        try report.emit(result)
        if result.failed { throw ExitCode(1) }
    }
}
