import ArgumentParser
import Foundation
import SoaptapeCore
import SoaptapeHTTP

/// `soaptape sandbox`: a stub server for every spec'd operation.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve every spec'd operation from a local stub server.",
        discussion: """
            Answers SOAP 1.1 (text/xml + SOAPAction) and SOAP 1.2 (application/soap+xml; action=…) requests at \
            each spec's endpoint (a tenant prefix such as /Cust12345 before /Remote/… is accepted), in the \
            request's SOAP version: with the first example whose request matches under the spec's rules (an \
            example's responses in turn), otherwise with the spec's response, placeholders given typed defaults. \
            GET <endpoint>?wsdl returns the WSDL a spec names as its schema. Anything else gets a SOAP Fault \
            saying what was wrong; the server keeps serving.

            With --wsdl FILE it stubs a whole service from its WSDL: every document/literal operation, with \
            envelopes generated from the schema (see soaptape import --wsdl).

            Prints the address it bound to, and that of the inspector page (/__soaptape/: the requests as they \
            arrive, docs/inspector.md); stops cleanly on Ctrl-C (SIGINT) or SIGTERM.
            """)

    @Option(name: .customLong("specs"), help: ArgumentHelp("The specs folder.", valueName: "folder"))
    var specs: String = "specs"

    @Option(name: .customLong("listen"), help: ArgumentHelp("Where to listen; port 0 picks a free port.",
                                                            valueName: "host:port"))
    var listen: String = "127.0.0.1:0"

    @Option(name: .customLong("wsdl"), help: ArgumentHelp("Stub every operation of this WSDL instead of --specs (specs "
                                                          + "generated as soaptape import --wsdl would).", valueName: "file"))
    var wsdl: String?

    @OptionGroup(title: "Inspector")
    var inspector: InspectorFlags

    func validate() throws { _ = try ListenAddress(listen) }

    /// Generates specs for every operation of `wsdl` into a temporary folder, the WSDL beside them.
    static func generatedSpecs(from wsdl: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("soaptape-sandbox-\(UUID().uuidString)").path
        let name = (wsdl as NSString).lastPathComponent
        let imported: WSDLImporter.Import
        do { imported = try WSDLImporter.importWSDL(wsdl, schemaPath: name) } catch {
            throw CLIError(description: error.description)
        }
        guard !imported.results.isEmpty else {
            throw CLIError(description: "\(wsdl): error: no document/literal SOAP operation to serve")
        }
        for result in imported.results {
            let path = (folder as NSString).appendingPathComponent(result.relativePath)
            let directory = (path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let copy = (directory as NSString).appendingPathComponent(name)
            if !FileManager.default.fileExists(atPath: copy) { try FileManager.default.copyItem(atPath: wsdl, toPath: copy) }
            try SpecWriter.yaml(result.spec, generatedFrom: name + "#" + result.spec.operation)
                .write(toFile: path, atomically: true, encoding: .utf8)
        }
        return folder
    }

    func run() async throws {
        let address = try ListenAddress(listen)
        let set: SpecSet
        let folder = try wsdl.map(Self.generatedSpecs(from:)) ?? specs
        defer { if wsdl != nil { try? FileManager.default.removeItem(atPath: folder) } }
        do { set = try SpecSet.load([folder]) } catch { throw CLIError(description: error.description) }
        let responder = SandboxResponder(specs: set)
        var routes: InspectorRoutes?
        let server: HTTPServer
        do {
            let log = InspectorLog(command: "sandbox", specs: set)
            routes = inspector.routes(log, host: address.host)
            let guarded = routes!
            server = try await HTTPServer.start(host: address.host, port: address.port) { request in
                if InspectorRoutes.owns(request.path),
                    let page = guarded.answer(method: request.method, uri: request.path, headers: request.headers)
                {
                    return page
                }
                let started = ContinuousClock.now
                let response = responder.respond(to: request)
                let elapsed = ContinuousClock.now - started
                log.add(request, response, milliseconds: elapsed.milliseconds,
                        verdict: response.status < 400 ? "served" : "unmatched",
                        summary: response.status < 400 ? nil : "answered HTTP \(response.status) (a fault)")
                return response
            }
        } catch {
            throw CLIError(description: "soaptape sandbox: error: cannot listen on \(listen) (\(error)); pick another "
                           + "port, or 0 for a free one")
        }
        print("soaptape sandbox: serving \(set.specs.count) operation\(set.specs.count == 1 ? "" : "s") at \(server.baseURL)"
              + " (inspector at \(InspectorFlags.address(server.baseURL, routes!)))")
        for loaded in set.specs {
            print("  \(loaded.spec.endpoint)  \(loaded.spec.operation)  (SOAP \(loaded.spec.soap.map(\.rawValue).joined(separator: ", ")))")
        }
        fflush(nil)
        let signal = await Signals.waitForTermination()
        try? await server.shutdown()
        print("soaptape sandbox: stopped (\(signal))")
    }
}

/// `host:port` as given to --listen.
struct ListenAddress {
    var host: String
    var port: Int

    init(_ text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port), colon != text.startIndex
        else {
            throw ValidationError("--listen '\(text)' is not of the form host:port; for example 127.0.0.1:0.")
        }
        host = String(text[..<colon])
        self.port = port
    }
}

/// Waiting for SIGINT or SIGTERM without dying of them.
enum Signals {
    static func waitForTermination() async -> String {
        await withCheckedContinuation { continuation in
            let box = ContinuationBox(continuation)
            for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { box.resume(name) }
                source.resume()
                box.keep(source)
            }
        }
    }

    private final class ContinuationBox: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<String, Never>?
        private var sources: [DispatchSourceSignal] = []

        init(_ continuation: CheckedContinuation<String, Never>) { self.continuation = continuation }

        func keep(_ source: DispatchSourceSignal) { lock.withLock { sources.append(source) } }

        func resume(_ name: String) {
            let pending: CheckedContinuation<String, Never>? = lock.withLock {
                defer { continuation = nil }
                return continuation
            }
            pending?.resume(returning: name)
        }
    }
}
