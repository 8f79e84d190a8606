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

    private enum Kind { case normal, optional, repeating }

    /// Costs of the alignment table: pairing equal subtrees is free, pairing unequal same-named ones
    /// cheaper than reporting one missing and one unexpected element.
    private enum Cost {
        static let unequalPair = 1
        static let namespacePair = 3
        static let skip = 2
    }

    private static let largestTable = 4_000_000

    mutating func alignChildren(
        _ e: Node, _ a: Node, inherited: (UnsafePointer<xmlChar>?, UnsafePointer<xmlChar>?), preserve: Bool
    ) {
        let expected = elementChildren(e)
        let actual = elementChildren(a)
        // Equal heads and tails pair up directly; only the middle needs the table.
        var low = 0
        while low < expected.count, low < actual.count, settled(expected[low], actual[low]) { low += 1 }
        var highE = expected.count
        var highA = actual.count
        while highE > low, highA > low, settled(expected[highE - 1], actual[highA - 1]) {
            highE -= 1
            highA -= 1
        }
        var steps: [Step] = (0..<low).map { .pair(expected[$0], actual[$0]) }
        steps += alignMiddle(Array(expected[low..<highE]), Array(actual[low..<highA]))
        steps += (0..<(expected.count - highE)).map { .pair(expected[highE + $0], actual[highA + $0]) }
        pairMovedElements(&steps)
        for step in steps {
            if aborted { return }
            switch step {
            case .pair(let x, let y):
                compareElement(x, y, inherited: inherited, preserve: preserve)
            case .missing(let x):
                report(.missingElement, leaf: (x, nil), expected: x.elementDescription, actual: nil)
            case .unexpected(let y):
                if openContent.contains(e.identity) { continue }
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

    /// Same name, no rule attached, and the same canonical fingerprint: nothing to decide.
    private mutating func settled(_ x: Node, _ y: Node) -> Bool {
        !isFlagged(x) && nameMatch(x, y) == .same && fingerprint(x, in: expected) == fingerprint(y, in: actual)
    }

    private static func position(of node: Node, among siblings: [Node]) -> Int {
        (siblings.firstIndex(of: node) ?? 0) + 1
    }

    private func kind(of node: Node) -> Kind {
        repeating.contains(node.identity) ? .repeating : optional.contains(node.identity) ? .optional : .normal
    }

    /// The cost of pairing `x` with `y`, nil when their names differ.
    private mutating func pairCost(_ x: Node, _ kind: Kind, _ y: Node) -> Int? {
        switch nameMatch(x, y) {
        case .different: return nil
        case .namespaceOnly: return Cost.namespacePair
        case .same:
            if kind == .repeating { return 0 }
            return fingerprint(x, in: expected) == fingerprint(y, in: actual) ? 0 : Cost.unequalPair
        }
    }

    /// Minimum-cost alignment of two sibling lists (an edit-distance table), as pairs, missing and unexpected.
    private mutating func alignMiddle(_ expected: [Node], _ actual: [Node]) -> [Step] {
        let n = expected.count
        let m = actual.count
        if n == 0 { return actual.map { .unexpected($0) } }
        if m == 0 { return expected.filter { kind(of: $0) == .normal }.map { .missing($0) } }
        let kinds = expected.map(kind(of:))
        guard (n + 1) * (m + 1) <= Self.largestTable else {
            // Too large for a table: pair in order, the rest missing or unexpected.
            var steps: [Step] = []
            for k in 0..<max(n, m) {
                if k < n, k < m, nameMatch(expected[k], actual[k]) != .different {
                    steps.append(.pair(expected[k], actual[k]))
                } else {
                    if k < n, kinds[k] == .normal { steps.append(.missing(expected[k])) }
                    if k < m { steps.append(.unexpected(actual[k])) }
                }
            }
            return steps
        }
        let columns = m + 1
        var cost = [Int32](repeating: 0, count: (n + 1) * columns)
        var pairs = [Int32](repeating: -1, count: (n + 1) * columns)
        for i in stride(from: n, through: 0, by: -1) {
            for j in stride(from: m, through: 0, by: -1) {
                if i == n && j == m { continue }
                var best = Int32.max
                if i < n { best = min(best, Int32(kinds[i] == .normal ? Cost.skip : 0) + cost[(i + 1) * columns + j]) }
                if j < m { best = min(best, Int32(Cost.skip) + cost[i * columns + j + 1]) }
                if i < n, j < m, let pair = pairCost(expected[i], kinds[i], actual[j]) {
                    pairs[i * columns + j] = Int32(pair)
                    let next = kinds[i] == .repeating ? i * columns + j + 1 : (i + 1) * columns + j + 1
                    best = min(best, Int32(pair) + cost[next])
                }
                cost[i * columns + j] = best
            }
        }
        var steps: [Step] = []
        var i = 0
        var j = 0
        while i < n || j < m {
            let here = cost[i * columns + j]
            if i < n, j < m, pairs[i * columns + j] >= 0 {
                let next = kinds[i] == .repeating ? i * columns + j + 1 : (i + 1) * columns + j + 1
                if pairs[i * columns + j] + cost[next] == here {
                    steps.append(.pair(expected[i], actual[j]))
                    if kinds[i] != .repeating { i += 1 }
                    j += 1
                    continue
                }
            }
            if i < n, Int32(kinds[i] == .normal ? Cost.skip : 0) + cost[(i + 1) * columns + j] == here {
                if kinds[i] == .normal { steps.append(.missing(expected[i])) }
                i += 1
            } else {
                steps.append(.unexpected(actual[j]))
                j += 1
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

    /// Children as a multiset: each expected child is paired with an equal actual child if there is one
    /// (all equal pairs first), else with the remaining one nearest to it.
    mutating func compareUnordered(
        _ e: Node, _ a: Node, inherited: (UnsafePointer<xmlChar>?, UnsafePointer<xmlChar>?), preserve: Bool
    ) {
        let expected = elementChildren(e)
        let actual = elementChildren(a)
        var used = [Bool](repeating: false, count: actual.count)
        var partner = [Int?](repeating: nil, count: expected.count)
        for (i, x) in expected.enumerated() where repeating.contains(x.identity) {
            for (j, y) in actual.enumerated() where !used[j] && nameMatch(x, y) == .same { used[j] = true }
            partner[i] = -1
        }
        for (i, x) in expected.enumerated() where partner[i] == nil {
            for (j, y) in actual.enumerated() where !used[j] && nameMatch(x, y) == .same {
                if probe(x, y, limit: 1, preserve: preserve) == 0 {
                    used[j] = true
                    partner[i] = j
                    break
                }
            }
        }
        for (i, x) in expected.enumerated() where partner[i] == nil {
            var bestCount = Int.max
            for (j, y) in actual.enumerated() where !used[j] && nameMatch(x, y) == .same {
                let count = probe(x, y, limit: bestCount, preserve: preserve)
                if count < bestCount {
                    partner[i] = j
                    bestCount = count
                }
            }
            if let j = partner[i] { used[j] = true }
        }
        for (i, x) in expected.enumerated() {
            if aborted { return }
            switch partner[i] {
            case .some(-1):
                for y in actual where nameMatch(x, y) == .same {
                    compareElement(x, y, inherited: inherited, preserve: preserve)
                    if aborted { return }
                }
            case let j?:
                compareElement(x, actual[j], inherited: inherited, preserve: preserve)
            case nil:
                if !optional.contains(x.identity) {
                    report(.missingElement, leaf: (x, nil), expected: x.elementDescription, actual: nil)
                }
            }
        }
        for (j, y) in actual.enumerated() where !used[j] && !openContent.contains(e.identity) {
            if aborted { return }
            report(.unexpectedElement, leaf: (nil, y), expected: nil, actual: y.elementDescription)
        }
    }
}
