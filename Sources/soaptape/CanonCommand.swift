import ArgumentParser
import Foundation
import SoapXML

/// `soaptape canon`: prints a document's canonical pretty form.
struct CanonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "canon",
        abstract: "Print a document in canonical pretty form, for any text diff tool.",
        discussion: """
            Namespaces get stable generated prefixes declared once on the root (soap, soap12, xsi, xsd, ser, \
            arr for well-known namespaces, ns1, ns2, … for others in order of first use); attributes are \
            sorted; xsi:type values are rewritten to the generated prefixes; text is trimmed; comments, \
            processing instructions and ignored nodes are left out. Documents that soaptape diff calls \
            equal print the same (placeholders and unordered children aside).

            Example:
              diff <(soaptape canon recorded.xml) <(soaptape canon live.xml)
            """)

    @Argument(help: ArgumentHelp("The document; - reads stdin.", valueName: "file"))
    var file: String

    @OptionGroup(title: "Comparison rules")
    var rules: ComparisonFlags

    func run() throws {
        let options = try rules.makeOptions()
        let document = try DocumentLoading.load(file)
        FileHandle.standardOutput.write(Data(CanonicalPrinter(options: options).print(document).utf8))
    }
}
