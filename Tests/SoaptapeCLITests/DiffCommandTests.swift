import Foundation
import Testing

/// `soaptape diff` and `soaptape canon`: every message and exit code, exactly.
struct DiffCommandTests {
    let response = "Services88-ToggleFavourite-response.xml"
    let twin = "Services88-ToggleFavourite-response-twin.xml"
    let changed = "Services88-ToggleFavourite-response-changed.xml"

    @Test func equalDocumentsExitZero() throws {
        #expect(try CLI.run(["diff", response, twin]) == Outcome(
            stdout: "equal: \(response) and \(twin) are the same document under the canonical comparison.\n",
            stderr: "", status: 0))
    }

    @Test func aDifferenceIsExplainedByPathAndExitsOne() throws {
        let hint = "If this value changes from run to run, put a placeholder such as ${string}, ${int} or ${ignore} "
            + "in the expected document, or pass --ignore /Envelope/Body/ToggleFavouriteResponse/Response."
        let header = "<soap12:Envelope xmlns:soap12=\"http://www.w3.org/2003/05/soap-envelope\" "
            + "xmlns:ns1=\"http://www.superoffice.net/ws/crm/NetServer/Services88\" "
            + "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">"
        #expect(try CLI.run(["diff", response, changed]) == Outcome(stdout: """
            different: 1 difference between \(response) (expected) and \(changed) (actual).

            1) text value at /Envelope/Body/ToggleFavouriteResponse/Response
               expected: "false"  (\(response):12)
               actual:   "true"  (\(changed):6)
               hint: \(hint)

            Canonical forms (soaptape canon), line by line:
            --- \(response)
            +++ \(changed)
            @@ -1,7 +1,7 @@
             \(header)
               <soap12:Body>
                 <ns1:ToggleFavouriteResponse>
            -      <ns1:Response xsi:type="xsd:boolean">false</ns1:Response>
            +      <ns1:Response xsi:type="xsd:boolean">true</ns1:Response>
                 </ns1:ToggleFavouriteResponse>
               </soap12:Body>
             </soap12:Envelope>

            """, stderr: "", status: 1))
    }

    @Test func jsonForMachines() throws {
        let outcome = try CLI.run(["diff", response, changed, "--format", "json"])
        #expect(outcome.status == 1)
        #expect(outcome.stdout == """
            {
              "actual" : "\(changed)",
              "differences" : [
                {
                  "actual" : "true",
                  "actualLine" : 6,
                  "expected" : "false",
                  "expectedLine" : 12,
                  "hint" : "If this value changes from run to run, put a placeholder such as ${string}, ${int} or ${ignore} in the expected document, or pass --ignore /Envelope/Body/ToggleFavouriteResponse/Response.",
                  "kind" : "text-value",
                  "path" : "/Envelope/Body/ToggleFavouriteResponse/Response"
                }
              ],
              "expected" : "\(response)",
              "formatVersion" : 1,
              "result" : "different"
            }

            """)
        #expect(try CLI.run(["diff", response, twin, "--format", "json"]).stdout.contains("\"result\" : \"equal\""))
    }

    @Test func standardInputIsADash() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: CLI.envelopes + "/" + twin))
        #expect(try CLI.run(["diff", response, "-"], stdin: bytes) == Outcome(
            stdout: "equal: \(response) and <stdin> are the same document under the canonical comparison.\n",
            stderr: "", status: 0))
    }

    @Test func rulesFromTheCommandLine() throws {
        #expect(try CLI.run(["diff", response, changed, "--ignore", "//Response"]).status == 0)
        #expect(try CLI.run(["diff", response, changed, "--ignore", "//f:Response",
                             "--ns", "f=http://www.superoffice.net/ws/crm/NetServer/Services88"]).status == 0)
        let v86 = "Services86-ToggleErpConnectionActive-response.xml"
        let directory = try CLI.directory(with: [
            "v88.xml": Array(try String(contentsOfFile: CLI.envelopes + "/" + v86, encoding: .utf8)
                .replacingOccurrences(of: "Services86", with: "Services88").utf8),
        ])
        let expected = CLI.envelopes + "/" + v86
        #expect(try CLI.run(["diff", expected, "v88.xml"], in: directory).status == 1)
        #expect(try CLI.run(["diff", expected, "v88.xml", "--map-namespace", "Services86=Services88"],
                            in: directory).status == 0)
        #expect(try CLI.run(["diff", expected, "v88.xml", "--map-namespace-regex", "Services[0-9]+=ServicesNN"],
                            in: directory).status == 0)
        #expect(try CLI.run(["diff", expected, "v88.xml", "--namespaces", "ignore"], in: directory).status == 0)
        #expect(try CLI.run(["diff", response, twin, "--identical"]).status == 1)
    }

    @Test func canonicalForm() throws {
        #expect(try CLI.run(["canon", "Services86-ToggleErpConnectionActive-response.xml"]) == Outcome(stdout: """
            <soap12:Envelope xmlns:soap12="http://www.w3.org/2003/05/soap-envelope" xmlns:ns1="http://www.superoffice.net/ws/crm/NetServer/Services86" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:arr="http://schemas.microsoft.com/2003/10/Serialization/Arrays" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
              <soap12:Body>
                <ns1:ToggleErpConnectionActiveResponse>
                  <ns1:Response xsi:type="arr:ArrayOfstring">
                    <arr:string xsi:type="xsd:string"/>
                  </ns1:Response>
                </ns1:ToggleErpConnectionActiveResponse>
              </soap12:Body>
            </soap12:Envelope>

            """, stderr: "", status: 0))
        let twinForm = try CLI.run(["canon", twin])
        #expect(twinForm == (try CLI.run(["canon", response])))
    }

    @Test(arguments: [
        (["diff", "a.xml"], """
            Error: Missing expected argument '<actual>'
            Help:  <actual>  The actual document; - reads stdin.
            Usage: soaptape diff [<options>] <expected> <actual>
              See 'soaptape diff --help' for more information.

            """),
        (["diff", "a.xml", "b.xml", "--namespaces", "loose"], """
            Error: --namespaces 'loose' is not a mode; use strict, map or ignore.
            Usage: soaptape diff [<options>] <expected> <actual>
              See 'soaptape diff --help' for more information.

            """),
        (["diff", "a.xml", "b.xml", "--namespaces", "strict", "--map-namespace", "a=b"], """
            Error: --map-namespace needs --namespaces map (or leave --namespaces out).
            Usage: soaptape diff [<options>] <expected> <actual>
              See 'soaptape diff --help' for more information.

            """),
        (["diff", "a.xml", "b.xml", "--map-namespace", "Services86"], """
            Error: --map-namespace 'Services86' is not of the form FROM=TO; for example --map-namespace Services86=Services88.
            Usage: soaptape diff [<options>] <expected> <actual>
              See 'soaptape diff --help' for more information.

            """),
        (["diff", "a.xml", "b.xml", "--ignore", "//f:Ticket"], """
            Error: --ignore: the XPath '//f:Ticket' cannot be used: the prefix 'f' is not bound; bind it with --ns f=URI, or drop the prefix to match by local name.
            Usage: soaptape diff [<options>] <expected> <actual>
              See 'soaptape diff --help' for more information.

            """),
        (["diff", "a.xml", "b.xml", "--unordered", "//["], """
            Error: --unordered: the XPath '//[' cannot be used: it is not a valid XPath 1.0 expression.
            Usage: soaptape diff [<options>] <expected> <actual>
              See 'soaptape diff --help' for more information.

            """),
        (["diff", "-", "-"], """
            Error: Only one of the two documents can be read from stdin (-).
            Usage: soaptape diff [<options>] <expected> <actual>
              See 'soaptape diff --help' for more information.

            """),
        (["diff", "a.xml", "b.xml", "--format", "yaml"], """
            Error: --format 'yaml' is not a format; use text or json.
            Usage: soaptape diff [<options>] <expected> <actual>
              See 'soaptape diff --help' for more information.

            """),
        (["frobnicate"], """
            Error: Unexpected argument 'frobnicate'
            Usage: soaptape <subcommand>
              See 'soaptape --help' for more information.

            """),
    ])
    func usageErrorsExitTwo(_ arguments: [String], _ message: String) throws {
        #expect(try CLI.run(arguments) == Outcome(stdout: "", stderr: message, status: 2))
    }

    @Test func unreadableFilesExitTwo() throws {
        #expect(try CLI.run(["diff", "missing.xml", response]) == Outcome(
            stdout: "", stderr: "missing.xml: error: cannot read the file (no such file); check the path and its "
                + "permissions\n", status: 2))
        #expect(try CLI.run(["canon", "/"]) == Outcome(
            stdout: "", stderr: "/: error: cannot read the file (it is a directory); check the path and its "
                + "permissions\n", status: 2))
    }

    @Test func unusablePlaceholdersExitTwoWithTheirPlace() throws {
        let directory = try CLI.directory(with: ["expected.xml": Array("<r>\n  <v>${integr}</v>\n</r>\n".utf8)])
        #expect(try CLI.run(["diff", "expected.xml", "expected.xml"], in: directory) == Outcome(
            stdout: "", stderr: "expected.xml:2:6: error: the placeholder ${integr} cannot be used: it is not a known "
                + "placeholder; use one of ${ignore}, ${redacted}, ${string}, ${int}, ${long}, ${decimal}, ${double}, "
                + "${boolean}, ${dateTime}, ${date}, ${guid}, ${base64}, ${regex:PATTERN} or another XML Schema "
                + "built-in type name\n", status: 2))
    }

    @Test func helpReadsAsAManual() throws {
        let root = try CLI.run(["--help"])
        #expect(root.status == 0)
        #expect(root.stdout.contains("SUBCOMMANDS:\n  diff                    Compare two SOAP envelopes"))
        #expect(root.stdout.contains("Exit codes: 0 all good; 1 findings (differences); 2 usage, input or"))
        let diff = try CLI.run(["diff", "--help"])
        #expect(diff.status == 0)
        #expect(diff.stdout.hasPrefix("OVERVIEW: Compare two SOAP envelopes (or any XML documents) canonically.\n"))
        for flag in ["--namespaces <mode>", "--map-namespace <FROM=TO>", "--ignore <xpath>", "--ns <prefix=URI>",
                     "--unordered <xpath>", "--repeating <xpath>", "--optional <xpath>", "--identical",
                     "--format <format>", "Exit status: 0\nequal, 1 different, 2 input error."] {
            #expect(diff.stdout.contains(flag), "\(flag)")
        }
        #expect(try CLI.run(["--version"]) == Outcome(stdout: "0.1.0\n", stderr: "", status: 0))
    }
}
