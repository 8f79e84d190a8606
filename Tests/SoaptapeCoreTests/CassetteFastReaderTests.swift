import Foundation
@testable import SoaptapeCore
import Testing

/// The fast reader and the YAML parser read every interaction the writer writes the same way, and the fast
/// reader gives way to the parser for anything it does not recognise.
struct CassetteFastReaderTests {
    static let bodies: [[UInt8]] = [
        [], Array("<a/>".utf8), Array("<a/>\n".utf8), Array("<a/>\n\n\n".utf8), Array("<a>\n\n  <b/>\n</a>".utf8),
        Array("\n<a/>\n".utf8), Array("\n  <a/>\n<b/>\n".utf8), Array("  <indented/>\n".utf8),
        Array("<t>tab\there — ünïcode ${redacted} \"quotes\" 'single' # not a comment: really</t>\n".utf8),
        [0xFF, 0x00, 0x41], Array("carriage\r\nreturn".utf8), Array("one line, no newline".utf8),
    ]

    static let headers: [[HeaderField]] = [
        [], [HeaderField("Content-Type", "text/xml; charset=utf-8")],
        [HeaderField("SOAPAction", "\"urn:a\""), HeaderField("Accept", "*/*"), HeaderField("X-Odd: name", "a: b #c"),
         HeaderField("Date", "Sun, 22 Nov 2026 12:31:41 GMT"), HeaderField("X-Number", "42"), HeaderField("X-Bool", "true")],
    ]

