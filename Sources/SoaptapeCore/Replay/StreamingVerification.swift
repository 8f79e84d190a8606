import Dispatch
import SoapXML
import Foundation

/// `verify` over any number of cassettes in flat memory: each cassette is streamed (`CassetteLoader.stream`), its
/// interactions verified in batches by `jobs` workers — one `CassetteVerifier` each, so no parsed spec is shared
/// between threads — while the next batch is read. Only the report's cases are kept, compactly (`CompactCases`:
/// about 8 bytes for a case that passed).
public struct StreamingVerification: Sendable {
    /// Workers verifying at once.
    public var jobs: Int
    /// This run's part of a sharded run, if any.
    public var shard: Shard?
    /// Interactions handed to the workers at a time.
    public var batchSize = 256

    private let verifiers: [CassetteVerifier]

    /// A run with `jobs` workers, each with a verifier for `specs`.
    public init(specs: SpecSet, requireSpec: Bool, failOnWarnings: Bool = false, jobs: Int, shard: Shard?)
        throws(SchemaError)
    {
        self.jobs = max(1, jobs)
        self.shard = shard
        var made: [CassetteVerifier] = []
        for _ in 0..<self.jobs {
            var verifier = try CassetteVerifier(specs: specs, requireSpec: requireSpec)
            verifier.failOnWarnings = failOnWarnings
            made.append(verifier)
        }
        verifiers = made
    }

    /// What a run found: a suite per cassette that had interactions to check (all of them, unsharded), and the
    /// cassettes that could not be read.
    public struct Outcome: Sendable {
        /// The suites, in the order of the files.
        public var suites: [ReportSuite]
        /// Each unreadable cassette's error, placed at `file:line:column`.
        public var errors: [SourceError]
    }

    /// Verifies the cassettes in `files`, in order; `progress` is told the count of interactions checked so far.
    public func run(_ files: [String], progress: (Int) -> Void = { _ in }) -> Outcome {
        var suites: [ReportSuite] = []
        var errors: [SourceError] = []
        var checked = 0
        // A fixed set of threads, made once: each thread's allocations stay in its own malloc arena, and a pool that
        // grew threads on demand would grow arenas (and RSS) with them.
        let pool = WorkerPool(count: jobs)
        defer { pool.stop() }
        for file in files {
            var cases = CompactCases()
            var batch: [Interaction] = []
            var running: (pool: WorkerPool, results: ResultBox)?
            func collect() {
                guard let (pool, results) = running else { return }
                pool.wait()
                results.forEach { cases.append($0) }
                checked += results.count
                progress(checked)
                running = nil
            }
            func launch() {
                let work = batch
                batch = []
                let results = ResultBox(count: work.count)
                let workers = jobs
                pool.start { [verifiers] worker in
                    var index = worker
                    while index < work.count {
                        results.set(index, verifiers[worker].verify(work[index]))
                        index += workers
                    }
                }
                running = (pool, results)
            }
            do {
                try CassetteLoader.stream(file) { interaction in
                    if let shard, !shard.owns(cassette: file, sequence: interaction.sequence) { return }
                    batch.append(interaction)
                    if batch.count == batchSize {
                        // The batch before is collected while this one is read: reading and checking overlap.
                        collect()
                        launch()
                    }
                }
            } catch {
                collect()
                errors.append(error)
                continue
            }
            collect()
            if !batch.isEmpty {
                launch()
                collect()
            }
            if shard == nil || cases.count > 0 { suites.append(ReportSuite(cassette: file, compact: cases)) }
        }
        return Outcome(suites: suites, errors: errors)
    }
}

/// `count` threads that each run the job they are given, with their number, until stopped.
private final class WorkerPool: @unchecked Sendable {
    private let count: Int
    private let starts: [DispatchSemaphore]
    private let done = DispatchSemaphore(value: 0)
    private var job: (@Sendable (Int) -> Void)?
    private var stopping = false

    init(count: Int) {
        self.count = count
        starts = (0..<count).map { _ in DispatchSemaphore(value: 0) }
        for worker in 0..<count {
            let thread = Thread { [self] in
                while true {
                    starts[worker].wait()
                    if stopping { break }
                    job?(worker)
                    done.signal()
                }
                done.signal()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Starts `job` on every thread (after `wait` returned for the one before).
    func start(_ job: @escaping @Sendable (Int) -> Void) {
        self.job = job
        for start in starts { start.signal() }
    }

    /// Waits until every thread finished the job.
    func wait() {
        for _ in 0..<count { done.wait() }
    }

    /// Ends the threads.
    func stop() {
        stopping = true
        for start in starts { start.signal() }
        for _ in 0..<count { done.wait() }
    }
}

/// The cases of one batch, written by the workers at distinct slots of memory no array owns (an array's
/// copy-on-write check is not safe to run from several threads at once).
private final class ResultBox: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<ReportCase>
    /// How many slots.
    let count: Int

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: max(1, count))
        slots.initialize(repeating: ReportCase(sequence: 0, operation: "", verdict: .skipped), count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    /// Sets slot `index` (each worker its own slots).
    func set(_ index: Int, _ value: ReportCase) { slots[index] = value }

    /// Calls `body` with each case, in order (after every worker is done).
    func forEach(_ body: (ReportCase) -> Void) {
        for index in 0..<count { body(slots[index]) }
    }
}
