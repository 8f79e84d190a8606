import Foundation
import SoapXML

/// Compares the three answers to one shadowed request: the primary's (what the client got), the secondary's (the
/// same version asked again: where it differs from the primary is noise) and the candidate's (another version,
/// its namespaces mapped back onto the primary's), classing each candidate difference as breaking, additive or a
/// value change.
public struct ShadowComparison: Sendable {
    /// Specs that give each operation's rules and, through their schemas, what the primary's clients can read.
    public var specs: SpecSet?
    /// The schemas of `specs`.
    public var catalog: SchemaCatalog?
    /// Namespace rewrites from the primary's version to the candidate's (`Services86` → `Services88`).
    public var namespaces: [ReplayRequest.Rewrite]
    /// Nodes left out of every comparison (`--ignore`).
    public var ignore: [XPathSelector]

    /// A comparison with these maps and rules.
    public init(specs: SpecSet? = nil, catalog: SchemaCatalog? = nil, namespaces: [ReplayRequest.Rewrite] = [],
                ignore: [XPathSelector] = []) {
        self.specs = specs
        self.catalog = catalog
        self.namespaces = namespaces
        self.ignore = ignore
    }

    /// What the secondary and the candidate answered to `request`, which the primary answered `primary`.
    /// `secondary` is nil when the secondary could not answer. When the secondary's answer has another status than
    /// the primary's, or is a fault where the primary's is not (or the reverse), the state moved between the calls
    /// (a write landed): no noise is learned, the finding is marked unstable, and a candidate that answers as the
    /// secondary did is compared with the secondary's answer.
    public func compare(request: HTTPRequestMessage, primary: HTTPResponseMessage, secondary: HTTPResponseMessage?,
                        candidate: HTTPResponseMessage) -> ShadowFinding {
        var recorded = Self.interaction(request, primary)
        var finding = ShadowFinding()
        var secondaryValues: [String: String] = [:]
        if let secondary {
            let again = Self.interaction(request, secondary)
            if Self.outcome(again) != Self.outcome(recorded) {
                finding.unstable = true
                let answered = Self.interaction(request, candidate)
                if Self.outcome(answered) == Self.outcome(again) { recorded = again }
            } else {
                let exact = ResponseCheck(mode: .exact, specs: specs, ignore: ignore)
                for difference in exact.check(recorded, status: secondary.status, body: secondary.body).differences
                where Self.learnable.contains(difference.kind) {
                    finding.noisePaths.insert(ShadowFinding.generalPath(difference.path))
                    if let value = difference.actual { secondaryValues[difference.path] = value }
                }
            }
        }
        finding.differences = candidateDifferences(against: recorded, candidate: candidate,
                                                   secondaryValues: secondary == nil ? nil : secondaryValues)
        return finding
    }

    /// True when `finding` shows the candidate differing somewhere the secondary did not: what a late answer from
    /// the primary's version may explain (`settle`).
    public static func needsSettling(_ finding: ShadowFinding) -> Bool {
        finding.differences.contains { !finding.noisePaths.contains(ShadowFinding.generalPath($0.difference.path)) }
    }

    /// `finding` checked against `late`: the primary's version asked the same read again once the candidate had
    /// answered. The candidate was asked after the client had its answer, and the client may have written in the
    /// meantime (an update, a delete); where the late answer no longer agrees with the client's, the state moved
    /// under the shadow calls. A candidate that answers with the late answer's status and fault where the client's
    /// differ is held to the late answer; otherwise candidate differences at paths where the late answer differs
    /// from the client's (and the secondary did not) are dropped. Either way the finding is marked unstable.
    public func settle(_ finding: ShadowFinding, request: HTTPRequestMessage, primary: HTTPResponseMessage,
                       candidate: HTTPResponseMessage, late: HTTPResponseMessage) -> ShadowFinding {
        let first = Self.interaction(request, primary)
        let again = Self.interaction(request, late)
        let answered = Self.outcome(Self.interaction(request, candidate))
        var settled = finding
        if Self.outcome(again) != Self.outcome(first) {
            guard answered == Self.outcome(again), answered != Self.outcome(first) else { return finding }
            settled.differences = candidateDifferences(against: again, candidate: candidate, secondaryValues: nil)
            settled.unstable = true
            return settled
        }
        let exact = ResponseCheck(mode: .exact, specs: specs, ignore: ignore)
        let moved = Set(exact.check(first, status: late.status, body: late.body).differences
            .map { ShadowFinding.generalPath($0.path) }).subtracting(finding.noisePaths)
        guard !moved.isEmpty else { return finding }
        settled.differences.removeAll { moved.contains(ShadowFinding.generalPath($0.difference.path)) }
        if settled.differences.count != finding.differences.count { settled.unstable = true }
        return settled
    }

    /// An answer's outcome: its status and whether it is a fault.
    private static func outcome(_ exchange: Interaction) -> [Int] {
        [exchange.response.status, exchange.response.fault ? 1 : 0]
    }

