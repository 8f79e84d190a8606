import Foundation

/// The shape of an element in an operation's message: its name, type, how often it may occur, and its children
/// in order. Read from a spec's envelopes or from a WSDL's schema; compared across versions by `ContractComparison`.
public struct ElementShape: Equatable, Sendable {
    /// The local name.
    public var name: String
    /// The type's local name (`int`, `string`, `Sale`, `ArrayOfstring`), when known.
    public var type: String?
    /// The least number of occurrences (0: optional).
    public var minOccurs: Int
    /// The most occurrences; nil for unbounded (repeating).
    public var maxOccurs: Int?
    /// Whether `xsi:nil` is allowed, when known.
    public var nillable: Bool?
    /// The child elements, in order.
    public var children: [ElementShape]
    /// The element's namespace URI, when read from a schema ("" for an unqualified local element).
    public var namespace: String?
    /// The type's namespace URI, when read from a schema.
    public var typeNamespace: String?
    /// The values a simple-typed element may hold, when a schema restricts them (enumerations, facets, lists).
    public var values: ValueSpace?

    /// Creates a shape.
    public init(name: String, type: String? = nil, minOccurs: Int = 1, maxOccurs: Int? = 1, nillable: Bool? = nil,
                children: [ElementShape] = [], namespace: String? = nil) {
        self.name = name
        self.namespace = namespace
        self.type = type
        self.minOccurs = minOccurs
        self.maxOccurs = maxOccurs
        self.nillable = nillable
        self.children = children
    }

    /// True when the element may occur more than once.
    public var repeating: Bool { maxOccurs.map { $0 > 1 } ?? true }
}

/// The lexical space of a schema simple type: its base, enumerated values and other facets; a list's item type
/// or a union's member types. Read from `xs:simpleType`; compared across versions for what clients may send or
/// receive.
public struct ValueSpace: Equatable, Sendable {
    /// How the type is built.
    public enum Variety: String, Equatable, Sendable {
        /// A restriction of one type.
        case atomic
        /// A whitespace-separated list of items of `members[0]` (WCF's flag enumerations).
        case list
        /// One of `members`.
        case union
    }

    /// How the type is built.
    public var variety: Variety
    /// The base type's local name, for an atomic restriction.
    public var base: String?
    /// The enumerated values, in schema order; nil when not enumerated.
    public var enumerations: [String]?
    /// Other facets by name (`pattern`, `maxLength`, `minInclusive`, …); patterns joined by `|`.
    public var facets: [String: String]
    /// A list's item type, or a union's member types.
    public var members: [ValueSpace]

    /// Creates a value space.
    public init(variety: Variety, base: String? = nil, enumerations: [String]? = nil, facets: [String: String] = [:],
                members: [ValueSpace] = []) {
        self.variety = variety
        self.base = base
        self.enumerations = enumerations
        self.facets = facets
        self.members = members
    }
}

/// One operation's contract.
public struct OperationContract: Equatable, Sendable {
    /// The agent (service), `Favourite`.
    public var agent: String
    /// The operation, `ToggleFavourite`.
    public var name: String
    /// The service version, `Services88`, when known.
    public var version: String?
    /// The SOAP action.
    public var action: String?
    /// The request's payload element.
    public var request: ElementShape?
    /// The response's payload element.
    public var response: ElementShape?

    /// Creates a contract.
    public init(agent: String, name: String, version: String?, action: String?, request: ElementShape?,
                response: ElementShape?) {
        self.agent = agent
        self.name = name
        self.version = version
        self.action = action
        self.request = request
        self.response = response
    }

    /// `Favourite/ToggleFavourite`: how operations are matched across versions.
    public var key: String { "\(agent)/\(name)" }
}

/// Every operation one side of a comparison describes, and how much its shapes say.
public struct ServiceContract: Sendable {
    /// Where it was read from, as the user named it.
    public var source: String
    /// What kind of source it was.
    public var kind: Kind
    /// The operations, by `Agent/Operation`.
    public var operations: [String: OperationContract]

    /// The kinds of source a contract is read from.
    public enum Kind: String, Sendable {
        /// A folder of specs.
        case specs
        /// A WSDL.
        case wsdl
        /// SuperOffice reference pages.
        case pages
    }

    /// True when occurrence (`minOccurs`, `maxOccurs`) and `nillable` come from a schema and can be compared.
    public var knowsOccurrences: Bool { kind == .wsdl }

    /// Creates a contract.
    public init(source: String, kind: Kind, operations: [String: OperationContract]) {
        self.source = source
        self.kind = kind
        self.operations = operations
    }

    /// The versions the operations name (`Services86`), for headings.
    public var versions: [String] { Set(operations.values.compactMap(\.version)).sorted() }
}
