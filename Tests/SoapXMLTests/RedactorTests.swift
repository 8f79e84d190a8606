import SoapXML
import Testing

/// Redaction replaces secret values and leaves every other byte as it travelled.
struct RedactorTests {
    func redact(_ xml: String, _ selectors: [XPathSelector] = Redactor.superOfficeCredentials) -> (String, Int) {
        let (bytes, count) = Redactor(selectors: selectors).redact(Array(xml.utf8))
        return (String(decoding: bytes, as: UTF8.self), count)
    }

    @Test func theQuickScanSaysWhetherABodyMayHoldASecret() {
        let redactor = Redactor()
        #expect(redactor.mayMatch(Array("<a><Password>x</Password></a>".utf8)))
        #expect(redactor.mayMatch(Array("<ApplicationToken/>".utf8)))
        #expect(redactor.mayMatch(Array("ends with Ticket".utf8)))
        #expect(!redactor.mayMatch(Array("<a><Passwor>x</Passwor><Tick/></a>".utf8)))
        #expect(!redactor.mayMatch([]))
        #expect(redactor.mayMatch([0xFF, 0xFE, 0x3C, 0x00]))  // UTF-16: a byte search cannot tell
        #expect(ByteSearch.contains(Array("abc".utf8), Array("abc".utf8)))
        #expect(!ByteSearch.contains(Array("ab".utf8), Array("abc".utf8)))
        #expect(!ByteSearch.contains(Array("abc".utf8), []))
    }

    /// Credentials in a header, in the body and inside CDATA, beside a commented-out one and a quoted `>`.
    static let credentialsEnvelope = """
        <?xml version="1.0"?>
        <s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:f="urn:f">
          <s:Header><f:ApplicationToken>tok-123</f:ApplicationToken>
            <f:Credentials>  <f:Ticket>7T:abcdefgh12345678==</f:Ticket>  </f:Credentials></s:Header>
          <s:Body><f:Login><f:User a='1'  b="x>y">me</f:User><f:Password><![CDATA[p<w>d]]></f:Password></f:Login>
          <!-- <f:Password>not this</f:Password> --></s:Body>
        </s:Envelope>
        """

    @Test func credentialsAreReplacedAndNothingElseMoves() {
        let xml = Self.credentialsEnvelope
        let (output, count) = redact(xml)
        #expect(count == 3)
        #expect(output == xml.replacingOccurrences(of: "tok-123", with: "${redacted}")
            .replacingOccurrences(of: "7T:abcdefgh12345678==", with: "${redacted}")
            .replacingOccurrences(of: "<![CDATA[p<w>d]]>", with: "${redacted}"))
    }

    @Test func aSelectedParentHasEveryLeafBelowRedacted() throws {
        let xml = "<r><Secret><a>1</a><b><c>2</c></b><d/></Secret><a>3</a></r>"
        let (output, count) = redact(xml, [try XPathSelector("//Secret")])
        #expect(output == "<r><Secret><a>${redacted}</a><b><c>${redacted}</c></b><d/></Secret><a>3</a></r>")
        #expect(count == 2)
    }

    @Test func attributesAndRepeatedSiblings() throws {
        let xml = "<r><i k='a'>1</i><i k=\"b\">2</i></r>"
        let (output, _) = redact(xml, [try XPathSelector("/r/i[2]/@k"), try XPathSelector("/r/i[1]")])
        #expect(output == "<r><i k='a'>${redacted}</i><i k=\"${redacted}\">2</i></r>")
    }

    @Test func aProcessingInstructionHoldingAnAngleBracketHidesNothing() {
        // Found by fuzz-xml: the byte scan ended a processing instruction at its first `>`, lost its place in the
        // tree, and left the ticket after it unredacted.
        let xml = "<r><?pi a=\"x>y\" <b>?><Credentials><Ticket>7T:secret</Ticket></Credentials><Password>p</Password></r>"
        let (output, count) = redact(xml)
        #expect(count == 2)
        #expect(output == "<r><?pi a=\"x>y\" <b>?><Credentials><Ticket>${redacted}</Ticket></Credentials>"
            + "<Password>${redacted}</Password></r>")
    }

    @Test func emptyValuesAreLeftAlone() {
        #expect(redact("<r><Password></Password><Password/></r>").1 == 0)
        #expect(redact("not xml, and no secret in it") == ("not xml, and no secret in it", 0))
    }

    @Test func brokenXMLHasSecretsRedactedByName() {
        // No path can be followed in bytes that are not well-formed, so every element named like a rule's last step
        // has its value replaced: a request cut off mid-ticket keeps none of it.
        #expect(redact("not xml <Password>x</Password>") == ("not xml <Password>${redacted}</Password>", 1))
        #expect(redact("<e><h><Credentials><Ticket>7T:secret") == ("<e><h><Credentials><Ticket>${redacted}", 1))
        #expect(redact("<a><f:Ticket a='>' b=\"/\">t</f:Ticket><Ticket/><ApplicationToken>x</b>")
            == ("<a><f:Ticket a='>' b=\"/\">${redacted}</f:Ticket><Ticket/><ApplicationToken>${redacted}</b>", 2))
        #expect(redact("<r><Password><![CDATA[p<w>d]]></Password><Other>kept</Other>")
            == ("<r><Password>${redacted}</Password><Other>kept</Other>", 1))
        // Last steps of the rules given, in any namespace prefix.
        let rules = [try! XPathSelector("//Secret"), try! XPathSelector("/r/p:Key", namespaces: ["p": "urn:p"])]
        #expect(redact("<r><Secret>s</Secret><q:Key>k</q:Key><Ticket>t</Ticket>", rules)
            == ("<r><Secret>${redacted}</Secret><q:Key>${redacted}</q:Key><Ticket>t</Ticket>", 2))
    }

    @Test func utf16IsRewrittenFromTheTree() throws {
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in "<?xml version='1.0' encoding='UTF-16'?><r><Password>secret</Password></r>".utf16 {
            bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)]
        }
        let (output, count) = Redactor().redact(bytes)
        #expect(count == 1)
        #expect(String(decoding: output, as: UTF8.self).contains("<Password>${redacted}</Password>"))
    }
}
