import SoapXML

extension RunReport {
    /// The report as JUnit XML, as CI systems read it: a testsuite per cassette, a testcase per interaction
    /// (failure message = the first difference, body = all of them), and a suite for unmatched requests.
    public func junit() -> String {
        var whole = ""
        writeJUnit { whole += $0 }
        return whole
    }

    /// `junit`, handed to `write` a piece at a time (a case each), so that a report of millions of interactions is
    /// never one string.
    public func writeJUnit(to write: (String) -> Void) {
        let counts = summary
        var totalMilliseconds = 0.0
        for suite in suites { suite.forEachCase { totalMilliseconds += $0.durationMilliseconds ?? 0 } }
        var output = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let notListed = unmatchedNotListed > 0 ? 1 : 0
        let unmatchedCases = unmatched.count + notListed
        let failures = counts.failed + unmatchedCases + (strict ? counts.unused + counts.unidentified : 0)
        output += "<testsuites name=\"soaptape \(command)\" tests=\"\(counts.interactions + unmatchedCases)\" "
            + "failures=\"\(failures)\" errors=\"\(counts.errors)\" time=\"\(seconds(totalMilliseconds))\">\n"
        for suite in suites {
            var suiteFailures = 0, skipped = 0, suiteErrors = 0
            var suiteMilliseconds = 0.0
            suite.forEachCase { item in
                if item.verdict == .failed || (strict && [.unused, .unidentified].contains(item.verdict)) { suiteFailures += 1 }
                if item.verdict == .skipped || (!strict && [.unused, .unidentified].contains(item.verdict)) { skipped += 1 }
                if item.verdict == .error { suiteErrors += 1 }
                suiteMilliseconds += item.durationMilliseconds ?? 0
            }
            output += "  <testsuite name=\"\(attribute(suite.cassette))\" tests=\"\(suite.caseCount)\" "
                + "failures=\"\(suiteFailures)\" errors=\"\(suiteErrors)\" "
                + "skipped=\"\(skipped)\" time=\"\(seconds(suiteMilliseconds))\">\n"
            if let correlations = suite.correlations, !correlations.isEmpty {
                output += "    <properties>\n"
                for correlation in correlations {
                    output += "      <property name=\"\(attribute("correlated " + correlation.name))\" "
                        + "value=\"\(attribute(correlation.sentence))\"/>\n"
                }
                output += "    </properties>\n"
            }
            write(output)
            output = ""
            suite.forEachCase { item in
                var output = ""
                defer { write(output) }
                output += "    <testcase classname=\"\(attribute(suite.cassette))\" "
                    + "name=\"\(attribute("#\(item.sequence) \(item.operation)"))\" "
                    + "time=\"\(seconds([item]))\""
                let details = plainDifferences(item.differences)
                switch item.verdict {
                case .passed:
                    let notes = Self.additiveLines(item.additive ?? []) + Self.warningLines(item.warnings ?? [])
                    guard !notes.isEmpty else {
                        output += "/>\n"
                        return
                    }
                    // Passing, with changes existing clients can live with, or profile warnings: listed where CI shows
                    // a case's output.
                    output += ">\n      <system-out>" + text(notes) + "</system-out>\n"
                case .failed:
                    let first = item.differences.first.map(Self.headline) ?? item.message ?? "failed"
                    output += ">\n      <failure message=\"\(attribute(first))\" type=\"\(item.differences.first?.kind.rawValue ?? "failure")\">"
                        + text((item.message.map { $0 + "\n" } ?? "") + details) + "</failure>\n"
                case .error:
                    output += ">\n      <error message=\"\(attribute(item.message ?? "error"))\">"
                        + text(item.message ?? "") + "</error>\n"
                case .unused, .unidentified:
                    let message = item.message ?? (item.verdict == .unused ? "never used" : "no spec")
                    output += strict
                        ? ">\n      <failure message=\"\(attribute(message))\" type=\"\(item.verdict.rawValue)\"/>\n"
                        : ">\n      <skipped message=\"\(attribute(message))\"/>\n"
                case .skipped:
                    output += ">\n      <skipped message=\"\(attribute(item.message ?? "skipped"))\"/>\n"
                }
                output += "    </testcase>\n"
            }
            output += "  </testsuite>\n"
        }
        if unmatchedCases > 0 {
            output += "  <testsuite name=\"unmatched requests\" tests=\"\(unmatchedCases)\" failures=\"\(unmatchedCases)\" "
                + "errors=\"0\" skipped=\"0\">\n"
            for entry in unmatched {
                let headline = "no recording matches; nearest: \(entry.nearest ?? "none")"
                output += "    <testcase classname=\"unmatched requests\" name=\"\(attribute("request \(entry.request): \(entry.method) \(entry.path)"))\">\n"
                    + "      <failure message=\"\(attribute(headline))\" type=\"unmatched\">"
                    + text(plainDifferences(entry.differences)) + "</failure>\n    </testcase>\n"
            }
            if notListed > 0 {
                let message = "\(unmatchedNotListed) more unmatched requests, " + notListedNote
                output += "    <testcase classname=\"unmatched requests\" name=\"\(unmatchedNotListed) more\">\n"
                    + "      <failure message=\"\(attribute(message))\" type=\"unmatched\"/>\n    </testcase>\n"
            }
            output += "  </testsuite>\n"
        }
        write(output + "</testsuites>\n")
    }

    /// One line per profile warning: `warning (passes; --fail-on-warnings fails it): schema violation at …: …`.
    static func warningLines(_ warnings: [Difference]) -> String {
        warnings.map { warning in
            "warning (passes; --fail-on-warnings fails it): \(warning.path)" + (warning.actual.map { ": \($0)" } ?? "") + "\n"
        }.joined()
    }

    /// One line per additive change: `additive (passes; --fail-on any fails it): unexpected element at /…: <New>`.
    static func additiveLines(_ changes: [Difference]) -> String {
        changes.map { change in
            "additive (passes; --fail-on any fails it): \(change.kind.phrase) at \(change.path)"
                + (change.actual.map { ": \($0)" } ?? "") + "\n"
        }.joined()
    }

    /// `text value at /Envelope/…/Response: expected "true", found "false"`.
    static func headline(_ difference: Difference) -> String {
        "\(difference.kind.phrase) at \(difference.path): expected "
            + DifferenceReport.show(difference.expected, kind: difference.kind) + ", found "
            + DifferenceReport.show(difference.actual, kind: difference.kind)
    }

    func plainDifferences(_ differences: [Difference]) -> String {
        differences.enumerated().map { number, difference in
            DifferenceReport.describe(difference, number: number + 1, indent: "", style: Style(enabled: false),
                                      expectedName: expectedLabel, actualName: actualLabel)
        }.joined()
    }

    private func seconds(_ milliseconds: Double) -> String {
        seconds([ReportCase(sequence: 0, operation: "", verdict: .passed, durationMilliseconds: milliseconds)])
    }

    private func seconds(_ cases: [ReportCase]) -> String {
        let total = cases.reduce(0.0) { $0 + ($1.durationMilliseconds ?? 0) } / 1000
        return String(format: "%.3f", total)
    }

    private func attribute(_ value: String) -> String { XMLEscaping.attribute(value) }
    private func text(_ value: String) -> String { XMLEscaping.text(value) }
}
