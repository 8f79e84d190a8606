import Foundation

/// The requests a shadowed client request becomes: the secondary's (the request as the primary got it) and the
/// candidate's (namespaces, action and path rewritten for the candidate's version), each with the headers a server
/// needs — hop-by-hop ones, lengths and encodings left to whoever sends.
public enum ShadowRequest {
    /// The request as the secondary gets it.
    public static func secondary(_ request: HTTPRequestMessage) -> HTTPRequestMessage {
        HTTPRequestMessage(method: request.method, path: request.path, headers: forwarded(request.headers, namespaces: []),
                           body: request.body)
    }

    /// The request as the candidate gets it: namespace URIs in the body, the SOAP action and the Content-Type's
    /// action rewritten by `namespaces`, the path by `paths` (substring replacements, as `replay` makes them).
    public static func candidate(_ request: HTTPRequestMessage, namespaces: [ReplayRequest.Rewrite],
                                 paths: [ReplayRequest.Rewrite]) -> HTTPRequestMessage {
        var body = request.body
        if !namespaces.isEmpty, let rewritten = ReplayRequest.rewriteNamespaces(body, namespaces) { body = rewritten }
        var path = request.path
        for rewrite in paths { path = path.replacingOccurrences(of: rewrite.from, with: rewrite.to) }
        return HTTPRequestMessage(method: request.method, path: path,
                                  headers: forwarded(request.headers, namespaces: namespaces), body: body)
    }

    private static let dropped = HTTPHeaderRules.notForwarded.union(["accept-encoding"])

    private static func forwarded(_ headers: [(name: String, value: String)], namespaces: [ReplayRequest.Rewrite])
        -> [(name: String, value: String)]
    {
        headers.compactMap { header in
            guard !dropped.contains(header.name) else { return nil }
            let lower = header.name.lowercased()
            guard !namespaces.isEmpty, lower == "soapaction" || lower == "content-type" else { return header }
            return (header.name, namespaces.reduce(header.value) { $0.replacingOccurrences(of: $1.from, with: $1.to) })
        }
    }
}
