import Foundation
import SoapXML
import SoaptapeCore
import Testing

/// Reports written a piece at a time (`writeJSON`, `writeJUnit`, `writeText`) and suites kept compactly
/// (`CompactCases`) make the same text as the whole report encoded at once: a large verify's report reads the same.
struct StreamedReportTests {
    static func report(compact: Bool) -> RunReport {
        let failing = ReportCase(sequence: 3, operation: "Services88/Favourite/ToggleFavourite", verdict: .failed,
                                 message: "does not conform", differences: [
                                     Difference(kind: .textValue, path: "/Envelope/Body/X", expected: "\"true\"",
                                                actual: "\"no\\\"pe\"", expectedLine: 2, actualLine: 3),
                                 ], expected: "<a/>", actual: "<b/>", durationMilliseconds: 1.5)
        var cases = (1...5).map { number in
            ReportCase(sequence: number, operation: number % 2 == 0 ? "GET /x?wsdl" : "Services88/Favourite/ToggleFavourite",
                       verdict: number % 2 == 0 ? .skipped : .passed,
                       message: number % 2 == 0 ? "GET request, not a SOAP call" : "conforms to specs/a.yaml")
        }
        cases[2] = failing
        var additive = ReportCase(sequence: 6, operation: "op", verdict: .passed)
        additive.additive = [Difference(kind: .unexpectedElement, path: "/Envelope/Body/New", expected: nil, actual: "<New>")]
        cases.append(additive)
        var suites: [ReportSuite]
        if compact {
            var store = CompactCases()
            cases.forEach { store.append($0) }
            suites = [ReportSuite(cassette: "cassettes/a \"quoted\".yaml", compact: store)]
        } else {
            suites = [ReportSuite(cassette: "cassettes/a \"quoted\".yaml", cases: cases)]
        }
        var correlated = ReportSuite(cassette: "cassettes/b.yaml",
                                     cases: [ReportCase(sequence: 1, operation: "op", verdict: .error, message: "down")])
        correlated.correlations = [ReportCorrelation(name: "SaleId", recorded: "100", live: "7000", sequence: 1,
                                                     operation: "op", path: "/Envelope/Body/R/SaleId", usedIn: [2],
                                                     secret: false)]
        suites += [ReportSuite(cassette: "cassettes/empty.yaml"), correlated]
        var report = RunReport(command: "verify", subject: "6 interactions", startedAt: "2026-12-04T00:00:00.000Z",
                               finishedAt: "2026-12-04T00:00:01.000Z", strict: true, suites: suites)
        report.shard = ShardReport(shard: Shard(index: 2, count: 3), cassettes: ["a", "b"], covered: ["a"],
                                   fingerprint: "0123456789abcdef")
        return report
    }

    @Test func theStreamedJSONIsWhatTheEncoderMakesOfTheWholeReport() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        for compact in [false, true] {
            let report = Self.report(compact: compact)
            let whole = String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
            #expect(report.json() == whole, "compact: \(compact)")
            var pieces: [String] = []
            report.writeJSON { pieces.append($0) }
            #expect(pieces.count > 5)  // written a case at a time
            let decoded = try JSONDecoder().decode(RunReport.self, from: Data(report.json().utf8))
            #expect(decoded.suites.map(\.caseCount) == [6, 0, 1])
        }
        let empty = RunReport(command: "verify", subject: "nothing", startedAt: "a", finishedAt: "b")
        #expect(empty.json() == String(decoding: try encoder.encode(empty), as: UTF8.self) + "\n")
    }

    @Test func aCompactSuiteRendersAsTheSameSuiteHeldWhole() {
        let held = Self.report(compact: false), compact = Self.report(compact: true)
        #expect(compact.junit() == held.junit())
        // A passing case's additive changes are listed in every form.
        #expect(held.junit().contains("<testcase classname=\"cassettes/a &quot;quoted&quot;.yaml\" name=\"#6 op\" "
                                      + "time=\"0.000\">\n      <system-out>additive (passes; --fail-on any fails it): "
                                      + "unexpected element at /Envelope/Body/New: &lt;New&gt;\n</system-out>\n    </testcase>"))
        #expect(held.html().contains("additive (passes; --fail-on any fails it): unexpected element at "
                                     + "<span class=\"path\">/Envelope/Body/New</span>: &lt;New&gt;"))
        #expect(held.text(colour: false).contains(
            "  PASS   #6 op\n      additive (passes; --fail-on any fails it): unexpected element at /Envelope/Body/New: <New>\n"))
        #expect(compact.text(colour: false) == held.text(colour: false))
        #expect(compact.text(colour: false, passing: false) == held.text(colour: false, passing: false))
        #expect(compact.summary == held.summary && compact.failed && held.failed)
        #expect(compact.suites[0].cases.map(\.sequence) == [1, 2, 3, 4, 5, 6])
        #expect(compact.suites[0].cases[2].differences.count == 1)
    }
}
