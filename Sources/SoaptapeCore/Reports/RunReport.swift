import Foundation
import SoapXML

/// What a `serve`, `replay` or `verify` run found: one model, rendered as text, JSON, JUnit XML or HTML
/// (docs/reports.md). A suite per cassette, a case per interaction, and — for `serve` — the requests that
/// matched no recording.
public struct RunReport: Codable, Sendable {
    /// The report format this soaptape writes.
    public static let format = 1

    /// The report format, 1.
    public var format = RunReport.format
    /// `serve`, `replay` or `verify`.
    public var command: String
    /// What was compared, in a few words (`replay against http://… in contract mode`).
    public var subject: String
    /// When the run began (UTC, ISO 8601).
    public var startedAt: String
    /// When the report was made (UTC, ISO 8601).
    public var finishedAt: String
    /// True when unused interactions and unidentified ones count as failures (`--strict`, `--require-spec`).
    public var strict: Bool
    /// What the expected side of each difference is (`recorded`; `spec` in verify).
    public var expectedLabel = "recorded"
    /// What the actual side of each difference is (`actual`; `recorded` in verify, `request` in serve).
    public var actualLabel = "actual"
    /// One suite per cassette, in the order given.
    public var suites: [ReportSuite]
    /// Requests `serve` could not match, in arrival order.
    public var unmatched: [UnmatchedRequest]
    /// Unmatched requests beyond those listed in `unmatched` (serve keeps the first 1,000 by default), counted only.
    public var unmatchedNotListed = 0
    /// Counts over every case and unmatched request.
    public var summary: ReportSummary { ReportSummary(self) }
    /// The part of a sharded run this report covers (`--shard K/N`); nil for a whole run.
    public var shard: ShardReport?

    /// Creates a report.
    public init(command: String, subject: String, startedAt: String, finishedAt: String, strict: Bool = false,
                suites: [ReportSuite] = [], unmatched: [UnmatchedRequest] = []) {
        self.command = command
        self.subject = subject
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.strict = strict
        self.suites = suites
        self.unmatched = unmatched
    }

    /// True when anything failed: a failed or errored case, an unmatched request, or — under `strict` — an
    /// unused or unidentified interaction.
    public var failed: Bool {
        !unmatched.isEmpty || unmatchedNotListed > 0
            || suites.contains { $0.containsCase { $0.verdict.isFailure(strict: strict) } }
    }

    enum CodingKeys: String, CodingKey {
        case format, command, subject, strict, suites, unmatched, summary, shard
        case unmatchedNotListed = "unmatched_not_listed"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case expectedLabel = "expected_label"
        case actualLabel = "actual_label"
    }

    /// Encodes the report, its summary included.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(command, forKey: .command)
        try container.encode(subject, forKey: .subject)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(strict, forKey: .strict)
        try container.encode(expectedLabel, forKey: .expectedLabel)
        try container.encode(actualLabel, forKey: .actualLabel)
        try container.encode(summary, forKey: .summary)
        try container.encode(suites, forKey: .suites)
        try container.encode(unmatched, forKey: .unmatched)
        if unmatchedNotListed > 0 { try container.encode(unmatchedNotListed, forKey: .unmatchedNotListed) }
        try container.encodeIfPresent(shard, forKey: .shard)
    }

    /// Decodes a report written by `json()`.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        format = try container.decode(Int.self, forKey: .format)
        command = try container.decode(String.self, forKey: .command)
        subject = try container.decode(String.self, forKey: .subject)
        startedAt = try container.decode(String.self, forKey: .startedAt)
        finishedAt = try container.decode(String.self, forKey: .finishedAt)
        strict = try container.decode(Bool.self, forKey: .strict)
        expectedLabel = try container.decode(String.self, forKey: .expectedLabel)
        actualLabel = try container.decode(String.self, forKey: .actualLabel)
        suites = try container.decode([ReportSuite].self, forKey: .suites)
        unmatched = try container.decode([UnmatchedRequest].self, forKey: .unmatched)
        unmatchedNotListed = try container.decodeIfPresent(Int.self, forKey: .unmatchedNotListed) ?? 0
        shard = try container.decodeIfPresent(ShardReport.self, forKey: .shard)
    }
}

