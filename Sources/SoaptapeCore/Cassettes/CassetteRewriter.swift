import Foundation

/// Rewrites interactions of an existing cassette in place (`replay --update`): each one's text is replaced where
/// it stands, every other byte (other interactions, comments a reviewer added) is kept, and the file is replaced
/// atomically — written whole to a temporary file beside it, flushed to disk, then renamed over it — so that an
/// update interrupted at any moment leaves the old cassette byte for byte.
public enum CassetteRewriter {
    /// Replaces the interactions of the cassette at `path` that have the sequence numbers of `interactions` with
    /// them, as `record` writes interactions.
    public static func replace(_ path: String, with interactions: [Interaction]) throws(CassetteUpdateError) {
        guard !interactions.isEmpty else { return }
        guard let original = FileManager.default.contents(atPath: path).map(Array.init) else {
            throw CassetteUpdateError(path: path, reason: "it cannot be read any more")
        }
        var replacements: [(range: Range<Int>, text: [UInt8])] = []
        for interaction in interactions {
            guard let range = range(of: interaction.sequence, in: original) else {
                throw CassetteUpdateError(path: path, reason: "interaction \(interaction.sequence) is no longer in it "
                                         + "(was it edited during the replay?)")
            }
            replacements.append((range, Array(CassetteCoding.interactionText(interaction).utf8)))
        }
        var output: [UInt8] = []
        output.reserveCapacity(original.count)
        var position = 0
        for (range, text) in replacements.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
            output += original[position..<range.lowerBound]
            output += text
            position = range.upperBound
        }
        output += original[position...]
        try writeAtomically(output, to: path)
    }

    /// The bytes from `--- # interaction N` to the end of its `# end of interaction N` line.
    static func range(of sequence: Int, in bytes: [UInt8]) -> Range<Int>? {
        let start = Array((CassetteCoding.interactionMarker + "\(sequence)\n").utf8)
        let end = Array((CassetteCoding.endMarker + "\(sequence)\n").utf8)
        guard let from = find(start, in: bytes, from: 0, atLineStart: true),
            let to = find(end, in: bytes, from: from + start.count, atLineStart: true)
        else { return nil }
        return from..<(to + end.count)
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int, atLineStart: Bool) -> Int? {
        guard needle.count <= bytes.count else { return nil }
        var index = from
        while index + needle.count <= bytes.count {
            if (!atLineStart || index == 0 || bytes[index - 1] == 0x0A), bytes[index] == needle[0],
                bytes[index..<(index + needle.count)].elementsEqual(needle)
            {
                return index
            }
            index += 1
        }
        return nil
    }

    /// Writes `bytes` to a temporary file in `path`'s folder, flushes it, and renames it over `path`.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(CassetteUpdateError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/." + url.lastPathComponent + ".soaptape-update-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CassetteUpdateError(path: path, reason: "cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        var written = 0
        let failure: String? = bytes.withUnsafeBytes { buffer -> String? in
            while written < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                written += count
            }
            return fsync(descriptor) == 0 ? nil : String(cString: strerror(errno))
        }
        close(descriptor)
        if let failure {
            unlink(temporary)
            throw CassetteUpdateError(path: path, reason: "cannot write \(temporary): \(failure)")
        }
        // Keep the old file's permissions.
        var status = stat()
        if stat(path, &status) == 0 { chmod(temporary, status.st_mode & 0o7777) }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CassetteUpdateError(path: path, reason: "cannot replace it: \(reason)")
        }
        let directory = open(folder, O_RDONLY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}

/// A cassette `replay --update` could not rewrite; the file is left as it was.
public struct CassetteUpdateError: Error, CustomStringConvertible {
    /// The cassette file.
    public var path: String
    /// Why.
    public var reason: String

    /// `PATH: error: cannot update the cassette (reason); it is left as it was`.
    public var description: String {
        "\(path): error: cannot update the cassette (\(reason)); it is left as it was"
    }
}
