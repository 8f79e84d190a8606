import Foundation
import SoapXML
import Yams

/// Turns a SuperOffice reference page (front matter, prose, a request and a response ```xml block) into a
/// spec, fixing the pages' quirks on the way.
public enum PageImporter {
    /// A page turned into a spec, with what had to be fixed.
    public struct Result: Sendable {
        /// The spec.
        public var spec: OperationSpec
        /// Where it belongs under the specs folder: `Services88/Favourite/ToggleFavourite.yaml`.
        public var relativePath: String
        /// The fixes applied, as sentences.
        public var fixes: [String]
    }

    static let xsdNamespace = "http://www.w3.org/2001/XMLSchema"
    static let xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

    /// Imports the page at `path`, accepting SOAP `versions` (the pages show 1.2; NetServer serves both).
    public static func importPage(_ path: String, versions: [SoapVersion] = [.soap11, .soap12]) throws(SourceError)
        -> Result
    {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw SourceError(file: path, line: 1, column: 1, message: "cannot read the page; check the path")
        }
        return try importPage(text: text, file: path, versions: versions)
    }

    /// Imports page text; `file` names it in errors.
    public static func importPage(text: String, file: String, versions: [SoapVersion]) throws(SourceError) -> Result {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var fixes: [String] = []
        func fail(_ line: Int, _ message: String) -> SourceError {
            SourceError(file: file, line: line, column: 1, message: message,
                        sourceLine: line >= 1 && line <= lines.count ? lines[line - 1] : nil)
        }
        // Front matter: keys vary in case (generated, Generated) and value (true, 1).
        var frontMatter: [String: String] = [:]
        var bodyStart = 0
        if lines.first == "---", let end = lines.dropFirst().firstIndex(of: "---") {
            for line in lines[1..<end] {
                let pair = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if pair.count == 2 {
                    if pair[0] != pair[0].lowercased(), frontMatter[pair[0].lowercased()] == nil {
                        fixes.append("read the front matter key '\(pair[0])' as '\(pair[0].lowercased())'")
                    }
                    frontMatter[pair[0].lowercased()] = pair[1]
                }
            }
            bodyStart = end + 1
        }
        // Version, agent and operation: from the title, else from the first heading.
        var names: [String]?
        if let title = frontMatter["title"] {
            let parts = title.split(separator: " ").first?.split(separator: ".").map(String.init) ?? []
            if parts.count == 3, parts[1].hasSuffix("Agent") { names = [parts[0], String(parts[1].dropLast(5)), parts[2]] }
        }
        if names == nil, let heading = lines.first(where: { $0.hasPrefix("# ") }) {
            let parts = heading.dropFirst(2).split(separator: " ").map(String.init)
            if parts.count >= 3 { names = Array(parts[0..<3]) }
        }
        guard let names, names[0].hasPrefix("Services") else {
            throw fail(1, "cannot tell the version, agent and operation: expected a front matter title like "
                       + "'Services88.FavouriteAgent.ToggleFavourite SOAP' or a heading '# Services88 Favourite ToggleFavourite'")
        }
        let (version, agent, operation) = (names[0], names[1], names[2])
        // Endpoint: **Remote/ServicesNN/Agent.svc**.
        var endpoint = "/Remote/\(version)/\(agent).svc"
        if let line = lines.first(where: { $0.contains("**Remote/") }),
            let start = line.range(of: "**Remote/"), let end = line[start.upperBound...].range(of: "**")
        {
            endpoint = "/Remote/" + line[start.upperBound..<end.lowerBound]
        } else {
            fixes.append("derived the endpoint \(endpoint): the page does not name one")
        }
        // Description: the prose under "## <Operation>", without the boilerplate links.
        var description: [String] = []
        if let heading = lines.firstIndex(of: "## \(operation)") {
            for line in lines[(heading + 1)...] {
                if line.hasPrefix("## ") || line.hasPrefix("[WSDL file") || line.hasPrefix("Obtain a ticket") { break }
                description.append(stripTags(line).trimmingCharacters(in: .whitespaces))
            }
        }
        let prose = description.split(separator: "").map { $0.joined(separator: " ") }.joined(separator: "\n\n")
        // The two envelopes.
        var blocks: [(line: Int, text: String)] = []
        var index = bodyStart
        while index < lines.count {
            if lines[index] == "```xml", let close = lines[(index + 1)...].firstIndex(of: "```") {
                blocks.append((index + 2, lines[(index + 1)..<close].joined(separator: "\n") + "\n"))
                index = close + 1
            } else {
                index += 1
            }
        }
        guard blocks.count >= 2 else {
            throw fail(lines.count, "the page has \(blocks.count) ```xml block(s); expected the request and the response")
        }
        func parse(_ block: (line: Int, text: String), _ what: String) throws(SourceError) -> XMLElement {
            do {
                let document = try XMLDocument(string: block.text, name: file)
                guard let root = document.rootElement(), root.localName == "Envelope" else {
                    throw fail(block.line, "the \(what) block is not a SOAP envelope")
                }
                return root
            } catch let error as XMLParseError {
                throw SourceError(file: file, line: block.line + error.line - 1, column: error.column,
                                  message: "the \(what) block is not well-formed XML: \(error.message)")
            } catch let error as SourceError {
                throw error
            } catch {
                throw fail(block.line, "the \(what) block cannot be read: \(error)")
            }
        }
        var request = try parse(blocks[0], "request")
        var response = try parse(blocks[1], "response")
        var rules = SpecRules()
        let moved = moveHeaderBlocks(&request)
        if !moved.isEmpty {
            fixes.append("moved \(moved.joined(separator: " and ")) from directly inside Envelope into a Header")
            for name in moved { rules.ignore.append("/Envelope/Header/\(name)") }
            fixes.append("ignored the credentials (\(moved.joined(separator: ", "))) and marked their values ${redacted}")
        }
        var typed = 0
        var repeating: [String] = []
        rewrite(&request, scope: [], path: [], typed: &typed, repeating: &repeating)
        rewrite(&response, scope: [], path: [], typed: &typed, repeating: &repeating)
        if typed > 0 { fixes.append("turned \(typed) example values into typed placeholders from their xsi:type") }
        rules.repeating = repeating
        if !repeating.isEmpty { fixes.append("marked array items repeating: \(repeating.joined(separator: ", "))") }
        let requestElement = request.elements.first { $0.localName == "Body" }?.elements.first
        let responseElement = response.elements.first { $0.localName == "Body" }?.elements.first
        guard let requestElement, let namespace = requestElement.namespace else {
            throw fail(blocks[0].line, "the request's Body holds no namespaced element")
        }
        var spec = OperationSpec(
            version: version, agent: agent, operation: operation, endpoint: endpoint, soap: versions,
            action: "\(namespace)/\(agent)/\(operation)", namespace: namespace,
            request: request.document(), response: response.document())
        if requestElement.localName != operation { spec.requestElement = requestElement.localName }
        if let name = responseElement?.localName, name != operation + "Response" {
            spec.responseElement = name
            fixes.append("the response element is \(name), not \(operation)Response: recorded as response_element")
        }
        spec.description = prose.isEmpty ? nil : prose
        spec.rules = rules
        return Result(spec: spec, relativePath: "\(version)/\(agent)/\(operation).yaml", fixes: fixes)
    }

    /// Moves elements standing directly in Envelope (other than Header and Body) into a Header before Body.
    static func moveHeaderBlocks(_ envelope: inout XMLElement) -> [String] {
        var header = envelope.elements.first { $0.localName == "Header" }
            ?? XMLElement(prefix: envelope.prefix, namespace: envelope.namespace, localName: "Header")
        var moved: [String] = []
        var kept: [XMLContent] = []
        for child in envelope.children {
            guard case .element(var element) = child else { kept.append(child); continue }
            if element.localName == "Header" && element.namespace == envelope.namespace { continue }
            if element.localName == "Body" && element.namespace == envelope.namespace {
                kept.append(child)
                continue
            }
            moved.append(element.localName)
            redactValues(&element)
            header.children.append(.element(element))
        }
        if moved.isEmpty { return [] }
        let bodyIndex = kept.firstIndex { if case .element(let e) = $0 { e.localName == "Body" } else { false } } ?? 0
        kept.insert(.element(header), at: bodyIndex)
        envelope.children = kept
        return moved
    }

    static func redactValues(_ element: inout XMLElement) {
        element.visit { node, _ in
            if node.elements.isEmpty, !node.text.isEmpty { node.children = [.text("${redacted}")] }
        }
    }

    /// Typed placeholders for built-in xsi:type values; repeating rules for the items of ArrayOf… types.
    static func rewrite(_ element: inout XMLElement, scope: [NamespaceDeclaration], path: [String], typed: inout Int,
                        repeating: inout [String]) {
        let scope = scope + element.declarations
        let path = path + [element.localName]
        let type = element.attribute("type", namespace: xsiNamespace).map { resolve($0, scope) }
        if element.elements.isEmpty, let (uri, local) = type, uri == xsdNamespace,
            let lexical = XSDLexicalType(name: local), !element.text.hasPrefix("${")
        {
            element.children = [.text(Placeholder.typed(lexical).text)]
            typed += 1
        }
        if let (_, local) = type, local.hasPrefix("ArrayOf") {
            for child in element.elements {
                let rule = "/" + (path + [child.localName]).joined(separator: "/")
                if !repeating.contains(rule) { repeating.append(rule) }
            }
        }
        for index in element.children.indices {
            if case .element(var child) = element.children[index] {
                rewrite(&child, scope: scope, path: path, typed: &typed, repeating: &repeating)
                element.children[index] = .element(child)
            }
        }
    }

    static func resolve(_ qname: String, _ scope: [NamespaceDeclaration]) -> (String?, String) {
        let parts = qname.split(separator: ":", maxSplits: 1).map(String.init)
        let prefix = parts.count == 2 ? parts[0] : nil
        return (scope.last { $0.prefix == prefix }?.uri, parts.last ?? qname)
    }

    static func stripTags(_ line: String) -> String {
        var result = ""
        var inTag = false
        for character in line {
            if character == "<" { inTag = true; continue }
            if character == ">" { inTag = false; continue }
            if !inTag { result.append(character) }
        }
        return result
    }
}
