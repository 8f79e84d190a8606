import Foundation
import Testing

/// Untrusted XML never reaches the network, never expands entities, and is refused with its place.
struct HostileInputTests {
    static let doctypeRefusal = "a DOCTYPE declaration is not allowed (SOAP messages carry no DTD, and a DTD can "
        + "expand entities or fetch files); remove it"

    static let cases: [(name: String, bytes: [UInt8], message: String)] = [
        ("xxe-file.xml",
         Array("<?xml version=\"1.0\"?>\n<!DOCTYPE r [\n<!ENTITY x SYSTEM \"file:///etc/passwd\">\n]>\n<r>&x;</r>\n".utf8),
         "xxe-file.xml:2:1: error: \(doctypeRefusal)"),
        ("billion-laughs.xml",
         Array(("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
                + (1...9).map { " <!ENTITY lol\($0) \"" + String(repeating: "&lol\($0 == 1 ? "" : String($0 - 1));", count: 10) + "\">\n" }.joined()
                + "]>\n<lolz>&lol9;</lolz>\n").utf8),
         "billion-laughs.xml:2:1: error: \(doctypeRefusal)"),
        ("truncated.xml", Array("<?xml version=\"1.0\"?>\n<a>\n  <b>text</b>\n  <c>".utf8),
         "truncated.xml:4:6: error: the document ends before element <c> (opened on line 4) is closed; it looks truncated"),
        ("wrong-encoding.xml", Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>caf".utf8) + [0xE9] + Array("</a>\n".utf8),
         "wrong-encoding.xml:2:7: error: the bytes are not valid UTF-8 (0xE9 0x3C 0x2F 0x61); declare the document's "
            + "real encoding, for example <?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"),
        ("utf16-label.xml", Array("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<a>x</a>\n".utf8),
         "utf16-label.xml:1:38: error: the document declares UTF-16 but is UTF-8; make the encoding declaration match "
            + "the bytes"),
        ("binary.xml", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x01],
         "binary.xml:1:1: error: this is not XML: expected '<' to start the document"),
        ("empty.xml", [], "empty.xml:1:1: error: the document is empty; expected an XML document"),
    ]

    @Test func eachIsRefusedWithOneLine() throws {
        let directory = try CLI.directory(with: Dictionary(uniqueKeysWithValues: Self.cases.map { ($0.name, $0.bytes) }))
        for testCase in Self.cases {
            #expect(try CLI.run(["canon", testCase.name], in: directory)
                == Outcome(stdout: "", stderr: testCase.message + "\n", status: 2), "\(testCase.name)")
            #expect(try CLI.run(["diff", testCase.name, testCase.name], in: directory).status == 2)
        }
    }

    @Test func nothingIsFetchedFromTheNetwork() throws {
        let listener = try ConnectionRecorder()
        let url = "http://127.0.0.1:\(listener.port)/"
        let documents: [String: [UInt8]] = [
            "external-entity.xml": Array("<?xml version=\"1.0\"?>\n<!DOCTYPE r [\n<!ENTITY x SYSTEM \"\(url)x\">\n]>\n<r>&x;</r>\n".utf8),
            "external-dtd.xml": Array("<?xml version=\"1.0\"?>\n<!DOCTYPE r SYSTEM \"\(url)r.dtd\">\n<r/>\n".utf8),
            "parameter-entity.xml": Array("<!DOCTYPE r [<!ENTITY % p SYSTEM \"\(url)p\"> %p;]><r/>".utf8),
            "xinclude.xml": Array("<r xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"\(url)i\"/></r>".utf8),
            "schema-location.xml": Array(("<r xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                                          + "xsi:schemaLocation=\"urn:x \(url)s.xsd\"/>").utf8),
        ]
        let directory = try CLI.directory(with: documents)
        #expect(try CLI.run(["canon", "external-entity.xml"], in: directory)
            == Outcome(stdout: "", stderr: "external-entity.xml:2:1: error: \(Self.doctypeRefusal)\n", status: 2))
        #expect(try CLI.run(["canon", "external-dtd.xml"], in: directory)
            == Outcome(stdout: "", stderr: "external-dtd.xml:2:1: error: \(Self.doctypeRefusal)\n", status: 2))
        #expect(try CLI.run(["canon", "parameter-entity.xml"], in: directory)
            == Outcome(stdout: "", stderr: "parameter-entity.xml:1:1: error: \(Self.doctypeRefusal)\n", status: 2))
        #expect(try CLI.run(["diff", "xinclude.xml", "xinclude.xml"], in: directory).status == 0)
        #expect(try CLI.run(["diff", "schema-location.xml", "schema-location.xml"], in: directory).status == 0)
        #expect(listener.count == 0)
        // The listener does notice a connection when one is made.
        listener.connectOnce()
        #expect(listener.waitForConnection(seconds: 10))
        #expect(listener.count == 1)
    }
}
