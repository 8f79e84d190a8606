import ArgumentParser
import Foundation
import NIOCore
import SoapXML
import SoaptapeCore
import SoaptapeHTTP

/// `soaptape replay`: recorded requests sent to a live server, each answer checked against the recording.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Send recorded requests to a live server and compare its answers with the recordings.",
        discussion: """
            Each recorded request is sent to --target in recorded order (one at a time unless --concurrency: \
            operations are stateful). Redacted values are filled from --set and --set-from-env (by element or \
            header name), so a real ticket is injected at replay time and never stored. --map-namespace and \
            --map-path rewrite requests for another service version (Services86 recordings against a \
            Services88 server); the SOAP action is rewritten with the namespaces, and answers are compared with \
            the namespaces mapped.

            Modes: exact — the answer must equal the recording under the comparison rules (the spec's, \
            --ignore); contract — the same elements in the same order (repeating elements may differ in count, \
            optional ones may be absent: from the spec, else inferred from the recording), the same xsi:types, \
            and every value lexically valid for its type, values otherwise free. A fault where the recording had \
            none, or the reverse, and another HTTP status always count. Every answer is also checked against the \
            SOAP envelope schema, its xsi:type values, and the schema its operation's spec names (docs/schema.md).

            Correlation (docs/replay.md): a value the server assigned — first seen in a recorded answer, then in \
            later recorded requests (an id a create returned) — is taken from the live answer and put wherever the \
            recorded value stood in the later requests, and in the later answers before they are compared. Only \
            values that can be identifiers count (integers other than -1, 0 and 1, GUIDs, strings of 8 or more \
            characters with a digit); --correlate FROM=TO adds one the heuristics miss, --correlate off turns \
            them off. A secret a recorded answer returned (the ticket of a login, recorded as ${redacted}) flows \
            into the later ${redacted} of that name, so a cassette that begins with its login replays with no \
            --set; it is never shown. Every report lists the correlations used.

            --update writes the live answers of the interactions that differ back into their cassettes (in \
            contract mode, only those that break the contract), redacted as record redacts, correlated values put \
            back to the recorded ones, each cassette replaced atomically: the diff shows only the changed answers.

            With --candidate URL (the CI form of shadow, docs/shadow.md) the recorded requests go to --target as \
            above, and the shadowed ones — by default only operations that read (Get…, Find…, Is…, …), else \
            --shadow REGEX or --shadow-all — also to --secondary (or the target again) and to the candidate, \
            rewritten by --map-namespace and --map-path; the target's live answers are the reference, noise is \
            learned from the second call, and the report is shadow's.

            A connection error fails that interaction and the run goes on. Exit status: 0 every answer held (or, \
            with --update, every answer that differed was written back); 1 a difference; 2 nothing could be \
            compared (bad input, target unreachable) or a cassette could not be updated.

            Example:
              SO_TICKET=… soaptape replay cassettes/ --target https://online.example.com/Cust12345 \\
                  --set-from-env Ticket=SO_TICKET --mode contract --junit replay.xml
            """)

    @Argument(help: ArgumentHelp("Cassette files or folders.", valueName: "cassette"))
    var cassettes: [String]

    @Option(name: .customLong("target"), help: ArgumentHelp("The server's base URL.", valueName: "base-url"))
    var target: String

    @Option(name: .customLong("mode"), help: ArgumentHelp("exact or contract.", valueName: "mode"))
    var mode: String = "exact"

    @Option(name: .customLong("fail-on"),
            help: ArgumentHelp("breaking (the default: additive changes, such as a new response element or a new "
                               + "operation in a WSDL, pass and are listed) or any (they fail too).",
                               valueName: "impact"))
    var failOn: String = "breaking"

    @Flag(name: .customLong("fail-on-warnings"),
          help: ArgumentHelp("Fail answers with WS-I Basic Profile warnings (soap:encodingStyle in a document/literal "
                                 + "message), which are otherwise listed beside a pass."))
    var failOnWarnings = false

    @Option(name: .customLong("set"), parsing: .singleValue,
            help: ArgumentHelp("A value for a redacted element or header (repeatable).", valueName: "name=value"))
    var values: [String] = []

    @Option(name: .customLong("set-from-env"), parsing: .singleValue,
            help: ArgumentHelp("A value for a redacted element or header, read from an environment variable.",
                               valueName: "name=variable"))
    var valuesFromEnvironment: [String] = []

    @Option(name: .customLong("map-namespace"), parsing: .singleValue,
            help: ArgumentHelp("Rewrite namespace URIs and actions, FROM to TO.", valueName: "from=to"))
    var mapNamespace: [String] = []

    @Option(name: .customLong("map-path"), parsing: .singleValue,
            help: ArgumentHelp("Rewrite request paths, FROM to TO.", valueName: "from=to"))
    var mapPath: [String] = []

    @Option(name: .customLong("ignore"), parsing: .singleValue,
            help: ArgumentHelp("Leave the nodes this XPath selects out of every comparison (repeatable).",
                               valueName: "xpath"))
    var ignore: [String] = []

    @Option(name: .customLong("correlate"), parsing: .singleValue,
            help: ArgumentHelp("off (carry no assigned values but secrets), or FROM=TO: carry the value at the "
                               + "response path FROM into later requests at the path TO (repeatable; paths like "
                               + "//SaveSaleEntityResponse/Response/SaleId).", valueName: "off|from=to"))
    var correlate: [String] = []

    @Flag(name: .customLong("update"),
          help: "Write the live answers that differ back into their cassettes (atomically, redacted).")
    var update = false

    @Option(name: .customLong("specs"), help: ArgumentHelp("Specs whose rules and types apply.", valueName: "folder"))
    var specs: String = "specs"

    @Option(name: .customLong("concurrency"), help: ArgumentHelp("Requests in flight at once.", valueName: "count"))
    var concurrency: Int = 1

    @Option(name: .customLong("timeout"), help: ArgumentHelp("Seconds to wait for each answer.", valueName: "seconds"))
    var timeout: Int = 30

    @Option(name: .customLong("target-ca"),
            help: ArgumentHelp("Trust the certificates in this PEM file for an https target.", valueName: "file"))
    var targetCA: String?

    @Option(name: .customLong("candidate"),
            help: ArgumentHelp("Also send each shadowed request to this version and compare its answers with the "
                               + "target's (the CI form of shadow; --map-namespace/--map-path then rewrite the "
                               + "candidate's requests only).", valueName: "url"))
    var candidate: String?

    @Option(name: .customLong("secondary"),
            help: ArgumentHelp("With --candidate: a second instance of the target's version to learn noise from "
                               + "(default: the target asked again).", valueName: "url"))
    var secondary: String?

    @Option(name: .customLong("shadow"),
            help: ArgumentHelp("With --candidate: shadow the operations whose names this regular expression matches "
                               + "(default: the read-only ones).", valueName: "regex"))
    var shadow: String?

    @Flag(name: .customLong("shadow-all"), help: "With --candidate: shadow every request, writes too.")
    var shadowAll = false

    @OptionGroup(title: "Sharding")
    var sharding: ShardFlags

    @OptionGroup(title: "Reports")
    var report: ReportFlags

    func validate() throws {
        guard ResponseCheck.Mode(rawValue: mode) != nil else {
            throw ValidationError("--mode '\(mode)' is not a mode; use exact or contract.")
        }
        guard ["breaking", "any"].contains(failOn) else {
            throw ValidationError("--fail-on '\(failOn)' is not an impact; use breaking or any.")
        }
        guard let url = URL(string: target), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil
        else {
            throw ValidationError("--target '\(target)' is not an http:// or https:// URL.")
        }
        for (flag, url) in [("--candidate", candidate), ("--secondary", secondary)] {
            guard let url else { continue }
            guard let parsed = URL(string: url), let scheme = parsed.scheme, ["http", "https"].contains(scheme),
                parsed.host != nil
            else {
                throw ValidationError("\(flag) '\(url)' is not an http:// or https:// URL.")
            }
        }
        if candidate == nil && (secondary != nil || shadow != nil || shadowAll) {
            throw ValidationError("--secondary, --shadow and --shadow-all go with --candidate URL (the version to "
                                  + "compare the target with).")
        }
        if candidate != nil && update {
            throw ValidationError("--update cannot be used with --candidate: the candidate's answers are compared "
                                  + "with the target's, not with the recordings.")
        }
        if shadow != nil && shadowAll {
            throw ValidationError("--shadow and --shadow-all cannot be used together; --shadow-all already shadows "
                                  + "every request.")
        }
        if let shadow {
            do { _ = try ShadowPattern(shadow) } catch { throw ValidationError("--shadow \(error).") }
        }
        try ValueFlags.validate(values, flag: "--set", example: "Ticket=7T:abc")
        try ValueFlags.validate(valuesFromEnvironment, flag: "--set-from-env", example: "Ticket=SO_TICKET")
        try ValueFlags.validate(mapNamespace, flag: "--map-namespace", example: "Services86=Services88")
        try ValueFlags.validate(mapPath, flag: "--map-path", example: "/Services86/=/Services88/")
        for expression in ignore {
            do { _ = try XPathSelector(expression) } catch { throw ValidationError("--ignore: \(error).") }
        }
        for rule in correlate where rule != "off" {
            try ValueFlags.validate([rule], flag: "--correlate", example: "//SaveSaleEntityResponse/Response/SaleId=//GetSale/SaleId")
            for path in ValueFlags.rewrites([rule]).flatMap({ [$0.from, $0.to] }) {
                if let problem = CorrelationPlan.Rule.validate(path) {
                    throw ValidationError("--correlate '\(rule)': the path '\(path)' is not a path of elements: \(problem).")
                }
            }
        }
        if update && (!mapNamespace.isEmpty || !mapPath.isEmpty) {
            throw ValidationError("--update cannot be used with --map-namespace or --map-path: it would write another "
                                  + "version's answers into these recordings; record that version into its own cassette.")
        }
                guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1.") }
        guard timeout >= 1 else { throw ValidationError("--timeout must be at least 1 second.") }
        if let targetCA, !FileManager.default.isReadableFile(atPath: targetCA) {
            throw ValidationError("--target-ca '\(targetCA)' cannot be read.")
        }
    }

    func run() async throws {
        let started = Date().iso8601Milliseconds
        let shard = try sharding.resolve(command: "replay")
        let all = try CassetteLoading.load(cassettes)
        // A cassette is one stateful sequence: it is replayed whole, on one shard.
        let loaded = shard.map { shard in all.filter { shard.owns(cassette: $0.name) } } ?? all
        var specSet: SpecSet?
        if FileManager.default.fileExists(atPath: specs) {
            do { specSet = try SpecSet.load([specs]) } catch { throw CLIError(description: error.description) }
        }
        var given = ValueFlags.parse(values)
        for (name, variable) in ValueFlags.parse(valuesFromEnvironment) {
            guard let value = ProcessInfo.processInfo.environment[variable] else {
                throw CLIError(description: "soaptape replay: error: --set-from-env \(name)=\(variable): the environment "
                               + "variable \(variable) is not set")
            }
            given[name] = value
        }
        let mappings = ValueFlags.rewrites(mapNamespace)
        var check = ResponseCheck(
            mode: ResponseCheck.Mode(rawValue: mode)!, specs: specSet,
            namespaceMappings: mappings.map { .substring($0.from, $0.to) }, ignore: ignore.map { try! XPathSelector($0) })
        check.failOnAdditive = failOn == "any"
        var runner = ReplayRunner(target: target, check: check, filler: RedactionFiller(values: given, standIns: false))
        runner.namespaces = mappings
        runner.failOnWarnings = failOnWarnings
        runner.paths = ValueFlags.rewrites(mapPath)
        runner.concurrency = concurrency
        runner.timeout = .seconds(Int64(timeout))
        runner.certificateAuthority = targetCA
        runner.automaticCorrelation = !correlate.contains("off")
        runner.correlationRules = ValueFlags.rewrites(correlate.filter { $0 != "off" })
            .map { CorrelationPlan.Rule(from: $0.from, to: $0.to) }
        if update {
            runner.updateRecorder = InteractionRecorder(redactor: .superOffice, redactedHeaders: HTTPHeaderRules.credentials,
                                                        specs: specSet)
        }
        if let specSet {
            do { runner.schemas = (specSet, try SchemaCatalog(specSet)) } catch { throw CLIError(description: error.description) }
        }
        if let candidate {
            return try await runShadow(runner: runner, candidate: candidate, loaded: loaded, specs: specSet,
                                       started: started)
        }
        let showProgress = isatty(STDERR_FILENO) == 1
        let outcome = await runner.run(loaded) { done, total, label in
            guard showProgress else { return }
            let line = "\r\u{1B}[2K  replaying \(done)/\(total)  \(label)"
            FileHandle.standardError.write(Data(line.utf8))
        }
        if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        let suites = outcome.suites
        let total = suites.reduce(0) { $0 + $1.caseCount }
        var result = RunReport(
            command: "replay",
            subject: "\(total) recorded interaction\(total == 1 ? "" : "s") replayed against \(target) in \(mode) mode",
            startedAt: started, finishedAt: Date().iso8601Milliseconds, suites: suites)
        if let shard {
            let names = all.map(\.name)
            result.shard = ShardReport(shard: shard, cassettes: names, covered: loaded.map(\.name),
                                       fingerprint: ShardReport.fingerprint(of: names))
        }
        try report.emit(result)
        let cases = suites.flatMap(\.cases)
        if !cases.isEmpty && cases.allSatisfy({ $0.verdict == .error }) {
            let reason = cases[0].message ?? "the target could not be reached"
            throw CLIError(description: "soaptape replay: error: nothing could be compared: \(reason)")
        }
        if update {
            // Each cassette whose answers differed is rewritten; the report above already says which cases.
            for (name, _) in loaded {
                guard let rewritten = outcome.updates[name] else { continue }
                do {
                    try CassetteRewriter.replace(name, with: rewritten)
                } catch {
                    throw CLIError(description: error.description)
                }
                let numbers = rewritten.map { "#\($0.sequence) \($0.label)" }.joined(separator: ", ")
                let noun = rewritten.count == 1 ? "answer" : "answers"
                let line = "soaptape replay: updated \(name): \(rewritten.count) \(noun) rewritten (\(numbers))\n"
                FileHandle.standardError.write(Data(line.utf8))
            }
            let rewrittenCount = outcome.updates.values.reduce(0) { $0 + $1.count }
            let failedCases = cases.filter { $0.verdict.isFailure(strict: false) }.count
            if failedCases > rewrittenCount { throw ExitCode(1) }
            return
        }
        if result.failed { throw ExitCode(1) }
    }

    /// `--candidate`: the recorded requests to the target, the shadowed ones to the secondary and the candidate too;
    /// the shadow report.
    private func runShadow(runner: ReplayRunner, candidate: String, loaded: [(name: String, cassette: Cassette)],
                           specs: SpecSet?, started: String) async throws {
        var runner = runner
        runner.namespaces = []
        runner.paths = []
        let namespaces = ValueFlags.rewrites(mapNamespace)
        let comparison = ShadowComparison(specs: specs, catalog: runner.schemas?.catalog, namespaces: namespaces,
                                          ignore: ignore.map { try! XPathSelector($0) })
        let policy = ShadowCommand.policy(shadow: shadow, shadowAll: shadowAll)
        let targets = ShadowTargets(candidate: candidate, secondary: secondary, policy: policy, comparison: comparison,
                                    paths: ValueFlags.rewrites(mapPath))
        let ledger = ShadowLedger()
        let showProgress = isatty(STDERR_FILENO) == 1
        let (unanswered, reason) = await runner.runShadow(loaded, targets: targets, ledger: ledger, specs: specs) {
            done, total, label in
            guard showProgress else { return }
            FileHandle.standardError.write(Data("\r\u{1B}[2K  replaying \(done)/\(total)  \(label)".utf8))
        }
        if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        var mappings = namespaces.map { "namespace \($0.from) → \($0.to)" }
        mappings += targets.paths.map { "path \($0.from) → \($0.to)" }
        let result = ledger.report(command: "replay", primary: runner.target, candidate: targets.candidate,
                                   secondary: targets.secondary, mappings: mappings, policy: policy,
                                   failOnAny: failOn == "any", startedAt: started)
        if result.summary.requests > 0 && unanswered == result.summary.requests {
            let cause = reason ?? "the target could not be reached"
            throw CLIError(description: "soaptape replay: error: nothing could be compared: \(cause)")
        }
        try report.emit(result)
        if unanswered > 0 {
            let line = "soaptape replay: the target did not answer \(unanswered) request"
                + "\(unanswered == 1 ? "" : "s"): \(reason ?? "")\n"
            FileHandle.standardError.write(Data(line.utf8))
            throw ExitCode(1)
        }
        if result.failed { throw ExitCode(1) }
    }
}
