internal import CLibXML2

/// Sibling alignment when children do not line up one to one: runs of same-named siblings are aligned
/// by a small edit-distance table, so one inserted or missing element is reported once, not as a cascade.
extension ComparisonRun {
    private enum Step {
        case pair(Node, Node)
        case missing(Node)
        case unexpected(Node)
        case moved(Node, Node)
    }

    private enum RunKind { case normal, optional, repeating }

    private struct Run {
        var start: Int
        var count: Int
        var kind: RunKind = .normal
    }

    private static let largestTable = 4_000_000

    mutating func alignChildren(
        _ e: Node, _ a: Node, inherited: (UnsafePointer<xmlChar>?, UnsafePointer<xmlChar>?), preserve: Bool
    ) {
        let expected = elementChildren(e)
        let actual = elementChildren(a)
        let eRuns = runs(of: expected, flagged: true)
        let aRuns = runs(of: actual, flagged: false)
        var steps = align(expected, eRuns, actual, aRuns)
        pairMovedElements(&steps)
        for step in steps {
            if aborted { return }
            switch step {
            case .pair(let x, let y):
                compareElement(x, y, inherited: inherited, preserve: preserve)
            case .missing(let x):
                report(.missingElement, leaf: (x, nil), expected: x.elementDescription, actual: nil)
            case .unexpected(let y):
                report(.unexpectedElement, leaf: (nil, y), expected: nil, actual: y.elementDescription)
            case .moved(let x, let y):
                let expectedAt = Self.position(of: x, among: expected)
                let actualAt = Self.position(of: y, among: actual)
                report(.childOrder, leaf: (x, y),
                       expected: "\(x.elementDescription) at position \(expectedAt)",
                       actual: "at position \(actualAt)")
                if aborted { return }
                compareElement(x, y, inherited: inherited, preserve: preserve)
            }
        }
    }

    private static func position(of node: Node, among siblings: [Node]) -> Int {
        (siblings.firstIndex(of: node) ?? 0) + 1
    }

    private func runs(of nodes: [Node], flagged: Bool) -> [Run] {
        var result: [Run] = []
        for (index, node) in nodes.enumerated() {
            let kind: RunKind = !flagged ? .normal
                : repeating.contains(node.identity) ? .repeating
                : optional.contains(node.identity) ? .optional : .normal
            if kind == .normal, var last = result.last, last.kind == .normal,
                sameString(nodes[last.start].pointee.name, node.pointee.name),
                sameString(nodes[last.start].namespaceURI, node.namespaceURI)
            {
                last.count += 1
                result[result.count - 1] = last
            } else {
                result.append(Run(start: index, count: 1, kind: kind))
            }
        }
        return result
    }

    private func skipCost(_ run: Run) -> Int { run.kind == .normal ? run.count : 0 }

    private mutating func matchCost(_ eRun: Run, _ e: Node, _ aRun: Run, _ a: Node) -> Int? {
        let penalty: Int
        switch nameMatch(e, a) {
        case .different: return nil
        case .same: penalty = 0
        case .namespaceOnly: penalty = 1
        }
        switch eRun.kind {
        case .normal: return penalty + abs(eRun.count - aRun.count)
        case .repeating: return penalty
        case .optional: return penalty + max(0, aRun.count - 1)
        }
    }

