import ArgumentParser
import Foundation
import SoapXML
import SoaptapeCore

/// `soaptape diff`: compares two XML documents canonically and explains every difference.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two SOAP envelopes (or any XML documents) canonically.",
        discussion: """
            Prefixes, where namespaces are declared, indentation, attribute order, comments, processing \
            instructions, CDATA markup, character references and the document's encoding never count. \
            xsi:type values are compared as resolved {URI}local names.

            The expected document may hold placeholders as whole text or attribute values: ${ignore} (or \
            ${any}), ${redacted}, ${string}, ${int}, ${long}, ${decimal}, ${double}, ${boolean}, \
            ${dateTime}, ${date}, ${guid}, ${base64}, any other XML Schema built-in type name, and \
            ${regex:PATTERN}.

            Prints each difference with its path, expected and actual values, their lines and a hint, then \
            a unified diff of the two canonical forms. Exit status: 0 equal, 1 different, 2 input error.

            Examples:
              soaptape diff expected.xml actual.xml
              soaptape diff recorded.xml live.xml --ignore //Ticket
              soaptape diff v86.xml v88.xml --map-namespace Services86=Services88
              curl -s … | soaptape diff expected.xml - --format json
            """)

    @Argument(help: ArgumentHelp("The expected document (may hold placeholders); - reads stdin.", valueName: "expected"))
    var expected: String

    @Argument(help: ArgumentHelp("The actual document; - reads stdin.", valueName: "actual"))
    var actual: String

    @OptionGroup(title: "Comparison rules")
    var rules: ComparisonFlags

    @Option(name: .customLong("format"), help: ArgumentHelp("Output format: text or json.", valueName: "format"))
    var format: String = "text"

    func validate() throws {
        guard format == "text" || format == "json" else {
            throw ValidationError("--format '\(format)' is not a format; use text or json.")
        }
        if expected == "-" && actual == "-" {
            throw ValidationError("Only one of the two documents can be read from stdin (-).")
        }
    }

    func run() throws {
        let options = try rules.makeOptions()
        let expectedDocument = try DocumentLoading.load(expected)
        let actualDocument = try DocumentLoading.load(actual)
        try DocumentLoading.checkPlaceholders(expectedDocument, path: expected)
        let result = XMLComparator(options: options).compare(expectedDocument, actualDocument)
        var canonicalDiff = ""
        if !result.isEqual {
            let forms = CanonicalPrinter(options: options).print([expectedDocument, actualDocument])
            canonicalDiff = UnifiedDiff().diff(forms[0], forms[1], oldName: expectedDocument.name,
                                               newName: actualDocument.name)
        }
        let report = DifferenceReport(expectedName: expectedDocument.name, actualName: actualDocument.name,
                                      differences: result.differences, canonicalDiff: canonicalDiff)
        let output = format == "json" ? report.json() : report.text(colour: Terminal.stdoutIsColourTerminal)
        FileHandle.standardOutput.write(Data(output.utf8))
        if !result.isEqual { throw ExitCode(1) }
    }
}
