import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Rewrites an XML document as another SOAP stack might write the same message: new prefixes (also in
/// xsi:type values), each namespace declared on the element that first needs it, attributes reversed,
/// tabs for indentation, every other leaf value in CDATA. Built on Foundation's XMLParser, independent
/// of the engine under test. `changeLastLeaf` replaces the text of the last element without children.
final class TwinWriter: NSObject, XMLParserDelegate {
    private var output = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- twin written by the tests -->\n"
    private var sourceScopes: [[String: String]] = [[:]]
    private var pendingMappings: [String: String] = [:]
    private var twinScopes: [Set<String>] = [[]]
    private var twinPrefixes: [String: String] = [:]
    private var text = ""
    private var openTags: [(name: String, hasChildren: Bool)] = []
    private var leafCount = 0
    private var leavesSeen = 0
    private let changeLastLeaf: String?

    private init(changeLastLeaf: String?) { self.changeLastLeaf = changeLastLeaf }

    static func twin(of xml: String, changeLastLeaf: String? = nil) -> String {
        let counter = TwinWriter(changeLastLeaf: nil)
        counter.parse(xml)
        let writer = TwinWriter(changeLastLeaf: changeLastLeaf)
        writer.leafCount = counter.leavesSeen
        writer.parse(xml)
        return writer.output
    }

    private func parse(_ xml: String) {
        let parser = XMLParser(data: Data(xml.utf8))
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = true
        parser.delegate = self
        precondition(parser.parse(), "the fixture is not well-formed: \(String(describing: parser.parserError))")
    }

    private func prefix(for uri: String) -> String {
        if let known = twinPrefixes[uri] { return known }
        let made = "t\(twinPrefixes.count + 1)"
        twinPrefixes[uri] = made
        return made
    }

    private func resolve(_ qualified: String) -> (uri: String, local: String) {
        let parts = qualified.split(separator: ":", maxSplits: 1).map(String.init)
        let prefix = parts.count == 2 ? parts[0] : ""
        let local = parts.last ?? qualified
        for scope in sourceScopes.reversed() { if let uri = scope[prefix] { return (uri, local) } }
        return ("", local)
    }

    func parser(_ parser: XMLParser, didStartMappingPrefix prefix: String, toURI namespaceURI: String) {
        pendingMappings[prefix] = namespaceURI
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        sourceScopes.append(pendingMappings)
        pendingMappings = [:]
        if !openTags.isEmpty { openTags[openTags.count - 1].hasChildren = true }
        var declarations = Set<String>()
        var needed: [String] = []
        func use(_ uri: String) -> String {
            let p = prefix(for: uri)
            if !twinScopes.contains(where: { $0.contains(uri) }) && !declarations.contains(uri) {
                declarations.insert(uri)
                needed.append(uri)
            }
            return p
        }
        let uri = namespaceURI ?? ""
        let name = uri.isEmpty ? elementName : use(uri) + ":" + elementName
        var attributeText = ""
        for key in attributes.keys.sorted().reversed() {
            var value = attributes[key]!
            let (attributeURI, local) = resolve(key)
            if attributeURI == "http://www.w3.org/2001/XMLSchema-instance" && local == "type" {
                let (typeURI, typeLocal) = resolve(value)
                value = use(typeURI) + ":" + typeLocal
            }
            let attributeName = key.contains(":") ? use(attributeURI) + ":" + local : local
            attributeText += " \(attributeName)='\(escape(value))'"
        }
        let indent = String(repeating: "\t", count: openTags.count)
        output += "\n" + indent + "<" + name
        for uri in needed { output += " xmlns:\(prefix(for: uri))=\"\(uri)\"" }
        output += attributeText + ">"
        twinScopes.append(declarations)
        openTags.append((name, false))
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) { text += String(decoding: CDATABlock, as: UTF8.self) }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        let (name, hasChildren) = openTags.removeLast()
        twinScopes.removeLast()
        sourceScopes.removeLast()
        if hasChildren {
            output += "\n" + String(repeating: "\t", count: openTags.count) + "</\(name)>"
        } else {
            leavesSeen += 1
            var value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if let changed = changeLastLeaf, leavesSeen == leafCount { value = changed }
            output += leavesSeen % 2 == 0 && !value.isEmpty ? "<![CDATA[\(value)]]>" : escape(value)
            output += "</\(name)>"
        }
        text = ""
    }

    private func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: "'", with: "&apos;")
    }
}
