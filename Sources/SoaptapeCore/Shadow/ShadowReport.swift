/// What a `shadow` run (or `replay --candidate`) found: per operation, how many requests were seen and shadowed,
/// where the primary's own answers disagreed (noise), and each candidate difference by path with its class, count
/// and first example (docs/shadow.md). Rendered as text, JSON, JUnit XML or HTML.
public struct ShadowReport: Codable, Sendable {
    /// The report format this soaptape writes.
    public static let format = 1

    /// The report format, 1.
    public var format = ShadowReport.format
    /// `shadow`, or `replay` for the form that sends recorded requests.
    public var command: String
    /// The primary's base URL: the version clients are answered by.
    public var primary: String
    /// The candidate's base URL: the version compared.
    public var candidate: String
    /// The secondary's base URL; nil when the primary was asked a second time instead.
    public var secondary: String?
    /// Namespace and path rewrites applied to the candidate's requests, `FROM → TO`.
    public var mappings: [String]
    /// Which requests were shadowed, in a few words.
    public var policy: String
    /// `breaking` (the default) or `any` (additive changes fail too).
    public var failOn: String
    /// When the run began (UTC, ISO 8601).
    public var startedAt: String
    /// When the report was made (UTC, ISO 8601).
    public var finishedAt: String
    /// Counts over every operation.
    public var summary: ShadowSummary
    /// One entry per operation, by label.
    public var operations: [ShadowOperationReport]

    /// True when the run fails: a breaking or value difference outside the noise, an additive one under
    /// `--fail-on any`, or a candidate that could not answer.
    public var failed: Bool { summary.result == "failed" }

    enum CodingKeys: String, CodingKey {
        case format, command, primary, candidate, secondary, mappings, policy, summary, operations
        case failOn = "fail_on"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }

    /// Encodes the report; `secondary` is written as null when the primary stood in for it.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(command, forKey: .command)
        try container.encode(primary, forKey: .primary)
        try container.encode(candidate, forKey: .candidate)
        try container.encode(secondary, forKey: .secondary)
        try container.encode(mappings, forKey: .mappings)
        try container.encode(policy, forKey: .policy)
        try container.encode(failOn, forKey: .failOn)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(summary, forKey: .summary)
        try container.encode(operations, forKey: .operations)
    }
}

/// Counts over a whole shadow run.
public struct ShadowSummary: Codable, Sendable, Equatable {
    /// Requests clients sent (answered by the primary).
    public var requests = 0
    /// Requests also sent to the candidate.
    public var shadowed = 0
    /// Requests the policy kept from the candidate (writes, by default).
    public var notShadowed = 0
    /// Shadowed requests whose candidate answer equalled the primary's.
    public var equal = 0
    /// Shadowed requests whose candidate answer differed only where the primary's two answers did.
    public var noiseOnly = 0
    /// Shadowed requests whose candidate answer differed beyond the noise.
    public var differing = 0
    /// Requests not shadowed because the shadow queue was full.
    public var dropped = 0
    /// Shadowed requests still queued or in flight when the report was made.
    public var pending = 0
    /// Shadowed requests the candidate did not answer (unreachable, timed out).
    public var candidateErrors = 0
    /// Shadowed requests the secondary did not answer (noise could not be learned from them).
    public var secondaryErrors = 0
    /// Shadowed requests whose primary answer the secondary did not reproduce (another status, a fault on one
    /// side: the state changed between the calls); their candidate answers were compared with the secondary's.
    public var unstable = 0
    /// Distinct breaking differences (by operation, path and kind) outside the noise.
    public var breaking = 0
    /// Distinct additive differences outside the noise.
    public var additive = 0
    /// Distinct value differences outside the noise.
    public var value = 0
    /// `passed` or `failed`, as the exit status says.
    public var result = "passed"

    enum CodingKeys: String, CodingKey {
        case requests, shadowed, equal, dropped, pending, breaking, additive, value, result, unstable
        case notShadowed = "not_shadowed"
        case noiseOnly = "noise_only"
        case differing
        case candidateErrors = "candidate_errors"
        case secondaryErrors = "secondary_errors"
    }
}

