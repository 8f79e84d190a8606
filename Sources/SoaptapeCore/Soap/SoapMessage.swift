import Foundation
import SoapXML

/// What identifies a SOAP request on the wire: version, action, endpoint and payload element.
public enum SoapMessage {
    /// The SOAP version a `Content-Type` names: `text/xml` is 1.1, `application/soap+xml` is 1.2.
    public static func version(contentType: String?) -> SoapVersion? {
        guard var contentType else { return nil }
        // The media type is compared as ASCII bytes, case-insensitively (this runs for every request).
        return contentType.withUTF8 { bytes -> SoapVersion? in
            var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
            var start = 0
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            let type = UnsafeBufferPointer(rebasing: bytes[start..<end])
            if asciiEqualIgnoringCase(type, "text/xml") { return .soap11 }
            if asciiEqualIgnoringCase(type, "application/soap+xml") { return .soap12 }
            return nil
        }
    }

    /// True when `bytes` spell `lowercase` (ASCII, given in lower case) in any case.
    private static func asciiEqualIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        for index in 0..<bytes.count {
            var byte = bytes[index]
            if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
            if byte != expected[index] { return false }
        }
        return true
    }

    /// The action: SOAP 1.2's `action` parameter of the content type, else the `SOAPAction` header (unquoted).
    public static func action(contentType: String?, soapActionHeader: String?) -> String? {
        // Most content types carry no action parameter; the word is looked for in the bytes before splitting.
        if let contentType, Self.mentionsAction(contentType) {
            for parameter in contentType.split(separator: ";").dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map(trimmed)
                if pair.count == 2, pair[0].lowercased() == "action" { return unquoted(pair[1]) }
            }
        }
        guard let header = soapActionHeader.map(unquoted), !header.isEmpty else { return nil }
        return header
    }

    /// True when `text` holds `action` in any case (ASCII).
    private static func mentionsAction(_ text: String) -> Bool {
        let word: [UInt8] = Array("action".utf8)
        var matched = 0
        for byte in text.utf8 {
            let lower = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            if lower == word[matched] {
                matched += 1
                if matched == word.count { return true }
            } else {
                matched = lower == word[0] ? 1 : 0
            }
        }
        return false
    }

    /// The content type to send or answer with.
    public static func contentType(_ version: SoapVersion, action: String?) -> String {
        switch version {
        case .soap11: return "text/xml; charset=utf-8"
        case .soap12: return "application/soap+xml; charset=utf-8" + (action.map { "; action=\"\($0)\"" } ?? "")
        }
    }

    static func unquoted(_ text: some StringProtocol) -> String {
        var text = String(text)
        // Over the UTF-8 bytes: this runs for every recorded request's SOAPAction.
        return text.withUTF8 { bytes in
            var start = 0, end = bytes.count
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            if end - start >= 2, bytes[start] == 0x22, bytes[end - 1] == 0x22 {
                start += 1
                end -= 1
            }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
    }

    /// `text` without spaces and tabs at either end (no Foundation: this runs for every request).
    static func trimmed(_ text: some StringProtocol) -> String {
        var slice = Substring(text)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }

    /// The `/Remote/ServicesNN/<Agent>.svc` part of a path, tenant prefix and query removed, lower-cased.
    public static func endpointKey(_ path: String) -> String {
        var path = path
        // ASCII paths (nearly all) are keyed over bytes, without Foundation: this runs for every request.
        if let key = EndpointKeys.shared.key(for: path) { return key }
        if let key = path.withUTF8({ asciiEndpointKey($0) }) {
            EndpointKeys.shared.remember(key, for: path)
            return key
        }
        var key = (path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "").lowercased()
        if let range = key.range(of: "/remote/") { key = String(key[range.lowerBound...]) }
        while key.count > 1 && key.hasSuffix("/") { key.removeLast() }
        return key
    }

    /// `endpointKey` of an ASCII path; nil when the path holds other bytes.
    private static func asciiEndpointKey(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var lowered: [UInt8] = []
        lowered.reserveCapacity(bytes.count)
        for byte in bytes {
            if byte == UInt8(ascii: "?") { break }
            guard byte < 0x80 else { return nil }
            lowered.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
        }
        var start = 0
        let marker = Array("/remote/".utf8)
        if lowered.count >= marker.count {
            for index in 0...(lowered.count - marker.count) where lowered[index] == marker[0]
                && lowered[index..<(index + marker.count)].elementsEqual(marker)
            {
                start = index
                break
            }
        }
        var end = lowered.count
        while end - start > 1 && lowered[end - 1] == UInt8(ascii: "/") { end -= 1 }
        return String(decoding: lowered[start..<end], as: UTF8.self)
    }

    /// A SOAP Fault envelope in `version`: Client/Sender faults when `sender`, Server/Receiver otherwise.
    public static func fault(_ version: SoapVersion, sender: Bool, reason: String) -> String {
        let text = XMLEscaping.text(reason)
        switch version {
        case .soap11:
            return """
                <?xml version="1.0" encoding="UTF-8"?>
                <soap:Envelope xmlns:soap="\(version.envelopeNamespace)">
                  <soap:Body>
                    <soap:Fault>
                      <faultcode>soap:\(sender ? "Client" : "Server")</faultcode>
                      <faultstring>\(text)</faultstring>
                    </soap:Fault>
                  </soap:Body>
                </soap:Envelope>

                """
        case .soap12:
            return """
                <?xml version="1.0" encoding="UTF-8"?>
                <env:Envelope xmlns:env="\(version.envelopeNamespace)">
                  <env:Body>
                    <env:Fault>
                      <env:Code><env:Value>env:\(sender ? "Sender" : "Receiver")</env:Value></env:Code>
                      <env:Reason><env:Text xml:lang="en">\(text)</env:Text></env:Reason>
                    </env:Fault>
                  </env:Body>
                </env:Envelope>

                """
        }
    }

    /// The HTTP status the SOAP bindings prescribe for a fault: 500 in SOAP 1.1; 400 for a Sender fault and
    /// 500 for a Receiver fault in SOAP 1.2.
    public static func faultStatus(_ version: SoapVersion, sender: Bool) -> Int {
        version == .soap12 && sender ? 400 : 500
    }

    /// The fault code and reason of a fault envelope, nil when the Body holds no Fault.
    public static func faultDetails(_ document: XMLDocument) -> (code: String, reason: String)? {
        guard let root = document.rootElement(),
            let body = root.elements.first(where: { $0.localName == "Body" }),
            let fault = body.elements.first(where: { $0.localName == "Fault" })
        else { return nil }
        if let code = fault.elements.first(where: { $0.localName == "faultcode" }) {
            let reason = fault.elements.first { $0.localName == "faultstring" }?.text ?? ""
            return (code.text.trimmingXML(), reason.trimmingXML())
        }
        let code = fault.elements.first { $0.localName == "Code" }?.elements.first { $0.localName == "Value" }?.text ?? ""
        let reason = fault.elements.first { $0.localName == "Reason" }?.elements.first { $0.localName == "Text" }?.text ?? ""
        return (code.trimmingXML(), reason.trimmingXML())
    }
}

extension String {
    func trimmingXML() -> String { trimmingCharacters(in: .whitespacesAndNewlines) }
}

/// Endpoint keys of the paths seen last: a client calls few endpoints, and each key would otherwise be made anew
/// (lower-cased, trimmed) for every request. Bounded: emptied when it holds 256 paths.
private final class EndpointKeys: @unchecked Sendable {
    static let shared = EndpointKeys()
    private let lock = NSLock()
    private var keys: [String: String] = [:]

    func key(for path: String) -> String? { lock.withLock { keys[path] } }

    func remember(_ key: String, for path: String) {
        lock.withLock {
            if keys.count >= 256 { keys.removeAll(keepingCapacity: true) }
            keys[path] = key
        }
    }
}
