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
            \(ReportHTML.style)
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
        ReportHTML.differences(differences)
    }

    private func sideBySide(expected: String?, actual: String?, actualName: String) -> String {
        ReportHTML.sideBySide(expected: expected, actual: actual, expectedName: "\(expectedLabel) (expected)",
                              actualName: actualName)
    }

    private func escape(_ text: String) -> String {
        XMLEscaping.markup(text)
    }
}
