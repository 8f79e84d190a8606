import Foundation
import SoapXML

/// The request `replay` sends for a recorded interaction: redacted values filled (a real ticket injected at
/// replay time, never stored), namespaces, action and path rewritten for another service version, and the
/// headers a server needs (hop-by-hop ones, lengths and encodings left to the client).
public struct ReplayRequest: Sendable {
    /// The request to send; its path is relative to the target's base URL.
    public var message: HTTPRequestMessage
    /// Names whose `${redacted}` value nobody gave (`Ticket`): the server will likely refuse the request.
    public var missing: [String]

    /// Rewrites are `from` → `to` substring replacements.
    public typealias Rewrite = (from: String, to: String)

    /// Builds the request for `interaction`.
    public init(_ interaction: Interaction, filler: RedactionFiller, namespaces: [Rewrite], paths: [Rewrite]) {
        var (body, missing) = filler.fill(interaction.request.body)
        if !namespaces.isEmpty, let rewritten = Self.rewriteNamespaces(body, namespaces) { body = rewritten }
        var path = interaction.request.path
        for rewrite in paths { path = path.replacingOccurrences(of: rewrite.from, with: rewrite.to) }
        let dropped = HTTPHeaderRules.notForwarded.union(["accept-encoding"])
        var headers: [(name: String, value: String)] = []
        for header in interaction.request.headers where !dropped.contains(header.name.lowercased()) {
            var value = filler.fill(header: header.name, value: header.value)
            if value.contains(Redactor.placeholder) {
                if !missing.contains(header.name) { missing.append(header.name) }
                continue
            }
            let lower = header.name.lowercased()
            if lower == "soapaction" || lower == "content-type" {
                for rewrite in namespaces { value = value.replacingOccurrences(of: rewrite.from, with: rewrite.to) }
            }
            headers.append((header.name, value))
        }
        message = HTTPRequestMessage(method: interaction.request.method, path: path, headers: headers, body: body)
        self.missing = missing
    }

    /// The body with namespace URIs rewritten (declarations and names; text is left alone), or nil when it is
    /// not XML.
    static func rewriteNamespaces(_ body: [UInt8], _ rewrites: [Rewrite]) -> [UInt8]? {
        guard let document = try? XMLDocument(bytes: body, name: "request"), var root = document.rootElement() else {
            return nil
        }
        func map(_ uri: String) -> String {
            rewrites.reduce(uri) { $0.replacingOccurrences(of: $1.from, with: $1.to) }
        }
        root.visit { element, _ in
            element.namespace = element.namespace.map(map)
            for index in element.declarations.indices { element.declarations[index].uri = map(element.declarations[index].uri) }
            for index in element.attributes.indices {
                element.attributes[index].namespace = element.attributes[index].namespace.map(map)
            }
        }
        return Array(root.document().utf8)
    }
}
