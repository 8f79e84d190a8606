import Foundation
import SoapXML
import Yams

/// Reads cassettes, dropping a torn last interaction and placing every error at `file:line:column`.
public enum CassetteLoader {
    /// The cassette at `path`, and the length in bytes of its complete part (for appending after a tear).
    public static func load(_ path: String) throws(SourceError) -> (cassette: Cassette, completeLength: Int) {
        guard let data = LocalFile.bytes(atPath: path) else {
            throw SourceError(file: path, line: 1, column: 1, message: "cannot read the cassette; check the path")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw SourceError(file: path, line: 1, column: 1, message: "the cassette is not UTF-8 text")
        }
        if text.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }) {
            throw SourceError(file: path, line: 1, column: 1,
                              message: "the cassette is empty; a cassette starts with a header (format, soaptape, upstream, "
                                  + "created_at; docs/cassettes.md) — record one with soaptape record")
        }
        let lines = Self.lines(of: text)
        var starts: [Int] = []
        // The first byte is looked at before the whole marker: most lines are body text.
        for (index, line) in lines.enumerated()
        where line.utf8.first == UInt8(ascii: "-") && line.begins(CassetteCoding.interactionMarker) {
            starts.append(index)
        }
        let headerEnd = starts.first ?? lines.count
        let headerSource = YAMLSource(file: path, text: lines[0..<headerEnd].joined(separator: "\n"))
        let header = try readHeader(headerSource)
        var cassette = Cassette(header: header)
        var offsets: [Int] = [0]  // byte offset of each line start
        for line in lines { offsets.append(offsets.last! + line.utf8.count + 1) }
        var completeLength = offsets[headerEnd]
        for (number, start) in starts.enumerated() {
            let end = number + 1 < starts.count ? starts[number + 1] : lines.count
            let chunk = lines[(start + 1)..<end]
            guard let last = chunk.lastIndex(where: { !$0.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 } }),
                lines[last].begins(CassetteCoding.endMarker)
            else {
                if number == starts.count - 1 {
                    cassette.droppedTornTail = 1
                    break
                }
                throw SourceError(file: path, line: start + 1, column: 1,
                                  message: "this interaction has no '# end of interaction' line but others follow it; "
                                      + "the cassette was damaged: restore it from version control",
                                  sourceLine: String(lines[start]))
            }
            // The writer's own layout is read directly; anything else (a hand edit) goes through the YAML parser.
            if let interaction = CassetteFastReader.read(chunk) {
                cassette.interactions.append(interaction)
            } else {
                let source = YAMLSource(file: path, text: chunk.joined(separator: "\n"), lineOffset: start + 1)
                cassette.interactions.append(try readInteraction(source))
            }
            completeLength = offsets[min(last + 1, lines.count)]
        }
        return (cassette, min(completeLength, data.count))
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
        try requestReader.checkKeys(["method", "path", "headers", "body", "body_base64"])
        try responseReader.checkKeys(["status", "fault", "content_encoding", "headers", "body", "body_base64"])
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
        if let text = try reader.string("body") { return Array(text.utf8) }
        if let encoded = try reader.string("body_base64") {
            guard let data = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                throw reader.source.error(at: reader.node("body_base64")?.mark, "'body_base64' is not valid base64")
            }
            return Array(data)
        }
        return []
    }
}
