import Foundation
import SoapXML

/// Keeps credentials out of reports, faults and logs: what `serve`, `replay` and `verify` show of live traffic
/// (canonical forms, differences) passes through here first, with the same rules the recorder redacts by.
public struct SecretScrubber: Sendable {
    /// What is redacted from bodies.
    public var redactor: Redactor

    /// A scrubber for SuperOffice's credentials (ApplicationToken, Credentials/Ticket, Password) unless told otherwise.
    public init(redactor: Redactor = .superOffice) { self.redactor = redactor }

    /// `bytes` parsed with every credential replaced by `${redacted}`; nil when they are not XML.
    public func document(_ bytes: [UInt8], name: String) -> XMLDocument? {
        guard let parsed = try? XMLDocument(bytes: bytes, name: name) else { return nil }
        guard redactor.mayMatch(bytes) else { return parsed }
        return try? XMLDocument(bytes: redactor.redact(bytes, document: parsed).bytes, name: name)
    }

    /// `bytes` as text with every credential replaced (for showing a body that is shown whole).
    public func text(_ bytes: [UInt8]) -> String {
        guard redactor.mayMatch(bytes), let parsed = try? XMLDocument(bytes: bytes, name: "body") else {
            return String(decoding: bytes, as: UTF8.self)
        }
        return String(decoding: redactor.redact(bytes, document: parsed).bytes, as: UTF8.self)
    }

    /// `differences` with the values of credential elements hidden.
    public func scrub(_ differences: [Difference]) -> [Difference] {
        differences.map { difference in
            guard Self.isCredential(difference.path) else { return difference }
            var hidden = difference
            if hidden.expected != nil { hidden.expected = Redactor.placeholder }
            if hidden.actual != nil { hidden.actual = Redactor.placeholder }
            return hidden
        }
    }

    /// True for a path that ends at a credential: `…/ApplicationToken`, `…/Credentials/Ticket`, `…/Password`.
    static func isCredential(_ path: String) -> Bool {
        let steps = path.split(separator: "/").map { step in
            String(step.split(separator: "[").first ?? step).split(separator: ":").last.map(String.init) ?? ""
        }
        guard let last = steps.last else { return false }
        if last == "ApplicationToken" || last == "Password" { return true }
        return last == "Ticket" && steps.dropLast().last == "Credentials"
    }
}
