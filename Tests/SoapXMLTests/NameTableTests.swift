import Foundation
@testable import SoapXML
import Testing

/// Recordings held for matching are parsed with one shared name table: a dictionary per document is a third of
/// a small envelope's memory. Sharing must change nothing a user sees.
struct NameTableTests {
    @Test func documentsSharingATableShareNamesAndOutliveIt() throws {
        let envelope = try Fixtures.envelope("Services88-ToggleFavourite-request.xml")
        var documents: [XMLDocument] = []
        do {
            let names = XMLNameTable()
            for _ in 0..<3 { documents.append(try XMLDocument(bytes: Array(envelope.utf8), name: "r", names: names)) }
            // The table goes here; the documents keep what they need of it.
        }
        let alone = try XMLDocument(string: envelope, name: "alone")
        #expect(documents[0].root?.pointee.name == documents[2].root?.pointee.name)
        #expect(documents[0].root?.pointee.name != alone.root?.pointee.name)
        for document in documents {
            #expect(XMLComparator().compare(document, alone).differences.isEmpty)
            #expect(CanonicalPrinter().print(document) == CanonicalPrinter().print(alone))
        }
        // Freed out of order, then a new document parsed with a new table.
        documents.remove(at: 1)
        documents.removeAll()
        let again = try XMLDocument(bytes: Array(envelope.utf8), name: "again", names: XMLNameTable())
        #expect(XMLComparator().isEqual(again, alone))
    }

    @Test func xmlAttributesAreStillRecognisedWithASharedTable() throws {
        // The parser knows xml:space and the xml namespace by pointer; with a table they must come from it.
        let names = XMLNameTable()
        let spaced = try XMLDocument(bytes: Array("<r xml:space=\"preserve\"><v> a </v></r>".utf8), name: "s", names: names)
        let trimmed = try XMLDocument(bytes: Array("<r xml:space=\"preserve\"><v>a</v></r>".utf8), name: "t", names: names)
        #expect(!XMLComparator().isEqual(spaced, trimmed))
        let plainSpaced = try XMLDocument(string: "<r xml:space=\"preserve\"><v> a </v></r>")
        let plainTrimmed = try XMLDocument(string: "<r xml:space=\"preserve\"><v>a</v></r>")
        #expect(!XMLComparator().isEqual(plainSpaced, plainTrimmed))
    }
}