    @Test func everyScalarTheWriterWritesReadsBack() {
        // Pseudo-random strings over the characters that need care: quotes, backslashes, controls, C1, BOM,
        // YAML indicators, multi-byte UTF-8, and text that looks like a number or a boolean.
        let pieces = ["a", "Z", "0", "42", "-", " ", ":", ": ", " #", "#", "\"", "\\", "'", "\n", "\t", "\r", "\u{1}",
                      "\u{7F}", "\u{85}", "\u{9F}", "\u{A0}", "\u{FEFF}", "é", "東京", "😀", "{", "[", "&", "*", "!", "|",
                      ">", "%", "@", "`", "true", "null", "~", "1.5", "${redacted}", "/"]
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(pieces.count))
        }
        for _ in 0..<3000 {
            let text = (0..<(next() % 6)).map { _ in pieces[next()] }.joined()
            let written = CassetteCoding.scalar(text)
            #expect(CassetteFastReader.scalar(Substring(written)) == text, "\(written)")
        }
    }

    @Test func bothReadersAgreeOnEverythingTheWriterWrites() throws {
        var number = 0
        for body in Self.bodies {
            for headers in Self.headers {
                number += 1
                let interaction = Interaction(
                    sequence: number, recordedAt: "2026-11-30T12:00:00.000Z", durationMilliseconds: 1.25,
                    operation: number % 2 == 0 ? nil : OperationIdentity(version: "Services88", name: "Toggle: it",
                                                                         element: "{urn:x}T", action: "\"quoted\""),
                    request: RecordedRequest(method: "POST", path: "/Remote/S.svc?x=1&y=#2", headers: headers, body: body),
                    response: RecordedResponse(status: 200, headers: headers.reversed(), body: body.reversed(),
                                               fault: number % 3 == 0, contentEncoding: number % 4 == 0 ? "gzip" : nil))
                let text = CassetteCoding.interactionText(interaction)
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                let chunk = lines[1..<(lines.count - 1)]
                let fast = CassetteFastReader.read(chunk)
                let parsed = try CassetteLoader.readInteraction(
                    YAMLSource(file: "t.yaml", text: chunk.joined(separator: "\n"), lineOffset: 1))
                #expect(parsed == interaction, "the YAML parser disagrees with the writer:\n\(text)")
                #expect(fast == interaction, "the fast reader disagrees with the writer:\n\(text)")
            }
        }
    }

    @Test func aHandEditTheFastReaderDoesNotKnowGoesToTheParser() throws {
        let edited = """
            sequence: 1
            recorded_at: '2026-11-30T12:00:00.000Z'   # single quotes and a comment
            duration_ms: 1.000
            request:
              method: POST
              path: /x
              headers: []
            response:
              status: 200
              fault: false
              headers: []
            """
        let lines = edited.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(CassetteFastReader.read(lines[...]) == nil)
        let path = try Paths.folder(["c.yaml": "format: 1\nsoaptape: 0.1.0\nupstream: http://x\ncreated_at: now\n"
            + "--- # interaction 1\n" + edited + "\n# end of interaction 1\n"]) + "/c.yaml"
        let loaded = try CassetteLoader.load(path).cassette
        #expect(loaded.interactions.map(\.recordedAt) == ["2026-11-30T12:00:00.000Z"])
    }

    @Test func theCommittedCassettesReadTheSameBothWays() throws {
        for name in ["ToggleFavourite", "UpdateFeatureToggles", "ToggleErpConnectionActive"] {
            let text = try String(contentsOfFile: Paths.root.appendingPathComponent("cassettes/spyne/\(name).yaml").path,
                                  encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let starts = lines.indices.filter { lines[$0].hasPrefix(CassetteCoding.interactionMarker) }
            for (index, start) in starts.enumerated() {
                let end = (index + 1 < starts.count ? starts[index + 1] : lines.count)
                let last = lines[start..<end].lastIndex { $0.hasPrefix(CassetteCoding.endMarker) }!
                let chunk = lines[(start + 1)..<last]
                let fast = try #require(CassetteFastReader.read(chunk))
                let parsed = try CassetteLoader.readInteraction(
                    YAMLSource(file: name, text: chunk.joined(separator: "\n"), lineOffset: start + 1))
                #expect(fast == parsed)
            }
        }
    }

    /// Found by fuzzing the cassette loader: an empty file made Foundation's file reading leak and the error speak of
    /// spec keys. Now: read with POSIX calls, and the error says what a cassette starts with.
    @Test func anEmptyCassetteIsAClearError() throws {
        let path = try Paths.folder(["empty.yaml": ""]) + "/empty.yaml"
        #expect(throws: SourceError.self) { try CassetteLoader.load(path) }
        do {
            _ = try CassetteLoader.load(path)
        } catch {
            #expect(error.description.hasPrefix("\(path):1:1: error: the cassette is empty; a cassette starts with a header"))
        }
    }

    /// Found by fuzz-cassette: nested explicit keys made Yams compare complex keys for minutes.
    @Test func explicitMappingKeysAreRefusedAtOnce() throws {
        let path = Paths.root.appendingPathComponent("Tests/Fixtures/fuzz/cassette-nested-explicit-keys.yaml").path
        #expect(throws: SourceError.self) { try CassetteLoader.load(path) }
        do {
            _ = try CassetteLoader.load(path)
        } catch {
            #expect(error.description.hasPrefix("\(path):2:1: error: an explicit mapping key ('? ') is not part of "
                                                + "soaptape's formats; write 'key: value'"))
        }
        // Lines broken by carriage returns alone are lines too (the fuzzer's second find).
        let carriage = Paths.root.appendingPathComponent("Tests/Fixtures/fuzz/cassette-explicit-keys-after-carriage-returns.yaml").path
        #expect(throws: SourceError.self) { try CassetteLoader.load(carriage) }
        // The same guard holds for specs, and a body line starting with "? " is still just text.
        let spec = try Paths.folder(["Op.yaml": "version: Services88\n? [a, b]\n: c\n"]) + "/Op.yaml"
        #expect(throws: SourceError.self) { try SpecLoader.load(spec) }
        let source = YAMLSource(file: "b.yaml", text: "body: |\n  ? not a key\n  text\nnext: 1\n")
        #expect(throws: Never.self) { try source.refuseExplicitKeys() }
    }
}
