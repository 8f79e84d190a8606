import Foundation
import SoapXML

extension RunReport {
    /// The report as terminal text: a line per interaction, the differences of each failure, then the
    /// summary. `colour` adds ANSI colours (only for a TTY); `passing` lists passing interactions too.
    public func text(colour: Bool, passing: Bool = true) -> String {
        var whole = ""
        writeText(colour: colour, passing: passing) { whole += $0 }
        return whole
    }

    /// `text`, handed to `write` a piece at a time (a case's lines each), so that a report of millions of
    /// interactions is never one string.
    public func writeText(colour: Bool, passing: Bool = true, to write: (String) -> Void) {
        let style = Style(enabled: colour)
        var output = style.bold("soaptape \(command)") + ": \(subject)\n"
        if let shard {
            output += "shard \(shard.index) of \(shard.count): \(shard.covered.count) of \(shard.cassettes.count) cassette"
                + (shard.cassettes.count == 1 ? "" : "s") + " covered (merge the shards' --json reports with "
                + "soaptape report merge)\n"
        }
        for suite in suites {
            output += "\n" + style.bold(suite.cassette) + "\n"
            write(output)
            output = ""
            suite.forEachCase { item in
                if item.verdict == .passed && !passing { return }
                var output = ""
                defer { write(output) }
                output += "  " + Self.mark(item.verdict, strict: strict, style: style) + " #\(item.sequence) \(item.operation)"
                if let message = item.message { output += " — \(message)" }
                output += "\n"
                for (number, difference) in item.differences.enumerated() {
                    output += DifferenceReport.describe(difference, number: number + 1, indent: "      ", style: style,
                                                        expectedName: expectedLabel, actualName: actualLabel)
                }
                if let additive = item.additive {
                    output += Self.additiveLines(additive).split(separator: "\n").map { "      \($0)\n" }.joined()
                }
                if let warnings = item.warnings {
                    output += Self.warningLines(warnings).split(separator: "\n").map { "      \($0)\n" }.joined()
                }
            }
            if let correlations = suite.correlations, !correlations.isEmpty {
                output += "  correlated (values the server assigned, carried from its live answers):\n"
                for correlation in correlations { output += "    \(correlation.sentence)\n" }
            }
        }
        if !unmatched.isEmpty {
            output += "\n" + style.bold("Requests no recording matched") + "\n"
            for entry in unmatched {
                output += "  " + style.red("UNMATCHED") + " request \(entry.request): \(entry.method) \(entry.path)"
                if let element = entry.element { output += " \(element)" }
                output += "\n      \(entry.reason)\n      nearest recording: \(entry.nearest ?? "none at this endpoint")\n"
                for (number, difference) in entry.differences.enumerated() {
                    output += DifferenceReport.describe(difference, number: number + 1, indent: "      ", style: style,
                                                        expectedName: expectedLabel, actualName: actualLabel)
                }
            }
            if unmatchedNotListed > 0 { output += "  … \(unmatchedNotListed) more, " + notListedNote + "\n" }
        }
        output += "\n" + summaryLine(style: style) + "\n"
        write(output)
    }

    /// Why some unmatched requests are counted but not shown.
    /// Why some unmatched requests are only counted: how many serve kept in full.
    var notListedNote: String {
        var digits = String(unmatched.count)
        // 1000 → 1,000
        var index = digits.count - 3
        while index > 0 {
            digits.insert(",", at: digits.index(digits.startIndex, offsetBy: index))
            index -= 3
        }
        return "counted but not listed (serve keeps the first \(digits) unmatched requests in full)"
    }

    /// `6 interactions: 5 passed, 1 failed. Result: failed.`
    public func summaryLine(style: Style = Style(enabled: false)) -> String {
        let counts = summary
        var parts: [String] = ["\(counts.passed) passed"]
        if counts.failed > 0 { parts.append("\(counts.failed) failed") }
        if counts.errors > 0 { parts.append("\(counts.errors) could not be checked") }
        if counts.unused > 0 { parts.append("\(counts.unused) never used") }
        if counts.unidentified > 0 { parts.append("\(counts.unidentified) with no spec") }
        if counts.skipped > 0 { parts.append("\(counts.skipped) skipped") }
        if counts.unmatched > 0 {
            parts.append("\(counts.unmatched) request\(counts.unmatched == 1 ? "" : "s") unmatched")
        }
        let noun = counts.interactions == 1 ? "interaction" : "interactions"
        let result = failed ? style.red("failed") : style.green("passed")
        return "\(counts.interactions) \(noun): " + parts.joined(separator: ", ") + ". Result: \(result)."
    }

