import SoapXML
import Testing

/// Prefixes never matter; URIs do; QName values resolve; versions map.
struct NamespaceTests {
    @Test func prefixesAndDeclarationPlacesNeverMatter() throws {
        let a = "<a:r xmlns:a='urn:x' xmlns:b='urn:y'><b:c b:k='1'>v</b:c></a:r>"
        let b = "<r xmlns='urn:x'><q:c xmlns:q='urn:y' q:k='1'>v</q:c></r>"
        #expect(try differences(a, b) == [])
    }

    @Test func qnameValuesEqualWhenPrefixesMapToTheSameURI() throws {
        let a = "<r xmlns:Favourite='\(fav88)' xmlns:xsi='\(xsi)'><v xsi:type='Favourite:ArrayOfFavourite'/></r>"
        let b = "<r xmlns:fv='\(fav88)' xmlns:i='\(xsi)'><v i:type='fv:ArrayOfFavourite'/></r>"
        #expect(try differences(a, b) == [])
    }

    @Test func qnameValuesDifferWhenTheSamePrefixMeansAnotherURI() throws {
        let a = "<r xmlns:xsd='\(xsd)' xmlns:xsi='\(xsi)'><v xsi:type='xsd:int'>1</v></r>"
        let b = "<r xmlns:xsd='urn:not-schema' xmlns:xsi='\(xsi)'><v xsi:type='xsd:int'>1</v></r>"
        #expect(try differences(a, b) == [
            Difference(kind: .attributeValue, path: "/r/v/@xsi:type",
                       expected: "xsd:int = {\(xsd)}int", actual: "xsd:int = {urn:not-schema}int",
                       expectedLine: 1, actualLine: 1),
        ])
    }

    @Test func anotherNamespaceIsReportedOnceForTheWholeSubtree() throws {
        let a = "<s:r xmlns:s='urn:env'><b xmlns='urn:v86'><c><d>1</d></c></b></s:r>"
        let b = "<s:r xmlns:s='urn:env'><b xmlns='urn:v88'><c><d>1</d></c></b></s:r>"
        #expect(try differences(a, b) == [
            Difference(kind: .namespaceURI, path: "/r/b", expected: "urn:v86", actual: "urn:v88",
                       expectedLine: 1, actualLine: 1),
        ])
    }

    @Test func servicesVersionsMapOntoEachOther() throws {
        let request86 = try Fixtures.envelope("Services86-ToggleErpConnectionActive-response.xml")
        let request88 = request86.replacingOccurrences(of: "Services86", with: "Services88")
            .replacingOccurrences(of: "NetServerServices86", with: "ns")
        let strict = try differences(request86, request88)
        #expect(strict.map(\.kind) == [.namespaceURI])
        #expect(strict.first?.path == "/Envelope/Body/ToggleErpConnectionActiveResponse")
        #expect(try differences(request86, request88) {
            $0.namespaces = .map
            $0.namespaceMappings = [.substring("Services86", "Services88")]
        } == [])
        #expect(try differences(request86, request88) {
            $0.namespaces = .map
            $0.namespaceMappings = [try .regex("Services[0-9]+", "ServicesNN")]
        } == [])
    }

    @Test func mappingsReachQNameValues() throws {
        let a = "<r xmlns='urn:Services86' xmlns:t='urn:Services86' xmlns:xsi='\(xsi)'><v xsi:type='t:ArrayOfX'/></r>"
        let b = a.replacingOccurrences(of: "Services86", with: "Services88")
        #expect(try differences(a, b).map(\.kind) == [.namespaceURI, .attributeValue])
        #expect(try differences(a, b) {
            $0.namespaces = .map
            $0.namespaceMappings = [.substring("Services86", "Services88")]
        } == [])
    }

    @Test func soap11AndSoap12EnvelopesMapOntoEachOther() throws {
        let soap11 = "<e:Envelope xmlns:e='http://schemas.xmlsoap.org/soap/envelope/'><e:Body><x/></e:Body></e:Envelope>"
        let soap12 = "<e:Envelope xmlns:e='http://www.w3.org/2003/05/soap-envelope'><e:Body><x/></e:Body></e:Envelope>"
        #expect(try differences(soap11, soap12).map(\.kind) == [.namespaceURI])
        #expect(try differences(soap11, soap12) {
            $0.namespaces = .map
            $0.namespaceMappings = [.substring("http://schemas.xmlsoap.org/soap/envelope/",
                                               "http://www.w3.org/2003/05/soap-envelope")]
        } == [])
    }

    @Test func ignoreModeComparesLocalNamesOnly() throws {
        let a = "<r xmlns='urn:a' xmlns:xsi='\(xsi)' xmlns:t='urn:a'><v xsi:type='t:T'>1</v></r>"
        let b = "<r xmlns='urn:b' xmlns:xsi='\(xsi)' xmlns:t='urn:b'><v xsi:type='t:T'>1</v></r>"
        #expect(try differences(a, b) { $0.namespaces = .ignore } == [])
    }

    @Test func identicalCountsPrefixesAndDeclarations() throws {
        let a = "<a:r xmlns:a='urn:x'><a:c/></a:r>"
        let b = "<b:r xmlns:b='urn:x'><b:c/></b:r>"
        #expect(try differences(a, b) == [])
        let found = try differences(a, b) { $0.identical = true }
        #expect(found.map(\.kind) == [.namespacePrefix, .namespaceDeclaration, .namespacePrefix])
        #expect(found[1] == Difference(kind: .namespaceDeclaration, path: "/r", expected: "xmlns:a=\"urn:x\"",
                                       actual: "xmlns:b=\"urn:x\"", expectedLine: 1, actualLine: 1))
        #expect(try differences(a, a) { $0.identical = true } == [])
    }
}
