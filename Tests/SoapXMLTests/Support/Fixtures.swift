import Foundation
import SoapXML

/// Where the repository's fixtures are, and ways to read them.
enum Fixtures {
    /// The repository root, found from this file's place.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let envelopes = root.appendingPathComponent("Tests/Fixtures/envelopes")

    /// ../shared/seeds beside the repository, when present (it is in CI).
    static let sharedSeeds: URL? = {
        let url = root.deletingLastPathComponent().appendingPathComponent("shared/seeds")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()

    static func envelope(_ name: String) throws -> String {
        try String(contentsOf: envelopes.appendingPathComponent(name), encoding: .utf8)
    }

    static func document(_ xml: String, _ name: String = "doc.xml") throws -> XMLDocument {
        try XMLDocument(string: xml, name: name)
    }

    /// The ```xml blocks of a reference page, in order.
    static func xmlBlocks(ofPage url: URL) throws -> [String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var blocks: [String] = []
        var rest = text[...]
        while let start = rest.range(of: "```xml\n") {
            guard let end = rest[start.upperBound...].range(of: "```") else { break }
            blocks.append(String(rest[start.upperBound..<end.lowerBound]))
            rest = rest[end.upperBound...]
        }
        return blocks
    }
}