    static func mark(_ verdict: Verdict, strict: Bool, style: Style) -> String {
        switch verdict {
        case .passed: style.green("PASS  ")
        case .failed: style.red("FAIL  ")
        case .error: style.red("ERROR ")
        case .unused: strict ? style.red("UNUSED") : style.yellow("UNUSED")
        case .unidentified: strict ? style.red("NOSPEC") : style.yellow("NOSPEC")
        case .skipped: "SKIP  "
        }
    }

    /// The report as JSON (docs/reports.md).
    public func json() -> String {
        var whole = ""
        writeJSON { whole += $0 }
        return whole
    }

    /// `json`, handed to `write` a piece at a time (a case each): the same text `JSONEncoder` makes of the whole
    /// report, without ever holding it (or an encoder's tree of it) whole.
    public func writeJSON(to write: (String) -> Void) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        func encoded<T: Encodable>(_ value: T) -> String {
            String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
        }
        // Every line but blank ones (the encoder leaves those empty) moved right.
        func indented(_ text: String, _ spaces: String, first: Bool = true) -> String {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            return lines.enumerated().map { index, line in
                line.isEmpty || (index == 0 && !first) ? String(line) : spaces + line
            }.joined(separator: "\n")
        }
        var skeleton = self
        skeleton.suites = []
        // The skeleton's summary counts no cases: the whole report's is put in its place.
        let top = encoded(skeleton).replacingOccurrences(
            of: "\"summary\" : " + indented(encoded(skeleton.summary), "  ", first: false),
            with: "\"summary\" : " + indented(encoded(summary), "  ", first: false))
        let emptySuites = "\n  \"suites\" : [\n\n  ]"
        guard !suites.isEmpty, let place = top.range(of: emptySuites) else {
            write(top + "\n")
            return
        }
        write(String(top[..<place.lowerBound]) + "\n  \"suites\" : [\n")
        // A plain case's text is made once per operation, verdict and message; only its sequence differs.
        var plainTexts: [String: String] = [:]
        for (number, suite) in suites.enumerated() {
            var empty = ReportSuite(cassette: suite.cassette)
            empty.correlations = suite.correlations
            let shell = encoded(empty)
            let emptyCases = "\"cases\" : [\n\n  ]"
            if suite.caseCount == 0 || shell.range(of: emptyCases) == nil {
                write(indented(shell, "    ") + (number + 1 < suites.count ? ",\n" : "\n"))
                continue
            }
            let split = shell.range(of: emptyCases)!
            write(indented(String(shell[..<split.lowerBound]) + "\"cases\" : [", "    ") + "\n")
            var first = true
            suite.forEachCase { item in
                var text: String
                if item.isPlain {
                    let key = "\(item.verdict.rawValue)\u{0}\(item.operation)\u{0}\(item.message ?? "\u{1}")"
                    let model: String
                    if let known = plainTexts[key] {
                        model = known
                    } else {
                        var zero = item
                        zero.sequence = 0
                        model = indented(encoded(zero), "        ")
                        if plainTexts.count < 10_000 { plainTexts[key] = model }
                    }
                    text = model.replacingOccurrences(of: "\"sequence\" : 0,", with: "\"sequence\" : \(item.sequence),")
                        .replacingOccurrences(of: "\"sequence\" : 0\n", with: "\"sequence\" : \(item.sequence)\n")
                } else {
                    text = indented(encoded(item), "        ")
                }
                write((first ? "" : ",\n") + text)
                first = false
            }
            let rest = String(shell[split.upperBound...])
            write("\n" + indented("  ]" + rest, "    ") + (number + 1 < suites.count ? ",\n" : "\n"))
        }
        write("  ]" + String(top[place.upperBound...]) + "\n")
    }
}
