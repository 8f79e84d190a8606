import Foundation
import SoapXML

/// Reads a `ServiceContract` from a spec folder, a WSDL, or a folder of SuperOffice reference pages.
public enum ContractReader {
    /// Reads `path`: a `.wsdl` file, a folder holding specs (`*.yaml`), or a folder or file of reference pages
    /// (`*.md`); several, comma-separated, are read as one side. Errors are placed at `file:line:column`.
    public static func read(_ path: String) throws -> ServiceContract {
        let parts = path.split(separator: ",").map(String.init)
        guard parts.count > 1 else { return try readOne(path) }
        var merged = try readOne(parts[0])
        for part in parts.dropFirst() {
            let next = try readOne(part)
            merged.operations.merge(next.operations) { first, _ in first }
            if next.kind != merged.kind { merged.kind = .specs }
        }
        merged.source = path
        return merged
    }

    static func readOne(_ path: String) throws -> ServiceContract {
        if path.lowercased().hasSuffix(".wsdl") { return try wsdl(path) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SourceError(file: path, line: 1, column: 1,
                              message: "no such file or folder; name a spec folder, a .wsdl file or reference pages (.md)")
        }
        let files = isDirectory.boolValue ? allFiles(under: path) : [path]
        if files.contains(where: { $0.hasSuffix(".md") }) && !files.contains(where: { $0.hasSuffix(".yaml") }) {
            return try pages(files.filter { $0.hasSuffix(".md") }, source: path)
        }
        return specs(try SpecSet.load([path]), source: path)
    }

    static func allFiles(under folder: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: folder)
        var files: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            files.append((folder as NSString).appendingPathComponent(relative))
        }
        return files.sorted()
    }

    /// The operations of a spec set: payload shapes from the envelopes, types from `xsi:type` or placeholders,
    /// repeating and optional elements from the rules.
    public static func specs(_ set: SpecSet, source: String, kind: ServiceContract.Kind = .specs) -> ServiceContract {
        var operations: [String: OperationContract] = [:]
        for loaded in set.specs {
            let spec = loaded.spec
            let contract = OperationContract(
                agent: spec.agent, name: spec.operation, version: spec.version, action: spec.action,
                request: shape(ofEnvelope: spec.request, options: loaded.options),
                response: shape(ofEnvelope: spec.response, options: loaded.options))
            operations[contract.key] = contract
        }
        return ServiceContract(source: source, kind: kind, operations: operations)
    }

    /// The operations of reference pages, imported as `soaptape import` would.
    static func pages(_ files: [String], source: String) throws -> ServiceContract {
        var specs: [LoadedSpec] = []
        for file in files {
            let imported = try PageImporter.importPage(file)
            let text = try SpecWriter.yaml(imported.spec)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("soaptape-pages-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let specFile = folder.appendingPathComponent("spec.yaml").path
            try text.write(toFile: specFile, atomically: true, encoding: .utf8)
            specs.append(try SpecLoader.load(specFile))
        }
        return Self.specs(SpecSet(specs), source: source, kind: .pages)
    }

    /// The Body's first element of an envelope template, as a shape.
    static func shape(ofEnvelope xml: String, options: ComparisonOptions) -> ElementShape? {
        guard let document = try? XMLDocument(string: xml, name: "envelope"), let root = document.rootElement(),
            let body = root.elements.first(where: { $0.localName == "Body" }), let payload = body.elements.first
        else { return nil }
        let repeating = Set(options.repeating.flatMap { $0.selectedElementPaths(in: document) })
        let optional = Set(options.optional.flatMap { $0.selectedElementPaths(in: document) })
        func build(_ element: XMLElement, path: String) -> ElementShape {
            let here = path + "/" + element.localName
            var type: String?
            if let declared = element.attribute("type", namespace: "http://www.w3.org/2001/XMLSchema-instance") {
                type = String(declared.split(separator: ":").last ?? Substring(declared))
            } else if element.elements.isEmpty, let placeholder = try? Placeholder.parse(element.text),
                case .typed(let lexical) = placeholder
            {
                type = lexical.rawValue
            }
            var children: [ElementShape] = []
            var seen = Set<String>()
            for child in element.elements where seen.insert(child.localName).inserted || !repeating.contains(here + "/" + child.localName) {
                children.append(build(child, path: here))
            }
            return ElementShape(name: element.localName, type: type, minOccurs: optional.contains(here) ? 0 : 1,
                                maxOccurs: repeating.contains(here) ? nil : 1, children: children)
        }
        return build(payload, path: "/" + root.localName + "/" + body.localName)
    }

    /// The operations of a WSDL's port type, their payloads from its schemas (complex types expanded, base types
    /// first, recursion cut at a depth of 12).
    public static func wsdl(_ path: String) throws -> ServiceContract {
        wsdl(definitions: try WSDLDefinitions.read(path), source: path)
    }

    /// The operations of the WSDL whose `wsdl:definitions` element is `definitions` (a WSDL fetched with `?wsdl`,
    /// say), named `source` in messages.
    public static func wsdl(definitions: XMLElement, source path: String) -> ServiceContract {
        let index = SchemaIndex(definitions)
        let target = definitions.attribute("targetNamespace") ?? ""
        let version = target.split(separator: "/").last.map(String.init).flatMap { $0.hasPrefix("Services") ? $0 : nil }
        let messages = WSDLDefinitions.messages(of: definitions)
        var actions: [String: String] = [:]
        for binding in definitions.elements where binding.localName == "binding" {
            for operation in binding.elements where operation.localName == "operation" {
                if let name = operation.attribute("name"),
                    let action = operation.elements.first(where: { $0.localName == "operation" })?.attribute("soapAction")
                {
                    actions[name] = action
                }
            }
        }
        var operations: [String: OperationContract] = [:]
        for portType in definitions.elements where portType.localName == "portType" {
            let agent = portType.attribute("name") ?? "Service"
            for operation in portType.elements where operation.localName == "operation" {
                guard let name = operation.attribute("name") else { continue }
                func payload(_ direction: String) -> ElementShape? {
                    guard let reference = operation.elements.first(where: { $0.localName == direction })?.attribute("message"),
                        let message = messages[local(reference)],
                        let part = message.elements.first(where: { $0.localName == "part" }),
                        let element = part.attribute("element")
                    else { return nil }
                    return index.shape(ofGlobalElement: local(element))
                }
                let contract = OperationContract(agent: agent, name: name, version: version, action: actions[name],
                                                 request: payload("input"), response: payload("output"))
                operations[contract.key] = contract
            }
        }
        return ServiceContract(source: path, kind: .wsdl, operations: operations)
    }

    static func local(_ qualified: String) -> String { String(qualified.split(separator: ":").last ?? Substring(qualified)) }
}

