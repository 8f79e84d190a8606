import Foundation
import SoapXML
import Yams

/// A spec as loaded from disk: the model, its file, and its envelopes parsed and checked.
public struct LoadedSpec: Sendable {
    /// The contract.
    public var spec: OperationSpec
    /// The spec file, as the user named it.
    public var file: String
    /// The comparison options its rules make (envelope version mapping not included).
    public var options: ComparisonOptions
    /// Paths the schema alone makes optional (`minOccurs="0"`), not the spec's own rules.
    public var schemaOptional: Set<String> = []

    /// The options for a contract check of a live answer against a recording: the spec's, except that an element
    /// the recording had is not made optional by the schema alone (a response element that disappears breaks
    /// existing clients, as `compare` classes it).
    public var contractOptions: ComparisonOptions {
        var options = options
        options.optional.removeAll { schemaOptional.contains($0.expression) && !spec.rules.optional.contains($0.expression) }
        return options
    }

    /// The options for comparing a message with a recording of this operation rather than with the spec's
    /// template: the ignore and unordered rules hold, but a recording is concrete, so its array items compare
    /// one by one and its elements are all required (the template rules `repeating` and `optional` are dropped).
    public var recordingOptions: ComparisonOptions {
        var options = options
        options.repeating = []
        options.optional = []
        options.nillable = []
        return options
    }
}

/// Reads spec files, with every error placed at `file:line:column` and shown with its line and a caret.
public enum SpecLoader {
    static let topKeys = OperationSpec.CodingKeys.allCases.map(\.rawValue)
    static let ruleKeys = SpecRules.CodingKeys.allCases.map(\.rawValue)
    static let defaultsKeys = ["soap", "schema", "schema_map", "rules"]
    /// The agent-level defaults file in an agent's folder.
    public static let defaultsFileName = "_defaults.yaml"
    /// The suffix of the hand-written examples file beside a spec.
    public static let examplesSuffix = ".examples.yaml"

    /// Loads the spec at `path`, merging the agent defaults and examples files beside it.
    public static func load(_ path: String) throws(SourceError) -> LoadedSpec {
        let source = try YAMLSource.read(path)
        let root = try MappingReader(try source.compose(), source: source, what: "the spec")
        try root.checkKeys(topKeys)
        if let format = try root.int("format"), format != 1 {
            throw source.error(at: root.node("format")?.mark,
                               "format \(format) is not known to this soaptape, which reads format 1; upgrade soaptape")
        }
        let directory = (path as NSString).deletingLastPathComponent
        let defaults = try loadDefaults(in: directory)
        var soap: [SoapVersion] = []
        for (text, mark) in try root.strings("soap") {
            guard let version = SoapVersion(rawValue: text) else {
                throw source.error(at: mark, "'\(text)' is not a SOAP version; use 1.1 or 1.2")
            }
            soap.append(version)
        }
        if soap.isEmpty { soap = defaults?.soap ?? [] }
        if soap.isEmpty {
            throw source.error(at: root.node.mark, "the spec lacks the required key 'soap' (the SOAP versions "
                               + "accepted: [1.1], [1.2] or [1.1, 1.2])")
        }
        var spec = OperationSpec(
            version: try root.required("version"), agent: try root.required("agent"),
            operation: try root.required("operation"), endpoint: try root.required("endpoint"), soap: soap,
            action: try root.required("action"), namespace: try root.required("namespace"),
            request: try root.required("request"), response: try root.required("response"))
        spec.requestElement = try root.string("request_element")
        spec.responseElement = try root.string("response_element")
        spec.description = try root.string("description")
        spec.schema = try root.string("schema") ?? defaults?.schema
        let schemaMap = try root.strings("schema_map")
        for (text, mark) in schemaMap where (try? NamespaceMapping.parse(text, regex: false)) == nil {
            throw source.error(at: mark, "'\(text)' is not of the form FROM=TO; for example Services83=Services86")
        }
        spec.schemaMap = schemaMap.isEmpty ? defaults?.schemaMap ?? [] : schemaMap.map(\.0)
        if let rules = try root.mapping("rules", what: "the rules") {
            spec.rules = try readRules(rules)
        }
        if let defaultRules = defaults?.rules { spec.rules.merge(defaultRules) }
        spec.faults = try root.strings("faults").map(\.0)
        if let generated = try root.mapping("generated", what: "the generated block") {
            try generated.checkKeys(GeneratedMark.CodingKeys.allCases.map(\.rawValue))
            spec.generated = GeneratedMark(by: try generated.required("by"), source: try generated.required("source"),
                                           fingerprint: try generated.required("fingerprint"))
        }
        guard spec.endpoint.hasPrefix("/") else {
            throw source.error(at: root.node("endpoint")?.mark,
                               "the endpoint must be a path starting with '/', like /Remote/Services88/Favourite.svc")
        }
        var options = try compileRules(spec.rules, source: source, root: root)
        // Occurrence comes from the schema: what may be absent, nil or repeated, whatever the spec was made from.
        var schemaOptional: Set<String> = []
        if let schema = spec.schema {
            let occurrences = SchemaOccurrences.of(spec, schema: (directory as NSString).appendingPathComponent(schema))
            occurrences.apply(to: &options)
            schemaOptional = Set(occurrences.optional)
        }
        // Envelopes: well-formed XML with usable placeholders, errors placed inside the YAML file.
        for key in ["request", "response"] {
            try checkEnvelope(root.node(key)!, key: key, source: source)
        }
        for node in try root.sequence("faults") { try checkEnvelope(node, key: "faults", source: source) }
        let examplesPath = (directory as NSString).appendingPathComponent(spec.operation + examplesSuffix)
        if FileManager.default.fileExists(atPath: examplesPath) {
            spec.examples = try loadExamples(examplesPath)
        }
        return LoadedSpec(spec: spec, file: path, options: options, schemaOptional: schemaOptional)
    }

