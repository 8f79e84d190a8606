import Foundation
import SoapXML
import Yams

/// Reads cassettes, dropping a torn last interaction and placing every error at `file:line:column`.
public enum CassetteLoader {
    /// The cassette at `path`, and the length in bytes of its complete part (for appending after a tear).
    public static func load(_ path: String) throws(SourceError) -> (cassette: Cassette, completeLength: Int) {
        var interactions: [Interaction] = []
        let read = try stream(path) { interactions.append($0) }
        var cassette = Cassette(header: read.header, interactions: interactions)
        cassette.droppedTornTail = read.droppedTornTail
        return (cassette, read.completeLength)
    }

    /// What `stream` read of a cassette besides its interactions.
    public struct StreamSummary: Sendable {
        /// The cassette's header.
        public var header: CassetteHeader
        /// How many torn interactions at the end were dropped (a recorder killed mid-write): 0 or 1.
        public var droppedTornTail: Int
        /// The length in bytes of the cassette's complete part.
        public var completeLength: Int
        /// How many interactions were read.
        public var interactions: Int
    }

    /// Reads the cassette at `path` one interaction at a time, handing each to `each` as soon as it is read: the
    /// file is read in blocks, and no more than one interaction (and one block) is held, however large the
    /// cassette. Errors are placed at `file:line:column` as `load` places them; a torn last interaction is dropped.
    @discardableResult
    public static func stream(_ path: String, _ each: (Interaction) -> Void) throws(SourceError) -> StreamSummary {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        var status = stat()
        guard descriptor >= 0, fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            if descriptor >= 0 { close(descriptor) }
            throw SourceError(file: path, line: 1, column: 1, message: "cannot read the cassette; check the path")
        }
        defer { close(descriptor) }
        let marker = Array(CassetteCoding.interactionMarker.utf8)
        var pending: [UInt8] = []
        var segmentStart = 0      // where the unprocessed segment begins in `pending`
        var scanFrom = 0          // where the search for the next marker resumes
        var fileOffset = 0        // the file offset of pending[0]
        var line = 0              // the 0-based line number of pending[segmentStart]
        var header: CassetteHeader?
        var completeLength = 0
        var count = 0
        var atEnd = false
        var sawText = false

