import FuzzDriver
import SoapXML

/// libFuzzer entry: any bytes through the engine's safe parse, canonical printing, comparison (with itself and with
/// a seed envelope), value fingerprints and the envelope checks, and the streaming scan the record proxy uses, which
/// must agree with the parsed document wherever that parses. Nothing may crash or hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let parsed = try? XMLDocument(bytes: bytes, name: "fuzz")
    for redactor in FuzzSeed.redactors {
        guard let scanned = redactor.scan(bytes), let parsed else { continue }
        let expected = redactor.redact(bytes, document: parsed)
        precondition(scanned.wellFormed, "the scan refused what the parser read")
        precondition(scanned.bytes == expected.bytes && scanned.redactions == expected.count,
                     "the scan redacted otherwise")
        precondition(scanned.bodyFirstChild == parsed.bodyFirstChild, "the scan found another Body child")
    }
    guard let document = parsed else { return 0 }
    _ = CanonicalPrinter().print(document)
    _ = XMLComparator().compare(document, document)
    _ = XMLComparator().compare(FuzzSeed.envelope, document)
    _ = document.valueFingerprint(FingerprintRules(skipping: document.placeholderValuePaths()))
    _ = EnvelopeChecks.validate(document, schema: nil)
    _ = document.rootElement()?.document()
    return 0
}

enum FuzzSeed {
    static let redactors = [
        Redactor.superOffice, Redactor(selectors: [try! XPathSelector("//Body/*"), try! XPathSelector("/*/*/*")]),
    ]

    nonisolated(unsafe) static let envelope = try! XMLDocument(string: """
        <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:f="http://www.superoffice.net/ws/crm/NetServer/Services88">
        <s:Body><f:ToggleFavourite><f:TableName>${string}</f:TableName><f:RecordId>${int}</f:RecordId></f:ToggleFavourite></s:Body>
        </s:Envelope>
        """)
}


/// This target's entry point (SwiftPM's `<module>_main`), run by libFuzzer.
@_cdecl("fuzz_xml_main")
public func fuzzEntry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzXML)
}
