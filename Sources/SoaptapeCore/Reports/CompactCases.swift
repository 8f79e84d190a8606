import Foundation

/// A suite's cases kept in about 8 bytes each when they are plain — a verdict and a message, no differences, as
/// nearly every case of a large verify is — so that a report of millions of interactions fits in a few megabytes.
/// Each plain case is its sequence number and an index into a table of the distinct (operation, verdict, message)
/// seen; any other case is kept whole.
public struct CompactCases: Sendable {
    private struct Template: Hashable, Sendable {
        var operation: String
        var verdict: Verdict
        var message: String?
    }

    /// Per case: its sequence number, and a template index (≥ 0) or a whole case's index in `whole` (< 0, -1-index).
    private var sequences: [Int32] = []
    private var kinds: [Int32] = []
    private var templates: [Template] = []
    private var templateIndex: [Template: Int32] = [:]
    private var whole: [ReportCase] = []

    /// No cases yet.
    public init() {}

    /// How many cases.
    public var count: Int { sequences.count }

    /// Adds `item` after the others.
    public mutating func append(_ item: ReportCase) {
        let plain = item.isPlain && (0...Int(Int32.max)).contains(item.sequence)
        guard plain, templates.count < Int(Int32.max) else {
            sequences.append(Int32(truncatingIfNeeded: item.sequence))
            kinds.append(-1 - Int32(whole.count))
            whole.append(item)
            return
        }
        let template = Template(operation: item.operation, verdict: item.verdict, message: item.message)
        let index: Int32
        if let known = templateIndex[template] {
            index = known
        } else {
            index = Int32(templates.count)
            templates.append(template)
            templateIndex[template] = index
        }
        sequences.append(Int32(item.sequence))
        kinds.append(index)
    }

    private func item(_ position: Int) -> ReportCase {
        let kind = kinds[position]
        if kind < 0 { return whole[Int(-1 - kind)] }
        let template = templates[Int(kind)]
        return ReportCase(sequence: Int(sequences[position]), operation: template.operation, verdict: template.verdict,
                          message: template.message)
    }

    /// Calls `body` with each case in order.
    public func forEach(_ body: (ReportCase) throws -> Void) rethrows {
        for position in 0..<sequences.count { try body(item(position)) }
    }

    /// True when some case satisfies `predicate`.
    public func contains(where predicate: (ReportCase) -> Bool) -> Bool {
        for position in 0..<sequences.count where predicate(item(position)) { return true }
        return false
    }

    /// Every case, as an array.
    public func all() -> [ReportCase] { (0..<sequences.count).map(item) }
}
