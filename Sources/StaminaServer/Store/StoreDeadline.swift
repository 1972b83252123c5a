import Synchronization

/// A time limit on one call to a database across the network. When the database goes away (a
/// stopped server, a silent network), postgres-nio waits for a pooled connection, or for an
/// answer on one, without end; the caller gets `StoreDeadline.Expired` after `limit` instead, and
/// the work is cancelled and left to end on its own (a lease request leaves the pool's queue; a
/// query in flight ends when its connection does). A timed-out write may still commit: the
/// caller's retry finds it (idempotency keys, versions).
///
/// A database that is there but busy (calls queued behind a lock, a loaded machine) is not gone:
/// while `isAnswering` holds (some call, or the listener's query, was answered moments ago) the
/// limit is extended, up to `hardLimit`.
enum StoreDeadline {
    struct Expired: Error {}

    /// Who answers first, the work or the timer: the other is ignored.
    private final class Race<Value: Sendable>: Sendable {
        let waiting: Mutex<CheckedContinuation<Value, any Error>?> = Mutex(nil)
        let work: Mutex<Task<Void, Never>?> = Mutex(nil)

        func finish(_ result: Result<Value, any Error>) -> Bool {
            guard let continuation = waiting.withLock({ $0.take() }) else { return false }
            continuation.resume(with: result)
            return true
        }

        func cancelWork() { work.withLock { $0 }?.cancel() }
    }

    static func run<Value: Sendable>(
        _ limit: Duration, hardLimit: Duration = .seconds(60), isAnswering: @escaping @Sendable () -> Bool = { false },
        _ body: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let race = Race<Value>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
                race.waiting.withLock { $0 = continuation }
                let timer = Task {
                    let start = ContinuousClock.now
                    try? await Task.sleep(for: limit)
                    while !Task.isCancelled, isAnswering(), start.duration(to: .now) < hardLimit {
                        try? await Task.sleep(for: .milliseconds(250))
                    }
                    if Task.isCancelled { return }
                    if race.finish(.failure(Expired())) { race.cancelWork() }
                }
                let work = Task {
                    do { _ = race.finish(.success(try await body())) } catch { _ = race.finish(.failure(error)) }
                    timer.cancel()
                }
                race.work.withLock { $0 = work }
            }
        } onCancel: {
            race.cancelWork()
        }
    }
}