/// The global elements and named types of every schema inside a WSDL, by local name, with the namespace each
/// belongs to.
struct SchemaIndex {
    /// A declaration and the schema it sits in.
    struct Entry {
        var node: XMLElement
        /// The schema's target namespace.
        var namespace: String
        /// True when the schema's local elements are qualified (`elementFormDefault="qualified"`).
        var qualified: Bool
    }

    var elements: [String: Entry] = [:]
    var complexTypes: [String: Entry] = [:]
    var simpleTypes: [String: Entry] = [:]
    /// The greatest nesting expanded; deeper (recursive) types are cut.
    static let depthLimit = 12

    init(_ definitions: XMLElement) {
        for types in definitions.elements where types.localName == "types" {
            for schema in types.elements where schema.localName == "schema" {
                let namespace = schema.attribute("targetNamespace") ?? ""
                let qualified = schema.attribute("elementFormDefault") == "qualified"
                for item in schema.elements {
                    guard let name = item.attribute("name") else { continue }
                    let entry = Entry(node: item, namespace: namespace, qualified: qualified)
                    switch item.localName {
                    case "element": if elements[name] == nil { elements[name] = entry }
                    case "complexType": if complexTypes[name] == nil { complexTypes[name] = entry }
                    case "simpleType": if simpleTypes[name] == nil { simpleTypes[name] = entry }
                    default: break
                    }
                }
            }
        }
    }

    func shape(ofGlobalElement name: String) -> ElementShape? {
        elements[name].map { shape(of: $0.node, namespace: $0.namespace, qualified: $0.qualified, depth: 0, visiting: []) }
    }

    /// The namespace of the named type `local` declared in one of the WSDL's schemas (nil for XML Schema's own).
    func typeNamespace(of local: String) -> String? {
        complexTypes[local]?.namespace ?? simpleTypes[local]?.namespace
    }

    func shape(of declaration: XMLElement, namespace: String, qualified: Bool, depth: Int, visiting: Set<String>)
        -> ElementShape
    {
        var shape = ElementShape(
            name: declaration.attribute("name") ?? ContractReader.local(declaration.attribute("ref") ?? "?"),
            type: declaration.attribute("type").map(ContractReader.local),
            minOccurs: Int(declaration.attribute("minOccurs") ?? "1") ?? 1,
            maxOccurs: declaration.attribute("maxOccurs") == "unbounded" ? nil : Int(declaration.attribute("maxOccurs") ?? "1") ?? 1,
            nillable: declaration.attribute("nillable") == "true", namespace: qualified ? namespace : "")
        if let type = shape.type {
            shape.typeNamespace = typeNamespace(of: type)
            if let simple = simpleTypes[type] { shape.values = valueSpace(of: simple.node, depth: 0) }
        } else if let inline = declaration.elements.first(where: { $0.localName == "simpleType" }) {
            shape.values = valueSpace(of: inline, depth: 0)
        }
        if let reference = declaration.attribute("ref"), let global = elements[ContractReader.local(reference)] {
            let target = self.shape(of: global.node, namespace: global.namespace, qualified: true, depth: depth,
                                    visiting: visiting)
            shape.type = target.type
            shape.typeNamespace = target.typeNamespace
            shape.children = target.children
            shape.namespace = global.namespace
            return shape
        }
        guard depth < Self.depthLimit else { return shape }
        let complex: Entry?
        if let type = shape.type {
            guard !visiting.contains(type) else { return shape }
            complex = complexTypes[type]
        } else {
            complex = declaration.elements.first { $0.localName == "complexType" }
                .map { Entry(node: $0, namespace: namespace, qualified: qualified) }
        }
        if let complex {
            var inside = visiting
            if let type = shape.type { inside.insert(type) }
            shape.children = children(of: complex.node, namespace: complex.namespace, qualified: complex.qualified,
                                      depth: depth + 1, visiting: inside)
        }
        return shape
    }

