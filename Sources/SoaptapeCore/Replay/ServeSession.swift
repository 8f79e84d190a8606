import Foundation
import SoapXML

/// `serve`'s answers: a mock server replaying cassettes to a client under test. Pure domain logic: the HTTP
/// module feeds it requests and writes back what it returns.
///
/// A request is matched to a recording by endpoint, operation and canonical body (`InteractionMatcher`);
/// identical requests get their recordings in recorded order, and after the last the repeat policy decides.
/// An unmatched request gets a SOAP Fault in its own SOAP version naming the nearest recording and the
/// differences. Everything is counted for the report.
public final class ServeSession: @unchecked Sendable {
    /// What happens once every recording of a request has been served.
    public enum RepeatPolicy: String, CaseIterable, Sendable {
        /// Serve the last recording again.
        case last
        /// Start again from the first recording.
        case cycle
        /// Answer with a fault (and count a failure).
        case fault
    }

    /// One answer, and how long the upstream took when it was recorded.
    public struct Answer: Sendable {
        /// The response to send.
        public var response: HTTPResponseMessage
        /// The recorded duration in milliseconds, when a recording answered.
        public var recordedMilliseconds: Double?
        /// A line for stderr when the request was not served from a recording.
        public var complaint: String?
    }

    /// The path that returns the report so far.
    public static let reportPath = "/__soaptape/report"

    /// True for `GET /__soaptape/report`, with or without a query (`?token=…`).
    public static func asksForTheReport(_ request: HTTPRequestMessage) -> Bool {
        request.method == "GET" && request.path.prefix { $0 != "?" } == reportPath
    }

    private let suites: [(name: String, interactions: [Interaction])]
    /// For each matcher index: its suite and its position in that suite.
    private let origins: [(suite: Int, position: Int)]
    private let matcher: InteractionMatcher
    private let repeatPolicy: RepeatPolicy
    private let filler: RedactionFiller
    private let strict: Bool
    /// When set, requests are validated against their operation's schema before they are matched.
    private let validation: (specs: SpecSet, catalog: SchemaCatalog)?
    private let startedAt = Date().iso8601Milliseconds
    private let lock = NSLock()
    private var served: [Int: Int] = [:]
    private var cycles: [Int: Int] = [:]
    /// Each recording's response as served, once it has been served.
    private var answers: [Int: HTTPResponseMessage] = [:]
    private var unmatched: [UnmatchedRequest] = []
    /// Unmatched requests beyond `unmatchedKept`, counted but not kept.
    private var unmatchedNotListed = 0
    /// How many unmatched requests the report lists in full (a server under a stray client must not grow forever).
    private let unmatchedKept: Int
    private var requests = 0

    /// A session serving `cassettes` (name and cassette, in the order given), with `specs` for each operation's
    /// rules, `ignore` for more, and `values` (by element or header name) for redacted values. The report lists
    /// the first `unmatchedKept` unmatched requests in full and counts the rest.
    public init(cassettes: [(name: String, cassette: Cassette)], specs: SpecSet?, ignore: [XPathSelector] = [],
                repeatPolicy: RepeatPolicy = .last, values: [String: String] = [:], strict: Bool = false,
                validation: (specs: SpecSet, catalog: SchemaCatalog)? = nil, unmatchedKept: Int = 1000) {
        self.validation = validation
        self.unmatchedKept = unmatchedKept
        suites = cassettes.map { ($0.name, $0.cassette.interactions) }
        var all: [Interaction] = []
        var origins: [(Int, Int)] = []
        for (suite, entry) in cassettes.enumerated() {
            for (position, interaction) in entry.cassette.interactions.enumerated() {
                all.append(interaction)
                origins.append((suite, position))
            }
        }
        self.origins = origins
        matcher = InteractionMatcher(all, specs: specs, ignore: ignore)
        self.repeatPolicy = repeatPolicy
        filler = RedactionFiller(values: values, standIns: true)
        self.strict = strict
    }

    /// How many requests have been answered.
    public var requestCount: Int { lock.withLock { requests } }

