import ArgumentParser
import Foundation
import NIOCore
import SoapXML
import SoaptapeCore
import SoaptapeHTTP

/// `soaptape serve`: a mock server answering a client under test from cassettes.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Answer a client under test from recorded cassettes.",
        discussion: """
            A request is matched to a recording by endpoint path, operation (the Body's first child) and a body \
            equal to the recorded one under the comparison rules: the spec's ignore rules, ${redacted} values \
            (which match anything) and --ignore. Identical requests get their recorded responses in recorded \
            order (a ToggleFavourite recorded twice answers true, then false); after the last, --repeat decides: \
            last (serve the last again), cycle (start over) or fault.

            Responses are served with the recorded status, headers and body. A ${redacted} value in a recorded \
            response is served as a stable stand-in (REDACTED-1, REDACTED-2, … one per element name) unless \
            --set NAME=VALUE gives one, so a client that logs in gets a ticket it can send back.

            An unmatched request gets a SOAP Fault, in the request's SOAP version, naming the nearest recording \
            (same operation first) and the differences by path; the same line goes to stderr. With --validate, a \
            request that breaks the SOAP envelope schema, its xsi:types or its operation's schema (the spec's \
            schema:) gets a fault listing the violations instead, even when a recording matches it.

            GET /__soaptape/report returns the report so far as JSON; the inspector page at /__soaptape/ lists \
            the requests as they arrive, served or unmatched, with the differences (docs/inspector.md). On \
            Ctrl-C (SIGINT), SIGTERM, after \
            --exit-after requests or --idle-timeout seconds without one, it prints the report (interactions \
            served, never used, unmatched requests with their differences), writes the report files asked for, \
            and exits 0 — or 1 under --strict when a request went unmatched or a recording was never used.

            Example:
              soaptape serve cassettes/favourites.yaml --listen 127.0.0.1:8088 --junit serve.xml
            """)

    @Argument(help: ArgumentHelp("Cassette files or folders.", valueName: "cassette"))
    var cassettes: [String]

    @Option(name: .customLong("listen"), help: ArgumentHelp("Where to listen; port 0 picks a free port.",
                                                            valueName: "host:port"))
    var listen: String = "127.0.0.1:0"

    @Option(name: .customLong("specs"), help: ArgumentHelp("Specs whose rules apply to their operations.",
                                                           valueName: "folder"))
    var specs: String = "specs"

    @Flag(name: .customLong("strict"), help: "Exit 1 when a request went unmatched or a recording was never used.")
    var strict = false

    @Option(name: .customLong("repeat"), help: ArgumentHelp("After the last recording of a request: last, cycle or fault.",
                                                            valueName: "policy"))
    var repeatPolicy: String = "last"

    @Option(name: .customLong("latency"), help: ArgumentHelp("none, or recorded: answer after the recorded duration.",
                                                             valueName: "mode"))
    var latency: String = "none"

    @Option(name: .customLong("set"), parsing: .singleValue,
            help: ArgumentHelp("Serve VALUE where a recorded response has NAME redacted (repeatable).",
                               valueName: "name=value"))
    var values: [String] = []

    @Option(name: .customLong("ignore"), parsing: .singleValue,
            help: ArgumentHelp("Leave the nodes this XPath selects out of request matching (repeatable).",
                               valueName: "xpath"))
    var ignore: [String] = []

    @Flag(name: .customLong("validate"),
          help: "Validate each request against its operation's schema (the spec's schema:) and answer violations with a fault.")
    var validateRequests = false

    @Option(name: .customLong("exit-after"), help: ArgumentHelp("Stop after this many requests.", valueName: "count"))
    var exitAfter: Int?

    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp("Stop after this many seconds without a request.",
                                                                  valueName: "seconds"))
    var idleTimeout: Double?

    @Option(name: .customLong("max-body"),
            help: ArgumentHelp("The largest request body accepted, in bytes; larger ones get 413 and a fault.",
                               valueName: "bytes"))
    var maxBody: Int = 64 << 20

    @OptionGroup(title: "Inspector")
    var inspector: InspectorFlags

    @OptionGroup(title: "Reports")
    var report: ReportFlags

    func validate() throws {
        _ = try ListenAddress(listen)
        guard ServeSession.RepeatPolicy(rawValue: repeatPolicy) != nil else {
            throw ValidationError("--repeat '\(repeatPolicy)' is not a policy; use last, cycle or fault.")
        }
        guard latency == "none" || latency == "recorded" else {
            throw ValidationError("--latency '\(latency)' is not a mode; use none or recorded.")
        }
        try ValueFlags.validate(values, flag: "--set", example: "Ticket=7T:abc")
        for expression in ignore {
            do { _ = try XPathSelector(expression) } catch { throw ValidationError("--ignore: \(error).") }
        }
        if let exitAfter, exitAfter < 1 { throw ValidationError("--exit-after must be at least 1.") }
        if let idleTimeout, idleTimeout <= 0 { throw ValidationError("--idle-timeout must be more than 0 seconds.") }
    }

    func run() async throws {
        let address = try ListenAddress(listen)
        let loaded = try CassetteLoading.load(cassettes)
        var specSet: SpecSet?
        if FileManager.default.fileExists(atPath: specs) {
            do { specSet = try SpecSet.load([specs]) } catch { throw CLIError(description: error.description) }
        }
        var validation: (specs: SpecSet, catalog: SchemaCatalog)?
        if validateRequests {
            guard let specSet else {
                throw CLIError(description: "soaptape serve: error: --validate needs specs (--specs \(specs) does not exist)")
            }
            do { validation = (specSet, try SchemaCatalog(specSet)) } catch { throw CLIError(description: error.description) }
        }
        let session = ServeSession(
            cassettes: loaded, specs: specSet, ignore: ignore.map { try! XPathSelector($0) },
            repeatPolicy: ServeSession.RepeatPolicy(rawValue: repeatPolicy)!, values: ValueFlags.parse(values),
            strict: strict, validation: validation)
        let latch = StopLatch()
        let activity = ActivityClock()
        let exitAfter = self.exitAfter
        let recordedLatency = latency == "recorded"
        let log = InspectorLog(command: "serve", specs: specSet)
        let routes = inspector.routes(log, host: address.host)
        let server: HTTPServer
        do {
            server = try await HTTPServer.start(host: address.host, port: address.port, maximumBodySize: maxBody) {
                received, loop, reply in
                if InspectorRoutes.owns(received.head.uri) {
                    let headers = received.head.headers.map { ($0.name, $0.value) }
                    // The page and its data, and the report so far: all behind the token when there is one.
                    if let page = routes.answer(method: received.head.method.rawValue, uri: received.head.uri,
                                                headers: headers)
                        ?? routes.refusal(uri: received.head.uri, headers: headers)
                    {
                        return reply(OutgoingResponse(page))
                    }
                }
                activity.touch()
                let request = received.message
                let started = ContinuousClock.now
                let answer = session.respond(to: request)
                if !ServeSession.asksForTheReport(request) {
                    let elapsed = ContinuousClock.now - started
                    log.add(request, answer.response,
                            milliseconds: elapsed.milliseconds,
                            verdict: answer.complaint == nil ? "served" : "unmatched", summary: answer.complaint)
                }
                if let complaint = answer.complaint { FileHandle.standardError.write(Data((complaint + "\n").utf8)) }
                let deliver: @Sendable () -> Void = {
                    reply(OutgoingResponse(answer.response))
                    if let exitAfter, !ServeSession.asksForTheReport(request) {
                        // Stop once the answer has been handed to the connection (`reply` writes it first).
                        loop.execute { if session.requestCount >= exitAfter { latch.fire("after \(exitAfter) requests") } }
                    }
                }
                if recordedLatency, let milliseconds = answer.recordedMilliseconds, milliseconds > 0 {
                    loop.scheduleTask(in: .microseconds(Int64(milliseconds * 1000))) { deliver() }
                } else {
                    deliver()
                }
            }
        } catch {
            throw CLIError(description: "soaptape serve: error: cannot listen on \(listen) (\(error)); pick another "
                           + "port, or 0 for a free one")
        }
        let total = loaded.reduce(0) { $0 + $1.cassette.interactions.count }
        print("soaptape serve: serving \(total) recorded interaction\(total == 1 ? "" : "s") from \(loaded.count) "
              + "cassette\(loaded.count == 1 ? "" : "s") at \(server.baseURL) (report: \(server.baseURL)\(ServeSession.reportPath)"
              + (routes.token.map { "?token=" + $0 } ?? "") + "; "
              + "inspector at \(InspectorFlags.address(server.baseURL, routes)))")
        fflush(nil)
        Task { latch.fire(await Signals.waitForTermination()) }
        if let idleTimeout {
            Task {
                while true {
                    let quiet = activity.secondsSinceLastTouch()
                    if quiet >= idleTimeout { latch.fire("idle for \(idleTimeout) s"); return }
                    try? await Task.sleep(for: .milliseconds(Int((idleTimeout - quiet) * 1000) + 10))
                }
            }
        }
        let reason = await latch.wait()
        try? await server.shutdown()
        FileHandle.standardError.write(Data("soaptape serve: stopped (\(reason))\n".utf8))
        let result = session.report()
        try report.emit(result)
        if strict && result.failed { throw ExitCode(1) }
    }
}

/// A one-shot stop signal: the first `fire` wins, `wait` returns its reason.
final class StopLatch: @unchecked Sendable {
    private let lock = NSLock()
    private var reason: String?
    private var waiter: CheckedContinuation<String, Never>?

    func fire(_ why: String) {
        let resumed: CheckedContinuation<String, Never>? = lock.withLock {
            guard reason == nil else { return nil }
            reason = why
            defer { waiter = nil }
            return waiter
        }
        resumed?.resume(returning: why)
    }

    func wait() async -> String {
        await withCheckedContinuation { continuation in
            let ready: String? = lock.withLock {
                if let reason { return reason }
                waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

/// When the last request arrived.
final class ActivityClock: @unchecked Sendable {
    private let lock = NSLock()
    private var last = ContinuousClock.now

    func touch() { lock.withLock { last = .now } }

    func secondsSinceLastTouch() -> Double {
        let elapsed = ContinuousClock.now - lock.withLock { last }
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
