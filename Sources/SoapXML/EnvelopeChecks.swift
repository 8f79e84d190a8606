internal import CLibXML2
import Foundation

/// Checks that hold without a service schema: the SOAP envelope's structure, against schemas soaptape writes
/// itself from the SOAP 1.1 note and SOAP 1.2 Part 1, and every `xsi:type`-declared XML Schema built-in value.
public enum EnvelopeChecks {
    /// The envelope's structure: Envelope, an optional Header, a Body, and — where the Body holds a Fault — the
    /// fault structure of the envelope's SOAP version.
    public static func structure(_ document: XMLDocument) -> [SchemaViolation] {
        guard let root = document.root else { return [] }
        let uri = string(root.namespaceURI)
        guard root.localName == "Envelope", let schema = uri == soap11 ? soap11Schema : uri == soap12 ? soap12Schema : nil
        else {
            var violation = SchemaViolation(path: "/" + root.localName, line: root.line,
                                            message: "The root element is \(root.elementDescription), not a SOAP 1.1 or 1.2 Envelope.")
            violation.source = .envelope
            return [violation]
        }
        return schema.validateEnvelopeStructure(document)
    }

    /// Everything at once, with one copy of the document: its `xsi:type` values, the Header and Body children
    /// against `schema` (when given, namespaces mapped first), then the envelope's structure.
    public static func validate(_ document: XMLDocument, schema: XMLSchemaSet?, namespaceMap: [NamespaceMapping] = [])
        -> [SchemaViolation]
    {
        var violations = declaredTypes(document)
        guard let root = document.root else { return violations }
        let uri = string(root.namespaceURI)
        guard root.localName == "Envelope", let envelopeSchema = uri == soap11 ? soap11Schema : uri == soap12 ? soap12Schema : nil
        else {
            return violations + structure(document)
        }
        guard let copy = xmlCopyDoc(document.doc, 1) else { return violations }
        defer { xmlFreeDoc(copy) }
        guard let copiedRoot = xmlDocGetRootElement(copy) else { return violations }
        XMLSchemaSet.stripBlankText(copiedRoot)
        violations += takeEnvelopeAttributes(copiedRoot)
        var service: [SchemaViolation] = []
        if let schema { service = schema.validateSections(of: copiedRoot, namespaceMap: namespaceMap) }
        let structural = envelopeSchema.validateStructure(of: copiedRoot)
        violations += structural + service
        return violations
    }

    /// Every element whose `xsi:type` names an XML Schema built-in (or the Serialization namespace's `guid`) must
    /// hold a lexically valid value; `xsi:nil="true"` must come with no content.
    public static func declaredTypes(_ document: XMLDocument) -> [SchemaViolation] {
        guard let root = document.root else { return [] }
        var violations: [SchemaViolation] = []
        check(root, in: document, into: &violations)
        for index in violations.indices { violations[index].source = .declaredType }
        return violations
    }

