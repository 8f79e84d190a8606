import SoapXML
import Testing

/// The canonical form and the line diff shown under a difference report.
struct PrinterAndDiffTests {
    @Test func canonicalFormIsStableAndReadable() throws {
        let document = try XMLDocument(string: """
            <e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:i="\(xsi)" xmlns:t="\(fav88)"
              xmlns:x="\(xsd)"><!-- c --><e:Body><t:Op b="2" a="1"><t:V i:type="x:int"> 5 </t:V><t:E></t:E>
              </t:Op></e:Body></e:Envelope>
            """)
        #expect(CanonicalPrinter().print(document) == """
            <soap12:Envelope xmlns:soap12="http://www.w3.org/2003/05/soap-envelope" xmlns:ns1="\(fav88)" xmlns:xsi="\(xsi)" xmlns:xsd="\(xsd)">
              <soap12:Body>
                <ns1:Op a="1" b="2">
                  <ns1:V xsi:type="xsd:int">5</ns1:V>
                  <ns1:E/>
                </ns1:Op>
              </soap12:Body>
            </soap12:Envelope>

            """)
    }

    @Test func ignoredNodesAndMappedNamespacesInTheCanonicalForm() throws {
        let document = try XMLDocument(string: "<r xmlns='urn:Services86'><a>1</a><Ticket>x</Ticket></r>")
        var options = ComparisonOptions()
        options.ignore = [try XPathSelector("//Ticket")]
        options.namespaces = .map
        options.namespaceMappings = [.substring("86", "88")]
        #expect(CanonicalPrinter(options: options).print(document) == """
            <ns1:r xmlns:ns1="urn:Services88">
              <ns1:a>1</ns1:a>
            </ns1:r>

            """)
    }

    @Test func unifiedDiffShowsOnlyTheChangeWithContext() {
        let old = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let new = old.replacingOccurrences(of: "line 5", with: "line five")
        #expect(UnifiedDiff().diff(old, new, oldName: "a", newName: "b") == """
            --- a
            +++ b
            @@ -2,7 +2,7 @@
             line 2
             line 3
             line 4
            -line 5
            +line five
             line 6
             line 7
             line 8

            """)
        #expect(UnifiedDiff().diff(old, old, oldName: "a", newName: "b") == "")
    }

    @Test func unifiedDiffOfInsertionsAndDeletions() {
        #expect(UnifiedDiff(context: 1).diff("a\nb\nc\n", "a\nc\nd\n", oldName: "x", newName: "y") == """
            --- x
            +++ y
            @@ -1,3 +1,3 @@
             a
            -b
             c
            +d

            """)
    }

    @Test func xpathUnprefixedNamesMatchByLocalName() throws {
        let document = try XMLDocument(string: "<a xmlns='urn:x'><b><c>1</c></b><c>2</c></a>")
        var options = ComparisonOptions()
        options.ignore = [try XPathSelector("/a/b/c | //c[. = '2']")]
        #expect(CanonicalPrinter(options: options).print(document) == """
            <ns1:a xmlns:ns1="urn:x">
              <ns1:b/>
            </ns1:a>

            """)
    }
}
