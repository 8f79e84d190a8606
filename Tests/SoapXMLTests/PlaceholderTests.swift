import SoapXML
import Testing

/// Placeholders in the expected document's text and attribute values.
struct PlaceholderTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var placeholder: String
        var accepted: [String]
        var refused: [String]
        var testDescription: String { placeholder }
    }

    static let cases: [Case] = [
        Case(placeholder: "${int}", accepted: ["0", "-2147483648", "+42", " 7 "], refused: ["abc", "2147483648", "1.0", ""]),
        Case(placeholder: "${long}", accepted: ["9223372036854775807", "-9223372036854775808"],
             refused: ["9223372036854775808", "1e3"]),
        Case(placeholder: "${decimal}", accepted: ["1.50", "-.5", "3", "+0.0"], refused: ["1e3", ".", "1,5"]),
        Case(placeholder: "${double}", accepted: ["1e3", "-1.5E-2", "INF", "NaN", "3"], refused: ["e3", "inf", "1e"]),
        Case(placeholder: "${boolean}", accepted: ["true", "false", "1", "0"], refused: ["True", "yes", ""]),
        Case(placeholder: "${dateTime}", accepted: ["2026-11-22T10:00:00", "2024-02-29T23:59:59.123Z",
                                                    "2026-11-22T10:00:00+01:00", "2026-01-01T24:00:00"],
             refused: ["2026-11-22", "2023-02-29T00:00:00", "2026-13-01T00:00:00", "2026-11-22T10:00"]),
        Case(placeholder: "${date}", accepted: ["2026-11-22", "2026-11-22Z"], refused: ["2026-11-31", "22.11.2026"]),
        Case(placeholder: "${guid}", accepted: ["0f8fad5b-d9cb-469f-a165-70867728950e"],
             refused: ["0f8fad5b-d9cb-469f-a165-70867728950", "{0f8fad5b-d9cb-469f-a165-70867728950e}"]),
        Case(placeholder: "${base64}", accepted: ["", "TWFu", "TWE=", "TQ=="], refused: ["TWF", "T===", "TW=u"]),
        Case(placeholder: "${string}", accepted: ["", "anything at all"], refused: []),
        Case(placeholder: "${ignore}", accepted: ["", "x"], refused: []),
        Case(placeholder: "${any}", accepted: ["x"], refused: []),
        Case(placeholder: "${redacted}", accepted: ["7T:secret"], refused: []),
        Case(placeholder: "${regex:\\d{3}-[A-Z]+}", accepted: ["123-AB", " 123-AB "], refused: ["12-AB", "123-ab", "x123-AB"]),
        Case(placeholder: "${duration}", accepted: ["P1Y2M3DT4H5M6.5S", "-PT1S", "P0D"], refused: ["P", "PT", "P1S", "1Y"]),
        Case(placeholder: "${unsignedByte}", accepted: ["255", "0"], refused: ["256", "-1"]),
    ]

    @Test(arguments: cases)
    func inTextValues(_ testCase: Case) throws {
        let expected = "<r><v>\(testCase.placeholder)</v></r>"
        for value in testCase.accepted {
            #expect(try differences(expected, "<r><v>\(value)</v></r>") == [], "\(value)")
        }
        for value in testCase.refused {
            let found = try differences(expected, "<r><v>\(value)</v></r>")
            #expect(found.map(\.kind) == [.placeholderMismatch], "\(value)")
        }
    }

    @Test func inAttributeValues() throws {
        #expect(try differences("<r id='${int}'/>", "<r id='12'/>") == [])
        #expect(try differences("<r id='${int}'/>", "<r id='x'/>") == [
            Difference(kind: .placeholderMismatch, path: "/r/@id", expected: "${int}",
                       actual: "\"x\", which is not a valid xsd:int", expectedLine: 1, actualLine: 1),
        ])
        #expect(try differences("<r xmlns:xsi='\(xsi)' xsi:type='${ignore}'/>", "<r xmlns:xsi='\(xsi)' xsi:type='a'/>")
            == [])
    }

    @Test func ignoreMatchesAWholeSubtree() throws {
        #expect(try differences("<r><v>${ignore}</v></r>", "<r><v><deep><er>1</er></deep></v></r>") == [])
    }

    @Test func regexMismatchSaysSo() throws {
        #expect(try differences("<r><v>${regex:[0-9]+}</v></r>", "<r><v>12a</v></r>") == [
            Difference(kind: .placeholderMismatch, path: "/r/v", expected: "${regex:[0-9]+}",
                       actual: "\"12a\", which the pattern does not match", expectedLine: 1, actualLine: 1),
        ])
    }

    @Test func unusablePlaceholdersAreFoundBeforeComparing() throws {
        let document = try XMLDocument(string: "<r>\n<v>${integr}</v>\n<w p='${regex:(}'/></r>")
        let problems = document.placeholderProblems()
        #expect(problems.map(\.line) == [2, 3])
        #expect(problems.map(\.placeholder) == ["${integr}", "${regex:(}"])
        #expect(problems[1].reason == "the pattern is not a valid regular expression")
        #expect(throws: PlaceholderError.self) { try Placeholder.parse("${nope}") }
        #expect(try Placeholder.parse("plain") == nil)
        #expect(try Placeholder.parse(" ${int} ") == .typed(.int))
    }

    @Test func lexicalTypesWithoutPlaceholders() {
        #expect(XSDLexicalType.int.accepts("-17"))
        #expect(!XSDLexicalType.int.accepts("abc"))
        #expect(XSDLexicalType.QName.accepts("xsd:int"))
        #expect(!XSDLexicalType.QName.accepts("a:b:c"))
        #expect(XSDLexicalType.hexBinary.accepts("0aFF"))
        #expect(!XSDLexicalType.hexBinary.accepts("0aF"))
        #expect(XSDLexicalType.time.accepts("23:59:60") == false)
        #expect(XSDLexicalType.time.accepts("13:20:00.5-05:00"))
        #expect(XSDLexicalType(name: "base64") == .base64Binary)
    }
}
