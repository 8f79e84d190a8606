import Foundation

/// One of N parts of a run (`--shard K/N`, or the CI's own parallel-job variables), chosen deterministically so
/// that N runners, each given the same cassettes, cover every interaction exactly once between them (docs/ci.md).
///
/// The split is by hash, not by position: a cassette's path (and, where a run may split inside a cassette, the
/// interaction's sequence number) decides its shard, so adding or reordering cassettes moves nothing else.
public struct Shard: Sendable, Equatable, Codable {
    /// K: which part, from 1.
    public var index: Int
    /// N: how many parts.
    public var count: Int

    /// Part `index` of `count` (1 ≤ index ≤ count).
    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// `K/N`, or nil with the reason it is not one.
    public static func parse(_ text: String) -> Result<Shard, ShardError> {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            return .failure(ShardError(message: "--shard '\(text)' is not of the form K/N; for example --shard 2/3"))
        }
        guard count >= 1, (1...count).contains(index) else {
            return .failure(ShardError(message: "--shard '\(text)': K must be from 1 to N, and N at least 1"))
        }
        return .success(Shard(index: index, count: count))
    }

    /// The shard a CI's parallel job stands for, and the variables that said so: GitLab's `CI_NODE_INDEX` (from 1)
    /// and `CI_NODE_TOTAL`, Buildkite's `BUILDKITE_PARALLEL_JOB` (from 0) and `BUILDKITE_PARALLEL_JOB_COUNT`. Nil
    /// when neither is set (or the job is not parallel).
    public static func fromCI(_ environment: [String: String]) -> Result<(shard: Shard, source: String), ShardError>? {
        let candidates: [(index: String, total: String, base: Int)] = [
            ("CI_NODE_INDEX", "CI_NODE_TOTAL", 1), ("BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", 0),
        ]
        for candidate in candidates {
            guard let indexText = environment[candidate.index], let totalText = environment[candidate.total] else {
                continue
            }
            let source = "\(candidate.index)=\(indexText), \(candidate.total)=\(totalText)"
            guard let index = Int(indexText), let total = Int(totalText), total >= 1,
                (1...total).contains(index + 1 - candidate.base)
            else {
                return .failure(ShardError(message: "the CI's parallel-job variables (\(source)) do not name a shard; "
                                           + "pass --shard K/N"))
            }
            if total == 1 { return nil }
            return .success((Shard(index: index + 1 - candidate.base, count: total), source))
        }
        return nil
    }

    /// True when the whole cassette at `path` is this shard's (`replay`: a cassette is one stateful sequence).
    public func owns(cassette path: String) -> Bool {
        count == 1 || Self.bucket(Self.hash(Self.normalised(path)), count) == index - 1
    }

    /// True when interaction `sequence` of the cassette at `path` is this shard's (`verify`, `validate`).
    public func owns(cassette path: String, sequence: Int) -> Bool {
        count == 1 || Self.bucket(Self.hash(Self.normalised(path) + "#\(sequence)"), count) == index - 1
    }

    /// `./cassettes/a.yaml` and `cassettes/a.yaml` are one cassette.
    static func normalised(_ path: String) -> String {
        var text = path
        while text.hasPrefix("./") { text.removeFirst(2) }
        return text
    }

    /// FNV-1a, 64 bits: the same on every machine and every run (Swift's `Hasher` is seeded per process).
    static func hash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    private static func bucket(_ hash: UInt64, _ count: Int) -> Int {
        // The high bits mixed in: FNV's low bits alone spread short, similar keys less evenly.
        Int((hash ^ (hash >> 32)) % UInt64(count))
    }
}

/// A `--shard` value, or CI variables, that name no shard.
public struct ShardError: Error, CustomStringConvertible {
    /// The sentence.
    public var message: String
    /// The sentence.
    public var description: String { message }
}

/// What a shard's report records of its part of the run, for `soaptape report merge`.
public struct ShardReport: Codable, Sendable, Equatable {
    /// K, from 1.
    public var index: Int
    /// N.
    public var count: Int
    /// Every cassette of the whole set, in run order (what all N shards cover between them).
    public var cassettes: [String]
    /// The cassettes this shard covered (some or all of their interactions).
    public var covered: [String]
    /// A fingerprint of the whole set: each cassette's path and size, hashed. Shards of different sets (another
    /// commit, other arguments) have different fingerprints and are not merged.
    public var fingerprint: String

    /// Creates the record.
    public init(shard: Shard, cassettes: [String], covered: [String], fingerprint: String) {
        index = shard.index
        count = shard.count
        self.cassettes = cassettes
        self.covered = covered
        self.fingerprint = fingerprint
    }

    /// The fingerprint of `cassettes`: their paths and byte sizes, in order, hashed.
    public static func fingerprint(of cassettes: [String]) -> String {
        var text = ""
        for path in cassettes {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
            text += Shard.normalised(path) + "\u{0}" + String(size) + "\n"
        }
        let value = Shard.hash(text)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
