/// Shadow work waiting for a worker: bounded, never blocking whoever offers. What does not fit is refused at once
/// (the caller counts it as dropped); at most `workers` jobs run at a time.
final class ShadowQueue<Job: Sendable>: Sendable {
    private let continuation: AsyncStream<Job>.Continuation
    private let consumer: Task<Void, Never>

    /// A queue holding up to `limit` waiting jobs, run by `work` on up to `workers` tasks.
    init(limit: Int, workers: Int, work: @escaping @Sendable (Job) async -> Void) {
        let (stream, continuation) = AsyncStream<Job>.makeStream(bufferingPolicy: .bufferingOldest(max(1, limit)))
        self.continuation = continuation
        let workers = max(1, workers)
        consumer = Task {
            await withTaskGroup(of: Void.self) { group in
                var running = 0
                var jobs = stream.makeAsyncIterator()
                while true {
                    // A worker is free before the next job leaves the buffer: a job taken and held here would not
                    // count against the limit, and one more than `limit` would wait.
                    if running >= workers {
                        await group.next()
                        running -= 1
                    }
                    guard let job = await jobs.next() else { break }
                    group.addTask { await work(job) }
                    running += 1
                }
            }
        }
    }

    /// Queues `job`; false when the queue is full (or finished) and the job was not taken.
    func offer(_ job: Job) -> Bool {
        if case .enqueued = continuation.yield(job) { return true }
        return false
    }

    /// Takes no more jobs, and returns once every queued job has run.
    func finish() async {
        continuation.finish()
        await consumer.value
    }
}
