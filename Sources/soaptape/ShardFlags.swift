import ArgumentParser
import Foundation
import SoaptapeCore

/// `--shard K/N`, shared by `verify`, `replay` and `validate`: this run's part of a sharded CI job, else the CI's
/// own parallel-job variables (GitLab, Buildkite), else the whole run.
struct ShardFlags: ParsableArguments {
    @Option(name: .customLong("shard"),
            help: ArgumentHelp("Run only part K of N (deterministic by cassette path and interaction; default: the "
                               + "CI's CI_NODE_INDEX/CI_NODE_TOTAL or BUILDKITE_PARALLEL_JOB/_COUNT when set).",
                               valueName: "k/n"))
    var shard: String?

    func validate() throws {
        if let shard, case .failure(let error) = Shard.parse(shard) { throw ValidationError(error.message + ".") }
    }

    /// The shard to run, or nil for the whole run; says on stderr when the CI's variables chose it.
    func resolve(command: String) throws -> Shard? {
        if let shard, case .success(let parsed) = Shard.parse(shard) { return parsed.count == 1 ? nil : parsed }
        switch Shard.fromCI(ProcessInfo.processInfo.environment) {
        case nil:
            return nil
        case .failure(let error):
            throw CLIError(description: "soaptape \(command): error: \(error.message)")
        case .success(let (shard, source)):
            FileHandle.standardError.write(Data(
                "soaptape \(command): running shard \(shard.index) of \(shard.count) (from \(source))\n".utf8))
            return shard
        }
    }
}
