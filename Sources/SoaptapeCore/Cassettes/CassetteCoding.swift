import Foundation
import Yams

/// Cassette text: one YAML document for the header, then one per interaction, each closed by an
/// `# end of interaction N` line so that a loader can tell a complete interaction from a torn one.
enum CassetteCoding {
    static let interactionMarker = "--- # interaction "
    static let endMarker = "# end of interaction "

    static func headerText(_ header: CassetteHeader) -> String {
        """
        # soaptape cassette (format \(header.format)): docs/cassettes.md
        format: \(header.format)
        soaptape: \(quoted(header.soaptape))
        upstream: \(quoted(header.upstream))
        created_at: \(quoted(header.createdAt))

        """
    }

    static func quoted(_ text: String) -> String {
        (try? Yams.serialize(node: Node(text)).trimmingCharacters(in: .newlines)) ?? "\"\(text)\""
    }

    /// True when YAML can carry `bytes` as a readable block: UTF-8 text without carriage returns or control
    /// characters other than tab and newline.
    static func isBlockText(_ bytes: [UInt8]) -> String? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value == 0x09 || value == 0x0A { continue }
            if value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value) || value == 0xFEFF { return nil }
        }
        return text
    }

    static func bodyPair(_ bytes: [UInt8]) -> (Node, Node)? {
        if bytes.isEmpty { return nil }
        if let text = isBlockText(bytes) {
            return (Node("body"), text.contains("\n") ? Node.scalar(.init(text, .implicit, .literal)) : Node(text))
        }
        return (Node("body_base64"), Node(Data(bytes).base64EncodedString()))
    }

    static func headersNode(_ headers: [HeaderField]) -> Node {
        Node.sequence(.init(headers.map { Node([(Node($0.name), Node($0.value))]) }, .implicit, .block))
    }

    static func interactionText(_ interaction: Interaction) throws -> String {
        var pairs: [(Node, Node)] = [
            (Node("sequence"), Node(String(interaction.sequence))),
            (Node("recorded_at"), Node(interaction.recordedAt)),
            (Node("duration_ms"), Node(String(format: "%.3f", interaction.durationMilliseconds))),
        ]
        if let operation = interaction.operation {
            var items: [(Node, Node)] = []
            for (key, value) in [("version", operation.version), ("agent", operation.agent), ("name", operation.name),
                                 ("element", operation.element), ("action", operation.action)] {
                if let value { items.append((Node(key), Node(value))) }
            }
            pairs.append((Node("operation"), Node(items)))
        }
        var request: [(Node, Node)] = [
            (Node("method"), Node(interaction.request.method)), (Node("path"), Node(interaction.request.path)),
            (Node("headers"), headersNode(interaction.request.headers)),
        ]
        if let body = bodyPair(interaction.request.body) { request.append(body) }
        pairs.append((Node("request"), Node(request)))
        var response: [(Node, Node)] = [
            (Node("status"), Node(String(interaction.response.status))),
            (Node("fault"), Node(interaction.response.fault ? "true" : "false")),
        ]
        if let encoding = interaction.response.contentEncoding {
            response.append((Node("content_encoding"), Node(encoding)))
        }
        response.append((Node("headers"), headersNode(interaction.response.headers)))
        if let body = bodyPair(interaction.response.body) { response.append(body) }
        pairs.append((Node("response"), Node(response)))
        let yaml = try Yams.serialize(node: Node(pairs), indent: 2, width: -1, allowUnicode: true)
        return interactionMarker + "\(interaction.sequence)\n" + yaml + endMarker + "\(interaction.sequence)\n"
    }
}