    /// The value space of an `xs:simpleType` (named types it refers to resolved, to a depth of 12).
    func valueSpace(of simpleType: XMLElement, depth: Int) -> ValueSpace? {
        guard depth < Self.depthLimit else { return nil }
        func named(_ qualified: String?) -> ValueSpace? {
            guard let qualified else { return nil }
            let local = ContractReader.local(qualified)
            if let entry = simpleTypes[local] { return valueSpace(of: entry.node, depth: depth + 1) }
            return ValueSpace(variety: .atomic, base: local)
        }
        for part in simpleType.elements {
            switch part.localName {
            case "restriction":
                var space = named(part.attribute("base")) ?? ValueSpace(variety: .atomic)
                if let inline = part.elements.first(where: { $0.localName == "simpleType" }),
                    let inner = valueSpace(of: inline, depth: depth + 1)
                {
                    space = inner
                }
                var enumerations: [String] = []
                var patterns: [String] = []
                for facet in part.elements {
                    guard let value = facet.attribute("value") else { continue }
                    switch facet.localName {
                    case "enumeration": enumerations.append(value)
                    case "pattern": patterns.append(value)
                    case "annotation", "simpleType": break
                    default: space.facets[facet.localName] = value
                    }
                }
                if !enumerations.isEmpty { space.enumerations = enumerations }
                if !patterns.isEmpty { space.facets["pattern"] = patterns.joined(separator: "|") }
                return space
            case "list":
                let item = part.elements.first(where: { $0.localName == "simpleType" }).flatMap { valueSpace(of: $0, depth: depth + 1) }
                    ?? named(part.attribute("itemType")) ?? ValueSpace(variety: .atomic)
                return ValueSpace(variety: .list, members: [item])
            case "union":
                var members = (part.attribute("memberTypes") ?? "").split(separator: " ").compactMap { named(String($0)) }
                members += part.elements.filter { $0.localName == "simpleType" }.compactMap { valueSpace(of: $0, depth: depth + 1) }
                return ValueSpace(variety: .union, members: members)
            default: continue
            }
        }
        return nil
    }

    /// A complex type's element children in order: an extension's base first.
    func children(of complex: XMLElement, namespace: String, qualified: Bool, depth: Int, visiting: Set<String>)
        -> [ElementShape]
    {
        var result: [ElementShape] = []
        for part in complex.elements {
            switch part.localName {
            case "sequence", "all", "choice":
                for item in part.elements where item.localName == "element" {
                    result.append(shape(of: item, namespace: namespace, qualified: qualified, depth: depth, visiting: visiting))
                }
            case "complexContent":
                for derivation in part.elements where derivation.localName == "extension" || derivation.localName == "restriction" {
                    if derivation.localName == "extension", let base = derivation.attribute("base"),
                        let baseType = complexTypes[ContractReader.local(base)], !visiting.contains(ContractReader.local(base))
                    {
                        result += children(of: baseType.node, namespace: baseType.namespace, qualified: baseType.qualified,
                                           depth: depth, visiting: visiting.union([ContractReader.local(base)]))
                    }
                    result += children(of: derivation, namespace: namespace, qualified: qualified, depth: depth,
                                       visiting: visiting)
                }
            default: break
            }
        }
        return result
    }
}

/// Reading a WSDL's definitions, shared by compare and import.
enum WSDLDefinitions {
    /// The `wsdl:definitions` element of the file at `path`, or an error placed in it.
    static func read(_ path: String) throws(SourceError) -> XMLElement {
        let document: XMLDocument
        do { document = try XMLDocument(contentsOf: path) } catch {
            throw SourceError(file: path, line: error.line, column: error.column, message: error.message)
        }
        guard let definitions = document.rootElement(), definitions.localName == "definitions" else {
            throw SourceError(file: path, line: 1, column: 1, message: "the root element is not wsdl:definitions; is this a WSDL?")
        }
        return definitions
    }

    /// The `wsdl:message` elements by name.
    static func messages(of definitions: XMLElement) -> [String: XMLElement] {
        Dictionary(definitions.elements.filter { $0.localName == "message" }.compactMap { message in
            message.attribute("name").map { ($0, message) }
        }, uniquingKeysWith: { first, _ in first })
    }
}
