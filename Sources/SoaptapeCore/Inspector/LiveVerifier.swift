import Foundation

/// `record --check`: each interaction verified as it is recorded, exactly as `verify` verifies it later (the same
/// `CassetteVerifier`, on the interaction as the cassette holds it), on a thread of its own that runs only when the
/// machine has nothing else to do (Linux's `SCHED_IDLE`), so that the proxy's clients never wait for it. Up to
/// `limit` interactions wait to be checked; the rest are checked from the cassette at the end (`finish`).
public final class LiveVerifier: @unchecked Sendable {
    private let verifier: CassetteVerifier
    private let limit: Int
    private let told: @Sendable (ReportCase) -> Void
    private let condition = NSCondition()
    private var waiting: [Interaction] = []
    private var next = 0
    private var unchecked: Set<Int> = []
    private var results: [ReportCase] = []
    private var finishing = false
    private var done = false

    /// A verifier telling `told` each case as it is made (on its own thread), holding up to `limit` waiting.
    public init(verifier: CassetteVerifier, limit: Int = 10_000, told: @escaping @Sendable (ReportCase) -> Void) {
        self.verifier = verifier
        self.limit = max(1, limit)
        self.told = told
        let thread = Thread { [self] in run() }
        thread.name = "soaptape-check"
        thread.start()
    }

    /// Queues `interactions` (as written, with their sequences); never blocks.
    public func submit(_ interactions: [Interaction]) {
        condition.lock()
        for interaction in interactions {
            if waiting.count - next < limit { waiting.append(interaction) } else { unchecked.insert(interaction.sequence) }
        }
        condition.signal()
        condition.unlock()
    }

    private func run() {
        // Only idle CPU: a busy proxy is never slowed, and what waits is checked later.
        IdlePriority.applyToThisThread()
        while true {
            condition.lock()
            while next == waiting.count && !finishing { condition.wait() }
            if next == waiting.count {
                done = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let interaction = waiting[next]
            next += 1
            if next > 4096 && next * 2 > waiting.count {
                waiting.removeFirst(next)
                next = 0
            }
            condition.unlock()
            let made = verifier.verify(interaction)
            told(made)
            condition.lock()
            results.append(made)
            condition.unlock()
        }
    }

    /// Every case, in sequence order, once the queue is empty: those that did not fit are checked now, from the
    /// interactions `load` gives for their sequences (read back from the cassette).
    public func finish(load: (Set<Int>) throws -> [Interaction]) rethrows -> [ReportCase] {
        condition.lock()
        finishing = true
        condition.broadcast()
        while !done { condition.wait() }
        let late = unchecked
        var cases = results
        condition.unlock()
        if !late.isEmpty {
            for interaction in try load(late) {
                let made = verifier.verify(interaction)
                told(made)
                cases.append(made)
            }
        }
        return cases.sorted { $0.sequence < $1.sequence }
    }
}

extension LiveVerifier {
    /// One case as a terminal line: `PASS   #3 Services88/Favourite/ToggleFavourite`, or with the first
    /// difference in a few words (`FAIL   #4 … — text value at /Envelope/Body/…/Response: expected …, found …`).
    public static func line(_ checked: ReportCase) -> String {
        let mark: String
        switch checked.verdict {
        case .passed: mark = "PASS  "
        case .failed: mark = "FAIL  "
        case .error: mark = "ERROR "
        case .unidentified: mark = "NOSPEC"
        case .skipped: mark = "SKIP  "
        case .unused: mark = "UNUSED"
        }
        var line = "\(mark) #\(checked.sequence) \(checked.operation)"
        if let first = checked.differences.first {
            line += " — \(first.kind.phrase) at \(first.path)"
            if first.expected != nil || first.actual != nil {
                line += ": expected \(DifferenceReport.show(first.expected, kind: first.kind)), found "
                    + DifferenceReport.show(first.actual, kind: first.kind)
            }
            if checked.differences.count > 1 { line += " (and \(checked.differences.count - 1) more)" }
        } else if let message = checked.message {
            line += " — \(message)"
        }
        return line
    }
}