    /// SOAP's own attributes — `mustUnderstand`, `actor` (1.1), `role` and `relay` (1.2) on header blocks, and
    /// `encodingStyle` anywhere — belong to the envelope, not to the element they stand on: in `root`'s tree (a
    /// copy about to be validated) each is checked for what it is and then removed, so that the service schema
    /// judges the element's own content. `encodingStyle` is SOAP 1.1's to allow, but the WS-I Basic Profile
    /// forbids it in document/literal messages (R1005–R1007): it is reported as a profile warning (source
    /// `.profile`); SOAP 1.2 forbids it on the Envelope, Header and Body themselves (Part 1, 5.1.1).
    static func takeEnvelopeAttributes(_ root: Node) -> [SchemaViolation] {
        // Every element of every verified message passes here: namespaces are compared as libxml2 holds them, and a
        // Swift string is made only for an attribute in the envelope's namespace.
        let isSOAP12 = soap12Name.equals(root.namespaceURI)
        guard isSOAP12 || soap11Name.equals(root.namespaceURI) else { return [] }
        let envelope = isSOAP12 ? soap12Name : soap11Name
        var violations: [SchemaViolation] = []
        func found(_ node: Node, _ name: String, _ message: String, _ source: SchemaViolation.Source) {
            var violation = SchemaViolation(path: path(of: node) + "/@" + name, line: node.line, message: message)
            violation.source = source
            violations.append(violation)
        }
        func take(_ node: Node, depth: Int, inHeader: Bool, inBody: Bool) {
            let isEnvelopeElement = envelope.equals(node.namespaceURI)
            let isHeaderBlock = inHeader && depth == 2
            var attribute = node.pointee.properties
            while let each = attribute {
                attribute = each.pointee.next
                guard envelope.equals(each.namespaceURI) else { continue }
                let name = each.localName
                let value = each.value.trimmingCharacters(in: .whitespacesAndNewlines)
                switch name {
                case "encodingStyle" where isSOAP12 && isEnvelopeElement:
                    found(node, name, "SOAP 1.2 does not allow encodingStyle on the \(node.localName) element (SOAP 1.2 "
                              + "Part 1, 5.1.1).", .envelope)
                case "encodingStyle":
                    // R1006: on a child of the Body; R1007: on a grandchild; R1005 otherwise.
                    let rule = !isEnvelopeElement && inBody && depth == 2 ? "R1006"
                        : !isEnvelopeElement && inBody && depth == 3 ? "R1007" : "R1005"
                    found(node, name, "soap:encodingStyle=\"\(value)\" on \(node.localName): SOAP allows it, but the WS-I "
                              + "Basic Profile (\(rule)) forbids it in document/literal messages; servers such as WCF "
                              + "ignore it.", .profile)
                case "mustUnderstand", "relay":
                    guard isHeaderBlock else { continue }
                    if !["0", "1", "true", "false"].contains(value) {
                        found(node, name, "Element '\(node.localName)': \(name) is '\(value)'; SOAP allows 0, 1, true or "
                                  + "false.", .envelope)
                    }
                case "actor", "role":
                    guard isHeaderBlock else { continue }
                default:
                    continue
                }
                xmlRemoveProp(each)
            }
            var child = node.pointee.children
            while let current = child {
                child = current.pointee.next
                guard current.isElement else { continue }
                let section = depth == 0 && envelope.equals(current.namespaceURI) ? current.localName : ""
                take(current, depth: depth + 1, inHeader: inHeader || section == "Header",
                     inBody: inBody || section == "Body")
            }
        }
        take(root, depth: 0, inHeader: false, inBody: false)
        return violations
    }

    private static let soap11Name = CString(soap11)
    private static let soap12Name = CString(soap12)

    static let soap11 = "http://schemas.xmlsoap.org/soap/envelope/"
    static let soap12 = "http://www.w3.org/2003/05/soap-envelope"
    static let instance = "http://www.w3.org/2001/XMLSchema-instance"
    static let serialization = "http://schemas.microsoft.com/2003/10/Serialization/"

    private static let instanceName = CString(instance)
    private static let xsdName = CString(XMLSchemaSet.xsdNamespace)
    private static let serializationName = CString(serialization)

