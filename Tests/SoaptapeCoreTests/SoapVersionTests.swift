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

/// How a request's HTTP framing is read: its SOAP version from the content type, its endpoint from the path. Both
/// decide which recordings a request is matched against, so a casing or tenant prefix must not change them.
struct SoapFramingTests {
    @Test func theContentTypeNamesTheVersionInAnyCase() {
        #expect(SoapMessage.version(contentType: "text/xml; charset=utf-8") == .soap11)
        #expect(SoapMessage.version(contentType: " Text/XML ;charset=utf-8") == .soap11)
        #expect(SoapMessage.version(contentType: "text/xml") == .soap11)
        #expect(SoapMessage.version(contentType: "application/soap+xml; charset=utf-8; action=\"x\"") == .soap12)
        #expect(SoapMessage.version(contentType: "APPLICATION/SOAP+XML") == .soap12)
        #expect(SoapMessage.version(contentType: "application/xml") == nil)
        #expect(SoapMessage.version(contentType: "text/xmls") == nil)
        #expect(SoapMessage.version(contentType: "") == nil)
        #expect(SoapMessage.version(contentType: "téxt/xml") == nil)
        #expect(SoapMessage.version(contentType: nil) == nil)
    }

    @Test func theActionComesFromTheContentTypeElseTheSOAPActionHeader() {
        #expect(SoapMessage.action(contentType: "application/soap+xml; charset=utf-8; action=\"urn:a\"",
                                   soapActionHeader: "\"urn:b\"") == "urn:a")
        #expect(SoapMessage.action(contentType: "application/soap+xml;ACTION=urn:a", soapActionHeader: nil) == "urn:a")
        #expect(SoapMessage.action(contentType: "application/soap+xml; aaction=x; action = \"urn:a\"",
                                   soapActionHeader: nil) == "urn:a")
        #expect(SoapMessage.action(contentType: "text/xml; charset=utf-8", soapActionHeader: "\"urn:b\"") == "urn:b")
        #expect(SoapMessage.action(contentType: "text/xml; charset=utf-8", soapActionHeader: "\"\"") == nil)
        #expect(SoapMessage.action(contentType: "text/xml; x-action-note=1", soapActionHeader: nil) == nil)
        #expect(SoapMessage.action(contentType: nil, soapActionHeader: nil) == nil)
    }

    @Test func theEndpointDropsTenantQueryCaseAndTrailingSlashes() {
        #expect(SoapMessage.endpointKey("/Remote/Services88/Favourite.svc") == "/remote/services88/favourite.svc")
        #expect(SoapMessage.endpointKey("/Cust12345/Remote/Services88/Favourite.svc/") == "/remote/services88/favourite.svc")
        #expect(SoapMessage.endpointKey("/Remote/Services88/Favourite.svc?wsdl") == "/remote/services88/favourite.svc")
        #expect(SoapMessage.endpointKey("/a/remote/b/REMOTE/c//") == "/remote/b/remote/c")
        #expect(SoapMessage.endpointKey("/Other/Path") == "/other/path")
        #expect(SoapMessage.endpointKey("/") == "/")
        #expect(SoapMessage.endpointKey("") == "")
        #expect(SoapMessage.endpointKey("/remote") == "/remote")
        #expect(SoapMessage.endpointKey("/Kunde/Remote/Tjänst.svc?x=/remote/") == "/remote/tjänst.svc")
        #expect(SoapMessage.endpointKey("/ÄBC/Service/") == "/äbc/service")
    }
}
