import ArgumentParser
import Foundation
import NIOCore
import SoapXML
import SoaptapeCore
import SoaptapeHTTP

/// `soaptape record`: the record proxy.
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record SOAP traffic through a reverse proxy into a cassette.",
        discussion: """
            Point clients at the address it prints instead of the real server. Every request is forwarded to \
            --upstream (http or https), the real answer is returned to the client unchanged, and the interaction \
            is appended to the cassette as soon as it completes — with credentials redacted before anything \
            reaches disk: ApplicationToken, Credentials/Ticket and Password elements, and the Authorization, \
            Proxy-Authorization, Cookie and Set-Cookie headers become ${redacted}.

            Modes: all records everything (appending to an existing cassette); new answers from the cassette \
            when a recording matches and records the rest (a request repeated more often than it was recorded is \
            recorded again, unless --repeat last answers it with its last recording); once records only into a cassette that does not \
            exist yet; none never forwards and answers from the cassette only.

            An unreachable or failing upstream gets the client a SOAP Fault (HTTP 502, or 504 on a timeout) \
            naming the upstream and the cause; nothing is recorded unless --record-errors. On Ctrl-C (SIGINT) or \
            SIGTERM it prints what it recorded, per operation, and exits 0.

            With --check, each interaction is also verified against the specs as it is recorded, exactly as \
            `soaptape verify` would verify the cassette later, off the client's path: one line per interaction \
            (PASS, FAIL with the first difference by path, NOSPEC, SKIP), verify's report at stop (--json, --junit, \
            --html), and exit 1 when any interaction failed. The inspector page at /__soaptape/ on the listen \
            address lists the interactions as they arrive, newest first, each with its verdict; a click shows the \
            redacted request and answer with the differences marked (docs/inspector.md).

            Examples:
              soaptape record --upstream https://online.example.com/Cust12345 \\
                  --cassette cassettes/favourites.yaml
              soaptape record --upstream https://online.example.com/Cust12345 \\
                  --cassette cassettes/session.yaml --check --html check.html
            """)

    @Option(name: .customLong("upstream"), help: ArgumentHelp("The real server's base URL.", valueName: "url"))
    var upstream: String

    @Option(name: .customLong("cassette"), help: ArgumentHelp("The cassette file.", valueName: "file"))
    var cassette: String

    @Option(name: .customLong("listen"), help: ArgumentHelp("Where to listen; port 0 picks a free port.",
                                                            valueName: "host:port"))
    var listen: String = "127.0.0.1:0"

    @Option(name: .customLong("mode"), help: ArgumentHelp("all, new, once or none.", valueName: "mode"))
    var mode: String = "all"

    @Option(name: .customLong("repeat"), help: ArgumentHelp(
        "In mode new, after the last recording of a request: record (forward and record it again) or last "
            + "(answer with the last recording, so repeats never grow the cassette).", valueName: "policy"))
    var repeatPolicy: String = "record"

    @Option(name: .customLong("specs"), help: ArgumentHelp("Specs that name the operations recorded.",
                                                           valueName: "folder"))
    var specs: String = "specs"

    @Option(name: .customLong("redact"), parsing: .singleValue,
            help: ArgumentHelp("Also redact the nodes this XPath selects (repeatable).", valueName: "xpath"))
    var redact: [String] = []

    @Option(name: .customLong("redact-header"), parsing: .singleValue,
            help: ArgumentHelp("Also redact this header's value (repeatable).", valueName: "name"))
    var redactHeader: [String] = []

    @Flag(name: .customLong("record-errors"), help: "Record upstream failures (502, 504) too.")
    var recordErrors = false

    @Option(name: .customLong("upstream-ca"),
            help: ArgumentHelp("Trust the certificates in this PEM file for an https upstream.", valueName: "file"))
    var upstreamCA: String?

    @Option(name: .customLong("timeout"), help: ArgumentHelp("Seconds to wait for the upstream.", valueName: "seconds"))
    var timeout: Int = 30

    @Option(name: .customLong("max-body"), help: ArgumentHelp("The largest body accepted, in bytes.", valueName: "bytes"))
    var maxBody: Int = 64 << 20

    @Flag(name: .customLong("check"),
          help: ArgumentHelp("Verify each interaction against the specs as it is recorded, as verify would: a line per "
                             + "interaction, the report at stop, exit 1 when one failed."))
    var check = false

    @OptionGroup(title: "Inspector")
    var inspector: InspectorFlags

    @OptionGroup(title: "Reports (with --check)")
    var report: ReportFlags

    func validate() throws {
        _ = try ListenAddress(listen)
        guard RecordingProxy.Mode(rawValue: mode) != nil else {
            throw ValidationError("--mode '\(mode)' is not a mode; use all, new, once or none.")
        }
        guard RecordingProxy.RepeatPolicy(rawValue: repeatPolicy) != nil else {
            throw ValidationError("--repeat '\(repeatPolicy)' is not a policy; use record or last.")
        }
        guard let url = URL(string: upstream), let scheme = url.scheme, ["http", "https"].contains(scheme),
            url.host != nil
        else {
            throw ValidationError("--upstream '\(upstream)' is not an http:// or https:// URL.")
        }
        if url.user != nil || url.password != nil {
            throw ValidationError("--upstream must not carry credentials (user:password@); they would be recorded. "
                                  + "Clients send their own credentials through the proxy.")
        }
        for expression in redact {
            do { _ = try XPathSelector(expression) } catch { throw ValidationError("--redact: \(error).") }
        }
        if let upstreamCA, !FileManager.default.isReadableFile(atPath: upstreamCA) {
            throw ValidationError("--upstream-ca '\(upstreamCA)' cannot be read.")
        }
        if check && mode == "none" {
            throw ValidationError("--check verifies what is recorded, and --mode none records nothing; use --mode all "
                                  + "or new, or run soaptape verify on the cassette.")
        }
    }

    func run() async throws {
        // A file-size limit reached while writing must fail the write (EFBIG), not kill the recorder.
        signal(SIGXFSZ, SIG_IGN)
        let address = try ListenAddress(listen)
        let mode = RecordingProxy.Mode(rawValue: mode)!
        let exists = FileManager.default.fileExists(atPath: cassette)
        if mode == .once && exists {
            throw CLIError(description: "\(cassette): error: the cassette exists and --mode once records only into a "
                           + "new cassette; use --mode new to add to it, or another --cassette")
        }
        if mode == .none && !exists {
            throw CLIError(description: "\(cassette): error: no such cassette, and --mode none only answers from one")
        }
        var specSet: SpecSet?
        if FileManager.default.fileExists(atPath: specs) {
            do { specSet = try SpecSet.load([specs]) } catch { throw CLIError(description: error.description) }
        }
        let started = Date().iso8601Milliseconds
        var checker: LiveVerifier?
        let log = InspectorLog(command: "record", specs: specSet)
        if check {
            guard let specSet else {
                throw CLIError(description: "soaptape record: error: --check needs specs, and --specs \(specs) does not "
                               + "exist; give the folder of the specs to verify against")
            }
            let verifier: CassetteVerifier
            do { verifier = try CassetteVerifier(specs: specSet) } catch { throw CLIError(description: error.description) }
            checker = LiveVerifier(verifier: verifier) { made in
                log.checked(made.sequence, made)
                FileHandle.standardOutput.write(Data((LiveVerifier.line(made) + "\n").utf8))
            }
        }
        var matcher: InteractionMatcher?
        if exists && (mode == .new || mode == .none) {
            do {
                let (loaded, _) = try CassetteLoader.load(cassette)
                matcher = InteractionMatcher(loaded.interactions, specs: specSet)
            } catch {
                throw CLIError(description: error.description)
            }
        }
        var writer: CassetteWriter?
        if mode != .none {
            do {
                writer = try CassetteWriter(path: cassette, header: CassetteHeader(
                    soaptape: SoaptapeVersion.current, upstream: upstream, createdAt: Date().iso8601Milliseconds))
            } catch let error as SourceError {
                throw CLIError(description: error.description)
            } catch {
                throw CLIError(description: "\(error)")
            }
        }
        var configuration = RecordingProxy.Configuration(upstream: upstream)
        configuration.mode = mode
        configuration.recordErrors = recordErrors
        configuration.repeats = RecordingProxy.RepeatPolicy(rawValue: repeatPolicy)!
        configuration.timeout = .seconds(Int64(timeout))
        configuration.upstreamCertificateAuthority = upstreamCA
        configuration.maximumBodySize = maxBody
        configuration.redactor = Redactor(selectors: Redactor.superOfficeCredentials + redact.map { try! XPathSelector($0) })
        configuration.redactedHeaders = configuration.redactedHeaders.union(HeaderNameSet(redactHeader))
        let live = checker
        configuration.onRecorded = { interactions in
            for interaction in interactions { log.add(interaction, verdict: live != nil ? "checking" : "recorded") }
            live?.submit(interactions)
        }
        let proxy = try RecordingProxy(configuration: configuration, writer: writer, matcher: matcher, specs: specSet)
        let routes = inspector.routes(log, host: address.host)
        let server: HTTPServer
        do {
            server = try await HTTPServer.start(host: address.host, port: address.port, maximumBodySize: maxBody) {
                received, loop, answer in
                if InspectorRoutes.owns(received.head.uri), let page = routes.answer(
                    method: received.head.method.rawValue, uri: received.head.uri,
                    headers: received.head.headers.map { ($0.name, $0.value) })
                {
                    return answer(OutgoingResponse(page))
                }
                proxy.respond(to: received, on: loop, answer)
            }
        } catch {
            await proxy.shutdown()
            throw CLIError(description: "soaptape record: error: cannot listen on \(listen) (\(error)); pick another "
                           + "port, or 0 for a free one")
        }
        print("soaptape record: proxying \(server.baseURL) → \(upstream), recording to \(cassette) (mode \(mode.rawValue))"
              + (check ? ", checking against \(specs)" : "") + "; inspector at \(InspectorFlags.address(server.baseURL, routes))")
        fflush(nil)
        let signal = await Signals.waitForTermination()
        try? await server.shutdown()
        await proxy.shutdown()
        let summary = writer?.summary ?? []
        let total = summary.reduce(0) { $0 + $1.count }
        print("soaptape record: stopped (\(signal)); recorded \(total) interaction\(total == 1 ? "" : "s") to \(cassette)")
        for (operation, count) in summary { print("  \(count)  \(operation)") }
        fflush(nil)
        guard let checker else { return }
        let cases: [ReportCase]
        do {
            // What did not fit in the checker's queue is read back from the cassette and checked now.
            cases = try checker.finish { sequences in
                try CassetteLoader.load(cassette).cassette.interactions.filter { sequences.contains($0.sequence) }
            }
        } catch {
            throw CLIError(description: "\(error)")
        }
        var result = RunReport(
            command: "record",
            subject: "\(cases.count) interaction\(cases.count == 1 ? "" : "s") recorded to \(cassette), checked against "
                + "the specs in \(specs) as verify checks them",
            startedAt: started, finishedAt: Date().iso8601Milliseconds,
            suites: [ReportSuite(cassette: cassette, cases: cases)])
        result.expectedLabel = "spec"
        result.actualLabel = "recorded"
        var shown = report
        // Every interaction already has its line: the text report at stop lists the failures and the summary.
        shown.quiet = true
        try shown.emit(result)
        if result.failed { throw ExitCode(1) }
    }
}
