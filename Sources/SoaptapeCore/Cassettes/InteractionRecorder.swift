import Foundation
import SoapXML

/// Turns one proxied exchange into the interaction a cassette keeps: secrets redacted from bodies and headers,
/// the operation identified (from a matching spec, else the Body's first child and the action), a SOAP Fault
/// answer marked. The record proxy calls it once per forwarded request, so it parses each body at most once.
public struct InteractionRecorder: Sendable {
    /// What is redacted from bodies.
    public var redactor: Redactor
    /// Header names (lower-case) whose values are redacted.
    public var redactedHeaders: HeaderNameSet
    /// Header names (lower-case) never recorded: hop-by-hop ones and those set anew by whoever sends.
    public var droppedHeaders: HeaderNameSet
    /// The specs operations are identified by.
    public var specs: SpecSet?

    /// A recorder redacting with `redactor` and `redactedHeaders`, identifying operations by `specs`.
    public init(redactor: Redactor, redactedHeaders: HeaderNameSet,
                droppedHeaders: HeaderNameSet = HTTPHeaderRules.notForwarded, specs: SpecSet?) {
        self.redactor = redactor
        self.redactedHeaders = redactedHeaders
        self.droppedHeaders = droppedHeaders
        self.specs = specs
    }

    /// The interaction for `request` answered by `response` after `milliseconds`. A response whose body arrived
    /// compressed is passed decoded, with the encoding it travelled in as `contentEncoding` (its
    /// `Content-Encoding` header is then not recorded: the cassette notes it instead).
    public func interaction(_ request: HTTPRequestMessage, _ response: HTTPResponseMessage,
                            contentEncoding: String? = nil, milliseconds: Double,
                            recordedAt: String = Date().iso8601Milliseconds) -> Interaction {
        let requestBody = examined(request.body)
        // The response is read only when it may be a fault or hold a secret (most answers are neither).
        let mayBeFault = ByteSearch.isWide(response.body) || ByteSearch.contains(response.body, Self.faultWord)
        let responseBody = mayBeFault || redactor.mayMatch(response.body)
            ? examined(response.body) : (redacted: response.body, firstChild: nil)
        var identity = OperationIdentity(
            action: SoapMessage.action(contentType: request.header("Content-Type"),
                                       soapActionHeader: request.header("SOAPAction")))
        if let element = requestBody.firstChild {
            identity.element = element.description
            if let spec = specs?.spec(atEndpoint: request.path, requestElement: element)?.spec {
                identity.version = spec.version
                identity.agent = spec.agent
                identity.name = spec.operation
            }
        }
        let isFault = responseBody.firstChild.map { element in
            element.localName == "Fault" && SoapVersion(envelopeNamespace: element.namespace) != nil
        } ?? false
        var responseHeaders = response.headers
        if contentEncoding != nil { responseHeaders.removeAll { $0.name.equalsIgnoringCase("Content-Encoding") } }
        return Interaction(
            sequence: 0, recordedAt: recordedAt, durationMilliseconds: milliseconds, operation: identity,
            request: RecordedRequest(method: request.method, path: request.path, headers: recorded(request.headers),
                                     body: requestBody.redacted),
            response: RecordedResponse(status: response.status, headers: recorded(responseHeaders),
                                       body: responseBody.redacted,
                                       fault: isFault, contentEncoding: contentEncoding))
    }

    private static let faultWord = Array("Fault".utf8)

    /// A body redacted, and its Body's first child: by one streaming pass when the redactor allows it, else from
    /// the parsed document.
    private func examined(_ body: [UInt8]) -> (redacted: [UInt8], firstChild: ExpandedName?) {
        if let scanned = redactor.scan(body) { return (scanned.bytes, scanned.bodyFirstChild) }
        let document = try? XMLDocument(bytes: body, name: "body")
        return (redactor.redact(body, document: document).bytes, document?.bodyFirstChild)
    }

    /// The headers as recorded: dropped ones left out, credentials replaced.
    private func recorded(_ headers: [(name: String, value: String)]) -> [HeaderField] {
        var fields: [HeaderField] = []
        fields.reserveCapacity(headers.count)
        for (name, value) in headers where !droppedHeaders.contains(name) {
            fields.append(HeaderField(name, redactedHeaders.contains(name) ? Redactor.placeholder : value))
        }
        return fields
    }
}
