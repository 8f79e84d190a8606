internal import CLibXML2
import Foundation

/// A compiled XML Schema set — an XSD file, or every `xs:schema` inside a WSDL's `types` — for validating
/// elements with libxml2.
///
/// Real WCF WSDLs hold sibling schemas that import each other by namespace only and lean on declarations made
/// on `wsdl:definitions`; each sibling is lifted into its own document with those declarations copied in, and
/// all are joined under an in-memory schema that imports each by a private `soaptape-schema:` address. Nothing
/// is ever fetched from the network: a process-wide external-entity loader serves only those in-memory schemas
/// and local `.xsd` files under the schema's own folder, and refuses everything else with a clear error.
public final class XMLSchemaSet: @unchecked Sendable {
    /// The schema file, as the user named it.
    public let name: String
    let schema: xmlSchemaPtr
    /// How many `xs:schema` elements were compiled.
    public let schemaCount: Int
    /// Every named `xs:element` declaration: its line in the file, and the name of the declaration or named type
    /// it stands in (nil for a global one), by element name.
    private var declarations: [String: [(line: Int, context: String?)]] = [:]

    /// Compiles the XSD or WSDL at `path`.
    public init(contentsOf path: String) throws(SchemaError) {
        _ = LibXML2.initialized
        _ = SchemaSources.installed
        name = path
        let source: XMLDocument
        do { source = try XMLDocument(contentsOf: path) } catch {
            throw SchemaError(file: path, line: error.line, column: error.column, message: error.message)
        }
        guard let root = source.root else {
            throw SchemaError(file: path, line: 1, column: 1, message: "the file has no root element")
        }
        let folder = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        let session = SchemaSources.Session(allowedFolder: folder)
        defer { session.close() }
        let main: [UInt8]
        let uri = string(root.namespaceURI)
        if root.localName == "schema" && uri == Self.xsdNamespace {
            main = Array((try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data())
            schemaCount = 1
        } else if root.localName == "definitions" && uri == Self.wsdlNamespace {
            let schemas = Self.typeSchemas(of: root)
            guard !schemas.isEmpty else {
                throw SchemaError(file: path, line: root.line, column: 1,
                                  message: "the WSDL has no xs:schema inside wsdl:types; there is nothing to validate against")
            }
            var wrapper = "<xs:schema xmlns:xs=\"\(Self.xsdNamespace)\">\n"
            for node in schemas {
                let address = session.register(Self.standalone(node, in: source))
                let namespace = xmlGetProp(node, "targetNamespace").map { value in
                    defer { free(value) }
                    return string(value)
                } ?? ""
                wrapper += "  <xs:import namespace=\"\(XMLEscaping.attribute(namespace))\" schemaLocation=\"\(address)\"/>\n"
            }
            main = Array((wrapper + "</xs:schema>\n").utf8)
            schemaCount = schemas.count
        } else {
            throw SchemaError(file: path, line: root.line, column: 1,
                              message: "the root element is \(root.elementDescription), not an xs:schema (XSD) or "
                                  + "wsdl:definitions (WSDL)")
        }
        schema = try Self.compile(main, fileName: (path as NSString).lastPathComponent, name: path, session: session)
        collectDeclarations(root, context: nil)
    }

    /// Records the `xs:element name=…` declarations under `node`, each with the declaration or named type around it.
    private func collectDeclarations(_ node: Node, context: String?) {
        var child = node.pointee.children
        while let current = child {
            child = current.pointee.next
            guard current.isElement else { continue }
            var inner = context
            if string(current.namespaceURI) == Self.xsdNamespace,
                current.localName == "element" || current.localName == "complexType",
                let value = xmlGetProp(current, "name")
            {
                let name = string(value)
                free(value)
                if current.localName == "element" { declarations[name, default: []].append((current.line, context)) }
                inner = name
            }
            collectDeclarations(current, context: inner)
        }
    }

    /// Where the element at the end of `path` (`/Envelope/Body/ToggleFavouriteResponse/Response`) is declared in
    /// the schema file — the one declaration of that name, or the one inside a declaration or type named as its
    /// parent — or, for an element the schema does not declare, where its parent is; nil when neither is known.
    public func declaration(forPath path: String) -> (name: String, line: Int)? {
        let names = path.split(separator: "/").map { segment in
            String(segment.split(separator: "[").first ?? segment)
        }
        for end in stride(from: names.count, to: max(names.count - 2, 0), by: -1) {
            let name = names[end - 1]
            guard let found = declarations[name], !found.isEmpty else { continue }
            if found.count == 1 { return (name, found[0].line) }
            let parent = end > 1 ? names[end - 2] : nil
            let inParent = found.filter { $0.context == parent }
            return inParent.count == 1 ? (name, inParent[0].line) : nil
        }
        return nil
    }

    /// Compiles an XSD held in memory (soaptape's own SOAP envelope schemas); it may not include anything.
    init(xsd: String, name: String) throws(SchemaError) {
        _ = LibXML2.initialized
        _ = SchemaSources.installed
        self.name = name
        schemaCount = 1
        let session = SchemaSources.Session(allowedFolder: "/nonexistent")
        defer { session.close() }
        schema = try Self.compile(Array(xsd.utf8), fileName: name, name: name, session: session)
    }

    /// Compiles `main` (registered under `fileName`), serving the session's sources to libxml2.
    private static func compile(_ main: [UInt8], fileName: String, name path: String, session: SchemaSources.Session)
        throws(SchemaError) -> xmlSchemaPtr
    {
        let errors = SchemaErrors()
        let mainAddress = session.register(main, fileName: fileName)
        guard let parser = xmlSchemaNewParserCtxt(mainAddress) else {
            throw SchemaError(file: path, line: 1, column: 1, message: "libxml2 could not start a schema parser")
        }
        defer { xmlSchemaFreeParserCtxt(parser) }
        let context = Unmanaged.passUnretained(errors).toOpaque()
        xmlSchemaSetParserStructuredErrors(parser, collectSchemaError, context)
        // The loader serves this compile's sources on this thread (libxml2 compiles synchronously).
        Thread.current.threadDictionary[SchemaSources.sessionKey] = session
        let compiled = withExtendedLifetime(errors) { xmlSchemaParse(parser) }
        Thread.current.threadDictionary[SchemaSources.sessionKey] = nil
        if let refused = session.refusals.first {
            if let compiled { xmlSchemaFree(compiled) }
            throw SchemaError(file: path, line: 1, column: 1,
                              message: "the schema refers to \(refused), which soaptape does not fetch: only schemas inside "
                                  + "this file and local .xsd files beside it are read; save it locally and refer to it "
                                  + "by a relative schemaLocation")
        }
        guard let compiled else {
            let first = errors.messages.first
            throw SchemaError(file: path, line: first?.line ?? 1, column: 1,
                              message: "the schema does not compile: " + (first?.message ?? "libxml2 gave no reason"))
        }
        return compiled
    }

    deinit { xmlSchemaFree(schema) }

    static let xsdNamespace = "http://www.w3.org/2001/XMLSchema"
    static let wsdlNamespace = "http://schemas.xmlsoap.org/wsdl/"

    /// The `xs:schema` children of `wsdl:types`.
    private static func typeSchemas(of definitions: Node) -> [Node] {
        var found: [Node] = []
        var child = definitions.pointee.children
        while let types = child {
            child = types.pointee.next
            guard types.isElement, types.localName == "types" else { continue }
            var inner = types.pointee.children
            while let node = inner {
                inner = node.pointee.next
                if node.isElement, node.localName == "schema", string(node.namespaceURI) == xsdNamespace { found.append(node) }
            }
        }
        return found
    }

    /// `node` as a document of its own, with every namespace in scope at it declared on its root (QName values
    /// such as `type="tns:Foo"` rely on declarations made on `wsdl:definitions`).
    private static func standalone(_ node: Node, in source: XMLDocument) -> [UInt8] {
        guard let document = xmlNewDoc("1.0") else { return [] }
        defer { xmlFreeDoc(document) }
        guard let copy = xmlDocCopyNode(node, document, 1) else { return [] }
        xmlDocSetRootElement(document, copy)
        if let inScope = xmlGetNsList(source.doc, node) {
            var index = 0
            while let ns = inScope[index] {
                index += 1
                if xmlSearchNs(document, copy, ns.pointee.prefix) == nil {
                    xmlNewNs(copy, ns.pointee.href, ns.pointee.prefix)
                }
            }
            free(inScope)
        }
        var buffer: UnsafeMutablePointer<xmlChar>?
        var size: Int32 = 0
        xmlDocDumpMemory(document, &buffer, &size)
        defer { free(buffer) }
        guard let buffer else { return [] }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(size)))
    }

    /// Validates each child of the SOAP Body of `document` (whitespace-only text between elements left out), and
    /// each header block the schema declares globally.
    /// `namespaceMap` rewrites namespace URIs first (`Services83` → `Services86`: a version with no published WSDL
    /// validated against the nearest version's).
    public func validateEnvelope(_ document: XMLDocument, namespaceMap: [NamespaceMapping] = []) -> [SchemaViolation] {
        guard let copy = xmlCopyDoc(document.doc, 1) else { return [] }
        defer { xmlFreeDoc(copy) }
        guard let root = xmlDocGetRootElement(copy) else { return [] }
        Self.stripBlankText(root)
        _ = EnvelopeChecks.takeEnvelopeAttributes(root)
        return validateSections(of: root, namespaceMap: namespaceMap)
    }

    /// Validates the Header and Body children of `root`, an envelope already stripped of blank text.
    func validateSections(of root: Node, namespaceMap: [NamespaceMapping]) -> [SchemaViolation] {
        if !namespaceMap.isEmpty { Self.mapNamespaces(root, namespaceMap) }
        var violations: [SchemaViolation] = []
        var child = root.pointee.children
        while let section = child {
            child = section.pointee.next
            guard section.isElement, section.localName == "Body" || section.localName == "Header" else { continue }
            var inner = section.pointee.children
            while let element = inner {
                inner = element.pointee.next
                guard element.isElement else { continue }
                let found = validate(element)
                // A header block the schema does not declare is not the schema's business.
                if section.localName == "Header", found.contains(where: { $0.undeclaredRoot }) { continue }
                violations += found
            }
        }
        return violations
    }

    /// Validates the envelope's own structure (the SOAP envelope schemas' use): header blocks, payload elements and
    /// fault details are left out — they are the service schema's business, and their xsi:types mean nothing to
    /// the envelope schema.
    func validateEnvelopeStructure(_ document: XMLDocument) -> [SchemaViolation] {
        guard let copy = xmlCopyDoc(document.doc, 1) else { return [] }
        defer { xmlFreeDoc(copy) }
        guard let root = xmlDocGetRootElement(copy) else { return [] }
        Self.stripBlankText(root)
        let attributes = EnvelopeChecks.takeEnvelopeAttributes(root)
        return attributes + validateStructure(of: root)
    }

    /// Validates the envelope structure of `root` (stripped of blank text); removes its header blocks, payload
    /// elements and fault details as it goes.
    func validateStructure(of root: Node) -> [SchemaViolation] {
        validateStructureParts(of: root).map { violation in
            var marked = violation
            marked.source = .envelope
            return marked
        }
    }

    private func validateStructureParts(of root: Node) -> [SchemaViolation] {
        let envelope = root.namespaceURI
        func removeElements(of node: Node, keepingFault: Bool) {
            var child = node.pointee.children
            while let current = child {
                child = current.pointee.next
                guard current.isElement else { continue }
                if keepingFault, current.localName == "Fault", sameString(current.namespaceURI, envelope) {
                    var part = current.pointee.children
                    while let each = part {
                        part = each.pointee.next
                        if each.isElement, each.localName.lowercased() == "detail" { removeElements(of: each, keepingFault: false) }
                    }
                    continue
                }
                xmlUnlinkNode(current)
                xmlFreeNode(current)
            }
        }
        var section = root.pointee.children
        while let current = section {
            section = current.pointee.next
            guard current.isElement, sameString(current.namespaceURI, envelope) else { continue }
            if current.localName == "Header" { removeElements(of: current, keepingFault: false) }
            if current.localName == "Body" { removeElements(of: current, keepingFault: true) }
        }
        return validate(root)
    }

    /// Validates the subtree at `element`.
    func validate(_ element: Node) -> [SchemaViolation] {
        guard let context = xmlSchemaNewValidCtxt(schema) else { return [] }
        defer { xmlSchemaFreeValidCtxt(context) }
        let errors = SchemaErrors()
        xmlSchemaSetValidStructuredErrors(context, collectSchemaError, Unmanaged.passUnretained(errors).toOpaque())
        _ = withExtendedLifetime(errors) { xmlSchemaValidateOneElement(context, element) }
        return errors.messages.map { error in
            SchemaViolation(path: error.path ?? "/", line: error.line, message: Self.readable(error.message),
                            undeclaredRoot: error.message.contains("No matching global declaration"))
        }
    }

    /// libxml2's message with `{URI}local` names shortened to their local names.
    static func readable(_ message: String) -> String {
        var result = ""
        var skipping = false
        for character in message {
            if character == "{" { skipping = true; continue }
            if skipping { if character == "}" { skipping = false }; continue }
            result.append(character)
        }
        return result.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Rewrites every namespace declaration's URI in the subtree with `mappings`.
    private static func mapNamespaces(_ node: Node, _ mappings: [NamespaceMapping]) {
        var ns = node.pointee.nsDef
        while let declaration = ns {
            ns = declaration.pointee.next
            let uri = string(declaration.pointee.href)
            let mapped = mappings.reduce(uri) { $1.apply(to: $0) }
            if mapped != uri {
                if let old = declaration.pointee.href { free(UnsafeMutableRawPointer(mutating: old)) }
                declaration.pointee.href = UnsafePointer(xmlCharStrdup(mapped))
            }
        }
        var child = node.pointee.children
        while let current = child {
            child = current.pointee.next
            if current.isElement { mapNamespaces(current, mappings) }
        }
    }

    /// Removes whitespace-only text children (indentation, and the pages' `<XResponse>` + newline +
    /// `</XResponse>`), so that empty content models accept them.
    static func stripBlankText(_ node: Node) {
        var child = node.pointee.children
        while let current = child {
            child = current.pointee.next
            if current.pointee.type == XML_TEXT_NODE, xmlIsBlankNode(current) != 0 {
                xmlUnlinkNode(current)
                xmlFreeNode(current)
            } else if current.isElement {
                stripBlankText(current)
            }
        }
    }
}

