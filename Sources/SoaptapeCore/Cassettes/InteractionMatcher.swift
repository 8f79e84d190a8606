import Foundation
import SoapXML

/// Finds the recorded interaction for a live request: same method, endpoint and payload element, and a body
/// equal under the comparison rules (the spec's, when one matches; `${redacted}` values match anything).
/// Identical requests get their recordings in recorded order. Interactions are indexed by that key, so a
/// request never scans every recording.
public final class InteractionMatcher: @unchecked Sendable {
    /// The outcome of matching one request.
    public enum Outcome: Sendable {
        /// The next unused recording of this request.
        case matched(Interaction)
        /// Every recording of this request has been used; the last one is given.
        case exhausted(Interaction)
        /// No recording matches; the nearest one of the same operation (or endpoint), with the differences.
        case unmatched(nearest: Interaction?, differences: [Difference])
    }

    private struct Entry {
        var interaction: Interaction
        var document: XMLDocument?
        var comparator: XMLComparator
    }

    private let entries: [Entry]
    private let buckets: [String: [Int]]
    private let byEndpoint: [String: [Int]]
    private let lock = NSLock()
    private var used = Set<Int>()

    /// Indexes `interactions`, using `specs` for each operation's comparison rules.
    public init(_ interactions: [Interaction], specs: SpecSet? = nil) {
        var entries: [Entry] = []
        var buckets: [String: [Int]] = [:]
        var byEndpoint: [String: [Int]] = [:]
        for interaction in interactions {
            let document = try? XMLDocument(bytes: interaction.request.body, name: "recorded request")
            var options = ComparisonOptions()
            if let element = document?.bodyFirstChild,
                let spec = specs?.spec(atEndpoint: interaction.request.path, requestElement: element)
            {
                options = spec.options
            }
            let index = entries.count
            entries.append(Entry(interaction: interaction, document: document, comparator: XMLComparator(options: options)))
            buckets[Self.key(method: interaction.request.method, path: interaction.request.path, document: document,
                             body: interaction.request.body), default: []].append(index)
            byEndpoint[SoapMessage.endpointKey(interaction.request.path), default: []].append(index)
        }
        self.entries = entries
        self.buckets = buckets
        self.byEndpoint = byEndpoint
    }

    static func key(method: String, path: String, document: XMLDocument?, body: [UInt8]) -> String {
        if let element = document?.bodyFirstChild {
            return "\(method) \(SoapMessage.endpointKey(path)) \(element)"
        }
        // Not SOAP (a WSDL request, say): the whole path and body are the key.
        return "\(method) \(path.lowercased()) \(body.count):\(body.hashValue)"
    }

    /// Matches `request` and marks the recording used.
    public func match(_ request: HTTPRequestMessage) -> Outcome {
        let document = try? XMLDocument(bytes: request.body, name: "request")
        let key = Self.key(method: request.method, path: request.path, document: document, body: request.body)
        let candidates = buckets[key] ?? []
        var equal: [Int] = []
        for index in candidates {
            let entry = entries[index]
            if let recorded = entry.document, let document {
                if entry.comparator.isEqual(recorded, document) { equal.append(index) }
            } else if entry.interaction.request.body == request.body {
                equal.append(index)
            }
        }
        if !equal.isEmpty {
            return lock.withLock {
                if let next = equal.first(where: { !used.contains($0) }) {
                    used.insert(next)
                    return .matched(entries[next].interaction)
                }
                return .exhausted(entries[equal.last!].interaction)
            }
        }
        // The nearest recording: same operation first, else same endpoint.
        let pool = candidates.isEmpty ? byEndpoint[SoapMessage.endpointKey(request.path)] ?? [] : candidates
        var best: (Int, Int)?
        if let document {
            for index in pool {
                guard let recorded = entries[index].document else { continue }
                let count = entries[index].comparator.differenceCount(recorded, document, limit: best?.1 ?? .max)
                if best == nil || count < best!.1 { best = (index, count) }
            }
        }
        guard let (index, _) = best, let recorded = entries[index].document, let document else {
            return .unmatched(nearest: pool.first.map { entries[$0].interaction }, differences: [])
        }
        let differences = entries[index].comparator.compare(recorded, document).differences
        return .unmatched(nearest: entries[index].interaction, differences: differences)
    }

    /// Recordings never used so far.
    public var unused: [Interaction] {
        lock.withLock { entries.indices.filter { !used.contains($0) }.map { entries[$0].interaction } }
    }
}