    /// The answer to `request`.
    public func respond(to request: HTTPRequestMessage) -> Answer {
        if Self.asksForTheReport(request) {
            return Answer(response: HTTPResponseMessage(
                status: 200, headers: [("Content-Type", "application/json")], body: Array(report().json().utf8)))
        }
        let number = lock.withLock { requests += 1; return requests }
        let version = SoapMessage.version(contentType: request.header("Content-Type")) ?? .soap11
        let found = matcher.lookup(request)
        if let validation, let document = found.document, let element = document.bodyFirstChild {
            let spec = validation.specs.spec(atEndpoint: request.path, requestElement: element)
            let violations = validation.catalog.violations(document, spec: spec, side: "request")
            if !violations.isEmpty {
                let reason = "the request does not conform to its schema (--validate)"
                return refuse(request, number: number, version: version, reason: reason, nearest: nil,
                              differences: violations, document: document)
            }
        }
        if !found.equal.isEmpty {
            let chosen: Int? = lock.withLock {
                if let next = found.equal.first(where: { served[$0, default: 0] == 0 }) { return next }
                switch repeatPolicy {
                case .last: return found.equal.last!
                case .cycle:
                    let turn = cycles[found.equal[0], default: 0]
                    cycles[found.equal[0]] = turn + 1
                    return found.equal[turn % found.equal.count]
                case .fault: return nil
                }
            }
            if let chosen {
                let ready: HTTPResponseMessage? = lock.withLock {
                    served[chosen, default: 0] += 1
                    return answers[chosen]
                }
                let interaction = matcher.interaction(at: chosen)
                let response: HTTPResponseMessage
                if let ready {
                    response = ready
                } else {
                    // Built once per recording: filled values are stable (given, or one stand-in per name).
                    response = replayed(interaction)
                    lock.withLock { answers[chosen] = response }
                }
                return Answer(response: response, recordedMilliseconds: interaction.durationMilliseconds)
            }
            let last = found.equal.last!
            let reason = "every recording of this request (\(found.equal.count)) has been served, and --repeat fault "
                + "answers a fault after the last; use --repeat last or --repeat cycle to serve them again"
            return refuse(request, number: number, version: version, reason: reason, nearest: last, differences: [],
                          document: found.document)
        }
        let reason: String
        if found.document == nil && request.method == "POST" {
            reason = "the request body is not well-formed XML, and no recording has this body"
        } else {
            reason = "no recorded interaction matches this request"
        }
        return refuse(request, number: number, version: version, reason: reason, nearest: found.nearest,
                      differences: found.differences, document: found.document)
    }

    private func refuse(_ request: HTTPRequestMessage, number: Int, version: SoapVersion, reason: String, nearest: Int?,
                        differences rawDifferences: [Difference], document: XMLDocument?) -> Answer {
        // What a report, a fault or a log shows of the live request has its credentials redacted.
        let scrubber = SecretScrubber()
        let differences = scrubber.scrub(rawDifferences)
        var forms: (expected: String, actual: String)?
        if let nearest, document != nil, !differences.isEmpty,
            let redacted = scrubber.document(request.body, name: "request")
        {
            forms = matcher.canonicalForms(recording: nearest, request: redacted)
        }
        let nearestName = nearest.map(name(of:))
        let entry = UnmatchedRequest(
            request: number, method: request.method, path: request.path, element: document?.bodyFirstChild?.description,
            reason: reason, nearest: nearestName, differences: differences, expected: forms?.expected, actual: forms?.actual)
        lock.withLock {
            if unmatched.count < unmatchedKept { unmatched.append(entry) } else { unmatchedNotListed += 1 }
        }
        let message = "soaptape serve: " + HTTPHeaderRules.mismatch(reason, nearest: nearestName, differences: differences)
        let response = HTTPResponseMessage(
            status: SoapMessage.faultStatus(version, sender: true),
            headers: [("Content-Type", SoapMessage.contentType(version, action: nil))],
            body: Array(SoapMessage.fault(version, sender: true, reason: message).utf8))
        let complaint = "request \(number): \(request.method) \(request.path): \(message)"
        return Answer(response: response, recordedMilliseconds: nil, complaint: complaint)
    }

    /// `cassette.yaml#3 (Services88/Favourite/ToggleFavourite)`.
    private func name(of index: Int) -> String {
        let origin = origins[index]
        let interaction = matcher.interaction(at: index)
        return "\(suites[origin.suite].name)#\(interaction.sequence) (\(interaction.label))"
    }

    /// The recorded response as it is served: hop-by-hop headers and lengths left to the server, the body as
    /// stored (decoded, so no `Content-Encoding`), `${redacted}` values filled.
    func replayed(_ interaction: Interaction) -> HTTPResponseMessage {
        let dropped = HTTPHeaderRules.notForwarded.union(["content-encoding"])
        let headers = interaction.response.headers.filter { !dropped.contains($0.name.lowercased()) }
            .map { (name: $0.name, value: filler.fill(header: $0.name, value: $0.value)) }
        return HTTPResponseMessage(status: interaction.response.status, headers: headers,
                                   body: filler.fill(interaction.response.body).body)
    }

    /// The report so far: every interaction served or never used, and the unmatched requests.
    public func report() -> RunReport {
        let (servedCounts, unmatchedSoFar, notListed) = lock.withLock { (served, unmatched, unmatchedNotListed) }
        var byOrigin: [Int: [Int: Int]] = [:]
        for (index, count) in servedCounts { byOrigin[origins[index].suite, default: [:]][origins[index].position] = count }
        let reportSuites = suites.enumerated().map { suite, entry in
            ReportSuite(cassette: entry.name, cases: entry.interactions.enumerated().map { position, interaction in
                let count = byOrigin[suite]?[position] ?? 0
                return ReportCase(
                    sequence: interaction.sequence, operation: interaction.label, verdict: count > 0 ? .passed : .unused,
                    message: count > 0 ? "served \(count) time\(count == 1 ? "" : "s")" : "never requested")
            })
        }
        let total = suites.reduce(0) { $0 + $1.interactions.count }
        var report = RunReport(
            command: "serve", subject: "\(total) recorded interaction\(total == 1 ? "" : "s") served to clients",
            startedAt: startedAt, finishedAt: Date().iso8601Milliseconds, strict: strict, suites: reportSuites,
            unmatched: unmatchedSoFar)
        report.actualLabel = "request"
        report.unmatchedNotListed = notListed
        return report
    }
}
