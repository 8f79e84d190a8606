import Foundation
import SoaptapeCore
import Testing

/// Cassettes: deterministic text, lossless round trips, a torn tail dropped, damage refused with its place.
struct CassetteTests {
    static func interaction(_ sequence: Int, body: [UInt8] = Array("<r>\n  <v>1</v>\n</r>\n".utf8)) -> Interaction {
        Interaction(
            sequence: sequence, recordedAt: "2026-11-22T12:00:0\(sequence).000Z", durationMilliseconds: 1.5,
            operation: OperationIdentity(version: "Services88", agent: "Favourite", name: "ToggleFavourite",
                                         element: "{urn:f}ToggleFavourite", action: "urn:f/Favourite/ToggleFavourite"),
            request: RecordedRequest(method: "POST", path: "/Remote/Services88/Favourite.svc",
                                     headers: [HeaderField("Content-Type", "text/xml"), HeaderField("SOAPAction", "\"urn:a\"")],
                                     body: body),
            response: RecordedResponse(status: 200, headers: [HeaderField("Content-Type", "text/xml")],
                                       body: Array("<ok/>".utf8), fault: false))
    }

    func write(_ interactions: [Interaction]) throws -> String {
        let path = try Paths.folder([:]) + "/c.yaml"
        let writer = try CassetteWriter(path: path, header: CassetteHeader(
            soaptape: "0.1.0", upstream: "http://127.0.0.1:8080", createdAt: "2026-11-22T12:00:00.000Z"))
        for interaction in interactions { try writer.append(interaction) }
        return path
    }

    @Test func batchesWrittenThroughOneReusedBatchReadAsIfWrittenOneByOne() throws {
        // The record proxy encodes interactions into a batch its event loop keeps, and empties it after each write.
        let one = try write((1...5).map { Self.interaction($0) })
        let path = try Paths.folder([:]) + "/batched.yaml"
        let writer = try CassetteWriter(path: path, header: CassetteHeader(
            soaptape: "0.1.0", upstream: "http://127.0.0.1:8080", createdAt: "2026-11-22T12:00:00.000Z"))
        var batch = InteractionBatch()
        for group in [[1, 2], [3], [4, 5]] {
            for sequence in group { batch.add(Self.interaction(sequence)) }
            #expect(try writer.append(batch) == group.first!..<(group.last! + 1))
            batch.removeAll()
        }
        #expect(try writer.append(batch).isEmpty)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == String(contentsOfFile: one, encoding: .utf8))
        #expect(writer.summary.map(\.count) == [5])
    }

