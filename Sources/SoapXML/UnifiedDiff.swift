/// A line-based unified diff (Myers' algorithm), for showing two canonical forms side by side in a terminal.
public struct UnifiedDiff: Sendable {
    /// Lines of context around each change.
    public var context: Int = 3
    /// Beyond this many edits the diff gives up and shows the documents as wholly replaced.
    public var maximumEdits: Int = 4000

    /// Creates a differ.
    public init(context: Int = 3) { self.context = context }

    private enum Edit: Equatable { case same(Int, Int), delete(Int), insert(Int) }

    /// The unified diff of `old` and `new`, with `---`/`+++` headers; empty when they are equal.
    public func diff(_ old: String, _ new: String, oldName: String, newName: String) -> String {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).dropLastIfEmpty()
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).dropLastIfEmpty()
        if a == b { return "" }
        let edits = script(a, b)
        var output = "--- \(oldName)\n+++ \(newName)\n"
        var index = 0
        while index < edits.count {
            guard let changeStart = edits[index...].firstIndex(where: { if case .same = $0 { false } else { true } })
            else { break }
            var hunkEnd = changeStart
            var lastChange = changeStart
            while hunkEnd < edits.count {
                if case .same = edits[hunkEnd] {
                    if hunkEnd - lastChange > 2 * context { break }
                } else {
                    lastChange = hunkEnd
                }
                hunkEnd += 1
            }
            let start = max(index, changeStart - context)
            let end = min(edits.count, lastChange + 1 + context)
            let hunk = edits[start..<end]
            var oldStart = 0, newStart = 0, oldCount = 0, newCount = 0
            var body = ""
            for edit in hunk {
                switch edit {
                case .same(let i, let j):
                    if oldCount == 0 && newCount == 0 { oldStart = i + 1; newStart = j + 1 }
                    oldCount += 1; newCount += 1
                    body += " \(a[i])\n"
                case .delete(let i):
                    if oldCount == 0 { oldStart = i + 1 }
                    oldCount += 1
                    body += "-\(a[i])\n"
                case .insert(let j):
                    if newCount == 0 { newStart = j + 1 }
                    newCount += 1
                    body += "+\(b[j])\n"
                }
            }
            if oldCount == 0 { oldStart = max(0, oldStart - 1) }
            if newCount == 0 { newStart = max(0, newStart - 1) }
            output += "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n" + body
            index = end
        }
        return output
    }

    /// One row of a side-by-side view: the old line, the new line, or both when they are the same.
    public struct Row: Equatable, Sendable {
        /// The old document's line (nil where the new one has an inserted line).
        public var old: String?
        /// The new document's line (nil where the old one has a deleted line).
        public var new: String?
        /// True when the row is part of a change.
        public var changed: Bool
    }

    /// `old` and `new` aligned line by line for a side-by-side view; a changed line pairs with its replacement.
    public func sideBySide(_ old: String, _ new: String) -> [Row] {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).dropLastIfEmpty()
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).dropLastIfEmpty()
        var rows: [Row] = []
        var deleted: [Substring] = []
        var inserted: [Substring] = []
        func flush() {
            for index in 0..<max(deleted.count, inserted.count) {
                rows.append(Row(old: index < deleted.count ? String(deleted[index]) : nil,
                                new: index < inserted.count ? String(inserted[index]) : nil, changed: true))
            }
            deleted.removeAll()
            inserted.removeAll()
        }
        for edit in script(a, b) {
            switch edit {
            case .same(let i, _):
                flush()
                rows.append(Row(old: String(a[i]), new: String(a[i]), changed: false))
            case .delete(let i): deleted.append(a[i])
            case .insert(let j): inserted.append(b[j])
            }
        }
        flush()
        return rows
    }

    /// The shortest edit script, common prefix and suffix taken off first.
    private func script(_ a: [Substring], _ b: [Substring]) -> [Edit] {
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] {
            suffix += 1
        }
        let n = a.count - prefix - suffix
        let m = b.count - prefix - suffix
        var middle: [Edit] = []
        if let found = myers(a, b, offsetA: prefix, offsetB: prefix, n: n, m: m) {
            middle = found
        } else {
            middle = (0..<n).map { .delete(prefix + $0) } + (0..<m).map { .insert(prefix + $0) }
        }
        return (0..<prefix).map { .same($0, $0) } + middle
            + (0..<suffix).map { .same(a.count - suffix + $0, b.count - suffix + $0) }
    }

    private func myers(_ a: [Substring], _ b: [Substring], offsetA: Int, offsetB: Int, n: Int, m: Int) -> [Edit]? {
        if n == 0 && m == 0 { return [] }
        let maxD = min(n + m, maximumEdits)
        let offset = maxD + 1
        var v = [Int](repeating: 0, count: 2 * maxD + 3)
        var trace: [[Int]] = []
        var found = false
        outer: for d in 0...maxD {
            trace.append(v)
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
                    x = v[offset + k + 1]
                } else {
                    x = v[offset + k - 1] + 1
                }
                var y = x - k
                while x < n, y < m, a[offsetA + x] == b[offsetB + y] { x += 1; y += 1 }
                v[offset + k] = x
                if x >= n && y >= m { found = true; break outer }
            }
        }
        guard found else { return nil }
        var edits: [Edit] = []
        var x = n
        var y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let vd = trace[d]
            let k = x - y
            let previousK = (k == -d || (k != d && vd[offset + k - 1] < vd[offset + k + 1])) ? k + 1 : k - 1
            let previousX = d == 0 ? 0 : vd[offset + previousK]
            let previousY = previousX - previousK
            while x > previousX && y > previousY {
                x -= 1; y -= 1
                edits.append(.same(offsetA + x, offsetB + y))
            }
            if d > 0 {
                if x == previousX { edits.append(.insert(offsetB + previousY)) } else { edits.append(.delete(offsetA + previousX)) }
            }
            x = previousX
            y = previousY
        }
        return edits.reversed()
    }
}

extension Array where Element == Substring {
    fileprivate func dropLastIfEmpty() -> [Substring] {
        if let last, last.isEmpty { return Array(dropLast()) }
        return self
    }
}
