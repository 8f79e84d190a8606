import Foundation
import SoapXML
import SoaptapeCore
import SoaptapeHTTP
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The sandbox on a real socket (127.0.0.1, port 0), called with real HTTP.
struct SandboxTests {
    static let specsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("specs").path

    static let seedOperations = [
        "Services88/Favourite/ToggleFavourite",
        "Services83/CustomerService/UpdateFeatureToggles",
        "Services86/ErpSync/ToggleErpConnectionActive",
    ]

    func withSandbox(_ body: (HTTPServer, SpecSet) async throws -> Void) async throws {
        let set = try SpecSet.load([Self.specsFolder])
        let responder = SandboxResponder(specs: set)
        // Answered on the event loop (a task could starve while CLI tests hold the cooperative threads).
        let server = try await HTTPServer.start(port: 0) { request, _, reply in
            reply(OutgoingResponse(responder.respond(to: request.message)))
        }
        do {
            try await body(server, set)
        } catch {
            try await server.shutdown()
            throw error
        }
        try await server.shutdown()
    }

    func send(_ server: HTTPServer, _ spec: OperationSpec, version: SoapVersion, values: [String: String] = [:],
              path: String? = nil) async throws -> (SoapClient.Response, XMLDocument) {
        let body = try EnvelopeTemplate.render(spec.request, as: version, values: values)
        var headers = [("Content-Type", SoapMessage.contentType(version, action: spec.action))]
        if version == .soap11 { headers.append(("SOAPAction", "\"\(spec.action)\"")) }
        let response = try await SoapClient().post(server.baseURL + (path ?? spec.endpoint), headers: headers,
                                                   body: Array(body.utf8))
        return (response, try XMLDocument(bytes: response.body, name: "response"))
    }

    @Test(arguments: seedOperations, SoapVersion.allCases)
    func eachSeedOperationAnswersInBothVersions(_ name: String, _ version: SoapVersion) async throws {
        try await withSandbox { server, set in
            let spec = try #require(set.specs(named: name).first).spec
            let (response, document) = try await send(server, spec, version: version)
            #expect(response.status == 200)
            #expect(response.headers.first { $0.name.lowercased() == "content-type" }?.value
                == SoapMessage.contentType(version, action: nil))
            #expect(document.rootName == ExpandedName(namespace: version.envelopeNamespace, localName: "Envelope"))
            #expect(document.bodyFirstChild == ExpandedName(namespace: spec.namespace, localName: spec.responseElementName))
            // The answer is the spec's response in the request's version, placeholders given typed values.
            var options = ComparisonOptions()
            options.namespaces = .map
            options.namespaceMappings = [.substring(SoapVersion.soap12.envelopeNamespace, version.envelopeNamespace)]
            let expected = try XMLDocument(string: spec.response)
            #expect(XMLComparator(options: options).compare(expected, document).differences == [])
        }
    }

    @Test func toggleFavouriteAnswersTrueThenFalse() async throws {
        try await withSandbox { server, set in
            let spec = try #require(set.specs(named: "Services88/Favourite/ToggleFavourite").first).spec
            var answers: [String] = []
            for version in [SoapVersion.soap12, .soap11, .soap12] {
                let (_, document) = try await send(server, spec, version: version,
                                                   values: ["TableName": "contact", "RecordId": "42"])
                let response = document.rootElement()?.elements.last?.elements.first?.elements.first
                answers.append(response?.text ?? "?")
            }
            #expect(answers == ["true", "false", "false"])
            // Another record matches no example: the spec's response with typed defaults.
            let (_, other) = try await send(server, spec, version: .soap12, values: ["RecordId": "7"])
            #expect(other.rootElement()?.elements.last?.elements.first?.elements.first?.text == "false")
        }
    }

    @Test func aTenantPrefixIsAccepted() async throws {
        try await withSandbox { server, set in
            let spec = try #require(set.specs(named: "Services86/ErpSync/ToggleErpConnectionActive").first).spec
            let (response, _) = try await send(server, spec, version: .soap11,
                                               path: "/Cust12345/Remote/Services86/ErpSync.svc")
            #expect(response.status == 200)
        }
    }

    @Test func mistakesGetFaultsAndTheSandboxKeepsServing() async throws {
        try await withSandbox { server, set in
            let spec = try #require(set.specs(named: "Services88/Favourite/ToggleFavourite").first).spec
            let unknown = spec.request.replacingOccurrences(of: "ToggleFavourite>", with: "ToggleFavorite>")
            let faults: [(SoapVersion, [UInt8], String, Int, String)] = [
                (.soap12, Array(try EnvelopeTemplate.render(unknown, as: .soap12).utf8), spec.endpoint, 400,
                 "env:Sender: /Remote/Services88/Favourite.svc has no operation with request element "
                    + "{http://www.superoffice.net/ws/crm/NetServer/Services88}ToggleFavorite; it serves ToggleFavourite "
                    + "in http://www.superoffice.net/ws/crm/NetServer/Services88"),
                (.soap11, Array("<Envelope".utf8), spec.endpoint, 500,
                 "soap:Client: the request is not well-formed XML (line 1, column 10): couldn't find end of Start Tag Envelope line 1"),
                (.soap11, Array(try EnvelopeTemplate.render(spec.request, as: .soap11).utf8), "/Remote/Services88/Nothing.svc",
                 500, "soap:Client: no operation is served at /Remote/Services88/Nothing.svc; the sandbox serves "),
            ]
            for (version, body, path, status, reason) in faults {
                let response = try await SoapClient().post(
                    server.baseURL + path, headers: [("Content-Type", SoapMessage.contentType(version, action: nil))],
                    body: body)
                #expect(response.status == status)
                let fault = try #require(SoapMessage.faultDetails(try XMLDocument(bytes: response.body, name: "fault")))
                #expect("\(fault.code): \(fault.reason)".hasPrefix(reason), "\(fault.reason)")
            }
            // A client that hangs up in the middle of a request does not stop the server.
            abandonRequest(port: server.port)
            let (response, _) = try await send(server, spec, version: .soap12)
            #expect(response.status == 200)
        }
    }

    @Test func wsdlRequestsSayWhatIsMissing() async throws {
        try await withSandbox { server, _ in
            // Favourite's _defaults.yaml names SuperOffice's WSDL: it is served as it is.
            let served = try await SoapClient().get(server.baseURL + "/Remote/Services88/Favourite.svc?wsdl")
            #expect(served.status == 200)
            #expect(String(decoding: served.body, as: UTF8.self).contains("<wsdl:definitions name=\"WcfFavouriteService\""))
            let response = try await SoapClient().get(server.baseURL + "/Remote/Services88/Sale.svc?wsdl")
            #expect(response.status == 404)
            #expect(String(decoding: response.body, as: UTF8.self) == "no WSDL is configured for /Remote/Services88/Sale.svc?wsdl; "
                + "set 'schema: FILE.wsdl' in a spec or the agent's _defaults.yaml\n")
        }
    }

    /// Opens a connection, sends half a request, and closes it.
    func abandonRequest(port: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        let partial = "POST /Remote/Services88/Favourite.svc HTTP/1.1\r\nContent-Length: 500\r\n\r\n<Env"
        _ = partial.withCString { Glibc.send(descriptor, $0, strlen($0), 0) }
        close(descriptor)
    }
}
