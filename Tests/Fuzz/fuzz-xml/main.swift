import FuzzDriver
import SoapXML

/// libFuzzer entry: any bytes through the engine's safe parse, canonical printing, comparison (with itself and with
/// a seed envelope), value fingerprints and the envelope checks. Nothing may crash or hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let document = try? XMLDocument(bytes: bytes, name: "fuzz") else { return 0 }
    _ = CanonicalPrinter().print(document)
    _ = XMLComparator().compare(document, document)
    _ = XMLComparator().compare(FuzzSeed.envelope, document)
    _ = document.valueFingerprint(FingerprintRules(skipping: document.placeholderValuePaths()))
    _ = EnvelopeChecks.validate(document, schema: nil)
    _ = document.rootElement()?.document()
    return 0
}

enum FuzzSeed {
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
