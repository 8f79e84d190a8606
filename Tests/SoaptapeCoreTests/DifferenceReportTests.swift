import SoapXML
import SoaptapeCore
import Testing

/// The text rendering of differences: values quoted, absences named, colour only when asked.
struct DifferenceReportTests {
    let missing = Difference(kind: .missingElement, path: "/r/b", expected: "<b> in urn:x", actual: nil,
                             expectedLine: 3, actualLine: nil)
    let text = Difference(kind: .textValue, path: "/r/v", expected: "a \"quoted\"\nline", actual: "", expectedLine: 1,
                          actualLine: 2)

    @Test func plainText() {
        let report = DifferenceReport(expectedName: "e.xml", actualName: "a.xml", differences: [missing, text],
                                      canonicalDiff: "")
        #expect(report.text(colour: false) == """
            different: 2 differences between e.xml (expected) and a.xml (actual).

            1) missing element at /r/b
               expected: <b> in urn:x  (e.xml:3)
               actual:   (absent)
               hint: \(missing.hint)

            2) text value at /r/v
               expected: "a \\"quoted\\"\\nline"  (e.xml:1)
               actual:   ""  (a.xml:2)
               hint: \(text.hint)

            """)
    }

    @Test func colourOnlyWhenAsked() {
        let report = DifferenceReport(expectedName: "e.xml", actualName: "a.xml", differences: [],
                                      canonicalDiff: "")
        #expect(report.text(colour: false) == "equal: e.xml and a.xml are the same document under the canonical comparison.\n")
        #expect(report.text(colour: true).hasPrefix("\u{1B}[32mequal:\u{1B}[0m e.xml"))
    }

    @Test func longValuesAreCut() {
        let long = Difference(kind: .textValue, path: "/r", expected: String(repeating: "x", count: 1000), actual: "y")
        let output = DifferenceReport(expectedName: "e", actualName: "a", differences: [long], canonicalDiff: "")
            .text(colour: false)
        #expect(output.contains("…(1000 characters)\""))
    }
}
