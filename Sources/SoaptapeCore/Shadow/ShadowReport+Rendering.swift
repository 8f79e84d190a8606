import Foundation
import SoapXML

extension ShadowReport {
    /// The report as JSON (docs/shadow.md).
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self) + "\n"
    }

    /// The report as text: the three servers, then per operation its counts, each difference (class, kind, path,
    /// count, the first example's three values, why and what to do) and its noise; then the summary.
    /// `passing: false` leaves out the operations that passed.
    public func text(passing: Bool = true) -> String {
        var output = "soaptape \(command): primary \(primary), candidate \(candidate)"
        output += mappings.isEmpty ? "" : " (\(mappings.joined(separator: ", ")))"
        output += ", secondary \(secondary ?? "the primary asked again")\n"
        output += "shadowed: \(policy)\n"
        // Operations sent to the primary alone are listed once, in the line after these.
        for entry in operations where (passing || entry.verdict == "failed")
            && (entry.shadowed > 0 || entry.dropped > 0 || entry.candidateErrors > 0) {
            output += "\n" + (entry.verdict == "failed" ? "FAIL  " : "PASS  ") + entry.operation + "  "
                + Self.counts(entry) + "\n"
            if entry.candidateErrors > 0 {
                output += "  the candidate did not answer \(entry.candidateErrors) of them: "
                    + "\(entry.candidateError ?? "no reason given")\n"
            }
            for difference in entry.differences {
                output += "  \(difference.shadowClass.rawValue)  \(difference.kind)  \(difference.path)  "
                    + "(\(difference.count) request\(difference.count == 1 ? "" : "s"))\n"
                let first = difference.first
                output += "      first: request #\(first.sequence) at \(first.path)\n"
                output += "      primary: \(Self.quoted(first.primary))  secondary: \(Self.quoted(first.secondary))"
                    + "  candidate: \(Self.quoted(first.candidate))\n"
                if let reason = difference.reason { output += "      why: \(reason)\n" }
            }
            // What to do, once per class the operation showed.
            for shadowClass in ShadowClass.allCases where entry.differences.contains(where: { $0.shadowClass == shadowClass }) {
                output += "  hint (\(shadowClass.rawValue)): \(shadowClass.hint)\n"
            }
            if !entry.noise.isEmpty {
                output += "  noise (the primary's two answers differed here; not regressions):\n"
                for noise in entry.noise {
                    output += "      \(noise.path)  (\(noise.count) request\(noise.count == 1 ? "" : "s")"
                        + (noise.candidateCount > 0 ? "; the candidate differed there \(noise.candidateCount) times" : "")
                        + ")\n"
                }
            }
        }
        if operations.contains(where: { $0.notShadowed > 0 }) && !policy.hasPrefix("every") {
            output += "\nNot shadowed (sent to the primary only; --shadow REGEX or --shadow-all to include them): "
                + operations.filter { $0.notShadowed > 0 }.map { "\($0.operation) ×\($0.notShadowed)" }
                    .joined(separator: ", ") + "\n"
        }
        output += "\n" + summaryLine() + "\n"
        return output
    }

    /// One line: requests, shadowed, how they compared, the distinct differences by class, and the result.
    public func summaryLine() -> String {
        var line = "\(summary.requests) request\(summary.requests == 1 ? "" : "s"), \(summary.shadowed) shadowed, "
            + "\(summary.notShadowed) not shadowed"
        if summary.dropped > 0 { line += ", \(summary.dropped) dropped (the shadow queue was full)" }
        if summary.pending > 0 { line += ", \(summary.pending) pending" }
        line += "; \(summary.equal) equal, \(summary.noiseOnly) noise only, \(summary.differing) differing; "
            + "\(summary.breaking) breaking, \(summary.additive) additive, \(summary.value) value "
            + "change\(summary.value == 1 ? "" : "s")"
        if summary.candidateErrors > 0 { line += "; the candidate did not answer \(summary.candidateErrors)" }
        if summary.secondaryErrors > 0 { line += "; the secondary did not answer \(summary.secondaryErrors)" }
        if summary.unstable > 0 {
            line += "; the state moved under \(summary.unstable) (a write between the calls: held to the primary's later answer)"
        }
        return line + " — \(summary.result)"
    }

    private static func counts(_ entry: ShadowOperationReport) -> String {
        var text = "\(entry.requests) request\(entry.requests == 1 ? "" : "s"), \(entry.shadowed) shadowed"
        if entry.notShadowed > 0 { text += ", \(entry.notShadowed) not shadowed" }
        if entry.dropped > 0 { text += ", \(entry.dropped) dropped" }
        if entry.unstable > 0 { text += ", the state moved under \(entry.unstable)" }
        if entry.shadowed > 0 {
            text += ": \(entry.equal) equal, \(entry.noiseOnly) noise only, \(entry.differing) differing"
        }
        return text
    }

    private static func quoted(_ value: String?) -> String {
        value.map { "\"\($0)\"" } ?? "(nothing)"
    }

    /// The report as JUnit XML: a testcase per operation, failing with its differences.
    public func junit() -> String {
        let failures = operations.filter { $0.verdict == "failed" }.count
        var output = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        output += "<testsuites name=\"soaptape \(XMLEscaping.markup(command))\" tests=\"\(operations.count)\" "
            + "failures=\"\(failures)\" errors=\"0\">\n"
        output += "  <testsuite name=\"\(XMLEscaping.markup("shadow \(primary) → \(candidate)"))\" "
            + "tests=\"\(operations.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"0\">\n"
        for entry in operations {
            output += "    <testcase classname=\"shadow\" name=\"\(XMLEscaping.markup(entry.operation))\">\n"
            if entry.verdict == "failed" {
                let first = entry.differences.first.map { "\($0.shadowClass.rawValue) \($0.kind) at \($0.path)" }
                    ?? "the candidate did not answer: \(entry.candidateError ?? "")"
                var body = ""
                for difference in entry.differences {
                    body += "\(difference.shadowClass.rawValue) \(difference.kind) at \(difference.path) "
                        + "(\(difference.count)): primary \(Self.quoted(difference.first.primary)), candidate "
                        + "\(Self.quoted(difference.first.candidate))\(difference.reason.map { "; \($0)" } ?? "")\n"
                }
                output += "      <failure message=\"\(XMLEscaping.markup(first))\">\(XMLEscaping.markup(body))</failure>\n"
            }
            output += "      <system-out>\(XMLEscaping.markup(Self.counts(entry)))</system-out>\n    </testcase>\n"
        }
        return output + "  </testsuite>\n</testsuites>\n"
    }

    /// The report as one self-contained HTML page (no scripts, no external resources).
    public func html() -> String {
        var page = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>soaptape \(XMLEscaping.markup(command)): \(summary.result)</title>
            <style>
            body { font: 14px/1.45 system-ui, sans-serif; margin: 2em; color: #1d1d1f; }
            h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
            .summary { padding: .6em 1em; border-radius: 6px; display: inline-block; }
            .summary.passed { background: #e3f6e5; } .summary.failed { background: #fde4e1; }
            table { border-collapse: collapse; margin: .5em 0; }
            th, td { text-align: left; padding: .25em .8em; border-bottom: 1px solid #ddd; vertical-align: top; }
            .path, code { font-family: ui-monospace, monospace; }
            .breaking, .value, .failed { color: #b3261e; font-weight: 600; } .additive { color: #8a6d00; font-weight: 600; }
            .passed { color: #1e7d32; font-weight: 600; } .hint { color: #555; }
            </style>
            </head>
            <body>
            <h1>soaptape \(XMLEscaping.markup(command))</h1>
            <p>Primary <code>\(XMLEscaping.markup(primary))</code>, candidate <code>\(XMLEscaping.markup(candidate))</code>\
            \(mappings.isEmpty ? "" : " (" + XMLEscaping.markup(mappings.joined(separator: ", ")) + ")"), secondary \
            <code>\(XMLEscaping.markup(secondary ?? "the primary asked again"))</code>. Shadowed: \(XMLEscaping.markup(policy)).</p>
            <p class="summary \(summary.result)" id="summary">\(XMLEscaping.markup(summaryLine()))</p>
            <p>Started \(XMLEscaping.markup(startedAt)), report made \(XMLEscaping.markup(finishedAt)).</p>
            <table class="operations">
            <tr><th>Operation</th><th>Verdict</th><th>Requests</th><th>Shadowed</th><th>Not shadowed</th>\
            <th>Equal</th><th>Noise only</th><th>Differing</th><th>Dropped</th><th>Candidate errors</th></tr>

            """
        for entry in operations {
            page += "<tr class=\"operation\"><td><a href=\"#\(anchor(entry.operation))\">"
                + "\(XMLEscaping.markup(entry.operation))</a></td><td class=\"\(entry.verdict)\">\(entry.verdict)</td>"
                + "<td>\(entry.requests)</td><td>\(entry.shadowed)</td><td>\(entry.notShadowed)</td><td>\(entry.equal)</td>"
                + "<td>\(entry.noiseOnly)</td><td>\(entry.differing)</td><td>\(entry.dropped)</td>"
                + "<td>\(entry.candidateErrors)</td></tr>\n"
        }
        page += "</table>\n"
        for entry in operations where !entry.differences.isEmpty || !entry.noise.isEmpty || entry.candidateErrors > 0 {
            page += "<h2 id=\"\(anchor(entry.operation))\">\(XMLEscaping.markup(entry.operation))</h2>\n"
            if entry.candidateErrors > 0 {
                page += "<p class=\"failed\">The candidate did not answer \(entry.candidateErrors) requests: "
                    + "\(XMLEscaping.markup(entry.candidateError ?? ""))</p>\n"
            }
            if !entry.differences.isEmpty {
                page += "<table class=\"differences\"><tr><th>Class</th><th>Kind</th><th>Path</th><th>Requests</th>"
                    + "<th>First (request, primary / secondary / candidate)</th></tr>\n"
                for difference in entry.differences {
                    let first = difference.first
                    page += "<tr class=\"difference\"><td class=\"\(difference.shadowClass.rawValue)\">"
                        + "\(difference.shadowClass.rawValue)</td><td>\(XMLEscaping.markup(difference.kind))</td>"
                        + "<td class=\"path\">\(XMLEscaping.markup(difference.path))</td><td>\(difference.count)</td>"
                        + "<td>#\(first.sequence) <span class=\"path\">\(XMLEscaping.markup(first.path))</span><br>"
                        + "<code>\(XMLEscaping.markup(Self.quoted(first.primary)))</code> / "
                        + "<code>\(XMLEscaping.markup(Self.quoted(first.secondary)))</code> / "
                        + "<code>\(XMLEscaping.markup(Self.quoted(first.candidate)))</code>"
                        + (difference.reason.map { "<br>why: " + XMLEscaping.markup($0) } ?? "")
                        + "<br><span class=\"hint\">\(XMLEscaping.markup(difference.hint))</span></td></tr>\n"
                }
                page += "</table>\n"
            }
            if !entry.noise.isEmpty {
                page += "<p>Noise (the primary's two answers differed here; not regressions):</p>\n<ul class=\"noise\">\n"
                for noise in entry.noise {
                    page += "<li><span class=\"path\">\(XMLEscaping.markup(noise.path))</span>: \(noise.count) requests, "
                        + "the candidate differed there \(noise.candidateCount) times</li>\n"
                }
                page += "</ul>\n"
            }
        }
        return page + "</body>\n</html>\n"
    }

    private func anchor(_ operation: String) -> String {
        "op-" + String(operation.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) ? Character($0) : "-" })
    }
}
