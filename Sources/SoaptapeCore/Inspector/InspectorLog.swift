import Foundation
import SoapXML

/// The interactions a listening command has seen, kept for the inspector page (`/__soaptape/`): redacted as
/// `record` redacts before anything is kept, the newest `capacity` of them, each with its verdict when one is
/// known. Safe to add to from any thread.
public final class InspectorLog: @unchecked Sendable {
    /// What one listening command is, for the page's title: `record`, `serve`, `sandbox`, `shadow`.
    public let command: String
    /// How many interactions are kept; older ones leave the page.
    public let capacity: Int
    private let recorder: InteractionRecorder
    private let lock = NSLock()
    private var entries: [Int: Stored] = [:]
    private var order: [Int] = []
    private var revision = 0
    private var nextSequence = 0
    private var dropped = 0

    private struct Stored {
        var entry: InspectorEntry
        var request: [UInt8]
        var response: [UInt8]
        var checked: ReportCase?
    }

    /// A log for `command`, keeping `capacity` interactions, identifying operations by `specs` and redacting as
    /// `redactor` and `redactedHeaders` say.
    public init(command: String, capacity: Int = 2000, specs: SpecSet?, redactor: Redactor = .superOffice,
                redactedHeaders: HeaderNameSet = HTTPHeaderRules.credentials) {
        self.command = command
        self.capacity = max(1, capacity)
        recorder = InteractionRecorder(redactor: redactor, redactedHeaders: redactedHeaders, specs: specs)
    }

    /// Adds an exchange (redacted here first), numbered `sequence` or else in arrival order; returns its number.
    @discardableResult
    public func add(_ request: HTTPRequestMessage, _ response: HTTPResponseMessage, milliseconds: Double,
                    verdict: String, summary: String? = nil, sequence: Int? = nil) -> Int {
        var interaction = recorder.interaction(request, response, milliseconds: milliseconds)
        interaction.sequence = sequence ?? lock.withLock {
            nextSequence += 1
            return nextSequence
        }
        add(interaction, verdict: verdict, summary: summary)
        return interaction.sequence
    }

    /// Adds an interaction that is already redacted (as `record` writes it), under its own sequence.
    public func add(_ interaction: Interaction, verdict: String, summary: String? = nil) {
        lock.withLock {
            revision += 1
            nextSequence = max(nextSequence, interaction.sequence)
            let entry = InspectorEntry(
                sequence: interaction.sequence, completedAt: interaction.recordedAt, method: interaction.request.method,
                path: interaction.request.path, operation: interaction.label, status: interaction.response.status,
                durationMilliseconds: interaction.durationMilliseconds, verdict: verdict, summary: summary,
                revision: revision)
            if entries[interaction.sequence] == nil { order.append(interaction.sequence) }
            entries[interaction.sequence] = Stored(entry: entry, request: interaction.request.body,
                                                   response: interaction.response.body, checked: nil)
            while order.count > capacity {
                entries[order.removeFirst()] = nil
                dropped += 1
            }
        }
    }

    /// The verdict of interaction `sequence` is known: `checked` is its case, as `verify` reports it.
    public func checked(_ sequence: Int, _ checked: ReportCase) {
        lock.withLock {
            guard var stored = entries[sequence] else { return }
            revision += 1
            stored.entry.verdict = checked.verdict.rawValue
            stored.entry.operation = checked.operation
            stored.entry.summary = Self.summary(of: checked)
            stored.entry.revision = revision
            stored.checked = checked
            entries[sequence] = stored
        }
    }

    /// Interaction `sequence` has a new verdict (`shadow`'s comparison: `equal`, `noise-only`, `differing`,
    /// `candidate-failed`) and `summary`; nothing when the page no longer keeps it.
    public func update(_ sequence: Int, verdict: String, summary: String?) {
        lock.withLock {
            guard var stored = entries[sequence] else { return }
            revision += 1
            stored.entry.verdict = verdict
            stored.entry.summary = summary
            stored.entry.revision = revision
            entries[sequence] = stored
        }
    }

    /// The first difference of a case in a few words (`text value at /Envelope/Body/…/Response`), else its message.
    public static func summary(of checked: ReportCase) -> String? {
        if let first = checked.differences.first {
            let more = checked.differences.count > 1 ? " (and \(checked.differences.count - 1) more)" : ""
            return "\(first.kind.phrase) at \(first.path)\(more)"
        }
        return checked.message
    }

    /// The entries changed since `revision`, newest first, and the revision they bring the page to.
    public func changes(since revision: Int) -> (entries: [InspectorEntry], revision: Int, dropped: Int) {
        lock.withLock {
            let changed = order.reversed().compactMap { entries[$0]?.entry }.filter { $0.revision > revision }
            return (changed, self.revision, dropped)
        }
    }

    /// The page's view of one interaction: its line, its differences against the spec (as the HTML report shows
    /// them) and its request and answer in canonical pretty form. Nil when it is not (or no longer) kept.
    public func detail(_ sequence: Int) -> String? {
        guard let stored = lock.withLock({ entries[sequence] }) else { return nil }
        let entry = stored.entry
        var html = "<h2 id=\"detail-\(entry.sequence)\">#\(entry.sequence) \(XMLEscaping.markup(entry.operation))</h2>\n"
            + "<p class=\"line \(XMLEscaping.markup(entry.verdict))\"><b>\(XMLEscaping.markup(entry.verdict))</b>"
            + " — \(XMLEscaping.markup(entry.method)) <span class=\"path\">\(XMLEscaping.markup(entry.path))</span>,"
            + " HTTP \(entry.status), \(String(format: "%.1f", entry.durationMilliseconds)) ms"
            + (stored.checked?.message.map { "<br>" + XMLEscaping.markup($0) } ?? "") + "</p>\n"
        if let checked = stored.checked, !checked.differences.isEmpty {
            html += ReportHTML.differences(checked.differences)
            html += ReportHTML.sideBySide(expected: checked.expected, actual: checked.actual,
                                          expectedName: "spec (expected)", actualName: "recorded")
        }
        html += ReportHTML.envelope(stored.request, title: "Request")
        html += ReportHTML.envelope(stored.response, title: "Answer")
        return html
    }

    /// The changes since `revision` as the page reads them (JSON).
    public func changesJSON(since revision: Int) -> String {
        let (changed, now, dropped) = changes(since: revision)
        struct Page: Encodable {
            var command: String
            var revision: Int
            var dropped: Int
            var interactions: [InspectorEntry]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let page = Page(command: command, revision: now, dropped: dropped, interactions: changed)
        return String(decoding: (try? encoder.encode(page)) ?? Data(), as: UTF8.self)
    }
}
