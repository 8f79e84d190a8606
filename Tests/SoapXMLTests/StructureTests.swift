import SoapXML
import Testing

/// What counts and what never does: whitespace, order, comments, encodings; and reports without cascades.
struct StructureTests {
    @Test func markupThatNeverCounts() throws {
        let a = "<?xml version='1.0'?><r b='2' a='1'><x>a &amp; b</x><y>&#233;t&#xE9;</y></r>"
        let b = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment -->
            <?pi data?>
            <r a="1"
               b="2">
              <x><![CDATA[a & b]]></x>
              <!-- between -->
              <y>été</y>
            </r>
            """
        #expect(try differences(a, b) == [])
    }

    @Test func declaredEncodingsReadTheSame() throws {
        let utf8 = try XMLDocument(string: "<r><v>café</v></r>")
        let latin1Bytes: [UInt8] = Array("<?xml version='1.0' encoding='ISO-8859-1'?><r><v>caf".utf8) + [0xE9]
            + Array("</v></r>".utf8)
        let latin1 = try XMLDocument(bytes: latin1Bytes, name: "latin1.xml")
        var utf16: [UInt8] = [0xFF, 0xFE]
        for unit in "<?xml version='1.0' encoding='UTF-16'?><r><v>café</v></r>".utf16 {
            utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)]
        }
        let utf16Document = try XMLDocument(bytes: utf16, name: "utf16.xml")
        #expect(XMLComparator().isEqual(utf8, latin1))
        #expect(XMLComparator().isEqual(utf8, utf16Document))
    }

    @Test func whitespaceModes() throws {
        let a = "<r><v>  two  words </v></r>"
        let b = "<r><v>two words</v></r>"
        #expect(try differences(a, b).map(\.kind) == [.textValue])
        #expect(try differences(a, b) { $0.whitespace = .normalize } == [])
        #expect(try differences("<r><v> x </v></r>", "<r><v>x</v></r>") == [])
        #expect(try differences("<r><v> x </v></r>", "<r><v>x</v></r>") { $0.whitespace = .exact }
            == [Difference(kind: .textValue, path: "/r/v", expected: " x ", actual: "x", expectedLine: 1, actualLine: 1)])
    }

    @Test func xmlSpacePreserveIsHonoured() throws {
        let a = "<r xml:space='preserve'><v> x </v></r>"
        #expect(try differences(a, "<r xml:space='preserve'><v>x</v></r>").map(\.kind) == [.textValue])
        #expect(try differences("<r xml:space='preserve'><v xml:space='default'> x </v></r>", "<r xml:space='preserve'><v xml:space='default'>x</v></r>") == [])
    }

    @Test func oneMissingElementIsOneDifference() throws {
        let found = try differences("<r><a>1</a><b>2</b><c>3</c><d>4</d></r>", "<r><a>1</a><c>3</c><d>4</d></r>")
        #expect(found == [Difference(kind: .missingElement, path: "/r/b", expected: "<b>", actual: nil,
                                     expectedLine: 1, actualLine: nil)])
    }

    @Test func oneInsertedElementIsOneDifference() throws {
        let found = try differences("<r><i>1</i><i>2</i><i>3</i></r>", "<r><i>1</i><j/><i>2</i><i>3</i></r>")
        #expect(found == [Difference(kind: .unexpectedElement, path: "/r/j", expected: nil, actual: "<j>",
                                     expectedLine: nil, actualLine: 1)])
    }

    @Test func aRemovedArrayItemIsOneDifferenceNotACascade() throws {
        let found = try differences("<r><i>1</i><i>2</i><i>3</i><i>4</i></r>", "<r><i>1</i><i>3</i><i>4</i></r>")
        #expect(found == [Difference(kind: .missingElement, path: "/r/i[2]", expected: "<i>", actual: nil,
                                     expectedLine: 1, actualLine: nil)])
    }

    @Test func anExtraArrayItemIsReportedWithItsIndex() throws {
        let found = try differences("<r><i>1</i><i>2</i></r>", "<r><i>1</i><i>2</i><i>3</i></r>")
        #expect(found.map(\.path) == ["/r/i[3]"])
        #expect(found.map(\.kind) == [.unexpectedElement])
    }

    @Test func swappedSiblingsAreAChildOrderDifference() throws {
        let found = try differences("<r><x>1</x><y>2</y></r>", "<r><y>2</y><x>1</x></r>")
        #expect(found.map(\.kind) == [.childOrder])
        #expect(found.first?.expected == "<x> at position 1")
        #expect(found.first?.actual == "at position 2")
    }

    @Test func everyDifferenceIsReportedNotJustTheFirst() throws {
        let found = try differences(
            "<r a='1'><x>1</x><y>2</y><z>3</z></r>",
            "<r a='2' b='0'><x>9</x><y>2</y><z>8</z></r>")
        #expect(found.map(\.kind) == [.attributeValue, .unexpectedAttribute, .textValue, .textValue])
        #expect(found.map(\.path) == ["/r/@a", "/r/@b", "/r/x", "/r/z"])
    }

    @Test func linesPointIntoBothDocuments() throws {
        let found = try differences("<r>\n<x>1</x>\n</r>", "<r>\n\n\n<x>2</x></r>")
        #expect(found.first?.expectedLine == 2)
        #expect(found.first?.actualLine == 4)
    }

    @Test func equalityAndCountsStopEarly() throws {
        let a = try XMLDocument(string: "<r><x>1</x><y>2</y><z>3</z></r>")
        let b = try XMLDocument(string: "<r><x>0</x><y>0</y><z>0</z></r>")
        #expect(!XMLComparator().isEqual(a, b))
        #expect(XMLComparator().isEqual(a, a))
        #expect(XMLComparator().differenceCount(a, b) == 3)
        #expect(XMLComparator().differenceCount(a, b, limit: 2) == 2)
    }

    @Test func differentRootsAreOneDifference() throws {
        let found = try differences("<a xmlns='urn:x'/>", "<b/>")
        #expect(found == [Difference(kind: .missingElement, path: "/a", expected: "<a> in urn:x",
                                     actual: "<b> instead", expectedLine: 1, actualLine: nil)])
    }
}
