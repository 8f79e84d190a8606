import Foundation
import SoapXML
import SoaptapeCore
import Testing

/// What the record proxy keeps of an exchange: secrets redacted whatever shape the body is in, the operation named.
struct InteractionRecorderTests {
    let recorder = InteractionRecorder(redactor: .superOffice, redactedHeaders: ["authorization"], specs: nil)

    func request(_ body: String) -> HTTPRequestMessage {
        HTTPRequestMessage(method: "POST", path: "/Remote/Services88/Favourite.svc",
                           headers: [("Content-Type", "text/xml"), ("SOAPAction", "\"urn:a\""),
                                     ("Authorization", "Basic c2VjcmV0"), ("Host", "h")],
                           body: Array(body.utf8))
    }

    @Test func aWellFormedRequestIsRedactedAndNamed() {
        let body = "<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Header><Credentials>"
            + "<Ticket>7T:secret</Ticket></Credentials></s:Header><s:Body><f:Toggle xmlns:f='urn:f'/></s:Body>"
            + "</s:Envelope>"
        let interaction = recorder.interaction(request(body), HTTPResponseMessage(status: 200, headers: [], body: []),
                                               milliseconds: 1)
        let recorded = String(decoding: interaction.request.body, as: UTF8.self)
        #expect(!recorded.contains("7T:secret") && recorded.contains("<Ticket>${redacted}</Ticket>"))
        #expect(interaction.operation?.element == "{urn:f}Toggle")
        #expect(interaction.operation?.action == "urn:a")
        #expect(interaction.request.headers.map(\.name) == ["Content-Type", "SOAPAction", "Authorization"])
        #expect(interaction.request.headers[2].value == Redactor.placeholder)
    }

    @Test func aRequestCutOffMidTicketKeepsNoneOfIt() {
        // A client that sends a broken envelope still sent its credentials: they must not reach the cassette.
        let body = "<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Header><Credentials>"
            + "<Ticket>7T:secret-cut-o"
        let answer = HTTPResponseMessage(status: 500, headers: [], body: Array("<html>Password: <Password>pw".utf8))
        let interaction = recorder.interaction(request(body), answer, milliseconds: 1)
        let recorded = String(decoding: interaction.request.body, as: UTF8.self)
        #expect(!recorded.contains("7T:secret"), "\(recorded)")
        #expect(recorded.hasSuffix("<Ticket>${redacted}"))
        #expect(interaction.operation?.element == nil)
        #expect(!String(decoding: interaction.response.body, as: UTF8.self).contains("pw"))
    }
}