/// One schema violation: where, on which line of the envelope, and libxml2's reason made readable.
public struct SchemaViolation: Equatable, Sendable {
    /// The element's path, `/Envelope/Body/ToggleFavourite/RecordId`.
    public var path: String
    /// The element's line in the envelope.
    public var line: Int
    /// What is wrong, with names given by their local names.
    public var message: String
    /// True when the element has no global declaration in the schema.
    var undeclaredRoot = false
    /// Which check found it.
    public var source: Source = .schema

    /// The check that finds a violation.
    public enum Source: Sendable {
        /// The service's schema (XSD or WSDL).
        case schema
        /// soaptape's SOAP envelope schema for the envelope's version.
        case envelope
        /// An `xsi:type`-declared built-in value checked lexically.
        case declaredType
        /// A WS-I Basic Profile rule the message breaks though SOAP allows it (`soap:encodingStyle` in a
        /// document/literal message): a warning, failing only when asked.
        case profile
    }

    /// Creates a violation.
    public init(path: String, line: Int, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    init(path: String, line: Int, message: String, undeclaredRoot: Bool) {
        self.init(path: path, line: line, message: message)
        self.undeclaredRoot = undeclaredRoot
    }
}

/// A schema that cannot be read or compiled, placed in its file.
public struct SchemaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The schema file.
    public var file: String
    /// The line, 1-based.
    public var line: Int
    /// The column, 1-based.
    public var column: Int
    /// What is wrong and what to do.
    public var message: String

