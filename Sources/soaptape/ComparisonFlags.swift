import ArgumentParser
import Foundation
import SoapXML

/// The comparison rules shared by `diff` and `canon`.
struct ComparisonFlags: ParsableArguments {
    @Option(name: .customLong("namespaces"),
            help: ArgumentHelp("How namespace URIs compare: strict, map, or ignore.", valueName: "mode"))
    var namespaceMode: String?

    @Option(name: .customLong("map-namespace"), parsing: .singleValue,
            help: ArgumentHelp("Rewrite namespace URIs, replacing FROM with TO (implies --namespaces map). "
                               + "Example: --map-namespace Services86=Services88.", valueName: "FROM=TO"))
    var mapNamespace: [String] = []

    @Option(name: .customLong("map-namespace-regex"), parsing: .singleValue,
            help: ArgumentHelp("Rewrite namespace URIs by regular expression; $1…$9 insert groups "
                               + "(implies --namespaces map).", valueName: "PATTERN=REPLACEMENT"))
    var mapNamespaceRegex: [String] = []

    @Option(name: .customLong("ignore"), parsing: .singleValue,
            help: ArgumentHelp("Leave the nodes this XPath selects out of the comparison (repeatable). An "
                               + "unprefixed name matches in any namespace: --ignore //Ticket.", valueName: "xpath"))
    var ignore: [String] = []

    @Option(name: .customLong("ns"), parsing: .singleValue,
            help: ArgumentHelp("Bind a prefix for the XPaths (repeatable).", valueName: "prefix=URI"))
    var namespaceBindings: [String] = []

    @Option(name: .customLong("unordered"), parsing: .singleValue,
            help: ArgumentHelp("The children of the elements this XPath selects compare in any order.",
                               valueName: "xpath"))
    var unordered: [String] = []

    @Option(name: .customLong("repeating"), parsing: .singleValue,
            help: ArgumentHelp("The expected elements this XPath selects match zero or more actual siblings "
                               + "of the same name, each compared with it.", valueName: "xpath"))
    var repeating: [String] = []

    @Option(name: .customLong("optional"), parsing: .singleValue,
            help: ArgumentHelp("The expected elements this XPath selects may be absent.", valueName: "xpath"))
    var optional: [String] = []

    @Option(name: .customLong("whitespace"),
            help: ArgumentHelp("How text compares: trim (ends trimmed), normalize (inner runs collapsed too), or exact.",
                               valueName: "mode"))
    var whitespace: String = "trim"

    @Option(name: .customLong("qname-attribute"), parsing: .singleValue,
            help: ArgumentHelp("Another attribute whose value is a QName, as {URI}local (xsi:type always is).",
                               valueName: "{URI}local"))
    var qnameAttributes: [String] = []

    @Flag(name: .customLong("identical"),
          help: "Count namespace prefixes and where namespaces are declared too.")
    var identical = false

    /// Checks every rule while arguments are parsed, so a bad flag is reported with the command's usage.
    func validate() throws {
        _ = try makeOptions()
    }

    /// The engine's options, or a usage error that names the flag and the fix.
    func makeOptions() throws -> ComparisonOptions {
        var options = ComparisonOptions()
        var mappings: [NamespaceMapping] = []
        for text in mapNamespace {
            guard let mapping = try? NamespaceMapping.parse(text, regex: false) else {
                throw ValidationError("--map-namespace '\(text)' is not of the form FROM=TO; for example "
                                      + "--map-namespace Services86=Services88.")
            }
            mappings.append(mapping)
        }
        for text in mapNamespaceRegex {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw ValidationError("--map-namespace-regex '\(text)' is not of the form PATTERN=REPLACEMENT.")
            }
            do {
                mappings.append(try NamespaceMapping.parse(text, regex: true))
            } catch {
                throw ValidationError("--map-namespace-regex '\(text)': the pattern '\(text[..<equals])' is not a "
                                      + "valid regular expression.")
            }
        }
        options.namespaceMappings = mappings
        switch namespaceMode {
        case nil: options.namespaces = mappings.isEmpty ? .strict : .map
        case let mode?:
            guard let parsed = NamespaceMode(rawValue: mode) else {
                throw ValidationError("--namespaces '\(mode)' is not a mode; use strict, map or ignore.")
            }
            if parsed != .map && !mappings.isEmpty {
                throw ValidationError("--map-namespace needs --namespaces map (or leave --namespaces out).")
            }
            options.namespaces = parsed
        }
        guard let whitespaceMode = WhitespaceMode(rawValue: whitespace) else {
            throw ValidationError("--whitespace '\(whitespace)' is not a mode; use trim, normalize or exact.")
        }
        options.whitespace = whitespaceMode
        var bindings: [String: String] = [:]
        for binding in namespaceBindings {
            guard let equals = binding.firstIndex(of: "="), equals != binding.startIndex,
                binding.index(after: equals) != binding.endIndex
            else {
                throw ValidationError("--ns '\(binding)' is not of the form prefix=URI; for example "
                                      + "--ns fav=http://www.superoffice.net/ws/crm/NetServer/Services88.")
            }
            bindings[String(binding[..<equals])] = String(binding[binding.index(after: equals)...])
        }
        func selectors(_ expressions: [String], flag: String) throws -> [XPathSelector] {
            try expressions.map { expression in
                do {
                    return try XPathSelector(expression, namespaces: bindings)
                } catch {
                    throw ValidationError("\(flag): \(error).")
                }
            }
        }
        options.ignore = try selectors(ignore, flag: "--ignore")
        options.unordered = try selectors(unordered, flag: "--unordered")
        options.repeating = try selectors(repeating, flag: "--repeating")
        options.optional = try selectors(optional, flag: "--optional")
        for text in qnameAttributes {
            guard let name = QualifiedName(clark: text) else {
                throw ValidationError("--qname-attribute '\(text)' is not of the form {URI}local or local.")
            }
            options.qnameAttributes.append(name)
        }
        options.identical = identical
        return options
    }
}
