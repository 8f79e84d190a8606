import Foundation

extension ContractComparison {
    /// `specs/Services86 (Services86, specs)`.
    private func describe(_ side: ServiceContract) -> String {
        let versions = side.versions.joined(separator: ", ")
        return "\(side.source) (\(versions.isEmpty ? "" : versions + ", ")\(side.kind.rawValue))"
    }

    /// `3 operations compared: 1 changed (2 breaking, 1 additive), 2 unchanged.`
    public var summary: String {
        let changedOperations = Set(changes.map(\.operation)).count
        let breaking = changes.filter { $0.impact == .breaking }.count
        let additive = changes.count - breaking
        let compared = changedOperations + unchanged.count
        guard !changes.isEmpty else {
            return "\(compared) operation\(compared == 1 ? "" : "s") compared: no change"
                + (compared == 0 ? "." : " — the contracts are the same once namespaces are mapped.")
        }
        return "\(compared) operation\(compared == 1 ? "" : "s") compared: \(changedOperations) changed (\(breaking) "
            + "breaking, \(additive) additive change\(additive == 1 ? "" : "s")), \(unchanged.count) unchanged."
    }

    /// A text table for terminals.
    public func text() -> String {
        var output = "soaptape compare: \(describe(old)) → \(describe(new))\n"
        let byOperation = Dictionary(grouping: changes, by: \.operation)
        for operation in byOperation.keys.sorted() {
            let rows = byOperation[operation]!
            output += "\n\(operation): \(rows.count) change\(rows.count == 1 ? "" : "s")\n"
            let table = rows.map { change in
                [change.impact.rawValue, change.kind, [change.message, change.path].compactMap { $0 }.joined(separator: " "),
                 change.old ?? "-", change.new ?? "-"]
            }
            let headers = ["impact", "change", "where", "old", "new"]
            let widths = headers.indices.map { column in
                ([headers[column]] + table.map { $0[column] }).map(\.count).max() ?? 0
            }
            func line(_ cells: [String]) -> String {
                "  " + cells.enumerated().map { column, cell in
                    column == cells.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                }.joined(separator: "  ") + "\n"
            }
            output += line(headers)
            for (row, change) in zip(table, rows) { output += line(row) + "      " + change.reason + "\n" }
        }
        if !unchanged.isEmpty { output += "\nUnchanged: " + unchanged.joined(separator: ", ") + "\n" }
        return output + "\n" + summary + "\n"
    }

    /// Markdown fit for a pull-request comment.
    public func markdown() -> String {
        var output = "### soaptape compare: `\(old.source)` → `\(new.source)`\n\n"
        if changes.isEmpty {
            output += summary + "\n"
        } else {
            output += "| Operation | Impact | Change | Where | Old | New |\n|---|---|---|---|---|---|\n"
            for change in changes {
                let impact = change.impact == .breaking ? "**breaking**" : "additive"
                let location = [change.message, change.path.map { "`\($0)`" }].compactMap { $0 }.joined(separator: " ")
                output += "| \(change.operation) | \(impact) | \(change.kind) | \(location) | \(cell(change.old)) | \(cell(change.new)) |\n"
            }
            output += "\n" + summary + "\n"
        }
        if !unchanged.isEmpty { output += "\nUnchanged: " + unchanged.map { "`\($0)`" }.joined(separator: ", ") + "\n" }
        return output
    }

    private func cell(_ value: String?) -> String {
        guard let value else { return "–" }
        return "`" + value.replacingOccurrences(of: "|", with: "\\|") + "`"
    }

    /// JSON (docs/versions.md).
    public func json() -> String {
        struct Side: Encodable {
            var source: String
            var kind: String
            var versions: [String]
            var operations: Int
        }
        struct Body: Encodable {
            var format = 1
            var old: Side
            var new: Side
            var changes: [ContractChange]
            var unchanged: [String]
            var breaking: Bool
            var summary: String
        }
        func side(_ contract: ServiceContract) -> Side {
            Side(source: contract.source, kind: contract.kind.rawValue, versions: contract.versions,
                 operations: contract.operations.count)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let body = Body(old: side(old), new: side(new), changes: changes, unchanged: unchanged,
                        breaking: hasBreakingChanges, summary: summary)
        return String(decoding: (try? encoder.encode(body)) ?? Data(), as: UTF8.self) + "\n"
    }
}