    /// `FILE:LINE:COL: error: MESSAGE`.
    public var description: String { "\(file):\(line):\(column): error: \(message)" }
}

/// Errors libxml2 reports while compiling or validating.
private final class SchemaErrors {
    var messages: [(message: String, line: Int, path: String?)] = []
}

private let collectSchemaError: xmlStructuredErrorFunc = { context, error in
    guard let context, let error else { return }
    let errors = Unmanaged<SchemaErrors>.fromOpaque(context).takeUnretainedValue()
    let message = error.pointee.message.map { String(cString: $0) } ?? "unknown error"
    var path: String?
    var line = Int(error.pointee.line)
    if let raw = error.pointee.node {
        let node = raw.assumingMemoryBound(to: xmlNode.self)
        if node.isElement {
            var segments: [String] = []
            var current: Node? = node
            while let each = current, each.isElement {
                segments.append(each.pathSegment)
                current = each.pointee.parent
            }
            path = "/" + segments.reversed().joined(separator: "/")
            line = node.line
        }
    }
    errors.messages.append((message, line, path))
}

/// The in-memory schemas a compile may read, and the process-wide loader that serves them and nothing from the
/// network.
enum SchemaSources {
    /// One compile's registered sources and the folder its relative includes may read from.
    final class Session: @unchecked Sendable {
        let identifier: Int
        let allowedFolder: String
        var refusals: [String] = []
        private var count = 0

