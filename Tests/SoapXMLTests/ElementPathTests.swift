import Foundation
@testable import SoapXML
import Testing

/// Rules made only of element name steps are walked natively (they are evaluated for every request `serve` and
/// `record --mode new` match); they must select exactly what libxml2's XPath engine selects.
struct ElementPathTests {
    static let nested = """
        <r xmlns="urn:default" xmlns:p="urn:p" xmlns:q="urn:q">
          <a><b>1</b><b><b>2</b></b><c><a><b>3</b><x><b>4</b></x></a></c></a>
          <p:b>5</p:b><q:b>6</q:b><p:a><q:b>7</q:b><p:b><p:b>8</p:b></p:b></p:a>
          <a.b-c_d>9</a.b-c_d>
        </r>
        """

    static let expressions = [
        "/r", "/*", "/*/*", "//*", "/r/a", "/r/a/b", "//b", "//a/b", "//a//b", "/r//b", "//b/b", "//a//a", "//c/a/x/b",
        "/r/a/c/a/b", "//p:b", "//q:b", "//p:*", "/r/p:a/q:b", "//p:a//p:b", "//p:b/p:b", "/*//*/b", "//a.b-c_d",
        "/nothing", "//nothing/b", "/a", "/r/a/b/b/b",
        "/Envelope/Header/ApplicationToken", "/Envelope/Header/Credentials", "//Credentials/Ticket", "//Ticket",
        "/Envelope/Body/*", "/Envelope/Body//*", "//Body/*/*",
    ]

    func documents() throws -> [XMLDocument] {
        var documents = [try XMLDocument(string: Self.nested, name: "nested.xml")]
        let folder = Fixtures.envelopes.path
        for file in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() where file.hasSuffix(".xml") {
            documents.append(try XMLDocument(contentsOf: folder + "/" + file))
        }
        return documents
    }

    @Test func nameStepsSelectWhatXPathSelects() throws {
        let namespaces = ["p": "urn:p", "q": "urn:q"]
        var selectedAny = 0
        for document in try documents() {
            for expression in Self.expressions {
                let selector = try XPathSelector(expression, namespaces: namespaces)
                #expect(selector.isElementPath, "\(expression) should be walked natively")
                let native = selector.select(in: document)
                let xpath = selector.selectWithXPath(in: document)
                #expect(native == xpath, "\(expression) in \(document.name): \(native.count) nodes natively, \(xpath.count) by XPath")
                if !native.isEmpty { selectedAny += 1 }
            }
        }
        // Most pairs select something, so agreement is not agreement on nothing.
        #expect(selectedAny > 60)
    }

    @Test func anythingMoreIsLeftToXPath() throws {
        for expression in ["//a[1]", "//@k", "/r/a/@k", "(//a)", "//a | //b", "/r/text()", "//a/..", "//a/.", " //a",
                           "//xml:lang", "//child::a", "//a[b]", "/r/node()", "//é"] {
            let selector = try XPathSelector(expression)
            #expect(!selector.isElementPath, "\(expression) is not only name steps")
        }
    }
}
