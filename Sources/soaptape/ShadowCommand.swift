import ArgumentParser
import Foundation
import NIOCore
import SoapXML
import SoaptapeCore
import SoaptapeHTTP

/// `soaptape shadow`: live traffic answered by the primary, each read also sent to a candidate (another version)
/// and a secondary, the differences classed with noise learned.
struct ShadowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shadow",
        abstract: "Answer clients from one version while comparing each read with another version's answer.",
        discussion: """
            A reverse proxy like record: point clients at the address it prints. Every request goes to --primary \
            and the client gets the primary's answer, unchanged and at the primary's pace. Once the client has \
            it, each shadowed request is also sent — off the client's path — to --candidate (rewritten by \
            --map-namespace and --map-path, so Services86 traffic reaches Services88) and to --secondary (without \
            one, to the primary a second time).

            Noise is learned, not configured: a path whose values differ between the primary's and the \
            secondary's answers to the same request (a timestamp, a generated id) is noise for that operation, \
            and candidate differences there are listed with their counts, never as regressions. --ignore XPATH \
            adds noise by hand. The rest is classed as compare classes it: additive (an element or attribute the \
            candidate adds: existing clients ignore it), breaking (a missing element, another namespace, a fault \
            or HTTP status on one side only, a value the primary's type or schema refuses — an enumeration value \
            its WSDL does not list), or a value change.

            Safe by default: on a real tenant two versions share one database, and a write sent twice is done \
            twice. Only operations whose names start with Get, Find, Search, Is, Has, Can, Exists, Count, List, \
            Check or Validate are shadowed; every other request goes to the primary alone and is counted as not \
            shadowed. --shadow REGEX replaces the rule (matched against the operation name); --shadow-all \
            shadows everything, for disposable test tenants only.

            Shadow work never delays or fails a client: it waits in a queue of --queue requests (what does not \
            fit is counted as dropped) and runs on --workers connections, each call bounded by --timeout. The \
            report so far is served at GET /__soaptape/shadow (HTML; JSON with Accept: application/json), and the \
            inspector page at /__soaptape/ lists the primary's exchanges as they pass (docs/inspector.md). On \
            Ctrl-C (SIGINT) or SIGTERM the queued work finishes, the report is printed and written (--json, \
            --junit, --html), and the exit status is 0 when only noise and additive changes were seen, 1 \
            otherwise (--fail-on any fails additive changes too; a candidate that could not answer fails). \
            Credentials never reach a report: tickets, passwords and the credential headers are redacted, and \
            --cassette keeps the primary's interactions, redacted, as record would.

            The same comparison from recordings, for CI: soaptape replay CASSETTES --target PRIMARY --candidate \
            URL (docs/shadow.md).

            Example:
              soaptape shadow --primary https://online.example.com/Cust12345 \\
                  --candidate https://staging.example.com/Cust12345 \\
                  --map-namespace Services86=Services88 --map-path /Services86/=/Services88/ --html shadow.html
            """)

    @Option(name: .customLong("primary"), help: ArgumentHelp("The base URL clients are answered from.", valueName: "url"))
    var primary: String

    @Option(name: .customLong("candidate"), help: ArgumentHelp("The base URL of the version compared.", valueName: "url"))
    var candidate: String

    @Option(name: .customLong("secondary"),
            help: ArgumentHelp("A second instance of the primary's version, to learn noise from (default: the primary "
                               + "asked again).", valueName: "url"))
    var secondary: String?

    @Option(name: .customLong("listen"), help: ArgumentHelp("Where to listen; port 0 picks a free port.",
                                                            valueName: "host:port"))
    var listen: String = "127.0.0.1:0"

    @Option(name: .customLong("map-namespace"), parsing: .singleValue,
            help: ArgumentHelp("Rewrite namespace URIs and actions for the candidate, FROM to TO.", valueName: "from=to"))
    var mapNamespace: [String] = []

    @Option(name: .customLong("map-path"), parsing: .singleValue,
            help: ArgumentHelp("Rewrite request paths for the candidate, FROM to TO.", valueName: "from=to"))
    var mapPath: [String] = []

    @Option(name: .customLong("shadow"),
            help: ArgumentHelp("Shadow the operations whose names this regular expression matches, instead of the "
                               + "read-only ones.", valueName: "regex"))
    var shadow: String?

    @Flag(name: .customLong("shadow-all"),
          help: "Shadow every request, writes too: for disposable test tenants only.")
    var shadowAll = false

    @Option(name: .customLong("ignore"), parsing: .singleValue,
            help: ArgumentHelp("Leave the nodes this XPath selects out of every comparison (repeatable).",
                               valueName: "xpath"))
    var ignore: [String] = []

    @Option(name: .customLong("fail-on"),
            help: ArgumentHelp("breaking (the default: additive changes pass and are listed) or any (they fail too).",
                               valueName: "impact"))
    var failOn: String = "breaking"

    @Option(name: .customLong("specs"), help: ArgumentHelp("Specs that name operations and give their schemas.",
                                                           valueName: "folder"))
    var specs: String = "specs"

    @Option(name: .customLong("cassette"),
            help: ArgumentHelp("Also record the primary's interactions into this cassette.", valueName: "file"))
    var cassette: String?

    @Option(name: .customLong("timeout"), help: ArgumentHelp("Seconds to wait for each server.", valueName: "seconds"))
    var timeout: Int = 30

    @Option(name: .customLong("queue"),
            help: ArgumentHelp("Shadowed requests that may wait; more are dropped and counted.", valueName: "count"))
    var queue: Int = 1000

    @Option(name: .customLong("workers"), help: ArgumentHelp("Shadowed requests in flight at once.", valueName: "count"))
    var workers: Int = 8

    @Option(name: .customLong("upstream-ca"),
            help: ArgumentHelp("Trust the certificates in this PEM file for https servers.", valueName: "file"))
    var upstreamCA: String?

    @Option(name: .customLong("max-body"), help: ArgumentHelp("The largest body accepted, in bytes.", valueName: "bytes"))
    var maxBody: Int = 64 << 20

    @OptionGroup(title: "Inspector")
    var inspector: InspectorFlags

    @OptionGroup(title: "Reports")
    var report: ReportFlags

    func validate() throws {
        _ = try ListenAddress(listen)
        for (flag, url) in [("--primary", primary), ("--candidate", candidate)] + (secondary.map { [("--secondary", $0)] } ?? []) {
            guard let parsed = URL(string: url), let scheme = parsed.scheme, ["http", "https"].contains(scheme),
                parsed.host != nil
            else {
                throw ValidationError("\(flag) '\(url)' is not an http:// or https:// URL.")
            }
            if parsed.user != nil || parsed.password != nil {
                throw ValidationError("\(flag) must not carry credentials (user:password@); clients send their own.")
            }
        }
        guard ["breaking", "any"].contains(failOn) else {
            throw ValidationError("--fail-on '\(failOn)' is not an impact; use breaking or any.")
        }
        if shadow != nil && shadowAll {
            throw ValidationError("--shadow and --shadow-all cannot be used together; --shadow-all already shadows "
                                  + "every request.")
        }
        if let shadow {
            do { _ = try ShadowPattern(shadow) } catch { throw ValidationError("--shadow \(error).") }
        }
        try ValueFlags.validate(mapNamespace, flag: "--map-namespace", example: "Services86=Services88")
        try ValueFlags.validate(mapPath, flag: "--map-path", example: "/Services86/=/Services88/")
        for expression in ignore {
            do { _ = try XPathSelector(expression) } catch { throw ValidationError("--ignore: \(error).") }
        }
        guard queue >= 1, workers >= 1, timeout >= 1 else {
            throw ValidationError("--queue, --workers and --timeout must be 1 or more.")
        }
        if let upstreamCA, !FileManager.default.isReadableFile(atPath: upstreamCA) {
            throw ValidationError("--upstream-ca '\(upstreamCA)' cannot be read.")
        }
    }

    /// The shadow policy the flags ask for.
    static func policy(shadow: String?, shadowAll: Bool) -> ShadowPolicy {
        if shadowAll { return ShadowPolicy(.all) }
        if let shadow, let pattern = try? ShadowPattern(shadow) { return ShadowPolicy(.matching(pattern)) }
        return ShadowPolicy()
    }

    func run() async throws {
        signal(SIGXFSZ, SIG_IGN)
        let address = try ListenAddress(listen)
        var specSet: SpecSet?
        if FileManager.default.fileExists(atPath: specs) {
            do { specSet = try SpecSet.load([specs]) } catch { throw CLIError(description: error.description) }
        }
        var catalog: SchemaCatalog?
        if let specSet {
            do { catalog = try SchemaCatalog(specSet) } catch { throw CLIError(description: error.description) }
        }
        var writer: CassetteWriter?
        if let cassette {
            do {
                writer = try CassetteWriter(path: cassette, header: CassetteHeader(
                    soaptape: SoaptapeVersion.current, upstream: primary, createdAt: Date().iso8601Milliseconds))
            } catch let error as SourceError {
                throw CLIError(description: error.description)
            } catch {
                throw CLIError(description: "\(error)")
            }
        }
        let namespaces = ValueFlags.rewrites(mapNamespace)
        var configuration = ShadowProxy.Configuration(primary: primary, candidate: candidate, secondary: secondary)
        configuration.namespaces = namespaces
        configuration.paths = ValueFlags.rewrites(mapPath)
        configuration.policy = Self.policy(shadow: shadow, shadowAll: shadowAll)
        configuration.comparison = ShadowComparison(specs: specSet, catalog: catalog, namespaces: namespaces,
                                                    ignore: ignore.map { try! XPathSelector($0) })
        configuration.queueLimit = queue
        configuration.workers = workers
        configuration.timeout = .seconds(Int64(timeout))
        configuration.certificateAuthority = upstreamCA
        configuration.maximumBodySize = maxBody
        configuration.failOnAny = failOn == "any"
        var recording = RecordingProxy.Configuration(upstream: primary)
        recording.timeout = .seconds(Int64(timeout))
        recording.upstreamCertificateAuthority = upstreamCA
        recording.maximumBodySize = maxBody
        let routes = inspector.routes(InspectorLog(command: "shadow", specs: specSet), host: address.host)
        let proxy = try ShadowProxy(configuration: configuration, recording: recording, writer: writer, specs: specSet,
                                    routes: routes)
        let server: HTTPServer
        do {
            server = try await HTTPServer.start(host: address.host, port: address.port, maximumBodySize: maxBody) {
                proxy.respond(to: $0, on: $1, $2)
            }
        } catch {
            await proxy.shutdown()
            throw CLIError(description: "soaptape shadow: error: cannot listen on \(listen) (\(error)); pick another "
                           + "port, or 0 for a free one")
        }
        let mapped = namespaces.isEmpty && configuration.paths.isEmpty ? "" : " (mapped)"
        print("soaptape shadow: proxying \(server.baseURL) → \(configuration.primary); shadowing to "
              + "\(configuration.candidate)\(mapped) and \(configuration.secondary ?? "the primary again"); "
              + "live report at \(server.baseURL)\(ShadowProxy.reportPath)"
              + (routes.token.map { "?token=" + $0 } ?? "") + "; inspector at \(InspectorFlags.address(server.baseURL, routes))")
        fflush(nil)
        let signal = await Signals.waitForTermination()
        try? await server.shutdown()
        let pending = proxy.report().summary.pending
        if pending > 0 {
            let line = "soaptape shadow: stopping (\(signal)); finishing \(pending) queued shadow request"
                + "\(pending == 1 ? "" : "s")\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
        await proxy.shutdown()
        if let writer, let cassette {
            let total = writer.summary.reduce(0) { $0 + $1.count }
            let line = "soaptape shadow: recorded \(total) interaction\(total == 1 ? "" : "s") to \(cassette)\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
        let result = proxy.report()
        try report.emit(result)
        if result.failed { throw ExitCode(1) }
    }
}
