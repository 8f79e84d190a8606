import Foundation
import SoaptapeCore
import SoaptapeHTTP
import Testing

/// `import --wsdl` and `sandbox --wsdl`: a whole service's specs from its WSDL, served without writing a spec.
struct WSDLImportCommandTests {
    static let erpSync = CLI.root.appendingPathComponent("specs/Services86/ErpSync/ErpSync.wsdl").path

    @Test func aWSDLBecomesSpecsAndHandEditsAreKept() throws {
        let out = try CLI.directory(with: [:]) + "/specs"
        let first = try CLI.run(["import", "--wsdl", Self.erpSync, "--out", out], in: CLI.root.path)
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout.hasSuffix("44 operations from \(Self.erpSync)\n"))
        let spec = out + "/Services86/ErpSync/ToggleErpConnectionActive.yaml"
        let loaded = try SpecLoader.load(spec).spec
        #expect(loaded.endpoint == "/Remote/Services86/ErpSync.svc")
        #expect(loaded.action == "http://www.superoffice.net/ws/crm/NetServer/Services86/ErpSync/ToggleErpConnectionActive")
        #expect(loaded.soap == [.soap11])
        #expect(loaded.schema == "ErpSync.wsdl")
        #expect(FileManager.default.fileExists(atPath: out + "/Services86/ErpSync/ErpSync.wsdl"))
        #expect(loaded.request.contains("<tns:ErpConnectionId>${int}</tns:ErpConnectionId>"))
        #expect(loaded.rules.repeating == ["/Envelope/Body/ToggleErpConnectionActiveResponse/Response/string"])
        #expect(try CLI.run(["lint", out], in: CLI.root.path).stdout == "lint: 44 specs clean.\n")
        // Importing again changes nothing; a hand edit is kept unless --force.
        #expect(try CLI.run(["import", "--wsdl", Self.erpSync, "--out", out], in: CLI.root.path).stdout.contains("unchanged \(spec)"))
        try (try String(contentsOfFile: spec, encoding: .utf8)).replacingOccurrences(of: "${int}", with: "${long}")
            .write(toFile: spec, atomically: true, encoding: .utf8)
        let kept = try CLI.run(["import", "--wsdl", Self.erpSync, "--out", out, "--operations", "ToggleErpConnectionActive"],
                               in: CLI.root.path)
        #expect(kept.status == 1)
        #expect(kept.stderr.contains("\(spec): error: this spec was edited by hand since it was imported"))
        #expect(try CLI.run(["import", "--wsdl", Self.erpSync, "--out", out, "--operations", "ToggleErpConnectionActive",
                             "--force"], in: CLI.root.path).status == 0)
    }

    @Test func theSandboxStubsAWholeServiceFromItsWSDL() throws {
        let out = try CLI.directory(with: [:]) + "/specs"
        _ = try CLI.run(["import", "--wsdl", Self.erpSync, "--out", out], in: CLI.root.path)
        let (sandbox, url) = try CLI.startServer(["sandbox", "--wsdl", Self.erpSync])
        defer { CLI.stop(sandbox) }
        // Any operation of the WSDL answers, with an envelope valid against the WSDL.
        let answer = try CLI.run(["send", out + "/Services86/ErpSync/GetErpSyncConnectionSummary.yaml", "--to", url],
                                 in: CLI.root.path)
        #expect(answer.status == 0, "\(answer)")
        #expect(answer.stdout.contains("GetErpSyncConnectionSummaryResponse"))
        let file = try CLI.directory(with: ["answer.xml": Array(answer.stdout.utf8)]) + "/answer.xml"
        let valid = try CLI.run(["validate", file, "--schema", Self.erpSync], in: CLI.root.path)
        #expect(valid.status == 0, "\(valid)")
    }

    /// A WCF-style split WSDL: the types import the schema from `?xsd=xsd0` on the same server.
    static func splitWSDL(schemaLocation: String) -> String {
        """
        <wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
            xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:ping" targetNamespace="urn:ping" name="Ping">
          <wsdl:types><xs:schema targetNamespace="urn:ping/Imports">
            <xs:import schemaLocation="\(schemaLocation)" namespace="urn:ping"/>
          </xs:schema></wsdl:types>
          <wsdl:message name="PingRequest"><wsdl:part name="parameters" element="tns:Ping"/></wsdl:message>
          <wsdl:message name="PingResponse"><wsdl:part name="parameters" element="tns:PingResponse"/></wsdl:message>
          <wsdl:portType name="Pinger"><wsdl:operation name="Ping"><wsdl:input message="tns:PingRequest"/>\
        <wsdl:output message="tns:PingResponse"/></wsdl:operation></wsdl:portType>
          <wsdl:binding name="B" type="tns:Pinger"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
            <wsdl:operation name="Ping"><soap:operation soapAction="urn:ping/Ping" style="document"/>
              <wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output>
            </wsdl:operation></wsdl:binding>
          <wsdl:service name="PingService"><wsdl:port name="P" binding="tns:B">
            <soap:address location="https://example.com/Cust1/Remote/Ping.svc"/></wsdl:port></wsdl:service>
        </wsdl:definitions>
        """
    }

    static let pingSchema = """
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:ping" elementFormDefault="qualified">
          <xs:element name="Ping"><xs:complexType><xs:sequence><xs:element name="Value" type="xs:int"/></xs:sequence></xs:complexType></xs:element>
          <xs:element name="PingResponse"><xs:complexType><xs:sequence><xs:element name="Echo" type="xs:int" maxOccurs="unbounded"/>\
        </xs:sequence></xs:complexType></xs:element>
        </xs:schema>
        """

    @Test func aWSDLByURLIsFetchedWithItsImportedSchemasFromTheSameHostOnly() async throws {
        let requests = Counter()
        // Answered on the server's event loop, not in a task: CLI.run below blocks one of the test process's few
        // task threads while the child fetches from this server.
        let server = try await HTTPServer.start { request, _, reply in
            _ = requests.increment()
            let body: String
            switch request.head.uri {
            case "/Remote/Ping.svc?wsdl": body = Self.splitWSDL(schemaLocation: "?xsd=xsd0")
            case "/Remote/Ping.svc?xsd=xsd0": body = Self.pingSchema
            case "/Remote/Far.svc?wsdl": body = Self.splitWSDL(schemaLocation: "http://127.0.0.2:1/x.xsd")
            default: return reply(OutgoingResponse(HTTPResponseMessage(status: 404, headers: [], body: [])))
            }
            reply(OutgoingResponse(HTTPResponseMessage(status: 200, headers: [("Content-Type", "text/xml")],
                                                       body: Array(body.utf8))))
        }
        defer { Task { try? await server.shutdown() } }
        let out = try CLI.directory(with: [:]) + "/specs"
        let imported = try CLI.run(["import", "--wsdl", server.baseURL + "/Remote/Ping.svc?wsdl", "--out", out,
                                    "--header", "Authorization: Bearer x"], in: CLI.root.path)
        #expect(imported.status == 0, "\(imported)")
        #expect(requests.count == 2)  // the WSDL and its schema, once each
        let spec = try SpecLoader.load(out + "/Ping/Pinger/Ping.yaml").spec
        #expect(spec.endpoint == "/Remote/Ping.svc")
        #expect(spec.request.contains("<tns:Value>${int}</tns:Value>"))
        #expect(spec.rules.repeating == ["/Envelope/Body/PingResponse/Echo"])
        #expect(try CLI.run(["lint", out], in: CLI.root.path).status == 0)
        let far = try CLI.run(["import", "--wsdl", server.baseURL + "/Remote/Far.svc?wsdl", "--out", out], in: CLI.root.path)
        #expect(far.status == 2)
        #expect(far.stderr.contains("imports http://127.0.0.2:1/x.xsd, on another host; soaptape fetches from 127.0.0.1 only "
                                    + "unless --allow-other-hosts is given"))
    }
}