    struct Defaults {
        var soap: [SoapVersion]?
        var schema: String?
        var schemaMap: [String]?
        var rules: SpecRules?
    }

    static func loadDefaults(in directory: String) throws(SourceError) -> Defaults? {
        let path = (directory as NSString).appendingPathComponent(defaultsFileName)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let source = try YAMLSource.read(path)
        let root = try MappingReader(try source.compose(), source: source, what: "the agent defaults")
        try root.checkKeys(defaultsKeys)
        var defaults = Defaults()
        let soap = try root.strings("soap")
        if !soap.isEmpty {
            var versions: [SoapVersion] = []
            for (text, mark) in soap {
                guard let version = SoapVersion(rawValue: text) else {
                    throw source.error(at: mark, "'\(text)' is not a SOAP version; use 1.1 or 1.2")
                }
                versions.append(version)
            }
            defaults.soap = versions
        }
        defaults.schema = try root.string("schema")
        let schemaMap = try root.strings("schema_map")
        for (text, mark) in schemaMap where (try? NamespaceMapping.parse(text, regex: false)) == nil {
            throw source.error(at: mark, "'\(text)' is not of the form FROM=TO; for example Services83=Services86")
        }
        if !schemaMap.isEmpty { defaults.schemaMap = schemaMap.map(\.0) }
        if let rules = try root.mapping("rules", what: "the rules") {
            defaults.rules = try readRules(rules)
            _ = try compileRules(defaults.rules!, source: source, root: root)
        }
        return defaults
    }

    static func readRules(_ rules: MappingReader) throws(SourceError) -> SpecRules {
        try rules.checkKeys(ruleKeys)
        var result = SpecRules()
        result.ignore = try rules.strings("ignore").map(\.0)
        result.repeating = try rules.strings("repeating").map(\.0)
        result.optional = try rules.strings("optional").map(\.0)
        result.unordered = try rules.strings("unordered").map(\.0)
        result.required = try rules.strings("required").map(\.0)
        if let namespaces = try rules.mapping("namespaces", what: "the rule namespaces") {
            for (key, value) in namespaces.mapping {
                guard let prefix = key.string, let uri = value.string else {
                    throw rules.source.error(at: key.mark, "each rule namespace must be 'prefix: URI'")
                }
                result.namespaces[prefix] = uri
            }
        }
        return result
    }

