import Foundation

/// `soaptape report merge`: the shards' JSON reports of one sharded run made into the report one unsharded run
/// would have written — the same suites, in the same order, each with its cases in recorded order — so that its
/// JUnit, HTML, JSON and text, and its exit status, are the whole run's (docs/ci.md).
public enum ReportMerge {
    /// One report from `reports` (each with the file it was read from). Every report must be a shard of the same
    /// run — the same command, the same N, the same cassette set — and each of the N shards must be there once.
    public static func merge(_ reports: [(file: String, report: RunReport)]) throws(ReportMergeError) -> RunReport {
        guard let first = reports.first else { throw ReportMergeError("no reports to merge") }
        var problems: [String] = []
        for (file, report) in reports where report.shard == nil {
            problems.append("\(file) is not a shard's report (it has no \"shard\"; it was not run with --shard or in a "
                            + "parallel CI job)")
        }
        if !problems.isEmpty { throw ReportMergeError(problems.joined(separator: "\n")) }
        let shards = reports.map { ($0.file, $0.report, $0.report.shard!) }
        let reference = shards[0]
        for (file, report, shard) in shards.dropFirst() {
            if report.command != reference.1.command {
                problems.append("\(file) is a report of \(report.command), \(reference.0) of \(reference.1.command)")
            }
            if shard.count != reference.2.count {
                problems.append("\(file) is shard \(shard.index) of \(shard.count), \(reference.0) shard "
                                + "\(reference.2.index) of \(reference.2.count): they split the run differently")
            }
            if shard.fingerprint != reference.2.fingerprint || shard.cassettes != reference.2.cassettes {
                problems.append("\(file) covers another cassette set than \(reference.0) (fingerprint \(shard.fingerprint), "
                                + "not \(reference.2.fingerprint)): were they run on the same commit, with the same arguments?")
            }
        }
        if !problems.isEmpty { throw ReportMergeError(problems.joined(separator: "\n")) }
        let count = reference.2.count
        var byIndex: [Int: [String]] = [:]
        for (file, _, shard) in shards { byIndex[shard.index, default: []].append(file) }
        for (index, files) in byIndex.sorted(by: { $0.key < $1.key }) where files.count > 1 {
            problems.append("shard \(index) of \(count) is given twice: \(files.joined(separator: ", "))")
        }
        let missing = (1...count).filter { byIndex[$0] == nil }
        if !missing.isEmpty {
            problems.append("shard\(missing.count == 1 ? "" : "s") " + missing.map { "\($0)" }.joined(separator: ", ")
                            + " of \(count) \(missing.count == 1 ? "is" : "are") missing: pass every shard's --json report")
        }
        if !problems.isEmpty { throw ReportMergeError(problems.joined(separator: "\n")) }

        var cases: [String: [ReportCase]] = [:]
        var correlations: [String: [ReportCorrelation]] = [:]
        for (_, report, _) in shards {
            for suite in report.suites {
                cases[suite.cassette, default: []] += suite.cases
                if let found = suite.correlations { correlations[suite.cassette, default: []] += found }
            }
        }
        var merged = RunReport(command: first.report.command, subject: "", startedAt: shards.map(\.1.startedAt).min()!,
                               finishedAt: shards.map(\.1.finishedAt).max()!, strict: first.report.strict)
        merged.expectedLabel = first.report.expectedLabel
        merged.actualLabel = first.report.actualLabel
        for cassette in reference.2.cassettes {
            var suite = ReportSuite(cassette: cassette, cases: (cases[cassette] ?? []).sorted { $0.sequence < $1.sequence })
            suite.correlations = correlations[cassette]
            merged.suites.append(suite)
        }
        for (_, report, _) in shards {
            merged.unmatched += report.unmatched
            merged.unmatchedNotListed += report.unmatchedNotListed
        }
        let total = merged.suites.reduce(0) { $0 + $1.caseCount }
        let cassettes = merged.suites.count
        merged.subject = "\(total) interaction\(total == 1 ? "" : "s") in \(cassettes) cassette\(cassettes == 1 ? "" : "s"), "
            + "merged from \(count) shard\(count == 1 ? "" : "s")"
        return merged
    }
}

/// Shard reports that cannot be merged: each problem names the files.
public struct ReportMergeError: Error, CustomStringConvertible {
    /// One sentence per problem, a line each.
    public var message: String

    init(_ message: String) { self.message = message }

    /// `soaptape report merge: error: …`.
    public var description: String {
        message.split(separator: "\n").map { "soaptape report merge: error: \($0)" }.joined(separator: "\n")
    }
}
