import Foundation
import SoaptapeCore
import Testing

/// Every loading error names file, line and column, shows the line and a caret, and says what to do.
struct SpecLoaderTests {
    static let valid = """
        format: 1
        version: Services88
        agent: Favourite
        operation: ToggleFavourite
        endpoint: /Remote/Services88/Favourite.svc
        soap: ["1.2"]
        action: urn:act
        namespace: urn:fav
        rules:
          ignore:
          - //Ticket
        request: |
          <e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope">
            <e:Body><f:ToggleFavourite xmlns:f="urn:fav"/></e:Body>
          </e:Envelope>
        response: |
          <e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope">
            <e:Body><f:ToggleFavouriteResponse xmlns:f="urn:fav"/></e:Body>
          </e:Envelope>

        """

    func error(_ yaml: String) throws -> String {
        let folder = try Paths.folder(["x.yaml": yaml])
        do {
            _ = try SpecLoader.load(folder + "/x.yaml")
            return "loaded"
        } catch {
            return error.description.replacingOccurrences(of: folder + "/", with: "")
        }
    }

    @Test func aValidSpecLoads() throws {
        #expect(try error(Self.valid) == "loaded")
    }

    @Test func unknownKeySuggestsTheRightOne() throws {
        #expect(try error(Self.valid.replacingOccurrences(of: "operation:", with: "operaton:")) == """
            x.yaml:4:1: error: unknown key 'operaton' in the spec; did you mean 'operation'?
            operaton: ToggleFavourite
            ^
            """)
        #expect(try error(Self.valid.replacingOccurrences(of: "  ignore:", with: "  ignored:")) == """
            x.yaml:10:3: error: unknown key 'ignored' in the rules; did you mean 'ignore'?
              ignored:
              ^
            """)
    }

    @Test func malformedEnvelopeIsPlacedInsideTheYAMLFile() throws {
        let broken = Self.valid.replacingOccurrences(of: "<e:Body><f:ToggleFavourite xmlns:f=\"urn:fav\"/></e:Body>",
                                                     with: "<e:Body><f:ToggleFavourite xmlns:f=\"urn:fav\"></e:Body>")
        #expect(try error(broken) == """
            x.yaml:14:61: error: the request envelope is not well-formed XML: the end tag </Body> does not match the open element <ToggleFavourite> (line 2)
                <e:Body><f:ToggleFavourite xmlns:f="urn:fav"></e:Body>
                                                                        ^
            """)
    }

    @Test func unknownPlaceholderIsPlaced() throws {
        let yaml = Self.valid.replacingOccurrences(of: "<f:ToggleFavouriteResponse xmlns:f=\"urn:fav\"/>",
                                                   with: "<f:ToggleFavouriteResponse xmlns:f=\"urn:fav\">${integer32}</f:ToggleFavouriteResponse>")
        let message = try error(yaml)
        #expect(message.hasPrefix("x.yaml:18:58: error: the placeholder ${integer32} cannot be used: it is not a known placeholder;"))
    }

    @Test func badXPathIsPlaced() throws {
        #expect(try error(Self.valid.replacingOccurrences(of: "- //Ticket", with: "- //f:Ticket")) == """
            x.yaml:11:5: error: the XPath '//f:Ticket' in rules.ignore cannot be used: the prefix 'f' is not bound; bind it with --ns f=URI, or drop the prefix to match by local name
              - //f:Ticket
                ^
            """)
    }

    @Test func wrongTypesAndMissingKeys() throws {
        #expect(try error(Self.valid.replacingOccurrences(of: "soap: [\"1.2\"]", with: "soap: [\"2.0\"]")) == """
            x.yaml:6:8: error: '2.0' is not a SOAP version; use 1.1 or 1.2
            soap: ["2.0"]
                   ^
            """)
        #expect(try error(Self.valid.replacingOccurrences(of: "agent: Favourite", with: "agent: {name: Favourite}")) == """
            x.yaml:3:8: error: 'agent' must be text, not a mapping
            agent: {name: Favourite}
                   ^
            """)
        #expect(try error(Self.valid.replacingOccurrences(of: "action: urn:act\n", with: "")) == """
            x.yaml:1:1: error: the spec lacks the required key 'action'
            format: 1
            ^
            """)
        #expect(try error(Self.valid.replacingOccurrences(of: "format: 1", with: "format: 2")) == """
            x.yaml:1:9: error: format 2 is not known to this soaptape, which reads format 1; upgrade soaptape
            format: 2
                    ^
            """)
        #expect(try error("version: [") .hasPrefix("x.yaml:2:1: error: this is not valid YAML: "))
    }
}
