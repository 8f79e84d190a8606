import Foundation

/// The inspector's addresses on a listening command: `GET /__soaptape/` (the page), `…/api/interactions?after=N`
/// (what changed, JSON) and `…/api/interactions/N` (one interaction's view, HTML). With a token (given at start, or
/// made for a non-loopback address), every request under `/__soaptape/` must carry it (`?token=…`, or an
/// `X-Soaptape-Token` header) and is refused (403) otherwise; without one, anyone on the machine may look.
public struct InspectorRoutes: Sendable {
    /// Where everything soaptape serves about itself lives.
    public static let prefix = "/__soaptape/"

    /// What the page shows.
    public let log: InspectorLog
    /// The token every request must carry; nil when anyone may look (a loopback address, no token given).
    public let token: String?

    /// Routes over `log`, guarded by `token` when it is given.
    public init(log: InspectorLog, token: String?) {
        self.log = log
        self.token = token
    }

    /// True for an address only this machine can reach: `127.x.x.x`, `::1`, `localhost`.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// A fresh token: 128 random bits, hex.
    public static func makeToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// True when `uri` is one of soaptape's own addresses (`/__soaptape`, `/__soaptape/…`).
    public static func owns(_ uri: String) -> Bool {
        uri == "/__soaptape" || uri.hasPrefix(prefix) || uri.hasPrefix("/__soaptape?")
    }

    /// The refusal for a request under `/__soaptape/` without the token, or nil when it may pass.
    public func refusal(uri: String, headers: [(name: String, value: String)]) -> HTTPResponseMessage? {
        guard let token else { return nil }
        let given = headers.first { $0.name.lowercased() == "x-soaptape-token" }?.value
            ?? URLComponents(string: uri)?.queryItems?.first { $0.name == "token" }?.value
        if given == token { return nil }
        return HTTPResponseMessage(
            status: 403, headers: [("Content-Type", "text/plain; charset=utf-8")],
            body: Array(("soaptape: the inspector needs the token printed at start (or given with --ui-token): "
                         + "open /__soaptape/?token=TOKEN\n").utf8))
    }

    /// The answer to `method uri`, or nil when the address is not the inspector's (the command answers it).
    public func answer(method: String, uri: String, headers: [(name: String, value: String)]) -> HTTPResponseMessage? {
        guard Self.owns(uri) else { return nil }
        let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri
        guard path == "/__soaptape" || path == Self.prefix || path.hasPrefix(Self.prefix + "api/") else { return nil }
        if let refusal = refusal(uri: uri, headers: headers) { return refusal }
        guard method == "GET" || method == "HEAD" else {
            return text(405, "soaptape: the inspector only answers GET\n")
        }
        if path == "/__soaptape" {
            let query = uri.dropFirst(path.count)
            return HTTPResponseMessage(status: 308, headers: [("Location", Self.prefix + query)], body: [])
        }
        if path == Self.prefix {
            return HTTPResponseMessage(status: 200, headers: [("Content-Type", "text/html; charset=utf-8"),
                                                              ("Cache-Control", "no-store")],
                                       body: Array(InspectorPage.html(command: log.command).utf8))
        }
        let rest = path.dropFirst((Self.prefix + "api/interactions").count)
        if path.hasPrefix(Self.prefix + "api/interactions"), rest.isEmpty {
            let after = URLComponents(string: uri)?.queryItems?.first { $0.name == "after" }?.value.flatMap { Int($0) }
            return HTTPResponseMessage(status: 200, headers: [("Content-Type", "application/json"),
                                                              ("Cache-Control", "no-store")],
                                       body: Array(log.changesJSON(since: after ?? 0).utf8))
        }
        if rest.hasPrefix("/"), let sequence = Int(rest.dropFirst()), let html = log.detail(sequence) {
            return HTTPResponseMessage(status: 200, headers: [("Content-Type", "text/html; charset=utf-8"),
                                                              ("Cache-Control", "no-store")],
                                       body: Array(html.utf8))
        }
        return text(404, "soaptape: no such interaction (the page keeps the newest \(log.capacity))\n")
    }

    private func text(_ status: Int, _ message: String) -> HTTPResponseMessage {
        HTTPResponseMessage(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")],
                            body: Array(message.utf8))
    }
}
