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
    /// the primary's, or is a fault where the primary's is not (or the reverse), the candidate is compared with the
    /// secondary's answer instead, and the finding is marked unstable.
    public func compare(request: HTTPRequestMessage, primary: HTTPResponseMessage, secondary: HTTPResponseMessage?,
                        candidate: HTTPResponseMessage) -> ShadowFinding {
        var recorded = Self.interaction(request, primary)
        var finding = ShadowFinding()
        var secondaryValues: [String: String] = [:]
        if let secondary {
            let again = Self.interaction(request, secondary)
            if secondary.status != primary.status || again.response.fault != recorded.response.fault {
                // The primary's version no longer gives the client's answer (a write landed between the calls, or it
                // failed): the candidate, asked at the same moment as the secondary, is held to the secondary's.
                finding.unstable = true
                recorded = again
            } else {
                let exact = ResponseCheck(mode: .exact, specs: specs, ignore: ignore)
                for difference in exact.check(recorded, status: secondary.status, body: secondary.body).differences
                where Self.learnable.contains(difference.kind) {
                    finding.noisePaths.insert(ShadowFinding.generalPath(difference.path))
                    if let value = difference.actual { secondaryValues[difference.path] = value }
                }
            }
        }
        let mappings = namespaces.map { NamespaceMapping.substring($0.from, $0.to) }
        let exact = ResponseCheck(mode: .exact, specs: specs, namespaceMappings: mappings, ignore: ignore)
        let found = exact.check(recorded, status: candidate.status, body: candidate.body).differences
        guard !found.isEmpty else { return finding }
        let refusals = valueRefusals(found, recorded: recorded, candidate: candidate, mappings: mappings)
        finding.differences = found.map { difference in
            var classified = ShadowFinding.Classified(difference: difference, shadowClass: Self.shapeClass(difference))
            if classified.shadowClass == .value {
                classified.secondary = secondaryValues[difference.path] ?? (secondary == nil ? nil : difference.expected)
                if let reason = refusals[ShadowFinding.generalPath(difference.path)] {
                    classified.shadowClass = .breaking
                    classified.reason = reason
                }
            }
            return classified
        }
        return finding
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
            let spec = specs.spec(atEndpoint: recorded.request.path, requestElement: element)
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