    private static func check(_ node: Node, in document: XMLDocument, into violations: inout [SchemaViolation]) {
        // Most elements carry neither xsi:nil nor xsi:type: look at the attributes before reading any content.
        // They are read as libxml2 holds them, without a Swift string, unless there is something to report.
        var nilAttribute: UnsafeMutablePointer<xmlAttr>?
        var typeAttribute: UnsafeMutablePointer<xmlAttr>?
        var attribute = node.pointee.properties
        while let each = attribute {
            attribute = each.pointee.next
            guard instanceName.equals(each.namespaceURI), let name = each.pointee.name else { continue }
            if strcmp(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self), "nil") == 0 { nilAttribute = each }
            if strcmp(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self), "type") == 0 { typeAttribute = each }
        }
        if nilAttribute != nil || typeAttribute != nil {
            let hasElements = node.hasElementChild
            if let nilAttribute, nilAttribute.withValue({ Lexical.trimmed($0).elementsEqual("true".utf8) }) {
                if hasElements || !content(of: node).trimmingXMLWhitespace().isEmpty {
                    violations.append(SchemaViolation(
                        path: path(of: node), line: node.line,
                        message: "Element '\(node.localName)': xsi:nil is \"true\" but the element has content."))
                }
            } else if !hasElements, let typeAttribute, let type = declaredType(typeAttribute, of: node, in: document) {
                let valid = ownText(of: node) { type.accepts(bytes: $0) }
                if !valid {
                    let typeName = typeAttribute.withValue { String(decoding: $0, as: UTF8.self) }
                    let value = content(of: node)
                    violations.append(SchemaViolation(
                        path: path(of: node), line: node.line,
                        message: "Element '\(node.localName)': '\(value.trimmingXMLWhitespace())' is not a valid "
                            + "value of its xsi:type \(typeName)."))
                }
            }
        }
        var child = node.pointee.children
        while let current = child {
            child = current.pointee.next
            if current.isElement { check(current, in: document, into: &violations) }
        }
    }

    /// The built-in type an `xsi:type` attribute names (`xsd:int`, or the Serialization namespace's `guid`), its
    /// prefix resolved where the element stands; nil for any other type.
    private static func declaredType(_ attribute: UnsafeMutablePointer<xmlAttr>, of node: Node, in document: XMLDocument)
        -> XSDLexicalType?
    {
        attribute.withValue { raw -> XSDLexicalType? in
            let value = Lexical.trimmed(raw)
            let colon = value.firstIndex(of: UInt8(ascii: ":"))
            let local = String(decoding: colon.map { value[($0 + 1)...] } ?? value[...], as: UTF8.self)
            // The prefix, null-terminated for libxml2.
            var prefix: [UInt8] = []
            if let colon {
                prefix = Array(value[..<colon])
                prefix.append(0)
            }
            let ns = prefix.isEmpty ? xmlSearchNs(document.doc, node, nil)
                : prefix.withUnsafeBufferPointer { xmlSearchNs(document.doc, node, $0.baseAddress) }
            let uri = ns?.pointee.href
            if xsdName.equals(uri) { return XSDLexicalType(rawValue: local) }
            if serializationName.equals(uri), local == "guid" { return .guid }
            return nil
        }
    }

    /// Calls `body` with the element's content as `xmlNodeGetContent` gives it, without a copy when it is one
    /// text node.
    private static func ownText<R>(of node: Node, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let only = node.pointee.children, only.pointee.next == nil, only.isText, let content = only.pointee.content {
            return body(UnsafeBufferPointer(start: content, count: cLength(content)))
        }
        guard let owned = xmlNodeGetContent(node) else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        defer { free(owned) }
        return body(UnsafeBufferPointer(start: owned, count: cLength(owned)))
    }

    private static func content(of node: Node) -> String {
        guard let owned = xmlNodeGetContent(node) else { return "" }
        defer { free(owned) }
        return string(owned)
    }

    private static func attribute(_ node: Node, _ name: String) -> String? {
        guard let value = xmlGetNsProp(node, name, instance) else { return nil }
        defer { free(value) }
        return string(value)
    }

    static func path(of node: Node) -> String {
        var segments: [String] = []
        var current: Node? = node
        while let each = current, each.isElement {
            segments.append(each.pathSegment)
            current = each.pointee.parent
        }
        return "/" + segments.reversed().joined(separator: "/")
    }

    /// SOAP 1.1 (W3C Note, 8 May 2000, section 4): Envelope, optional Header, Body; a Fault has faultcode (a
    /// QName), faultstring, an optional faultactor (a URI) and an optional detail, unqualified.
    static let soap11Schema: XMLSchemaSet = try! XMLSchemaSet(xsd: """
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:env="\(soap11)" targetNamespace="\(soap11)">
          <xs:element name="Envelope">
            <xs:complexType>
              <xs:sequence>
                <xs:element ref="env:Header" minOccurs="0"/>
                <xs:element ref="env:Body"/>
                <xs:any namespace="##other" minOccurs="0" maxOccurs="unbounded" processContents="lax"/>
              </xs:sequence>
              <xs:anyAttribute namespace="##other" processContents="lax"/>
            </xs:complexType>
          </xs:element>
          <xs:element name="Header">
            <xs:complexType>
              <xs:sequence><xs:any namespace="##other" minOccurs="0" maxOccurs="unbounded" processContents="lax"/></xs:sequence>
              <xs:anyAttribute namespace="##other" processContents="lax"/>
            </xs:complexType>
          </xs:element>
          <xs:element name="Body">
            <xs:complexType>
              <xs:sequence><xs:any namespace="##any" minOccurs="0" maxOccurs="unbounded" processContents="lax"/></xs:sequence>
              <xs:anyAttribute namespace="##any" processContents="lax"/>
            </xs:complexType>
          </xs:element>
          <xs:element name="Fault">
            <xs:complexType>
              <xs:sequence>
                <xs:element name="faultcode" type="xs:QName"/>
                <xs:element name="faultstring" type="xs:string"/>
                <xs:element name="faultactor" type="xs:anyURI" minOccurs="0"/>
                <xs:element name="detail" minOccurs="0">
                  <xs:complexType mixed="true">
                    <xs:sequence><xs:any namespace="##any" minOccurs="0" maxOccurs="unbounded" processContents="lax"/></xs:sequence>
                    <xs:anyAttribute namespace="##any" processContents="lax"/>
                  </xs:complexType>
                </xs:element>
              </xs:sequence>
            </xs:complexType>
          </xs:element>
        </xs:schema>
        """, name: "soaptape's SOAP 1.1 envelope schema")

    /// SOAP 1.2 Part 1 (W3C Recommendation, section 5): Envelope, optional Header, Body; a Fault has Code (Value,
    /// optional Subcode), Reason (one or more Text), and optional Node, Role and Detail, all qualified. (Text's
    /// required xml:lang is not checked: it would need the xml namespace's schema.)
    static let soap12Schema: XMLSchemaSet = try! XMLSchemaSet(xsd: """
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:env="\(soap12)" targetNamespace="\(soap12)"
            elementFormDefault="qualified">
          <xs:element name="Envelope">
            <xs:complexType>
              <xs:sequence>
                <xs:element ref="env:Header" minOccurs="0"/>
                <xs:element ref="env:Body"/>
              </xs:sequence>
              <xs:anyAttribute namespace="##other" processContents="lax"/>
            </xs:complexType>
          </xs:element>
          <xs:element name="Header">
            <xs:complexType>
              <xs:sequence><xs:any namespace="##any" minOccurs="0" maxOccurs="unbounded" processContents="lax"/></xs:sequence>
              <xs:anyAttribute namespace="##other" processContents="lax"/>
            </xs:complexType>
          </xs:element>
          <xs:element name="Body">
            <xs:complexType>
              <xs:sequence><xs:any namespace="##any" minOccurs="0" maxOccurs="unbounded" processContents="lax"/></xs:sequence>
              <xs:anyAttribute namespace="##other" processContents="lax"/>
            </xs:complexType>
          </xs:element>
          <xs:complexType name="Code">
            <xs:sequence>
              <xs:element name="Value" type="xs:QName"/>
              <xs:element name="Subcode" type="env:Code" minOccurs="0"/>
            </xs:sequence>
          </xs:complexType>
          <xs:element name="Fault">
            <xs:complexType>
              <xs:sequence>
                <xs:element name="Code" type="env:Code"/>
                <xs:element name="Reason">
                  <xs:complexType>
                    <xs:sequence>
                      <xs:element name="Text" maxOccurs="unbounded">
                        <xs:complexType>
                          <xs:simpleContent>
                            <xs:extension base="xs:string"><xs:anyAttribute namespace="##any" processContents="skip"/></xs:extension>
                          </xs:simpleContent>
                        </xs:complexType>
                      </xs:element>
                    </xs:sequence>
                  </xs:complexType>
                </xs:element>
                <xs:element name="Node" type="xs:anyURI" minOccurs="0"/>
                <xs:element name="Role" type="xs:anyURI" minOccurs="0"/>
                <xs:element name="Detail" minOccurs="0">
                  <xs:complexType>
                    <xs:sequence><xs:any namespace="##any" minOccurs="0" maxOccurs="unbounded" processContents="lax"/></xs:sequence>
                    <xs:anyAttribute namespace="##other" processContents="lax"/>
                  </xs:complexType>
                </xs:element>
              </xs:sequence>
            </xs:complexType>
          </xs:element>
        </xs:schema>
        """, name: "soaptape's SOAP 1.2 envelope schema")
}
