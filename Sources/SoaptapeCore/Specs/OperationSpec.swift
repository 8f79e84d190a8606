import SoapXML

/// One operation's contract: where it is served, how it is called, what its envelopes look like, and the
/// rules for comparing them. Written in `specs/<ServicesNN>/<Agent>/<Operation>.yaml` (docs/specs.md).
public struct OperationSpec: Codable, Equatable, Sendable {
    /// The spec format version; 1 today.
    public var format: Int = 1
    /// The service version, `Services88`.
    public var version: String
    /// The agent (service), `Favourite`.
    public var agent: String
    /// The operation, `ToggleFavourite`.
    public var operation: String
    /// The endpoint path, `/Remote/Services88/Favourite.svc`.
    public var endpoint: String
    /// The SOAP versions accepted.
    public var soap: [SoapVersion]
    /// The action (SOAP 1.1 `SOAPAction`, SOAP 1.2 `action` parameter).
    public var action: String
    /// The target namespace of the request and response elements.
    public var namespace: String
    /// The Body's first child in requests, when it is not `<operation>`.
    public var requestElement: String?
    /// The Body's first child in responses, when it is not `<operation>Response`.
    public var responseElement: String?
    /// What the operation does, kept from the source page.
    public var description: String?
    /// An XSD or WSDL governing the body, relative to the spec file.
    public var schema: String?
    /// Namespace rewrites (`FROM=TO`) applied before validating against `schema`: a version with no published
    /// WSDL validated against the nearest version's (`Services83=Services86`).
    public var schemaMap: [String] = []
    /// Comparison rules.
    public var rules: SpecRules = SpecRules()
    /// The request envelope, placeholders allowed.
    public var request: String
    /// The response envelope, placeholders allowed.
    public var response: String
    /// Fault envelopes the operation may answer with.
    public var faults: [String] = []
    /// Concrete request → response pairs (from `<Operation>.examples.yaml`).
    public var examples: [SpecExample] = []
    /// Set when the spec was written by `soaptape import`.
    public var generated: GeneratedMark?

    /// Creates a spec.
    public init(
        version: String, agent: String, operation: String, endpoint: String, soap: [SoapVersion], action: String,
        namespace: String, request: String, response: String
    ) {
        self.version = version
        self.agent = agent
        self.operation = operation
        self.endpoint = endpoint
        self.soap = soap
        self.action = action
        self.namespace = namespace
        self.request = request
        self.response = response
    }

    /// The request element's local name.
    public var requestElementName: String { requestElement ?? operation }
    /// The response element's local name.
    public var responseElementName: String { responseElement ?? operation + "Response" }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case format, version, agent, operation, endpoint, soap, action, namespace
        case requestElement = "request_element"
        case responseElement = "response_element"
        case description, schema
        case schemaMap = "schema_map"
        case rules, request, response, faults, examples, generated
    }
}

/// The comparison rules of a spec, as XPaths (an unprefixed name matches in any namespace).
public struct SpecRules: Codable, Equatable, Sendable {
    /// Nodes left out of comparisons.
    public var ignore: [String] = []
    /// Expected elements standing for zero or more actual siblings (array items).
    public var repeating: [String] = []
    /// Expected elements that may be absent.
    public var optional: [String] = []
    /// Elements whose children compare in any order.
    public var unordered: [String] = []
    /// Elements that must be present in every message (a header block the contract requires), schema or not.
    public var required: [String] = []
    /// Prefix bindings for the XPaths.
    public var namespaces: [String: String] = [:]

    /// No rules.
    public init() {}

    /// Adds `other`'s rules to these (agent defaults merged into a spec).
    public mutating func merge(_ other: SpecRules) {
        ignore += other.ignore.filter { !ignore.contains($0) }
        repeating += other.repeating.filter { !repeating.contains($0) }
        optional += other.optional.filter { !optional.contains($0) }
        unordered += other.unordered.filter { !unordered.contains($0) }
        required += other.required.filter { !required.contains($0) }
        namespaces.merge(other.namespaces) { mine, _ in mine }
    }

    var isEmpty: Bool {
        ignore.isEmpty && repeating.isEmpty && optional.isEmpty && unordered.isEmpty && required.isEmpty && namespaces.isEmpty
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case ignore, repeating, optional, unordered, required, namespaces
    }
}

/// A concrete request and the responses served to it in turn.
public struct SpecExample: Codable, Equatable, Sendable {
    /// A name for messages.
    public var name: String
    /// The request, placeholders allowed.
    public var request: String
    /// The responses, served in order; the last repeats.
    public var responses: [String]

    /// Creates an example.
    public init(name: String, request: String, responses: [String]) {
        self.name = name
        self.request = request
        self.responses = responses
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, request, responses }
}

/// How an imported spec was made, so re-import can tell a hand edit.
public struct GeneratedMark: Codable, Equatable, Sendable {
    /// The tool, `soaptape import`.
    public var by: String
    /// The source page, as given to import.
    public var source: String
    /// A fingerprint of the generated content (without this block).
    public var fingerprint: String

    /// Creates a mark.
    public init(by: String, source: String, fingerprint: String) {
        self.by = by
        self.source = source
        self.fingerprint = fingerprint
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case by, source, fingerprint }
}
