import Foundation
import SoapXML

/// Checks that specs say what they mean: real SOAP envelopes of the declared versions, the declared
/// request and response elements in the target namespace, and no two specs claiming one operation.
public enum SpecLinter {
    /// Every finding in `set`, in file order.
    public static func lint(_ set: SpecSet) -> [SourceError] {
        var findings: [SourceError] = []
        var claimed: [String: String] = [:]
        for loaded in set.specs {
            let spec = loaded.spec
            let text = (try? String(contentsOfFile: loaded.file, encoding: .utf8)) ?? ""
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            func finding(_ key: String, containing needle: String?, _ message: String) -> SourceError {
                let keyLine = (lines.firstIndex { $0.hasPrefix(key + ":") } ?? 0) + 1
                var line = keyLine
                var column = 1
                if let needle, let found = lines[keyLine...].firstIndex(where: { $0.contains(needle) }) {
                    line = found + 1
                    let text = lines[found]
                    column = text.distance(from: text.startIndex, to: text.range(of: needle)!.lowerBound) + 1
                }
                return SourceError(file: loaded.file, line: line, column: column, message: message,
                                   sourceLine: line <= lines.count ? lines[line - 1] : nil)
            }
            for (key, xml, element) in [("request", spec.request, spec.requestElementName),
                                        ("response", spec.response, spec.responseElementName)] {
                guard let document = try? XMLDocument(string: xml, name: loaded.file),
                    let root = document.rootName
                else { continue }
                guard root.localName == "Envelope", let version = SoapVersion(envelopeNamespace: root.namespace) else {
                    findings.append(finding(key, containing: nil, "the \(key) is not a SOAP envelope: its root is \(root)"))
                    continue
                }
                if !spec.soap.contains(version) {
                    findings.append(finding(key, containing: "Envelope", "the \(key) is a SOAP \(version.rawValue) envelope "
                        + "but the spec accepts SOAP \(spec.soap.map(\.rawValue).joined(separator: ", ")); add it to 'soap'"))
                }
                guard let first = document.bodyFirstChild else {
                    findings.append(finding(key, containing: "Body", "the \(key)'s Body is empty; it must hold <\(element)>"))
                    continue
                }
                if key == "response" && first.localName == "Fault" { continue }
                if first.localName != element || first.namespace != spec.namespace {
                    let setting = key == "request" ? "request_element" : "response_element"
                    findings.append(finding(key, containing: first.localName,
                        "the \(key)'s Body holds \(first) but the spec declares <\(element)> in \(spec.namespace); fix "
                            + "the envelope, or set '\(setting)' or 'namespace'"))
                }
            }
            let claim = "\(SoapMessage.endpointKey(spec.endpoint)) \(spec.namespace) \(spec.requestElementName)"
            if let first = claimed[claim] {
                findings.append(finding("operation", containing: nil, "\(spec.endpoint) \(spec.operation) is "
                    + "already claimed by \(first); keep one spec per endpoint and operation"))
            } else {
                claimed[claim] = loaded.file
            }
        }
        return findings
    }
}
