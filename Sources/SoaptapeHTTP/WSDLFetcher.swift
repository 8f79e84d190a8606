import Foundation
import SoapXML

/// Fetches a WSDL by URL once, with the schemas it imports (WCF's `?xsd=xsd0` style) fetched too and inlined into
/// `wsdl:types`, so that the rest of soaptape reads one self-contained file. Nothing beyond the WSDL's own host is
/// fetched unless asked.
public struct WSDLFetcher: Sendable {
    /// Header fields sent with every request (credentials for a protected WSDL).
    public var headers: [(name: String, value: String)] = []
    /// Also follow imports to other hosts.
    public var allowOtherHosts = false

    /// A fetcher with no extra headers, same host only.
    public init() {}

    /// Why a fetch failed.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong and what to do.
        public var description: String
    }

    /// The WSDL at `url` with its imported schemas inlined, as bytes.
    public func fetch(_ url: String) async throws(Failure) -> [UInt8] {
        guard let base = URL(string: url), let host = base.host else { throw Failure(description: "\(url) is not a URL") }
        let main = try await get(url)
        guard let document = try? XMLDocument(bytes: main, name: url), var root = document.rootElement(),
            root.localName == "definitions"
        else {
            throw Failure(description: "\(url) did not answer with a WSDL (wsdl:definitions)")
        }
        var fetched = Set<String>()
        var inlined: [XMLElement] = []
        // Schema imports inside wsdl:types, followed recursively; each schema fetched once.
        func follow(_ schema: XMLElement, from address: URL) async throws(Failure) -> XMLElement {
            var schema = schema
            for index in schema.children.indices {
                guard case .element(var item) = schema.children[index],
                    item.localName == "import" || item.localName == "include",
                    let location = item.attribute("schemaLocation")
                else { continue }
                guard let target = URL(string: location, relativeTo: address)?.absoluteURL else { continue }
                guard allowOtherHosts || target.host == host else {
                    throw Failure(description: "\(url) imports \(target.absoluteString), on another host; soaptape fetches "
                                  + "from \(host) only unless --allow-other-hosts is given")
                }
                item.attributes.removeAll { $0.localName == "schemaLocation" }
                schema.children[index] = .element(item)
                guard fetched.insert(target.absoluteString).inserted else { continue }
                let bytes = try await get(target.absoluteString)
                guard let imported = try? XMLDocument(bytes: bytes, name: target.absoluteString).rootElement(),
                    imported.localName == "schema"
                else {
                    throw Failure(description: "\(target.absoluteString) did not answer with an XML schema (xs:schema)")
                }
                inlined.append(try await follow(imported, from: target))
            }
            return schema
        }
        for index in root.children.indices {
            guard case .element(var types) = root.children[index], types.localName == "types" else { continue }
            for inner in types.children.indices {
                guard case .element(let schema) = types.children[inner], schema.localName == "schema" else { continue }
                types.children[inner] = .element(try await follow(schema, from: base))
            }
            types.children += inlined.map { XMLContent.element($0) }
            inlined.removeAll()
            root.children[index] = .element(types)
        }
        return Array(root.document().utf8)
    }

    private func get(_ url: String) async throws(Failure) -> [UInt8] {
        do {
            let response = try await SoapClient().get(url, headers: headers)
            guard (200..<300).contains(response.status) else {
                throw Failure(description: "\(url) answered HTTP \(response.status); check the URL and any --header it needs")
            }
            return response.body
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "cannot fetch \(url): \(error)")
        }
    }
}
