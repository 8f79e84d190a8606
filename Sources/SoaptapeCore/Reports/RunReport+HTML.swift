import SoapXML

extension RunReport {
    /// The report as one self-contained HTML file (no scripts, no external resources): a summary, a table with
    /// one row per interaction, then for each failure its differences and the expected and actual canonical
    /// envelopes side by side, differing lines highlighted.
    public func html() -> String {
        var page = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>soaptape \(escape(command)): \(summary.result)</title>
            <style>
            body { font: 14px/1.45 system-ui, sans-serif; margin: 2em; color: #1d1d1f; }
            h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; } h3 { font-size: 1em; }
            .summary { padding: .6em 1em; border-radius: 6px; display: inline-block; }
            .summary.passed { background: #e3f6e5; } .summary.failed { background: #fde4e1; }
            table { border-collapse: collapse; margin: .5em 0; }
            th, td { text-align: left; padding: .25em .8em; border-bottom: 1px solid #ddd; vertical-align: top; }
            td.verdict { font-weight: 600; } tr.failed td.verdict, tr.error td.verdict, tr.unmatched td.verdict { color: #b3261e; }
            tr.passed td.verdict { color: #1e7d32; } tr.unused td.verdict, tr.unidentified td.verdict { color: #8a6d00; }
            .path { font-family: ui-monospace, monospace; }
            .difference { margin: .4em 0 .8em; } .hint { color: #555; }
            .sides { display: grid; grid-template-columns: 1fr 1fr; gap: 0; font: 12px/1.4 ui-monospace, monospace; }
            .sides div { white-space: pre-wrap; word-break: break-all; padding: 0 .5em; border-left: 1px solid #ddd; }
            .sides .head { font-weight: 600; background: #f2f2f2; }
            .sides .changed.old { background: #fde4e1; } .sides .changed.new { background: #e3f6e5; }
            .sides .blank { background: #f7f7f7; }
            </style>
            </head>
            <body>
            <h1>soaptape \(escape(command))</h1>
            <p>\(escape(subject))</p>
            <p class="summary \(summary.result)" id="summary">\(escape(summaryLine()))</p>
            <p>Started \(escape(startedAt)), finished \(escape(finishedAt)).</p>
            \(shard.map { "<p class=\"shard\">Shard \($0.index) of \($0.count): \($0.covered.count) of \($0.cassettes.count) cassettes covered.</p>" } ?? "")

            """
        for (suiteNumber, suite) in suites.enumerated() {
            page += "<h2>\(escape(suite.cassette))</h2>\n<table class=\"interactions\">\n"
                + "<tr><th>#</th><th>Operation</th><th>Verdict</th><th>Details</th></tr>\n"
            suite.forEachCase { item in
                var details = escape(item.message ?? "")
                if let first = item.differences.first {
                    let more = item.differences.count > 1 ? " (and \(item.differences.count - 1) more)" : ""
                    details += (details.isEmpty ? "" : "<br>")
                        + "<a href=\"#case-\(suiteNumber)-\(item.sequence)\">\(escape(first.kind.phrase)) at "
                        + "<span class=\"path\">\(escape(first.path))</span></a>\(escape(more))"
                }
                for change in item.additive ?? [] {
                    details += (details.isEmpty ? "" : "<br>") + "additive (passes; --fail-on any fails it): "
                        + "\(escape(change.kind.phrase)) at <span class=\"path\">\(escape(change.path))</span>"
                        + (change.actual.map { ": " + escape($0) } ?? "")
                }
                for warning in item.warnings ?? [] {
                    details += (details.isEmpty ? "" : "<br>") + "warning (passes; --fail-on-warnings fails it): "
                        + "<span class=\"path\">\(escape(warning.path))</span>" + (warning.actual.map { ": " + escape($0) } ?? "")
                }
                page += "<tr class=\"interaction \(item.verdict.rawValue)\" data-sequence=\"\(item.sequence)\">"
                    + "<td>\(item.sequence)</td><td>\(escape(item.operation))</td>"
                    + "<td class=\"verdict\">\(item.verdict.rawValue)</td><td>\(details)</td></tr>\n"
            }
            page += "</table>\n"
            if let correlations = suite.correlations, !correlations.isEmpty {
                page += "<p>Correlated (values the server assigned, carried from its live answers):</p>\n"
                    + "<ul class=\"correlations\">\n"
                for correlation in correlations { page += "<li>\(escape(correlation.sentence))</li>\n" }
                page += "</ul>\n"
            }
            suite.forEachCase { item in
                guard !item.differences.isEmpty else { return }
                page += "<section class=\"failure\" id=\"case-\(suiteNumber)-\(item.sequence)\">\n"
                    + "<h3>#\(item.sequence) \(escape(item.operation))</h3>\n"
                page += differencesHTML(item.differences)
                page += sideBySide(expected: item.expected, actual: item.actual, actualName: "actual")
                page += "</section>\n"
            }
        }
        if !unmatched.isEmpty {
            page += "<h2>Requests no recording matched</h2>\n<table class=\"interactions\">\n"
                + "<tr><th>Request</th><th>Path</th><th>Verdict</th><th>Nearest recording</th></tr>\n"
            for entry in unmatched {
                page += "<tr class=\"interaction unmatched\"><td>\(entry.request)</td>"
                    + "<td class=\"path\">\(escape(entry.method)) \(escape(entry.path))</td>"
                    + "<td class=\"verdict\">unmatched</td><td>\(escape(entry.nearest ?? "none"))</td></tr>\n"
            }
            page += "</table>\n"
            if unmatchedNotListed > 0 {
                page += "<p class=\"not-listed\">… \(unmatchedNotListed) more, \(escape(notListedNote))</p>\n"
            }
            for entry in unmatched where !entry.differences.isEmpty {
                page += "<section class=\"failure\"><h3>Request \(entry.request)</h3>\n"
                page += differencesHTML(entry.differences)
                page += sideBySide(expected: entry.expected, actual: entry.actual, actualName: "request")
                page += "</section>\n"
            }
        }
        return page + "</body>\n</html>\n"
    }

    private func differencesHTML(_ differences: [Difference]) -> String {
        var html = "<ol class=\"differences\">\n"
        for difference in differences {
            html += "<li class=\"difference\"><b>\(escape(difference.kind.phrase))</b> at "
                + "<span class=\"path\">\(escape(difference.path))</span><br>"
                + "expected: <code>\(escape(DifferenceReport.show(difference.expected, kind: difference.kind)))</code><br>"
                + "actual: <code>\(escape(DifferenceReport.show(difference.actual, kind: difference.kind)))</code><br>"
                + "<span class=\"hint\">\(escape(difference.hint))</span></li>\n"
        }
        return html + "</ol>\n"
    }

    private func sideBySide(expected: String?, actual: String?, actualName: String) -> String {
        guard let expected, let actual else { return "" }
        var html = "<div class=\"sides\"><div class=\"head\">\(escape(expectedLabel)) (expected)</div>"
            + "<div class=\"head\">\(actualName)</div>\n"
        for row in UnifiedDiff().sideBySide(expected, actual) {
            let changed = row.changed ? " changed" : ""
            html += "<div class=\"old\(changed)\(row.old == nil ? " blank" : "")\">\(escape(row.old ?? ""))</div>"
                + "<div class=\"new\(changed)\(row.new == nil ? " blank" : "")\">\(escape(row.new ?? ""))</div>\n"
        }
        return html + "</div>\n"
    }

    private func escape(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