    @Test func theTextReadsWellAndRoundTrips() throws {
        let path = try write([Self.interaction(1)])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == """
            # soaptape cassette (format 1): docs/cassettes.md
            format: 1
            soaptape: 0.1.0
            upstream: http://127.0.0.1:8080
            created_at: 2026-11-22T12:00:00.000Z
            --- # interaction 1
            sequence: 1
            recorded_at: 2026-11-22T12:00:01.000Z
            duration_ms: 1.500
            operation:
              version: Services88
              agent: Favourite
              name: ToggleFavourite
              element: "{urn:f}ToggleFavourite"
              action: urn:f/Favourite/ToggleFavourite
            request:
              method: POST
              path: /Remote/Services88/Favourite.svc
              headers:
              - Content-Type: text/xml
              - SOAPAction: "\\"urn:a\\""
              body: |
                <r>
                  <v>1</v>
                </r>
            response:
              status: 200
              fault: false
              headers:
              - Content-Type: text/xml
              body: "<ok/>"
            # end of interaction 1

            """)
        let (cassette, _) = try CassetteLoader.load(path)
        #expect(cassette.interactions == [Self.interaction(1)])
        #expect(cassette.header.upstream == "http://127.0.0.1:8080")
    }

    @Test func awkwardValuesRoundTrip() throws {
        var interaction = Self.interaction(1, body: Array("  leading spaces\n\n\n".utf8))
        interaction.request.headers = [HeaderField("X-Odd", "a: b #c 'q' \"d\" {e} [f] true"), HeaderField("X-Num", "42"),
                                        HeaderField("X-Empty", ""), HeaderField("X-Bool", "yes"), HeaderField("X-Colon", "end:")]
        interaction.request.path = "/Remote/Services88/Favourite.svc?wsdl&x=1"
        interaction.response.body = Array("no newline at the end\n  indented".utf8)
        let path = try write([interaction])
        #expect(try CassetteLoader.load(path).cassette.interactions == [interaction])
    }

    @Test func unicodeAndControlCharactersRoundTripReadably() throws {
        var interaction = Self.interaction(1, body: Array("<r>\n  <navn>Ærlig Øst</navn>\n\t<x/>\n</r>\n".utf8))
        interaction.request.headers = [HeaderField("X-Ctl", "a\u{1}b\u{7F}c\u{85}d\u{FEFF}e\r\n"),
                                        HeaderField("X-Name", "Åsa \"Ø\" \\ 東京")]
        interaction.response.body = Array("single line with é".utf8)
        let path = try write([interaction, Self.interaction(2, body: Array("<r>\u{85}</r>\n".utf8))])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("  - X-Ctl: \"a\\u0001b\\u007Fc\\u0085d\\uFEFFe\\r\\n\"\n"))
        #expect(text.contains("  - X-Name: \"Åsa \\\"Ø\\\" \\\\ 東京\"\n"))
        #expect(text.contains("  body: |\n    <r>\n      <navn>Ærlig Øst</navn>\n    \t<x/>\n    </r>\n"))
        #expect(text.contains("  body: single line with é\n"))
        #expect(text.contains("  body_base64: PHI+woU8L3I+Cg==\n"))
        #expect(try CassetteLoader.load(path).cassette.interactions == [interaction, Self.interaction(2, body: Array("<r>\u{85}</r>\n".utf8))])
    }

    @Test func bodiesOfEveryShapeRoundTripAndAreBase64OnlyWhenTheyMust() throws {
        // Lengths around the eight-byte steps of the encoder's survey, empty lines, runs of trailing newlines, a body
        // long enough to need its newline count summed more than once, and each byte YAML cannot carry in a block
        // at each place of a word.
        var bodies: [[UInt8]] = []
        for length in 1...40 {
            bodies.append((0..<length).map { (index: Int) -> UInt8 in index % 7 == 6 ? 0x0A : UInt8(0x61 + index % 26) })
            let opening: [UInt8] = Array("<a>\n\n\t<b/>\n".utf8)
            let newlines = [UInt8](repeating: 0x0A, count: length % 4)
            bodies.append(opening + newlines + [UInt8](repeating: 0x78, count: length))
        }
        bodies.append(Array(repeating: 0x0A, count: 3000))
        bodies.append(Array(String(repeating: "<line>x</line>\n", count: 400).utf8))
        var unreadable: [[UInt8]] = []
        let controls: [UInt8] = Array(0x00...0x08) + Array(0x0B...0x1F) + [0x7F]
        for byte in controls {
            for place in [0, 5, 8, 13, 16, 19] {
                var body = Array("<r>twenty bytes</r>\n".utf8)
                body[place] = byte
                unreadable.append(body)
            }
        }
        let interactions = (bodies + unreadable).enumerated().map { Self.interaction($0.offset + 1, body: $0.element) }
        let path = try write(interactions)
        #expect(try CassetteLoader.load(path).cassette.interactions == interactions)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.components(separatedBy: "  body_base64: ").count - 1 == unreadable.count)
    }

    @Test func bodiesWithCRLFLineEndsStayReadableBlocks() throws {
        // gSOAP ends every message with CRLF after the Envelope; Windows stacks write CRLF throughout; some mix.
        let gsoap = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SOAP-ENV:Envelope/>\r\n".utf8)
        let windows = Array("<a>\r\n  <b>é</b>\r\n</a>\r\n".utf8)
        let mixed = Array("<a>\n<b/>\r\n</a>".utf8)
        let path = try write([Self.interaction(1, body: gsoap), Self.interaction(2, body: windows),
                              Self.interaction(3, body: mixed)])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains("body_base64"))
        #expect(text.contains("  body_crlf: [2]\n  body: |\n    <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                  + "    <SOAP-ENV:Envelope/>\n"))
        #expect(text.contains("  body_crlf: all\n  body: |\n    <a>\n      <b>é</b>\n    </a>\n"))
        #expect(text.contains("  body_crlf: [2]\n  body: |-\n    <a>\n    <b/>\n    </a>\n"))
        #expect(try CassetteLoader.load(path).cassette.interactions.map(\.request.body) == [gsoap, windows, mixed])
    }

    @Test func aBodyCRLFLineThatIsNoLineIsAnErrorAtItsPlace() throws {
        let path = try write([Self.interaction(1, body: Array("<a>\r\n</a>".utf8))])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "body_crlf: all", with: "body_crlf: [7]").write(
            toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try CassetteLoader.load(path) }
    }

    @Test func bodiesYAMLCannotCarryAreBase64() throws {
        let odd: [UInt8] = Array("<r>\r\n".utf8) + [0xE9] + Array("</r>".utf8)
        let path = try write([Self.interaction(1, body: odd)])
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("  body_base64: PHI+DQrpPC9yPg==\n"))
        #expect(try CassetteLoader.load(path).cassette.interactions.first?.request.body == odd)
    }

    @Test func aTornTailIsDroppedAndCutBeforeAppending() throws {
        let path = try write([Self.interaction(1), Self.interaction(2)])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let torn = String(text.dropLast(40))
        try torn.write(toFile: path, atomically: true, encoding: .utf8)
        let (cassette, _) = try CassetteLoader.load(path)
        #expect(cassette.interactions.map(\.sequence) == [1])
        #expect(cassette.droppedTornTail == 1)
        let writer = try CassetteWriter(path: path, header: CassetteHeader(soaptape: "x", upstream: "y", createdAt: "z"))
        try writer.append(Self.interaction(9))
        let again = try CassetteLoader.load(path).cassette
        #expect(again.interactions.map(\.sequence) == [1, 2])
        #expect(again.droppedTornTail == 0)
    }

    @Test func damageInTheMiddleIsRefusedWithItsPlace() throws {
        let path = try write([Self.interaction(1), Self.interaction(2)])
        let text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "# end of interaction 1\n", with: "")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: SourceError.self) { try CassetteLoader.load(path) }
        do {
            _ = try CassetteLoader.load(path)
        } catch {
            #expect(error.headline == "\(path):6:1: error: this interaction has no '# end of interaction' line but "
                + "others follow it; the cassette was damaged: restore it from version control")
        }
        let badKey = try write([Self.interaction(1)])
        let renamed = try String(contentsOfFile: badKey, encoding: .utf8).replacingOccurrences(of: "status:", with: "statsu:")
        try renamed.write(toFile: badKey, atomically: true, encoding: .utf8)
        do {
            _ = try CassetteLoader.load(badKey)
            Issue.record("loaded")
        } catch {
            #expect(error.description == """
                \(badKey):27:3: error: unknown key 'statsu' in the response; did you mean 'status'?
                  statsu: 200
                  ^
                """)
        }
    }

    @Test func matchingFollowsRecordedOrder() throws {
        func interaction(_ sequence: Int, answer: String) -> Interaction {
            var made = Self.interaction(sequence, body: Array("<e:Envelope xmlns:e='http://www.w3.org/2003/05/soap-envelope'><e:Body><f:T xmlns:f='urn:f'><f:Id>1</f:Id><f:Ticket>${redacted}</f:Ticket></f:T></e:Body></e:Envelope>".utf8))
            made.response.body = Array(answer.utf8)
            return made
        }
        let matcher = InteractionMatcher([interaction(1, answer: "true"), interaction(2, answer: "false")])
        func request(_ id: String) -> HTTPRequestMessage {
            HTTPRequestMessage(method: "POST", path: "/Cust9/Remote/Services88/Favourite.svc", headers: [],
                               body: Array("<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body><T xmlns='urn:f'><Id>\(id)</Id><Ticket>live</Ticket></T></s:Body></s:Envelope>".utf8))
        }
        var answers: [String] = []
        for _ in 0..<3 {
            switch matcher.match(request("1")) {
            case .matched(let i): answers.append("matched " + String(decoding: i.response.body, as: UTF8.self))
            case .exhausted(let i): answers.append("exhausted " + String(decoding: i.response.body, as: UTF8.self))
            case .unmatched: answers.append("unmatched")
            }
        }
        #expect(answers == ["matched true", "matched false", "exhausted false"])
        guard case .unmatched(let nearest, let differences) = matcher.match(request("2")) else {
            Issue.record("matched")
            return
        }
        #expect(nearest?.sequence == 1)
        #expect(differences.map(\.path) == ["/Envelope/Body/T/Id"])
        #expect(matcher.unused.isEmpty)
    }
}

/// Recorded timestamps: UTC, milliseconds, the same text whether or not the second was formatted before.
struct TimestampTests {
    @Test func timestampsAreUTCWithMilliseconds() {
        // Fractions a Double holds exactly.
        let first = Date(timeIntervalSince1970: 1_795_000_000.0625)
        #expect(first.iso8601Milliseconds == "2026-11-18T11:06:40.062Z")
        #expect(Date(timeIntervalSince1970: 1_795_000_000.25).iso8601Milliseconds == "2026-11-18T11:06:40.250Z")
        #expect(Date(timeIntervalSince1970: 1_795_000_001.0078125).iso8601Milliseconds == "2026-11-18T11:06:41.007Z")
        #expect(first.iso8601Milliseconds == "2026-11-18T11:06:40.062Z")
        #expect(Date(timeIntervalSince1970: 0).iso8601Milliseconds == "1970-01-01T00:00:00.000Z")
    }
}