        /// The segment pending[segmentStart..<end]: the header, or one interaction from its marker line on.
        func process(_ end: Int, last: Bool) throws(SourceError) -> Bool {
            let bytes = pending[segmentStart..<end]
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw SourceError(file: path, line: line + 1, column: 1, message: "the cassette is not UTF-8 text")
            }
            let lines = Self.lines(of: text)
            defer { line += lines.count - 1 }
            if header == nil {
                if !sawText && last && text.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }) {
                    throw SourceError(file: path, line: 1, column: 1,
                                      message: "the cassette is empty; a cassette starts with a header (format, soaptape, "
                                          + "upstream, created_at; docs/cassettes.md) — record one with soaptape record")
                }
                header = try readHeader(YAMLSource(file: path, text: text))
                completeLength = fileOffset + end
                return true
            }
            let chunk = lines[1...]
            guard let lastLine = chunk.lastIndex(where: { !$0.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 } }),
                lines[lastLine].begins(CassetteCoding.endMarker)
            else {
                if last { return false }
                throw SourceError(file: path, line: line + 1, column: 1,
                                  message: "this interaction has no '# end of interaction' line but others follow it; "
                                      + "the cassette was damaged: restore it from version control",
                                  sourceLine: String(lines[0]))
            }
            // The writer's own layout is read directly; anything else (a hand edit) goes through the YAML parser.
            if let interaction = CassetteFastReader.read(chunk) {
                each(interaction)
            } else {
                let source = YAMLSource(file: path, text: chunk.joined(separator: "\n"), lineOffset: line + 1)
                each(try readInteraction(source))
            }
            count += 1
            let throughLast = lines[...lastLine].reduce(0) { $0 + $1.utf8.count + 1 }
            completeLength = min(fileOffset + segmentStart + throughLast, Int(status.st_size))
            return true
        }

        var dropped = 0
        // Blocks of 4 MiB (less for a smaller file), read into one buffer made once.
        var chunk = [UInt8](repeating: 0, count: max(1, min(1 << 22, Int(status.st_size) + 1)))
        while !atEnd {
            // The next block; what is already processed is dropped first, so the buffer holds one segment and a block.
            if segmentStart > 0 {
                pending.removeSubrange(0..<segmentStart)
                fileOffset += segmentStart
                scanFrom -= segmentStart
                segmentStart = 0
            }
            let before = pending.count
            var got = 0
            while true {
                got = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
                if got < 0 && errno == EINTR { continue }
                break
            }
            guard got >= 0 else {
                throw SourceError(file: path, line: line + 1, column: 1, message: "cannot read the cassette; check the path")
            }
            pending.append(contentsOf: chunk[0..<got])
            if got == 0 { atEnd = true }
            if !sawText, pending[before...].contains(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D) }) {
                sawText = true
            }
            // Every marker at a line start that is now whole in the buffer ends the segment before it.
            while let found = Self.nextMarker(marker, in: pending, from: max(scanFrom, segmentStart)) {
                if found == segmentStart && !(header == nil && found == 0 && fileOffset == 0) {
                    scanFrom = found + 1
                    continue
                }
                _ = try process(found, last: false)
                segmentStart = found
                scanFrom = found + 1
            }
            scanFrom = max(segmentStart, pending.count - marker.count)
            if atEnd {
                if segmentStart < pending.count || header == nil {
                    if try !process(pending.count, last: true) { dropped = 1 }
                }
                segmentStart = pending.count
            }
        }
        return StreamSummary(header: header!, droppedTornTail: dropped, completeLength: completeLength, interactions: count)
    }

    /// The index of the next `marker` at the start of a line in `bytes`, searching from `from` (memchr to each
    /// newline, memcmp at each line start: most lines are long body lines).
    private static func nextMarker(_ marker: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        bytes.withUnsafeBytes { buffer -> Int? in
            marker.withUnsafeBytes { wanted -> Int? in
                guard let base = buffer.baseAddress, from < buffer.count else { return nil }
                var index = from
                while index + wanted.count <= buffer.count {
                    if index == 0 || buffer[index - 1] == 0x0A {
                        if memcmp(base + index, wanted.baseAddress!, wanted.count) == 0 { return index }
                    }
                    guard let newline = memchr(base + index, 0x0A, buffer.count - index) else { return nil }
                    index = base.distance(to: UnsafeRawPointer(newline)) + 1
                }
                return nil
            }
        }
    }

    /// `text` split at every newline (`\n`), found with memchr over the UTF-8 bytes: splitting a String by
    /// Character walks grapheme clusters, and even the generic byte split is slow for megabytes of text.
    static func lines(of text: String) -> [Substring] {
        let utf8 = text.utf8
        let found = utf8.withContiguousStorageIfAvailable { buffer -> [Substring] in
            var lines: [Substring] = []
            lines.reserveCapacity(buffer.count / 32)
            guard let base = buffer.baseAddress else { return [Substring(text)] }
            var start = 0
            var lower = utf8.startIndex
            while true {
                let end = memchr(base + start, 0x0A, buffer.count - start)
                    .map { UnsafeRawPointer(base).distance(to: UnsafeRawPointer($0)) } ?? buffer.count
                let upper = utf8.index(lower, offsetBy: end - start)
                lines.append(Substring(utf8[lower..<upper]))
                guard end < buffer.count else { return lines }
                start = end + 1
                lower = utf8.index(after: upper)
            }
        }
        return found ?? utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { Substring($0) }
    }

    static func readHeader(_ source: YAMLSource) throws(SourceError) -> CassetteHeader {
        let root = try MappingReader(try source.compose(), source: source, what: "the cassette header")
        try root.checkKeys(["format", "soaptape", "upstream", "created_at"])
        let format = try root.int("format") ?? 0
        guard format == Cassette.format else {
            throw source.error(at: root.node("format")?.mark ?? root.node.mark,
                               "cassette format \(format) is not known to this soaptape, which reads format "
                                   + "\(Cassette.format); upgrade soaptape")
        }
        return CassetteHeader(soaptape: try root.required("soaptape"), upstream: try root.required("upstream"),
                              createdAt: try root.required("created_at"))
    }

    static func readInteraction(_ source: YAMLSource) throws(SourceError) -> Interaction {
        let root = try MappingReader(try source.compose(), source: source, what: "an interaction")
        try root.checkKeys(["sequence", "recorded_at", "duration_ms", "operation", "request", "response"])
        guard let sequence = try root.int("sequence") else {
            throw source.error(at: root.node.mark, "an interaction lacks the required key 'sequence'")
        }
        let durationText = try root.string("duration_ms") ?? "0"
        guard let duration = Double(durationText) else {
            throw source.error(at: root.node("duration_ms")?.mark, "'duration_ms' must be a number, not '\(durationText)'")
        }
        var operation: OperationIdentity?
        if let reader = try root.mapping("operation", what: "the operation") {
            try reader.checkKeys(["version", "agent", "name", "element", "action"])
            operation = OperationIdentity(version: try reader.string("version"), agent: try reader.string("agent"),
                                          name: try reader.string("name"), element: try reader.string("element"),
                                          action: try reader.string("action"))
        }
        guard let requestReader = try root.mapping("request", what: "the request"),
            let responseReader = try root.mapping("response", what: "the response")
        else {
            throw source.error(at: root.node.mark, "an interaction needs both 'request' and 'response'")
        }
        try requestReader.checkKeys(["method", "path", "headers", "body", "body_crlf", "body_base64"])
        try responseReader.checkKeys(["status", "fault", "content_encoding", "headers", "body", "body_crlf",
                                       "body_base64"])
        let request = RecordedRequest(
            method: try requestReader.required("method"), path: try requestReader.required("path"),
            headers: try readHeaders(requestReader), body: try readBody(requestReader))
        guard let status = try responseReader.int("status") else {
            throw source.error(at: responseReader.node.mark, "the response lacks the required key 'status'")
        }
        let response = RecordedResponse(
            status: status, headers: try readHeaders(responseReader), body: try readBody(responseReader),
            fault: try responseReader.string("fault") == "true",
            contentEncoding: try responseReader.string("content_encoding"))
        return Interaction(sequence: sequence, recordedAt: try root.required("recorded_at"),
                           durationMilliseconds: duration, operation: operation, request: request, response: response)
    }

    static func readHeaders(_ reader: MappingReader) throws(SourceError) -> [HeaderField] {
        var fields: [HeaderField] = []
        for item in try reader.sequence("headers") {
            guard case .mapping(let mapping) = item, mapping.count == 1, let pair = mapping.first,
                let name = pair.key.string, let value = pair.value.string
            else {
                throw reader.source.error(at: item.mark, "each header is written 'Name: value'")
            }
            fields.append(HeaderField(name, value))
        }
        return fields
    }

    static func readBody(_ reader: MappingReader) throws(SourceError) -> [UInt8] {
        if let text = try reader.string("body") {
            guard let crlf = reader.node("body_crlf") else { return Array(text.utf8) }
            var value = crlf.string ?? ""
            if case .sequence(let items) = crlf { value = "[" + items.map { $0.string ?? "x" }.joined(separator: ", ") + "]" }
            guard let joined = BodyLineEnds.join(Array(text.utf8), value: value) else {
                throw reader.source.error(at: crlf.mark, "'body_crlf' must be 'all' or a list of the numbers of the "
                                              + "body's lines that end in CRLF, each a line that ends in a line break")
            }
            return joined
        }
        if let encoded = try reader.string("body_base64") {
            guard let data = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                throw reader.source.error(at: reader.node("body_base64")?.mark, "'body_base64' is not valid base64")
            }
            return Array(data)
        }
        return []
    }
}
