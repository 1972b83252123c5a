import Foundation

/// A store shared by several nodes, with this node's copies of job rows in front of it: a read of
/// a job that did not change costs no query. Used whenever the store reports changes
/// (`JobChangeNotifying`: PostgreSQL); a store that one process owns needs no copies.
///
/// Copies are kept only while the node listens. A change on any node reaches it as a notification
/// (sent by a trigger, so no write path can forget it) and drops the copy; a write through this
/// node drops it at once, before the write returns, so a client reads its own writes on one node.
/// When listening stops, every copy is dropped and reads go to the store until it listens again.
/// Tokens and ownership are checked on the record as before: the record is cached, not a decision.
///
/// A copy's lease (`worker`, `leaseExpiresAt`) may be older than the last heartbeat: renewals
/// change no version and notify nobody, and nothing that reads a job by id uses them (the sweeper
/// and the claims work in SQL).
final class CachingJobStore: JobStore {
    let inner: any JobStore
    let cache: JobRecordCache
    /// Wakes the event streams of this node (see `EventStream`).
    let hub: JobChangeHub
    private let listener: Task<Void, Never>

    init(inner: any JobStore, changes: AsyncStream<JobChange>, cache: JobRecordCache = JobRecordCache()) {
        self.inner = inner
        self.cache = cache
        let hub = JobChangeHub()
        self.hub = hub
        listener = Task {
            for await change in changes {
                switch change {
                case .listening: cache.listeningStarted()
                case .lost: cache.listeningLost()
                case .job(let id): cache.invalidate(id: id)
                case .events: break
                }
                hub.apply(change)
            }
            cache.listeningLost()
            hub.apply(.lost)
        }
    }

    static func wrapping(_ store: some JobChangeNotifying) async -> CachingJobStore {
        CachingJobStore(inner: store, changes: await store.jobChanges())
    }

    // MARK: reads

    func job(id: String) async throws(StoreError) -> JobRecord? {
        let (cached, ticket) = cache.beginRead(id: id)
        if let cached { return cached }
        guard let ticket else { return try await inner.job(id: id) }
        do {
            let record = try await inner.job(id: id)
            cache.finishRead(ticket, record: record)
            return record
        } catch {
            cache.finishRead(ticket, record: nil)
            throw error
        }
    }

    func jobs(owner: String?, state: JobState?, before: Int64?, limit: Int) async throws(StoreError) -> [JobRecord] {
        try await inner.jobs(owner: owner, state: state, before: before, limit: limit)
    }

    func countByState() async throws(StoreError) -> [JobState: Int] { try await inner.countByState() }

    func job(owner: String, idempotencyKey: String) async throws(StoreError) -> JobRecord? {
        try await inner.job(owner: owner, idempotencyKey: idempotencyKey)
    }

    func jobIDs(owner: String, limit: Int) async throws(StoreError) -> [String] {
        try await inner.jobIDs(owner: owner, limit: limit)
    }

    func inputs(id: String) async throws(StoreError) -> JobInputs? { try await inner.inputs(id: id) }

    func events(id: String, after: Int64, limit: Int) async throws(StoreError) -> [JobEvent] {
        try await inner.events(id: id, after: after, limit: limit)
    }

    func artifact(id: String, name: String) async throws(StoreError) -> [UInt8]? {
        try await inner.artifact(id: id, name: name)
    }

    func token(hash: String) async throws(StoreError) -> TokenRecord? { try await inner.token(hash: hash) }

    // MARK: writes: each drops this node's copy before it returns (read-your-writes)

    func insert(_ job: NewJob, ownerQuota: Int, queuedQuota: Int, systemQuota: Int) async throws(StoreError)
        -> JobRecord
    {
        try await inner.insert(job, ownerQuota: ownerQuota, queuedQuota: queuedQuota, systemQuota: systemQuota)
    }

    func claimNext(now: Date, worker: String, leaseUntil: Date) async throws(StoreError) -> JobRecord? {
        let claimed = try await inner.claimNext(now: now, worker: worker, leaseUntil: leaseUntil)
        if let claimed { cache.invalidate(id: claimed.id) }
        return claimed
    }

    /// A renewal changes no version: nothing to drop.
    func heartbeat(id: String, attempt: Int, leaseUntil: Date) async throws(StoreError) -> LeaseStatus {
        try await inner.heartbeat(id: id, attempt: attempt, leaseUntil: leaseUntil)
    }

    func finish(
        id: String, attempt: Int, state: JobState, reason: FailureReason?, message: String?, resultJSON: String?,
        log: String, now: Date
    ) async throws(StoreError) -> Bool {
        defer { cache.invalidate(id: id) }
        return try await inner.finish(
            id: id, attempt: attempt, state: state, reason: reason, message: message, resultJSON: resultJSON, log: log,
            now: now)
    }

    func requestCancel(id: String, now: Date) async throws(StoreError) -> JobRecord? {
        defer { cache.invalidate(id: id) }
        return try await inner.requestCancel(id: id, now: now)
    }

    func rename(id: String, name: String) async throws(StoreError) -> JobRecord? {
        defer { cache.invalidate(id: id) }
        return try await inner.rename(id: id, name: name)
    }

    func delete(id: String) async throws(StoreError) -> Bool {
        defer { cache.invalidate(id: id) }
        return try await inner.delete(id: id)
    }

    /// The ids recovered are not reported (nor are CANCELLING jobs whose lease lapsed, which become
    /// CANCELLED uncounted), so every copy goes: at most once per sweep, every `heartbeat-interval`.
    func recoverInterrupted(node: String, maxAttempts: Int, now: Date) async throws(StoreError)
        -> (requeued: Int, failed: Int)
    {
        defer { cache.invalidateAll() }
        return try await inner.recoverInterrupted(node: node, maxAttempts: maxAttempts, now: now)
    }

    func requeueExpired(maxAttempts: Int, now: Date) async throws(StoreError) -> (requeued: Int, failed: Int) {
        defer { cache.invalidateAll() }
        return try await inner.requeueExpired(maxAttempts: maxAttempts, now: now)
    }

    func prune(finishedBefore cutoff: Date, tombstoneLog: String) async throws(StoreError) -> [String] {
        let pruned = try await inner.prune(finishedBefore: cutoff, tombstoneLog: tombstoneLog)
        for id in pruned { cache.invalidate(id: id) }
        return pruned
    }

    func appendEvents(id: String, attempt: Int, _ events: [NewJobEvent]) async throws(StoreError) -> Bool {
        try await inner.appendEvents(id: id, attempt: attempt, events)
    }

    func storeArtifact(id: String, attempt: Int, name: String, data: [UInt8]) async throws(StoreError) -> Bool {
        try await inner.storeArtifact(id: id, attempt: attempt, name: name, data: data)
    }

    func insertToken(_ token: TokenRecord, now: Date) async throws(StoreError) {
        try await inner.insertToken(token, now: now)
    }

    func pruneAnonymousTokens() async throws(StoreError) -> [String] { try await inner.pruneAnonymousTokens() }

    // MARK: the rest

    func cancelRequests() async -> AsyncStream<String>? { await inner.cancelRequests() }

    func queuedJobs() async -> AsyncStream<Void>? { await inner.queuedJobs() }

    func probeWrite(now: Date) async throws(StoreError) { try await inner.probeWrite(now: now) }

    func close() async {
        listener.cancel()
        await inner.close()
    }
}
