/// A SOAP version and what identifies it on the wire.
public enum SoapVersion: String, CaseIterable, Codable, Sendable {
    /// SOAP 1.1: `text/xml` with a `SOAPAction` header.
    case soap11 = "1.1"
    /// SOAP 1.2: `application/soap+xml` with an `action` parameter.
    case soap12 = "1.2"

    /// The envelope namespace URI.
    public var envelopeNamespace: String {
        switch self {
        case .soap11: "http://schemas.xmlsoap.org/soap/envelope/"
        case .soap12: "http://www.w3.org/2003/05/soap-envelope"
        }
    }

    /// The HTTP content type of a message.
    public var contentType: String {
        switch self {
        case .soap11: "text/xml"
        case .soap12: "application/soap+xml"
        }
    }

    /// The version whose envelope namespace is `uri`, if any.
    public init?(envelopeNamespace uri: String) {
        guard let version = SoapVersion.allCases.first(where: { $0.envelopeNamespace == uri }) else { return nil }
        self = version
    }
}