/// The interactions of one cassette.
public struct ReportSuite: Codable, Sendable {
    /// The cassette file, as the user named it.
    public var cassette: String
    /// One case per interaction, in recorded order. A suite built from `CompactCases` (a large streamed run)
    /// makes this array when asked: renderers walk `forEachCase` instead.
    public var cases: [ReportCase] {
        get { compact?.all() ?? stored }
        set {
            stored = newValue
            compact = nil
        }
    }
    /// `replay`: the values carried from live answers into later requests (nil when none were).
    public var correlations: [ReportCorrelation]?

    private var stored: [ReportCase]
    private var compact: CompactCases?

    /// Creates a suite.
    public init(cassette: String, cases: [ReportCase] = []) {
        self.cassette = cassette
        self.stored = cases
    }

    /// A suite whose cases are kept compactly (`CompactCases`): what a streamed verify of millions builds.
    public init(cassette: String, compact: CompactCases) {
        self.cassette = cassette
        self.stored = []
        self.compact = compact
    }

    /// How many cases.
    public var caseCount: Int { compact?.count ?? stored.count }

    /// Calls `body` with each case in order, without making an array of them all.
    public func forEachCase(_ body: (ReportCase) throws -> Void) rethrows {
        if let compact { try compact.forEach(body) } else { try stored.forEach(body) }
    }

    /// True when some case satisfies `predicate`.
    public func containsCase(where predicate: (ReportCase) -> Bool) -> Bool {
        if let compact { return compact.contains(where: predicate) }
        return stored.contains(where: predicate)
    }

    enum CodingKeys: String, CodingKey {
        case cassette, cases, correlations
    }

    /// Decodes a suite written by `json()`.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        cassette = try container.decode(String.self, forKey: .cassette)
        stored = try container.decode([ReportCase].self, forKey: .cases)
        correlations = try container.decodeIfPresent([ReportCorrelation].self, forKey: .correlations)
    }

    /// Encodes the suite.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(cassette, forKey: .cassette)
        try container.encode(cases, forKey: .cases)
        try container.encodeIfPresent(correlations, forKey: .correlations)
    }
}

/// What became of one recorded interaction.
public enum Verdict: String, Codable, Sendable, CaseIterable {
    /// It held: replayed equal, verified, or served to a client.
    case passed
    /// It did not hold: its differences say why.
    case failed
    /// It could not be checked: the target was unreachable, or the recording cannot be read.
    case error
    /// `serve` never needed it.
    case unused
    /// `verify` found no spec for it.
    case unidentified
    /// Not checked, on purpose (a non-SOAP request such as `GET ?wsdl` in `verify`).
    case skipped

    /// True when this verdict fails the run.
    public func isFailure(strict: Bool) -> Bool {
        switch self {
        case .failed, .error: true
        case .unused, .unidentified: strict
        case .passed, .skipped: false
        }
    }
}

/// One interaction's outcome.
public struct ReportCase: Codable, Sendable {
    /// The interaction's sequence number in its cassette.
    public var sequence: Int
    /// `Services88/Favourite/ToggleFavourite`, or the payload element, or `GET /path`.
    public var operation: String
    /// The outcome.
    public var verdict: Verdict
    /// A sentence saying what happened (`served 2 times`, `the target answered HTTP 500`, …).
    public var message: String?
    /// Every difference, in document order.
    public var differences: [Difference]
    /// The expected envelope's canonical form (failures only), for side-by-side views.
    public var expected: String?
    /// The actual envelope's canonical form (failures only).
    public var actual: String?
    /// Milliseconds the check took (a live call in `replay`).
    public var durationMilliseconds: Double?
    /// Changes existing clients can live with (a new response element, a new operation in a WSDL), found in a
    /// case that holds: listed, failing only under `--fail-on any`. Nil when there are none.
    public var additive: [Difference]?
    /// What SOAP allows but the WS-I Basic Profile forbids (`soap:encodingStyle` in a document/literal message),
    /// found in a case that holds: listed, failing only under `--fail-on-warnings`. Nil when there are none.
    public var warnings: [Difference]?