/// One operation's part of a shadow run.
public struct ShadowOperationReport: Codable, Sendable {
    /// `Services86/Favourite/GetFavourites` when a spec names it, else the payload element's local name, else
    /// `GET /path`.
    public var operation: String
    /// The operation's name (the payload element's local name), as the shadow policy saw it.
    public var name: String?
    /// Requests seen.
    public var requests = 0
    /// Requests also sent to the candidate.
    public var shadowed = 0
    /// Requests the policy kept from the candidate.
    public var notShadowed = 0
    /// Shadowed requests whose candidate answer equalled the primary's.
    public var equal = 0
    /// Shadowed requests whose candidate answer differed only at noise.
    public var noiseOnly = 0
    /// Shadowed requests whose candidate answer differed beyond the noise.
    public var differing = 0
    /// Requests dropped because the shadow queue was full.
    public var dropped = 0
    /// Shadowed requests the candidate did not answer.
    public var candidateErrors = 0
    /// The first reason the candidate did not answer.
    public var candidateError: String?
    /// Shadowed requests the secondary did not answer.
    public var secondaryErrors = 0
    /// Shadowed requests whose primary answer the secondary did not reproduce (compared with the secondary's).
    public var unstable = 0
    /// `passed` or `failed`.
    public var verdict = "passed"
    /// Paths where the primary's two answers differed, with counts.
    public var noise: [ShadowNoise] = []
    /// The candidate's differences outside the noise, in the order first seen.
    public var differences: [ShadowDifference] = []

    /// An empty entry for `operation`.
    public init(operation: String, name: String?) {
        self.operation = operation
        self.name = name
    }

    enum CodingKeys: String, CodingKey {
        case operation, name, requests, shadowed, equal, dropped, verdict, noise, differences, differing, unstable
        case notShadowed = "not_shadowed"
        case noiseOnly = "noise_only"
        case candidateErrors = "candidate_errors"
        case candidateError = "candidate_error"
        case secondaryErrors = "secondary_errors"
    }
}

/// A path where the primary's two answers to one request differed: a value that changes from call to call.
public struct ShadowNoise: Codable, Sendable, Equatable {
    /// The path, `[n]` indexes removed.
    public var path: String
    /// Shadowed requests whose primary and secondary answers differed here.
    public var count: Int
    /// Candidate differences here, not reported as regressions.
    public var candidateCount: Int

    /// Creates an entry.
    public init(path: String, count: Int, candidateCount: Int) {
        self.path = path
        self.count = count
        self.candidateCount = candidateCount
    }

    enum CodingKeys: String, CodingKey {
        case path, count
        case candidateCount = "candidate_count"
    }
}

/// One candidate difference, by operation, path and kind.
public struct ShadowDifference: Codable, Sendable {
    /// The path, `[n]` indexes removed.
    public var path: String
    /// What differs: a difference kind's JSON name (`text-value`, `missing-element`…).
    public var kind: String
    /// Breaking, additive or value.
    public var shadowClass: ShadowClass
    /// Shadowed requests that showed it.
    public var count: Int
    /// Why a value is breaking (its type changed, the primary's schema refuses it).
    public var reason: String?
    /// What to do about it.
    public var hint: String
    /// The first request that showed it.
    public var first: ShadowExample

    enum CodingKeys: String, CodingKey {
        case path, kind, count, reason, hint, first
        case shadowClass = "class"
    }
}

/// The first request that showed a difference: where exactly, and the three answers' values there.
public struct ShadowExample: Codable, Sendable {
    /// The request's sequence (arrival order in `shadow`, the recorded sequence in `replay`).
    public var sequence: Int
    /// The exact path, indexes included.
    public var path: String
    /// The primary's value there (nil: it has nothing there).
    public var primary: String?
    /// The secondary's value there (nil: nothing, or it did not answer).
    public var secondary: String?
    /// The candidate's value there (nil: it has nothing there).
    public var candidate: String?
}
