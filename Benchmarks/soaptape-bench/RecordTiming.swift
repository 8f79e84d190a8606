import CLibXML2
import Foundation
import SoapXML
import SoaptapeCore

/// `soaptape-bench record ANCHORS SPECS`: what the record proxy spends on one interaction beside the network, step
/// by step, with libxml2's bare parse of the same request as the anchor (JSON lines, microseconds per call).
enum RecordTiming {
    static func run(anchors: String, specs: String) throws {
        let requestBody = Timing.read(anchors + "/request-1k.xml")
        let responseBody = Timing.read(anchors + "/response-1k.xml")
        let request = HTTPRequestMessage(
            method: "POST", path: "/Remote/Services88/Favourite.svc",
            headers: [("Host", "127.0.0.1:8080"), ("Content-Type", "text/xml; charset=utf-8"),
                      ("SOAPAction",
                       "\"http://www.superoffice.net/ws/crm/NetServer/Services88/Favourite/ToggleFavourite\""),
                      ("Content-Length", String(requestBody.count))],
            body: requestBody)
        let response = HTTPResponseMessage(
            status: 200, headers: [("Server", "nginx"), ("Date", "Mon, 30 Nov 2026 12:00:00 GMT"),
                                   ("Content-Type", "text/xml; charset=utf-8"),
                                   ("Content-Length", String(responseBody.count)),
                                   ("Connection", "keep-alive")],
            body: responseBody)
        let specSet = try SpecSet.load([specs])
        let recorder = InteractionRecorder(redactor: .superOffice, redactedHeaders: ["authorization", "cookie"],
                                           specs: specSet)
        let directory = NSTemporaryDirectory() + "soaptape-record-timing-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try CassetteWriter(path: directory + "/bench.yaml", header: CassetteHeader(
            soaptape: "bench", upstream: "http://127.0.0.1:1", createdAt: Date().iso8601Milliseconds))
        let interaction = recorder.interaction(request, response, milliseconds: 1.5)
        let document = try XMLDocument(bytes: requestBody, name: "request")
        // Kept between calls, as the proxy keeps one per event loop.
        var batch = InteractionBatch()
        let steps: [(String, () -> Void)] = [
            ("libxml2 parse (anchor)", { Timing.libxml2Parse(requestBody) }),
            ("XMLDocument parse", { _ = try? XMLDocument(bytes: requestBody, name: "request") }),
            ("redact parsed request", { _ = Redactor.superOffice.redact(requestBody, document: document) }),
            ("scan request (no tree)", { _ = Redactor.superOffice.scan(requestBody) }),
            ("action", { _ = SoapMessage.action(contentType: request.header("Content-Type"),
                                                 soapActionHeader: request.header("SOAPAction")) }),
            ("timestamp", { _ = Date().iso8601Milliseconds }),
            ("interaction", { _ = recorder.interaction(request, response, milliseconds: 1.5) }),
            ("interaction text", {
                batch.removeAll()
                batch.add(interaction)
            }),
            ("append", { _ = try? writer.append(interaction) }),
            ("interaction + append", {
                _ = try? writer.append(recorder.interaction(request, response, milliseconds: 1.5))
            }),
        ]
        let only = ProcessInfo.processInfo.environment["STEP"]
        for (name, body) in steps where only == nil || only == name {
            let seconds = Timing.median(budget: 1.0, body)
            let data = try JSONSerialization.data(withJSONObject: ["step": name, "us": (seconds * 1e7).rounded() / 10],
                                                  options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
