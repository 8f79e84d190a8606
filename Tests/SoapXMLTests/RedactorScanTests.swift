import Foundation
import SoapXML
import Testing

/// The record proxy redacts and identifies each message with one streaming pass (`Redactor.scan`), no tree built;
/// it must give exactly what parsing the document and redacting it gives, or say it cannot (nil).
struct RedactorScanTests {
    static let ruleSets: [[XPathSelector]] = [
        Redactor.superOfficeCredentials,
        [try! XPathSelector("//Ticket")],
        [try! XPathSelector("/Envelope/Header/ApplicationToken"), try! XPathSelector("//Body/*/*")],
        [try! XPathSelector("//Secret"), try! XPathSelector("//p:b", namespaces: ["p": "urn:p"])],
        [try! XPathSelector("/Envelope/Body//*")],
    ]

    static let handWritten = [
        RedactorTests.credentialsEnvelope,
        "<r><Secret><a>1</a><b><c>2</c></b><d/></Secret><a>3</a></r>",
        "<r><Password></Password><Password/><Password>  \n </Password><Password >x</Password   ></r>",
        "<r xmlns='urn:p' xmlns:p='urn:p'><p:b>5</p:b><b>6</b><q:b xmlns:q='urn:q'>7</q:b><Ticket a='&lt;'>&amp;&#60;</Ticket></r>",
        "\u{FEFF}<?xml version='1.0' encoding='UTF-8'?><Envelope><Body><Ticket><?pi x?>t<!--c-->k</Ticket></Body></Envelope>",
        "<Envelope><Header/><Body/></Envelope>",
        "<e:Envelope xmlns:e='urn:e'><Body><x/></Body><e:Body><e:First/><Second/></e:Body><e:Body><Third/></e:Body></e:Envelope>",
        "<Envelope><Body>text<!-- c --><f:First xmlns:f='urn:f'><Password>pw</Password></f:First></Body></Envelope>",
        "<Credentials><Ticket>only</Ticket><Ticket>two</Ticket></Credentials>",
        "<a:Envelope xmlns:a='urn:a'><a:Body>\n\t<Ticket\n  x = 'y'\n>é ünïcode €</Ticket></a:Body></a:Envelope>",
    ]

    func inputs() throws -> [(name: String, bytes: [UInt8])] {
        var inputs = Self.handWritten.enumerated().map { ("hand-written \($0.offset)", Array($0.element.utf8)) }
        let folder = Fixtures.envelopes.path
        for file in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() where file.hasSuffix(".xml") {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file)))
            inputs.append((file, bytes))
            // The same envelope with its values made secrets, and its whitespace and comments moved about.
            let text = String(decoding: bytes, as: UTF8.self)
            inputs.append((file + " with credentials", Array(text.replacingOccurrences(
                of: "<SOAP-ENV:Body>", with: "<SOAP-ENV:Body><!-- x --><Credentials><Ticket>7T:secret</Ticket>"
                    + "<Password>pw</Password></Credentials>").utf8)))
            inputs.append((file + " on one line", Array(text.replacingOccurrences(of: "\n", with: " ").utf8)))
        }
        // Larger than libxml2's input chunks, so that it shifts its buffer while the scan runs.
        var large = "<Envelope><Header><ApplicationToken>tok</ApplicationToken></Header><Body><List>"
        for index in 0..<5_000 {
            large += "<Item><Name>item \(index)</Name><Credentials><Ticket>t\(index)</Ticket></Credentials></Item>\n"
        }
        large += "</List><Password>last</Password></Body></Envelope>"
        inputs.append(("large", Array(large.utf8)))
        return inputs
    }

    @Test func theScanRedactsAndIdentifiesAsTheParsedDocumentDoes() throws {
        var redacted = 0
        for (name, bytes) in try inputs() {
            let document = try XMLDocument(bytes: bytes, name: name)
            for selectors in Self.ruleSets {
                let redactor = Redactor(selectors: selectors)
                let scanned = try #require(redactor.scan(bytes), "\(name): the scan should handle UTF-8")
                let expected = redactor.redact(bytes, document: document)
                #expect(scanned.wellFormed)
                #expect(scanned.bytes == expected.bytes, "\(name), \(selectors.map(\.expression))")
                #expect(scanned.redactions == expected.count, "\(name), \(selectors.map(\.expression))")
                #expect(scanned.bodyFirstChild == document.bodyFirstChild, "\(name)")
                redacted += scanned.redactions
            }
        }
        #expect(redacted > 10_000)
    }

    @Test func whatIsNotWellFormedHasItsSecretsRedactedByName() throws {
        let redactor = Redactor()
        for text in ["not xml <Password>x</Password>", "<r><Password>x</Password>", "<r><Password>x</r></Password>",
                     "<!DOCTYPE r [<!ENTITY e 'x'>]><r><Password>&e;</Password></r>",
                     "<r><Password>&undeclared;</Password></r>", "<p:r><Password>x</Password></p:r>"] {
            let bytes = Array(text.utf8)
            let scanned = try #require(redactor.scan(bytes))
            #expect(!scanned.wellFormed, "\(text)")
            #expect(scanned.bodyFirstChild == nil)
            #expect(scanned.redactions == 1, "\(text)")
            #expect(scanned.bytes == redactor.redact(bytes).bytes, "\(text): as the tree path redacts it")
            #expect(String(decoding: scanned.bytes, as: UTF8.self).contains("<Password>${redacted}<"))
        }
        let empty = try #require(redactor.scan([]))
        #expect(!empty.wellFormed && empty.bytes.isEmpty && empty.redactions == 0)
    }

    @Test func whatTheScanCannotDoItSaysSo() throws {
        // Converted encodings: the offsets would not be the input's.
        var utf16: [UInt8] = [0xFF, 0xFE]
        for unit in "<?xml version='1.0' encoding='UTF-16'?><r><Password>secret</Password></r>".utf16 {
            utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)]
        }
        #expect(Redactor().scan(utf16) == nil)
        let latin1: [UInt8] = Array("<?xml version='1.0' encoding='ISO-8859-1'?><r><Password>".utf8) + [0xE9]
            + Array("</Password></r>".utf8)
        #expect(Redactor().scan(latin1) == nil)
        // Rules beyond element name steps go through XPath on a tree.
        #expect(Redactor(selectors: [try XPathSelector("/r/i[2]/@k")]).scan(Array("<r/>".utf8)) == nil)
    }

    @Test func nothingOfOneScanLeaksIntoTheNext() throws {
        // Parser contexts are reused between scans: a prefix bound by an earlier document, whole or cut off, must
        // stay unbound in the next one, and a redaction must not carry over.
        let redactor = Redactor()
        let binds = [Array("<p:a xmlns:p='urn:p'><p:Password>x</p:Password></p:a>".utf8),
                     Array("<p:a xmlns:p='urn:p'><p:b><Password>cut".utf8)]
        let unbound = Array("<p:a><Password>x</Password></p:a>".utf8)
        let plain = Array("<a><b>kept</b></a>".utf8)
        for round in 0..<200 {
            let first = try #require(redactor.scan(binds[round % 2]))
            #expect(first.wellFormed == (round % 2 == 0))
            let second = try #require(redactor.scan(unbound))
            #expect(!second.wellFormed && second.bytes == Array("<p:a><Password>${redacted}</Password></p:a>".utf8))
            let third = try #require(redactor.scan(plain))
            #expect(third.wellFormed && third.bytes == plain && third.redactions == 0)
        }
    }
}