    /// Aligns runs by minimum edit cost, then expands matched runs into element pairs.
    private mutating func align(_ expected: [Node], _ eRuns: [Run], _ actual: [Node], _ aRuns: [Run]) -> [Step] {
        let rows = eRuns.count + 1
        let columns = aRuns.count + 1
        var runPairs: [(Int?, Int?)] = []
        if rows * columns <= Self.largestTable {
            var cost = [Int](repeating: 0, count: rows * columns)
            var matchable = [Int?](repeating: nil, count: rows * columns)
            for i in stride(from: rows - 1, through: 0, by: -1) {
                for j in stride(from: columns - 1, through: 0, by: -1) {
                    if i == rows - 1 && j == columns - 1 { continue }
                    var best = Int.max
                    if i < rows - 1 { best = min(best, skipCost(eRuns[i]) + cost[(i + 1) * columns + j]) }
                    if j < columns - 1 { best = min(best, aRuns[j].count + cost[i * columns + j + 1]) }
                    if i < rows - 1, j < columns - 1,
                        let match = matchCost(eRuns[i], expected[eRuns[i].start], aRuns[j], actual[aRuns[j].start])
                    {
                        matchable[i * columns + j] = match
                        best = min(best, match + cost[(i + 1) * columns + j + 1])
                    }
                    cost[i * columns + j] = best
                }
            }
            var i = 0
            var j = 0
            while i < rows - 1 || j < columns - 1 {
                let here = cost[i * columns + j]
                if i < rows - 1, j < columns - 1, let match = matchable[i * columns + j],
                    match + cost[(i + 1) * columns + j + 1] == here
                {
                    runPairs.append((i, j))
                    i += 1
                    j += 1
                } else if i < rows - 1, skipCost(eRuns[i]) + cost[(i + 1) * columns + j] == here {
                    runPairs.append((i, nil))
                    i += 1
                } else {
                    runPairs.append((nil, j))
                    j += 1
                }
            }
        } else {
            // Too many distinct runs for a table: pair runs in order.
            for index in 0..<max(eRuns.count, aRuns.count) {
                runPairs.append((index < eRuns.count ? index : nil, index < aRuns.count ? index : nil))
            }
        }
        var steps: [Step] = []
        for (eIndex, aIndex) in runPairs {
            let eItems = eIndex.map { Array(expected[eRuns[$0].start..<eRuns[$0].start + eRuns[$0].count]) } ?? []
            let aItems = aIndex.map { Array(actual[aRuns[$0].start..<aRuns[$0].start + aRuns[$0].count]) } ?? []
            let kind = eIndex.map { eRuns[$0].kind } ?? .normal
            let matched = eIndex != nil && aIndex != nil
                && nameMatch(eItems[0], aItems[0]) != .different
            if !matched {
                if kind == .normal { steps += eItems.map { .missing($0) } }
                steps += aItems.map { .unexpected($0) }
                continue
            }
            switch kind {
            case .repeating:
                steps += aItems.map { .pair(eItems[0], $0) }
            case .optional, .normal:
                let common = min(eItems.count, aItems.count)
                for k in 0..<common { steps.append(.pair(eItems[k], aItems[k])) }
                if kind == .normal { steps += eItems[common...].map { .missing($0) } }
                steps += aItems[common...].map { .unexpected($0) }
            }
        }
        return steps
    }

    /// A missing and an unexpected element of the same name are one element in another place.
    private mutating func pairMovedElements(_ steps: inout [Step]) {
        var result: [Step?] = steps
        for i in result.indices {
            guard case .missing(let x)? = result[i] else { continue }
            for j in result.indices {
                guard case .unexpected(let y)? = result[j], nameMatch(x, y) == .same else { continue }
                result[min(i, j)] = .moved(x, y)
                result[max(i, j)] = nil
                break
            }
        }
        steps = result.compactMap { $0 }
    }

    /// Children as a multiset: each expected child is paired with an equal actual child, else its nearest.
    mutating func compareUnordered(
        _ e: Node, _ a: Node, inherited: (UnsafePointer<xmlChar>?, UnsafePointer<xmlChar>?), preserve: Bool
    ) {
        let expected = elementChildren(e)
        let actual = elementChildren(a)
        var used = [Bool](repeating: false, count: actual.count)
        var steps: [Step] = []
        for x in expected {
            if repeating.contains(x.identity) {
                for (j, y) in actual.enumerated() where !used[j] && nameMatch(x, y) == .same {
                    used[j] = true
                    steps.append(.pair(x, y))
                }
                continue
            }
            var best: Int?
            var bestCount = Int.max
            for (j, y) in actual.enumerated() where !used[j] && nameMatch(x, y) == .same {
                let count = probe(x, y, limit: bestCount, preserve: preserve)
                if count < bestCount {
                    best = j
                    bestCount = count
                }
                if count == 0 { break }
            }
            if let best {
                used[best] = true
                steps.append(.pair(x, actual[best]))
            } else if !optional.contains(x.identity) {
                steps.append(.missing(x))
            }
        }
        for (j, y) in actual.enumerated() where !used[j] { steps.append(.unexpected(y)) }
        for step in steps {
            if aborted { return }
            switch step {
            case .pair(let x, let y): compareElement(x, y, inherited: inherited, preserve: preserve)
            case .missing(let x): report(.missingElement, leaf: (x, nil), expected: x.elementDescription, actual: nil)
            case .unexpected(let y):
                report(.unexpectedElement, leaf: (nil, y), expected: nil, actual: y.elementDescription)
            case .moved: break
            }
        }
    }
}
