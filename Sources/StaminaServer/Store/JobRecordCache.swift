import Synchronization

/// The job rows one node keeps in memory while it hears every change (`JobChange`), so reading an
/// unchanged job costs no query. Synchronous and free of I/O: `CachingJobStore` drives it.
///
/// The race it must not lose: a read queries the row, a change commits and its notification
/// arrives, and only then does the read store what it fetched, which is now stale. So every read
/// takes a ticket first (`beginRead`) that records the id's invalidation epoch and the listening
/// generation; `invalidate` bumps the epochs of the reads in flight for that id, and `finishRead`
/// stores the row only if neither moved. A notification that arrives before a read begins is
/// harmless: PostgreSQL sends it after the commit, so the read sees the change.
final class JobRecordCache: Sendable {
    struct Ticket: Sendable {
        let id: String
        let generation: UInt64
        let epoch: UInt64
    }

    private struct Entry {
        var record: JobRecord
        var bytes: Int
    }

    /// Reads in flight for one id: their count (the slot goes when the last ends) and how often the
    /// id was invalidated since the slot was made.
    private struct Reads {
        var epoch: UInt64 = 0
        var count = 0
    }

    private struct State {
        var listening = false
        /// Bumped whenever everything is forgotten (listening started or lost, a wide change).
        var generation: UInt64 = 0
        var entries: [String: Entry] = [:]
        var bytes = 0
        var reads: [String: Reads] = [:]
        var hits = 0
        var misses = 0
    }

    /// At most this many rows and about this many bytes of them; a row larger than `largestRecord`
    /// (a long log, a large result) is not kept. Past a bound, arbitrary rows are dropped.
    let capacity: Int
    let byteBudget: Int
    let largestRecord: Int
    private let state = Mutex(State())

    init(capacity: Int = 20_000, byteBudget: Int = 64 << 20, largestRecord: Int = 1 << 20) {
        self.capacity = max(1, capacity)
        self.byteBudget = byteBudget
        self.largestRecord = min(largestRecord, byteBudget)
    }

    /// The cached row, or a ticket to read it from the store and then `finishRead`; neither while
    /// the node is not listening (the read goes to the store and nothing is kept).
    func beginRead(id: String) -> (record: JobRecord?, ticket: Ticket?) {
        state.withLock { state in
            guard state.listening else { return (nil, nil) }
            if let entry = state.entries[id] {
                state.hits += 1
                return (entry.record, nil)
            }
            state.misses += 1
            var reads = state.reads[id] ?? Reads()
            reads.count += 1
            state.reads[id] = reads
            return (nil, Ticket(id: id, generation: state.generation, epoch: reads.epoch))
        }
    }

    /// Ends the read of `ticket`; keeps `record` (nil: not found, or the query failed) unless the
    /// id was invalidated or listening changed while it was read.
    func finishRead(_ ticket: Ticket, record: JobRecord?) {
        state.withLock { state in
            guard var reads = state.reads[ticket.id] else { return }
            let current = reads.epoch == ticket.epoch && state.generation == ticket.generation && state.listening
            reads.count -= 1
            state.reads[ticket.id] = reads.count > 0 ? reads : nil
            guard current, let record, record.id == ticket.id else { return }
            if let kept = state.entries[record.id], kept.record.version >= record.version { return }
            let bytes = Self.size(of: record)
            guard bytes <= largestRecord else { return }
            Self.remove(record.id, from: &state)
            while !state.entries.isEmpty && (state.entries.count >= capacity || state.bytes + bytes > byteBudget) {
                let victim = state.entries.startIndex
                state.bytes -= state.entries[victim].value.bytes
                state.entries.remove(at: victim)
            }
            state.entries[record.id] = Entry(record: record, bytes: bytes)
            state.bytes += bytes
        }
    }

    /// The job changed or went (a notification, or a write of this node): its row is dropped and
    /// reads of it in flight keep nothing.
    func invalidate(id: String) {
        state.withLock { state in
            Self.remove(id, from: &state)
            state.reads[id]?.epoch &+= 1
        }
    }

    /// Forget every row (a change whose ids are not known, e.g. a sweep of lapsed leases).
    func invalidateAll() {
        state.withLock { state in Self.forgetAll(&state) }
    }

    /// The node hears every change from now on: start afresh (whatever was kept may have missed
    /// changes made while it was not listening).
    func listeningStarted() {
        state.withLock { state in
            Self.forgetAll(&state)
            state.listening = true
        }
    }

    /// The node no longer hears changes: forget everything and bypass the cache until it does.
    func listeningLost() {
        state.withLock { state in
            Self.forgetAll(&state)
            state.listening = false
        }
    }

    var isListening: Bool { state.withLock { $0.listening } }
    var count: Int { state.withLock { $0.entries.count } }
    var bytes: Int { state.withLock { $0.bytes } }
    var statistics: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }

    private static func forgetAll(_ state: inout State) {
        state.entries.removeAll()
        state.bytes = 0
        state.generation &+= 1
    }

    private static func remove(_ id: String, from state: inout State) {
        if let entry = state.entries.removeValue(forKey: id) { state.bytes -= entry.bytes }
    }

    /// Roughly what a row holds in memory: its texts plus a fixed part for the rest.
    static func size(of record: JobRecord) -> Int {
        256 + record.id.utf8.count + record.owner.utf8.count + record.name.utf8.count
            + (record.failureMessage?.utf8.count ?? 0) + record.modelFileName.utf8.count
            + record.propertiesFileName.utf8.count + (record.resultJSON?.utf8.count ?? 0)
            + (record.log?.utf8.count ?? 0) + (record.worker?.utf8.count ?? 0)
    }
}
