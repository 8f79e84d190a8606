import FuzzDriver
import SoapXML
import SoaptapeCore

/// libFuzzer entry: SOAP request identification — content type, action and body — as the sandbox and serve do it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSoap(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // The first line is the Content-Type, the second the SOAPAction, the rest the body.
    let lines = bytes.split(separator: 0x0A, maxSplits: 2, omittingEmptySubsequences: false)
    let contentType = lines.first.map { String(decoding: $0, as: UTF8.self) }
    let action = lines.count > 1 ? String(decoding: lines[1], as: UTF8.self) : nil
    let body = lines.count > 2 ? Array(lines[2]) : []
    _ = SoapMessage.version(contentType: contentType)
    _ = SoapMessage.action(contentType: contentType, soapActionHeader: action)
    let request = HTTPRequestMessage(method: "POST", path: "/Remote/Services88/Favourite.svc",
                                     headers: [("Content-Type", contentType ?? ""), ("SOAPAction", action ?? "")], body: body)
    _ = FuzzSandbox.responder.respond(to: request)
    if let document = try? XMLDocument(bytes: body, name: "fuzz") { _ = SoapMessage.faultDetails(document) }
    return 0
}

enum FuzzSandbox {
    static let responder = SandboxResponder(specs: (try? SpecSet.load(["specs"])) ?? SpecSet([]))
}


/// This target's entry point (SwiftPM's `<module>_main`), run by libFuzzer.
@_cdecl("fuzz_soap_main")
public func fuzzEntry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzSoap)
}
