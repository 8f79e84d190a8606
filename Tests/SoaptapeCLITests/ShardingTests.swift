import Foundation
import SoaptapeCore
import Testing

/// `--shard K/N` for verify, replay and validate, the CI's parallel-job variables, and `soaptape report merge`
/// (docs/ci.md): N runners cover every interaction once, and the merged report is the unsharded run's.
struct ShardingTests {
    /// A folder of cassettes: the committed spyne recordings, each copied `copies` times under other names, and
    /// (when `failing`) one whose ToggleFavourite answer breaks its spec.
    static func cassetteSet(copies: Int, failing: Bool = false) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("soaptape-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let source = CLI.root.appendingPathComponent("cassettes/spyne").path
        for name in try FileManager.default.contentsOfDirectory(atPath: source) where name.hasSuffix(".yaml") {
            for copy in 1...copies {
                try FileManager.default.copyItem(atPath: source + "/" + name,
                                                 toPath: folder + "/\(copy)-" + name)
            }
        }
        if failing {
            let path = folder + "/1-ToggleFavourite.yaml"
            let text = try String(contentsOfFile: path, encoding: .utf8)
                .replacingOccurrences(of: "<tns:Response>true</tns:Response>", with: "<tns:Response>maybe</tns:Response>")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return folder
    }

    static func verify(_ folder: String, _ extra: [String]) throws -> Outcome {
        try CLI.run(["verify", "--specs", CLI.root.appendingPathComponent("specs").path, folder, "--quiet"] + extra,
                    in: CLI.root.path)
    }

    static func report(_ path: String) throws -> RunReport {
        try JSONDecoder().decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func threeShardsCoverEveryInteractionOnceAndMergeIntoTheUnshardedReport() throws {
        let folder = try Self.cassetteSet(copies: 3, failing: true)
        let junit = folder + ".whole.xml", wholeJSON = folder + ".whole.json"
        let whole = try Self.verify(folder, ["--junit", junit, "--json", wholeJSON])
        #expect(whole.status == 1, "\(whole)")
        var shardFiles: [String] = []
        var seen: [String] = []
        for k in 1...3 {
            let file = folder + ".shard-\(k).json"
            let outcome = try Self.verify(folder, ["--shard", "\(k)/3", "--json", file])
            #expect(outcome.stdout.contains("shard \(k) of 3: "), "\(outcome)")
            let shard = try Self.report(file)
            #expect(shard.shard?.index == k && shard.shard?.count == 3 && shard.shard?.cassettes.count == 9)
            seen += shard.suites.flatMap { suite in suite.cases.map { "\(suite.cassette)#\($0.sequence)" } }
            shardFiles.append(file)
        }
        let all = try Self.report(wholeJSON).suites.flatMap { suite in suite.cases.map { "\(suite.cassette)#\($0.sequence)" } }
        #expect(seen.sorted() == all.sorted())  // each interaction exactly once
        #expect(Set(seen).count == seen.count)
        let mergedJUnit = folder + ".merged.xml"
        let merged = try CLI.run(["report", "merge"] + shardFiles.reversed() + ["--junit", mergedJUnit, "--quiet"],
                                 in: CLI.root.path)
        #expect(merged.status == 1, "\(merged)")  // the failing interaction fails the merged run
        #expect(merged.stdout.contains("Result: failed."))
        #expect(try String(contentsOfFile: mergedJUnit, encoding: .utf8) == String(contentsOfFile: junit, encoding: .utf8))
    }

    @Test func addingACassetteMovesNoOtherInteractionToAnotherShard() throws {
        let folder = try Self.cassetteSet(copies: 2)
        func assignment() throws -> [String: Int] {
            var owner: [String: Int] = [:]
            for k in 1...3 {
                let file = folder + ".s\(k)-\(UUID().uuidString).json"
                _ = try Self.verify(folder, ["--shard", "\(k)/3", "--json", file])
                for suite in try Self.report(file).suites {
                    for item in suite.cases { owner["\(suite.cassette)#\(item.sequence)"] = k }
                }
            }
            return owner
        }
        let before = try assignment()
        try FileManager.default.copyItem(atPath: folder + "/1-ToggleFavourite.yaml", toPath: folder + "/0-new.yaml")
        let after = try assignment()
        #expect(after.count == before.count + 3)
        #expect(before.allSatisfy { after[$0.key] == $0.value })
    }

    @Test func replayKeepsEachCassetteWholeOnOneShard() throws {
        let folder = try Self.cassetteSet(copies: 3)
        var owners: [String: Set<Int>] = [:]
        var total = 0
        for k in 1...2 {
            let file = folder + ".r\(k).json"
            // Nothing listens there: every interaction is an error, but the report still says which were this shard's.
            _ = try CLI.run(["replay", folder, "--target", "http://127.0.0.1:1", "--shard", "\(k)/2", "--json", file],
                            in: CLI.root.path)
            let report = try Self.report(file)
            #expect(report.shard?.covered == report.suites.map(\.cassette))
            for suite in report.suites {
                owners[suite.cassette, default: []].insert(k)
                total += suite.cases.count
            }
        }
        #expect(owners.count == 9 && owners.values.allSatisfy { $0.count == 1 })
        #expect(total == 24)
    }

    @Test func theCIsParallelJobVariablesChooseTheShardAndSaySo() throws {
        let folder = try Self.cassetteSet(copies: 1)
        for (environment, index) in [(["CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "3"], 2),
                                     (["BUILDKITE_PARALLEL_JOB": "0", "BUILDKITE_PARALLEL_JOB_COUNT": "2"], 1)] {
            let file = folder + ".ci-\(index).json"
            let outcome = try CLI.runWithEnvironment(
                ["verify", "--specs", CLI.root.appendingPathComponent("specs").path, folder, "--json", file, "--quiet"],
                environment: environment)
            let names = environment.keys.sorted()
            #expect(outcome.stderr.contains("soaptape verify: running shard \(index) of "), "\(outcome)")
            #expect(names.allSatisfy { outcome.stderr.contains($0 + "=") })
            #expect(try Self.report(file).shard?.index == index)
        }
        // --shard wins over the variables.
        let given = folder + ".given.json"
        let explicit = try CLI.runWithEnvironment(
            ["verify", "--specs", CLI.root.appendingPathComponent("specs").path, folder, "--shard", "1/1", "--json", given],
            environment: ["CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "3"])
        #expect(explicit.stderr == "")
        #expect(try Self.report(given).shard == nil)
        let broken = try CLI.runWithEnvironment(["verify", folder], environment: ["CI_NODE_INDEX": "4", "CI_NODE_TOTAL": "3"])
        #expect(broken.status == 2)
        #expect(broken.stderr == "soaptape verify: error: the CI's parallel-job variables (CI_NODE_INDEX=4, "
                + "CI_NODE_TOTAL=3) do not name a shard; pass --shard K/N\n")
        let bad = try CLI.run(["verify", folder, "--shard", "0/3"], in: CLI.root.path)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--shard '0/3': K must be from 1 to N, and N at least 1."))
    }

    @Test func mergeRefusesMissingRepeatedAndForeignShardsNamingThem() throws {
        let folder = try Self.cassetteSet(copies: 1)
        var files: [String] = []
        for k in 1...3 {
            files.append(folder + ".m\(k).json")
            _ = try Self.verify(folder, ["--shard", "\(k)/3", "--json", files[k - 1]])
        }
        let missing = try CLI.run(["report", "merge", files[0], files[2], files[2]], in: CLI.root.path)
        #expect(missing.status == 2)
        #expect(missing.stderr == "soaptape report merge: error: shard 3 of 3 is given twice: \(files[2]), \(files[2])\n"
                + "soaptape report merge: error: shard 2 of 3 is missing: pass every shard's --json report\n")
        // A shard of another cassette set (one more cassette).
        let other = try Self.cassetteSet(copies: 2)
        let foreign = other + ".f2.json"
        _ = try Self.verify(other, ["--shard", "2/3", "--json", foreign])
        let mixed = try CLI.run(["report", "merge", files[0], foreign, files[2]], in: CLI.root.path)
        #expect(mixed.status == 2)
        #expect(mixed.stderr.hasPrefix("soaptape report merge: error: \(foreign) covers another cassette set than \(files[0])"))
        let whole = folder + ".whole.json"
        _ = try Self.verify(folder, ["--json", whole])
        let unsharded = try CLI.run(["report", "merge", whole], in: CLI.root.path)
        #expect(unsharded.stderr.contains("\(whole) is not a shard's report"))
        let garbage = folder + ".garbage.json"
        try "{\"format\": 1}".write(toFile: garbage, atomically: true, encoding: .utf8)
        let unreadable = try CLI.run(["report", "merge", garbage], in: CLI.root.path)
        #expect(unreadable.status == 2)
        #expect(unreadable.stderr.hasPrefix("\(garbage): error: not a soaptape JSON report (it has no \"command\")"))
    }

    @Test func validateShardsSplitTheEnvelopesBetweenThem() throws {
        // The shards hash the cassettes' paths, which hold a random folder name: with 2 copies (10 SOAP calls) one
        // shard of 3 went empty about one run in twenty; with 8 (40 calls), about one in three million.
        let folder = try Self.cassetteSet(copies: 8)
        func checked(_ arguments: [String]) throws -> Int {
            let outcome = try CLI.run(["validate", folder] + arguments, in: CLI.root.path)
            #expect(outcome.status == 0, "\(outcome)")
            let words = outcome.stdout.split(separator: " ")
            return Int(words[1])!
        }
        let whole = try checked([])
        let parts = try (1...3).map { try checked(["--shard", "\($0)/3"]) }
        #expect(parts.reduce(0, +) == whole && parts.allSatisfy { $0 > 0 && $0 < whole })
    }
}
