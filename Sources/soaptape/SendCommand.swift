import ArgumentParser
import Foundation
import SoapXML
import SoaptapeCore
import SoaptapeHTTP

/// `soaptape send`: one request built from a spec, sent to a server.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send one request built from a spec and print the answer.",
        discussion: """
            Builds the request envelope from the spec, filling placeholders from --set (by element name, such as \
            RecordId, or by path, such as ToggleFavourite/RecordId or /Envelope/Body/ToggleFavourite/RecordId) or \
            with typed defaults, POSTs it to BASE_URL + the spec's endpoint with the SOAP version's content type \
            and action, and prints the response envelope in canonical form.

            Exit status: 0 an answer; 1 a SOAP Fault or an HTTP error (its code and reason printed); 2 bad input \
            or nothing reachable.

            Example:
              soaptape send Favourite/ToggleFavourite --to http://127.0.0.1:8088 --set RecordId=42
            """)

    @Argument(help: ArgumentHelp("The spec: a file, Operation, Agent/Operation or ServicesNN/Agent/Operation.",
                                 valueName: "spec"))
    var spec: String

    @Option(name: .customLong("to"), help: ArgumentHelp("The server's base URL.", valueName: "base-url"))
    var to: String

    @Option(name: .customLong("set"), parsing: .singleValue,
            help: ArgumentHelp("A value for an element of the request (repeatable).", valueName: "name=value"))
    var values: [String] = []

    @Option(name: .customLong("soap"), help: ArgumentHelp("The SOAP version to send: 1.1 or 1.2.", valueName: "version"))
    var soap: String?

    @Option(name: .customLong("specs"), help: ArgumentHelp("The specs folder.", valueName: "folder"))
    var specs: String = "specs"

    func validate() throws {
        if let soap, SoapVersion(rawValue: soap) == nil {
            throw ValidationError("--soap '\(soap)' is not a SOAP version; use 1.1 or 1.2.")
        }
        for value in values where !value.contains("=") || value.hasPrefix("=") {
            throw ValidationError("--set '\(value)' is not of the form name=value; for example --set RecordId=42.")
        }
        guard to.hasPrefix("http://") || to.hasPrefix("https://") else {
            throw ValidationError("--to '\(to)' is not an http:// or https:// URL.")
        }
    }

    func run() async throws {
        let loaded: LoadedSpec
        if FileManager.default.fileExists(atPath: spec), spec.hasSuffix(".yaml") {
            do { loaded = try SpecLoader.load(spec) } catch { throw CLIError(description: error.description) }
        } else {
            let set: SpecSet
            do { set = try SpecSet.load([specs]) } catch { throw CLIError(description: error.description) }
            let found = set.specs(named: spec)
            guard let first = found.first else {
                throw CLIError(description: "soaptape send: error: no spec named '\(spec)' in \(specs); name it as "
                               + "Operation, Agent/Operation, ServicesNN/Agent/Operation or a spec file")
            }
            guard found.count == 1 else {
                let names = found.map { "\($0.spec.version)/\($0.spec.agent)/\($0.spec.operation)" }
                throw CLIError(description: "soaptape send: error: '\(spec)' names \(found.count) specs ("
                               + names.joined(separator: ", ") + "); name one of them")
            }
            loaded = first
        }
        let version = soap.flatMap(SoapVersion.init(rawValue:)) ?? loaded.spec.soap.last ?? .soap12
        var settings: [String: String] = [:]
        for value in values {
            let parts = value.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            settings[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        let body = try EnvelopeTemplate.render(loaded.spec.request, as: version, values: settings)
        var headers = [("Content-Type", SoapMessage.contentType(version, action: loaded.spec.action))]
        if version == .soap11 { headers.append(("SOAPAction", "\"\(loaded.spec.action)\"")) }
        let url = to.hasSuffix("/") ? String(to.dropLast()) + loaded.spec.endpoint : to + loaded.spec.endpoint
        let response: SoapClient.Response
        do {
            response = try await SoapClient().post(url, headers: headers, body: Array(body.utf8))
        } catch {
            throw CLIError(description: "soaptape send: error: \(error.description)")
        }
        guard let document = try? XMLDocument(bytes: response.body, name: url) else {
            throw CLIError(description: "soaptape send: error: \(url) answered HTTP \(response.status) with a body that "
                           + "is not XML", exitCode: 1)
        }
        if let fault = SoapMessage.faultDetails(document) {
            print("fault (HTTP \(response.status)): \(fault.code): \(fault.reason)")
            throw ExitCode(1)
        }
        print(CanonicalPrinter().print(document), terminator: "")
        if !(200..<300).contains(response.status) {
            print("HTTP \(response.status) from \(url)")
            throw ExitCode(1)
        }
    }
}