    /// Creates a case.
    public init(sequence: Int, operation: String, verdict: Verdict, message: String? = nil,
                differences: [Difference] = [], expected: String? = nil, actual: String? = nil,
                durationMilliseconds: Double? = nil) {
        self.sequence = sequence
        self.operation = operation
        self.verdict = verdict
        self.message = message
        self.differences = differences
        self.expected = expected
        self.actual = actual
        self.durationMilliseconds = durationMilliseconds
    }

    /// True for a case that is only its verdict and message (no differences, forms, timing or additive changes):
    /// what nearly every case of a large verify is, and what `CompactCases` keeps in a few bytes.
    public var isPlain: Bool {
        differences.isEmpty && expected == nil && actual == nil && durationMilliseconds == nil && additive == nil
            && warnings == nil
    }

    enum CodingKeys: String, CodingKey {
        case sequence, operation, verdict, message, differences, expected, actual, additive, warnings
        case durationMilliseconds = "duration_ms"
    }
}

/// A request `serve` answered with a fault because no recording matched it.
public struct UnmatchedRequest: Codable, Sendable {
    /// 1, 2, 3… among the requests the server received.
    public var request: Int
    /// The method.
    public var method: String
    /// The path and query.
    public var path: String
    /// The Body's first child, `{URI}local`, when the body is SOAP.
    public var element: String?
    /// Why it was not served from a recording.
    public var reason: String
    /// The nearest recording, `cassette.yaml#3 (Services88/Favourite/ToggleFavourite)`, when there is one.
    public var nearest: String?
    /// How the request differs from the nearest recording.
    public var differences: [Difference]
    /// The nearest recording's request, canonical.
    public var expected: String?
    /// The request received, canonical.
    public var actual: String?

    /// Creates an entry.
    public init(request: Int, method: String, path: String, element: String?, reason: String, nearest: String?,
                differences: [Difference], expected: String? = nil, actual: String? = nil) {
        self.request = request
        self.reason = reason
        self.method = method
        self.path = path
        self.element = element
        self.nearest = nearest
        self.differences = differences
        self.expected = expected
        self.actual = actual
    }
}

/// Counts of cases by verdict.
public struct ReportSummary: Codable, Sendable, Equatable {
    /// Every case.
    public var interactions: Int
    /// Cases that passed.
    public var passed: Int
    /// Cases that failed.
    public var failed: Int
    /// Cases that could not be checked.
    public var errors: Int
    /// Interactions `serve` never used.
    public var unused: Int
    /// Interactions `verify` found no spec for.
    public var unidentified: Int
    /// Interactions skipped on purpose.
    public var skipped: Int
    /// Requests `serve` could not match.
    public var unmatched: Int
    /// `passed` or `failed`, as the exit code says.
    public var result: String

    init(_ report: RunReport) {
        var counts: [Verdict: Int] = [:]
        var total = 0
        for suite in report.suites {
            total += suite.caseCount
            suite.forEachCase { counts[$0.verdict, default: 0] += 1 }
        }
        func count(_ verdict: Verdict) -> Int { counts[verdict] ?? 0 }
        interactions = total
        passed = count(.passed)
        failed = count(.failed)
        errors = count(.error)
        unused = count(.unused)
        unidentified = count(.unidentified)
        skipped = count(.skipped)
        unmatched = report.unmatched.count + report.unmatchedNotListed
        result = report.failed ? "failed" : "passed"
    }
}