    /// The candidate's differences from `recorded`, classed; `secondaryValues` are the secondary's values where they
    /// differed from the recorded answer (nil: no secondary answer to show).
    private func candidateDifferences(against recorded: Interaction, candidate: HTTPResponseMessage,
                                      secondaryValues: [String: String]?) -> [ShadowFinding.Classified] {
        let mappings = namespaces.map { NamespaceMapping.substring($0.from, $0.to) }
        let exact = ResponseCheck(mode: .exact, specs: specs, namespaceMappings: mappings, ignore: ignore)
        let found = exact.check(recorded, status: candidate.status, body: candidate.body).differences
        guard !found.isEmpty else { return [] }
        let refusals = valueRefusals(found, recorded: recorded, candidate: candidate, mappings: mappings)
        return found.map { difference in
            var classified = ShadowFinding.Classified(difference: difference, shadowClass: Self.shapeClass(difference))
            classified.secondary = secondaryValues.map { $0[difference.path] ?? difference.expected } ?? nil
            if classified.shadowClass == .value, let reason = refusals[ShadowFinding.generalPath(difference.path)] {
                classified.shadowClass = .breaking
                classified.reason = reason
            }
            return classified
        }
    }

    /// Kinds of primary-vs-secondary differences that teach noise: values and the presence of elements. A fault
    /// or another status from the secondary says it failed, not that the place is noisy.
    static let learnable: Set<DifferenceKind> = [
        .textValue, .attributeValue, .missingElement, .unexpectedElement, .missingAttribute, .unexpectedAttribute,
        .childOrder,
    ]

    /// The class a difference has by its kind alone (values are `value` until a type or schema refuses them).
    static func shapeClass(_ difference: Difference) -> ShadowClass {
        switch difference.kind {
        case .unexpectedElement, .unexpectedAttribute: .additive
        case .textValue, .attributeValue: .value
        default: .breaking
        }
    }

    /// For the value differences, the places (indexes removed) where a client of the primary cannot read the
    /// candidate's value, and why: the value's type changed (contract comparison, as `replay --mode contract`), or
    /// the primary's schema refuses it (an enumeration value it does not list).
    private func valueRefusals(_ found: [Difference], recorded: Interaction, candidate: HTTPResponseMessage,
                               mappings: [NamespaceMapping]) -> [String: String] {
        let valuePaths = Set(found.filter { $0.kind == .textValue || $0.kind == .attributeValue }
            .map { ShadowFinding.generalPath($0.path) })
        guard !valuePaths.isEmpty else { return [:] }
        var refusals: [String: String] = [:]
        let contract = ResponseCheck(mode: .contract, specs: specs, namespaceMappings: mappings, ignore: ignore)
        for difference in contract.check(recorded, status: candidate.status, body: candidate.body).differences
        where difference.kind == .placeholderMismatch {
            let path = ShadowFinding.generalPath(difference.path)
            if valuePaths.contains(path), refusals[path] == nil {
                refusals[path] = "its type changed: the primary answered \(difference.expected ?? "a value") there"
            }
        }
        // The primary's schema judges the candidate's answer put back into the primary's namespaces.
        guard let catalog, let specs, let requestDocument = try? XMLDocument(bytes: recorded.request.body, name: "request"),
            let element = requestDocument.bodyFirstChild,
            // The operation's spec, else another of the same endpoint that names the service's schema (a WSDL
            // declares every operation's messages).
            let spec = specs.spec(atEndpoint: recorded.request.path, requestElement: element)
                ?? specs.specs(atEndpoint: recorded.request.path).first(where: { $0.spec.schema != nil })
        else { return refusals }
        let back = namespaces.map { (from: $0.to, to: $0.from) }
        let body = back.isEmpty ? candidate.body : ReplayRequest.rewriteNamespaces(candidate.body, back) ?? candidate.body
        guard let document = try? XMLDocument(bytes: body, name: "candidate response") else { return refusals }
        for violation in catalog.check(document, spec: spec, side: "response").failures {
            let place = violation.path.hasPrefix("response: ") ? String(violation.path.dropFirst(10)) : violation.path
            let path = ShadowFinding.generalPath(place)
            guard valuePaths.contains(path), refusals[path] == nil else { continue }
            refusals[path] = "the primary's schema refuses it (\(violation.actual ?? "not valid"))"
        }
        return refusals
    }

    /// The primary's exchange in the form the response checks take.
    static func interaction(_ request: HTTPRequestMessage, _ primary: HTTPResponseMessage) -> Interaction {
        let fault = (try? XMLDocument(bytes: primary.body, name: "primary response")).map {
            SoapMessage.faultDetails($0) != nil
        } ?? false
        return Interaction(
            sequence: 0, recordedAt: "", durationMilliseconds: 0, operation: nil,
            request: RecordedRequest(method: request.method, path: request.path,
                                     headers: request.headers.map { HeaderField($0.name, $0.value) }, body: request.body),
            response: RecordedResponse(status: primary.status, headers: [], body: primary.body, fault: fault))
    }
}