    /// The engine options for `rules`; an XPath that does not compile is an error at its place.
    static func compileRules(_ rules: SpecRules, source: YAMLSource, root: MappingReader) throws(SourceError)
        -> ComparisonOptions
    {
        var options = ComparisonOptions()
        let ruleNode = root.node("rules")
        func compile(_ key: String, _ expressions: [String]) throws(SourceError) -> [XPathSelector] {
            var selectors: [XPathSelector] = []
            for expression in expressions {
                do {
                    selectors.append(try XPathSelector(expression, namespaces: rules.namespaces))
                } catch {
                    var mark = ruleNode?.mark
                    if case .mapping(let mapping)? = ruleNode, let list = mapping[Node(key)] {
                        mark = list.mark
                        if case .sequence(let items) = list {
                            mark = items.first { $0.string == expression }?.mark ?? mark
                        }
                    }
                    throw source.error(at: mark, "the XPath '\(expression)' in rules.\(key) cannot be used: \(error.reason)")
                }
            }
            return selectors
        }
        options.ignore = try compile("ignore", rules.ignore)
        options.repeating = try compile("repeating", rules.repeating)
        options.optional = try compile("optional", rules.optional)
        options.unordered = try compile("unordered", rules.unordered)
        options.required = try compile("required", rules.required)
        return options
    }

    /// Parses an envelope block; a parse error or an unusable placeholder is placed in the YAML file.
    @discardableResult
    static func checkEnvelope(_ node: Node, key: String, source: YAMLSource) throws(SourceError) -> XMLDocument {
        guard case .scalar(let scalar) = node else {
            throw source.error(at: node.mark, "'\(key)' must be an XML envelope written as a block (key: |)")
        }
        let document: XMLDocument
        do {
            document = try XMLDocument(string: scalar.string, name: source.file)
        } catch {
            let (line, column) = source.place(inBlock: node, xmlLine: error.line, xmlColumn: error.column)
            throw SourceError(file: source.file, line: line, column: column,
                              message: "the \(key) envelope is not well-formed XML: \(error.message)",
                              sourceLine: source.line(line))
        }
        if let problem = document.placeholderProblems().first {
            let (line, _) = source.place(inBlock: node, xmlLine: problem.line, xmlColumn: 1)
            let text = source.line(line) ?? ""
            let column = text.range(of: problem.placeholder).map { text.distance(from: text.startIndex, to: $0.lowerBound) + 1 } ?? 1
            throw SourceError(file: source.file, line: line, column: column,
                              message: "the placeholder \(problem.placeholder) cannot be used: \(problem.reason)",
                              sourceLine: text)
        }
        return document
    }

    static func loadExamples(_ path: String) throws(SourceError) -> [SpecExample] {
        let source = try YAMLSource.read(path)
        let root = try source.compose()
        guard case .sequence(let items) = root else {
            throw source.error(at: root.mark, "an examples file is a list of examples, each with name, request and responses")
        }
        var examples: [SpecExample] = []
        for item in items {
            let example = try MappingReader(item, source: source, what: "an example")
            try example.checkKeys(SpecExample.CodingKeys.allCases.map(\.rawValue))
            let request = try example.required("request")
            try checkEnvelope(example.node("request")!, key: "request", source: source)
            var responses: [String] = []
            for node in try example.sequence("responses") {
                try checkEnvelope(node, key: "responses", source: source)
                responses.append(node.string ?? "")
            }
            if responses.isEmpty {
                throw source.error(at: item.mark, "the example '\(try example.string("name") ?? "")' has no responses")
            }
            examples.append(SpecExample(name: try example.required("name"), request: request, responses: responses))
        }
        return examples
    }
}
