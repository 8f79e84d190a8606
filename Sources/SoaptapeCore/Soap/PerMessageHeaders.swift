import SoapXML

/// SOAP header blocks that differ in every message by design, whatever the operation: WS-Addressing's
/// `MessageID` (a new UUID per request), `RelatesTo` (the answer's copy of it) and `To` (the address the client
/// called: the record proxy's, then the mock's). WCF-style clients such as zeep send them when a WSDL asks for
/// addressing. Matching a request to a recording, or an answer to a recorded one, leaves them out.
public enum PerMessageHeaders {
    /// The rules that leave them out (element paths by local name, so mock servers keep their fingerprints).
    public static let ignored: [XPathSelector] = ["MessageID", "RelatesTo", "To"].map {
        try! XPathSelector("/Envelope/Header/" + $0)
    }
}
