/// What kind of difference a comparison found; the raw value is the name used in JSON reports.
public enum DifferenceKind: String, CaseIterable, Codable, Sendable {
    /// An expected element is absent.
    case missingElement = "missing-element"
    /// An element the spec's `rules.required` names is absent.
    case requiredElement = "required-element"
    /// The actual document has an element the expected one does not.
    case unexpectedElement = "unexpected-element"
    /// Same local name, other namespace URI.
    case namespaceURI = "namespace-uri"
    /// An element's text differs.
    case textValue = "text-value"
    /// An attribute's value differs.
    case attributeValue = "attribute-value"
    /// An expected attribute is absent.
    case missingAttribute = "missing-attribute"
    /// The actual element has an attribute the expected one does not.
    case unexpectedAttribute = "unexpected-attribute"
    /// An element stands at another position among its siblings.
    case childOrder = "child-order"
    /// A value does not have the form its placeholder demands.
    case placeholderMismatch = "placeholder-mismatch"
    /// Another prefix for the same namespace (only with `identical`).
    case namespacePrefix = "namespace-prefix"
    /// Other namespace declarations on an element (only with `identical`).
    case namespaceDeclaration = "namespace-declaration"
    /// Another HTTP status (replay).
    case httpStatus = "http-status"
    /// A SOAP Fault where none was expected, or none where one was (replay).
    case fault = "fault"
    /// Another SOAP action or SOAP version than the contract says (verify).
    case soapBinding = "soap-binding"
    /// A body that is not well-formed XML where an envelope was expected.
    case notXML = "not-xml"
    /// An element the service's schema (XSD or WSDL) does not allow (verify).
    case schema = "schema"
    /// A change of contract between two WSDLs (operations, elements, types, values), as `compare` classes it.
    case contractChange = "contract-change"

    /// A short phrase for text reports: "text value", "missing element", …
    public var phrase: String {
        switch self {
        case .missingElement: "missing element"
        case .requiredElement: "required element missing"
        case .unexpectedElement: "unexpected element"
        case .namespaceURI: "namespace URI"
        case .textValue: "text value"
        case .attributeValue: "attribute value"
        case .missingAttribute: "missing attribute"
        case .unexpectedAttribute: "unexpected attribute"
        case .childOrder: "child order"
        case .placeholderMismatch: "placeholder mismatch"
        case .namespacePrefix: "namespace prefix"
        case .namespaceDeclaration: "namespace declarations"
        case .httpStatus: "HTTP status"
        case .fault: "fault"
        case .soapBinding: "SOAP binding"
        case .notXML: "not XML"
        case .schema: "schema violation"
        case .contractChange: "contract change"
        }
    }
}

/// One difference between an expected and an actual document: where, what was expected, what was found.
public struct Difference: Codable, Hashable, Sendable {
    /// The kind of difference.
    public var kind: DifferenceKind
    /// A readable, prefix-free path: `/Envelope/Body/ToggleFavouriteResponse/Response`, `[n]` only where
    /// siblings of that name repeat, `/@name` for attributes.
    public var path: String
    /// What the expected document has there (nil when it has nothing).
    public var expected: String?
    /// What the actual document has there (nil when it has nothing).
    public var actual: String?
    /// The line in the expected document, when the node is there.
    public var expectedLine: Int?
    /// The line in the actual document, when the node is there.
    public var actualLine: Int?

    /// Creates a difference.
    public init(
        kind: DifferenceKind, path: String, expected: String?, actual: String?,
        expectedLine: Int? = nil, actualLine: Int? = nil
    ) {
        self.kind = kind
        self.path = path
        self.expected = expected
        self.actual = actual
        self.expectedLine = expectedLine
        self.actualLine = actualLine
    }

    /// What to do about it, as a sentence naming the option that would accept it if it is intended.
    public var hint: String {
        switch kind {
        case .missingElement:
            "If this element may be absent, mark it --optional \(path); if it is an array item that may occur "
                + "any number of times, mark it --repeating."
        case .requiredElement:
            "The spec's rules.required says every message carries this element (a header block the service needs): "
                + "fix the producer, or take the path out of rules.required if the contract does not require it."
        case .unexpectedElement:
            "If another item of an array is allowed here, mark the expected item --repeating; if extra content is "
                + "harmless, pass --ignore \(path)."
        case .namespaceURI:
            "If the documents come from different service versions, map one namespace onto the other with "
                + "--map-namespace FROM=TO (or compare local names only with --namespaces ignore)."
        case .textValue, .attributeValue:
            "If this value changes from run to run, put a placeholder such as ${string}, ${int} or ${ignore} in "
                + "the expected document, or pass --ignore \(path)."
        case .missingAttribute, .unexpectedAttribute:
            "If this attribute does not matter, pass --ignore \(path)."
        case .childOrder:
            "If the order of these siblings does not matter, pass --unordered with the parent's path."
        case .placeholderMismatch:
            "The value is not of the form the placeholder demands: fix the producer, or loosen the placeholder "
                + "(${string}, ${ignore})."
        case .namespacePrefix, .namespaceDeclaration:
            "Prefixes and declarations count only under --identical; leave it out to compare by namespace URI."
        case .httpStatus:
            "The server answered with another HTTP status than the recording: read the response body for its "
                + "reason; if the new status is intended, record the interaction again."
        case .fault:
            "One side is a SOAP Fault and the other is not: read the fault's reason (a ticket that expired, a "
                + "missing --set value, a server error); if the change is intended, record the interaction again."
        case .soapBinding:
            "The message's action or SOAP version is not the one its spec names: fix the client, or the spec's "
                + "action/soap fields if the spec is wrong."
        case .schema:
            "The message does not conform to the service's schema: fix the producer, or — if the schema is out of "
                + "date — the spec's schema file."
        case .contractChange:
            "The service's contract changed (soaptape compare classes it the same way): if the change is intended, "
                + "update the clients and record again."
        case .notXML:
            "The body is not a well-formed XML envelope: look at what the server sent (a proxy's HTML error page, "
                + "a truncated answer)."
        }
    }
}

/// The outcome of comparing two documents: every difference found, in document order.
public struct ComparisonResult: Sendable {
    /// The differences; empty when the documents are equal under the options.
    public var differences: [Difference]

    /// True when no difference was found.
    public var isEqual: Bool { differences.isEmpty }

    /// Creates a result from `differences`.
    public init(differences: [Difference]) { self.differences = differences }
}