        init(allowedFolder: String) {
            self.allowedFolder = allowedFolder
            identifier = SchemaSources.lock.withLock {
                SchemaSources.nextSession += 1
                return SchemaSources.nextSession
            }
        }

        /// Registers `bytes` and returns the address a schema imports it by.
        func register(_ bytes: [UInt8], fileName: String? = nil) -> String {
            count += 1
            let address = "soaptape-schema://\(identifier)/\(count)/\(fileName ?? "schema.xsd")"
            SchemaSources.lock.withLock { SchemaSources.memory[address] = bytes }
            return address
        }

        func close() {
            SchemaSources.lock.withLock {
                SchemaSources.memory = SchemaSources.memory.filter { !$0.key.hasPrefix("soaptape-schema://\(identifier)/") }
            }
        }
    }

    static let sessionKey = "soaptape.schema-session"
    static let lock = NSLock()
    nonisolated(unsafe) static var memory: [String: [UInt8]] = [:]
    nonisolated(unsafe) static var nextSession = 0

    /// Installs the loader once per process.
    static let installed: Bool = {
        xmlSetExternalEntityLoader(loadEntity)
        return true
    }()

    /// Serves a registered schema, or a local `.xsd` a registered one refers to relatively; refuses the rest
    /// (and everything asked for outside a schema compile).
    static func source(for address: String) -> [UInt8]? {
        guard let session = Thread.current.threadDictionary[sessionKey] as? Session else { return nil }
        return lock.withLock {
            if let bytes = memory[address] { return bytes }
            // A relative schemaLocation inside an in-memory schema resolves against its address:
            // soaptape-schema://SESSION/N/relative/path.xsd — read from the session's folder.
            let prefix = "soaptape-schema://\(session.identifier)/"
            guard address.hasPrefix(prefix) else {
                session.refusals.append(address)
                return nil
            }
            let parts = address.dropFirst(prefix.count).split(separator: "/", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            let relative = String(parts[1])
            let file = URL(fileURLWithPath: session.allowedFolder).appendingPathComponent(relative).standardizedFileURL.path
            guard file.hasPrefix(session.allowedFolder + "/"), file.hasSuffix(".xsd"),
                let data = FileManager.default.contents(atPath: file)
            else {
                session.refusals.append(relative)
                return nil
            }
            return Array(data)
        }
    }
}

private let loadEntity: xmlExternalEntityLoader = { url, _, context in
    guard let url else { return nil }
    let address = String(cString: url)
    guard let bytes = SchemaSources.source(for: address) else { return nil }
    return bytes.withUnsafeBufferPointer { buffer in
        // The buffer copies the bytes.
        guard let base = buffer.baseAddress,
            let memory = xmlParserInputBufferCreateMem(UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self),
                                                       Int32(buffer.count), XML_CHAR_ENCODING_NONE),
            let input = xmlNewIOInputStream(context, memory, XML_CHAR_ENCODING_NONE)
        else { return nil }
        input.pointee.filename = UnsafePointer(xmlCharStrdup(address)).map { UnsafePointer(OpaquePointer($0)) }
        return input
    }
}
