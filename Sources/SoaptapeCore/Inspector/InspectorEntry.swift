/// One interaction as the inspector page lists it: what it was, how it went, and its verdict.
public struct InspectorEntry: Codable, Sendable, Equatable {
    /// The interaction's number: its cassette sequence in `record`, the request's number otherwise.
    public var sequence: Int
    /// When it completed (UTC, ISO 8601).
    public var completedAt: String
    /// The request method.
    public var method: String
    /// The request path.
    public var path: String
    /// `Services88/Favourite/ToggleFavourite`, else the payload element, else `GET /path`.
    public var operation: String
    /// The answer's HTTP status.
    public var status: Int
    /// How long the answer took, in milliseconds.
    public var durationMilliseconds: Double
    /// `recorded` (not checked), `checking`, `passed`, `failed`, `unidentified`, `skipped`, `served`, `unmatched`,
    /// `not-shadowed`, `shadowed` (compared soon), `equal`, `noise-only`, `differing` or `candidate-failed`.
    public var verdict: String
    /// The first difference in a few words, or what happened.
    public var summary: String?
    /// Changes with every update of the entry: what the page asks for what is new since.
    public var revision: Int

    enum CodingKeys: String, CodingKey {
        case sequence, method, path, operation, status, verdict, summary, revision
        case completedAt = "completed_at"
        case durationMilliseconds = "duration_ms"
    }
}
