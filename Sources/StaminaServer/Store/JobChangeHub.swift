import Synchronization

/// Wakes the event streams of one node when their job changes anywhere (`JobChange`), so an idle
/// stream costs no query while the node listens. A subscription remembers a change that arrives
/// while its stream is busy reading, so no wake-up is lost between a read and the next wait; a
/// change of listening (started or lost) wakes every stream, as changes may have been missed.
final class JobChangeHub: Sendable {
    /// Why `JobChangeSubscription.next` returned.
    enum Wake: Sendable, Equatable {
        /// The job changed, or listening started or was lost: read it again.
        case changed
        /// Nothing happened within the timeout.
        case timedOut
    }

    private struct State {
        var listening = false
        var subscriptions: [String: [ObjectIdentifier: JobChangeSubscription]] = [:]
    }

    private let state = Mutex(State())

    var isListening: Bool { state.withLock { $0.listening } }

    func subscribe(id: String) -> JobChangeSubscription {
        let subscription = JobChangeSubscription(id: id, hub: self)
        state.withLock { $0.subscriptions[id, default: [:]][ObjectIdentifier(subscription)] = subscription }
        return subscription
    }

    func unsubscribe(_ subscription: JobChangeSubscription) {
        state.withLock { state in
            state.subscriptions[subscription.id]?[ObjectIdentifier(subscription)] = nil
            if state.subscriptions[subscription.id]?.isEmpty == true { state.subscriptions[subscription.id] = nil }
        }
    }

    func apply(_ change: JobChange) {
        let woken: [JobChangeSubscription] = state.withLock { state in
            switch change {
            case .job(let id), .events(let id): return state.subscriptions[id].map { Array($0.values) } ?? []
            case .listening:
                state.listening = true
                return state.subscriptions.values.flatMap(\.values)
            case .lost:
                state.listening = false
                return state.subscriptions.values.flatMap(\.values)
            }
        }
        for subscription in woken { subscription.signal() }
    }

    var subscriberCount: Int { state.withLock { $0.subscriptions.values.reduce(0) { $0 + $1.count } } }
}

/// One event stream's interest in one job (see `JobChangeHub`).
final class JobChangeSubscription: Sendable {
    let id: String
    private let hub: JobChangeHub

    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    init(id: String, hub: JobChangeHub) {
        self.id = id
        self.hub = hub
    }

    /// Whether the node hears changes now; if not, the stream polls.
    var isListening: Bool { hub.isListening }

    func signal() {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            state.pending = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns at once if a change arrived since the last call, else when one arrives or `timeout`
    /// passes, whichever is first.
    func next(timeout: Duration) async -> JobChangeHub.Wake {
        if state.withLock({ state in
            defer { state.pending = false }
            return state.pending
        }) {
            return .changed
        }
        let woken = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.waitForSignal() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        let pending = state.withLock { state in
            defer { state.pending = false }
            return state.pending
        }
        return woken || pending ? .changed : .timedOut
    }

    /// True once signalled; false if cancelled first.
    private func waitForSignal() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.pending || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
            return !Task.isCancelled || state.withLock { $0.pending }
        } onCancel: {
            let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }

    func cancel() { hub.unsubscribe(self) }
}
