import SoaptapeCore
import Testing

struct SoapVersionTests {
    @Test func versionsAreKnownByTheirEnvelopeNamespace() {
        #expect(SoapVersion(envelopeNamespace: "http://schemas.xmlsoap.org/soap/envelope/") == .soap11)
        #expect(SoapVersion(envelopeNamespace: "http://www.w3.org/2003/05/soap-envelope") == .soap12)
        #expect(SoapVersion(envelopeNamespace: "urn:other") == nil)
        #expect(SoapVersion.soap11.contentType == "text/xml")
        #expect(SoapVersion.soap12.contentType == "application/soap+xml")
    }
}
