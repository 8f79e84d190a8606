import SoapXML
import Testing

/// Safe parsing: hostile and broken input refused with a place and a reason.
struct ParsingTests {
    func error(_ text: String) -> XMLParseError? {
        do {
            _ = try XMLDocument(string: text, name: "in.xml")
            return nil
        } catch {
            return error
        }
    }

    @Test func doctypeIsRefusedBeforeAnyEntityIsRead() {
        let xxe = "<?xml version='1.0'?>\n<!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>\n<r>&x;</r>"
        #expect(error(xxe) == XMLParseError(
            file: "in.xml", line: 2, column: 1,
            message: "a DOCTYPE declaration is not allowed (SOAP messages carry no DTD, and a DTD can expand "
                + "entities or fetch files); remove it"))
    }

    @Test func brokenDocumentsNameLineAndColumn() {
        #expect(error("<a>\n  <b>text</b>\n  <c>") == XMLParseError(
            file: "in.xml", line: 3, column: 6,
            message: "the document ends before element <c> (opened on line 3) is closed; it looks truncated"))
        #expect(error("<a><b></a>")?.message == "the end tag </a> does not match the open element <b> (line 1)")
        #expect(error("<a><p:b/></a>")?.message
            == "the namespace prefix p on b is not defined; declare it with xmlns:PREFIX=\"URI\"")
        #expect(error("<a/><b/>")?.message
            == "there is content after the root element ends; a document has exactly one root element")
        #expect(error("") == XMLParseError(file: "in.xml", line: 1, column: 1,
                                           message: "the document is empty; expected an XML document"))
        #expect(error("not xml")?.message == "this is not XML: expected '<' to start the document")
        #expect(error("<a>&undefined;</a>")?.message == "entity 'undefined' not defined")
    }

    @Test func nestingBeyondLibxml2sLimitIsRefused() {
        let deep = String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 300)
        #expect(error(deep)?.message == "elements are nested deeper than libxml2's safety limit (256 levels); this is refused")
    }

    @Test func aGoodDocumentKeepsItsName() throws {
        #expect(try XMLDocument(string: "<a/>", name: "x.xml").name == "x.xml")
    }
}
