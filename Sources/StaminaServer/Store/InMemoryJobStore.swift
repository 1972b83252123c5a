import Foundation
import Synchronization

/// A `JobStore` in one process's memory: for tests that need a store but not a file (in-process
/// servers, services), and the second implementation that keeps the protocol honest (the
/// conformance suite runs every store through the same contract). Everything is lost on exit.
/// One lock around all state makes every method atomic, as one SQL statement is in SQLite.
public final class InMemoryJobStore: JobStore {
    private struct State {
        var jobs: [String: JobRecord] = [:]
        /// Ids by sequence: listings walk it newest first.
        var order: [(sequence: Int64, id: String)] = []
        var lastSequence: Int64 = 0
        var quotaKeys: [String: String] = [:]
        var idempotency: [IdempotencyKey: String] = [:]
        var tokens: [String: TokenRecord] = [:]
        var inputs: [String: JobInputs] = [:]
        var events: [String: [JobEvent]] = [:]
        var lastEventSequence: Int64 = 0
        var artifacts: [String: [String: [UInt8]]] = [:]

        /// Whether `attempt` is the job's running attempt: the fence of every worker write.
        func holds(_ id: String, attempt: Int) -> Bool {
            guard let job = jobs[id] else { return false }
            return job.attempts == attempt && (job.state == .running || job.state == .cancelling)
        }

        /// The sweeper's and the restart's recovery of one job whose worker is gone.
        mutating func recover(_ id: String, maxAttempts: Int, now: Date) -> (requeued: Int, failed: Int) {
            switch jobs[id]?.state {
            case .cancelling:
                update(id) { job in
                    job.state = .cancelled
                    job.finishedAt = now
                    job.log = (job.log ?? "") + "Killed.\n"
                    job.leaseExpiresAt = nil
                }
                return (0, 0)
            case .running:
                var result = (requeued: 0, failed: 0)
                update(id) { job in
                    job.leaseExpiresAt = nil
                    if job.attempts >= maxAttempts {
                        job.state = .failed
                        job.failureReason = .workerLost
                        job.failureMessage = "the worker was lost while the job ran, \(job.attempts) times"
                        job.finishedAt = now
                        job.log = (job.log ?? "") + "[ERROR]: the worker running this job was lost\n"
                        result.failed = 1
                    } else {
                        job.state = .queued
                        job.startedAt = nil
                        job.worker = nil
                        result.requeued = 1
                    }
                }
                return result
            default: return (0, 0)
            }
        }

        /// Applies `change` to the job and bumps its version, as every write of the SQLite store does.
        @discardableResult
        mutating func update(_ id: String, _ change: (inout JobRecord) -> Void) -> JobRecord? {
            guard var job = jobs[id] else { return nil }
            change(&job)
            job.version += 1
            jobs[id] = job
            return job
        }
    }

    private struct IdempotencyKey: Hashable {
        var owner: String
        var key: String
    }

    private let state = Mutex(State())

    public init() {}

    public func insert(_ job: NewJob, ownerQuota: Int, queuedQuota: Int, systemQuota: Int) async throws(StoreError)
        -> JobRecord
    {
        try state.withLock { (state: inout State) throws(StoreError) -> JobRecord in
            let key = job.idempotencyKey.map { IdempotencyKey(owner: job.owner, key: $0) }
            if let key, let existing = state.idempotency[key].flatMap({ state.jobs[$0] }) { return existing }
            let quotaKey = job.quotaKey ?? job.owner
            let active = state.jobs.values.filter(\.state.isActive)
            let owned = active.filter { state.quotaKeys[$0.id] == quotaKey }
            if owned.count >= ownerQuota { throw .ownerQuotaExceeded(limit: ownerQuota) }
            if owned.count(where: { $0.state == .queued }) >= queuedQuota {
                throw .queuedQuotaExceeded(limit: queuedQuota)
            }
            if active.count >= systemQuota { throw .systemQuotaExceeded(limit: systemQuota) }
            guard state.jobs[job.id] == nil else { throw .database("job id \(job.id) is taken") }
            state.lastSequence += 1
            let record = JobRecord(
                id: job.id, owner: job.owner, name: job.name, state: .queued, failureReason: nil,
                failureMessage: nil, parameters: job.parameters, modelFileName: job.modelFileName,
                propertiesFileName: job.propertiesFileName, resultJSON: nil, log: nil, attempts: 0,
                createdAt: job.createdAt, startedAt: nil, finishedAt: nil, sequence: state.lastSequence)
            state.jobs[job.id] = record
            state.order.append((record.sequence, job.id))
            state.quotaKeys[job.id] = quotaKey
            state.inputs[job.id] = JobInputs(model: job.modelText, properties: job.propertiesText)
            if let key { state.idempotency[key] = job.id }
            return record
        }
    }

    public func job(id: String) async throws(StoreError) -> JobRecord? {
        state.withLock { $0.jobs[id] }
    }

    public func jobs(owner: String?, state wanted: JobState?, before: Int64?, limit: Int) async throws(StoreError)
        -> [JobRecord]
    {
        state.withLock { state in
            var page: [JobRecord] = []
            for (sequence, id) in state.order.reversed() where page.count < limit {
                guard before.map({ sequence < $0 }) ?? true, let job = state.jobs[id] else { continue }
                if let owner, job.owner != owner { continue }
                if let wanted, job.state != wanted { continue }
                page.append(job)
            }
            return page
        }
    }

    public func countByState() async throws(StoreError) -> [JobState: Int] {
        state.withLock { state in
            state.jobs.values.reduce(into: [:]) { counts, job in counts[job.state, default: 0] += 1 }
        }
    }

    public func claimNext(now: Date, worker: String, leaseUntil: Date) async throws(StoreError) -> JobRecord? {
        state.withLock { state -> JobRecord? in
            guard let id = state.order.first(where: { state.jobs[$0.id]?.state == .queued })?.id else { return nil }
            state.events[id] = nil
            state.artifacts[id] = nil
            return state.update(id) { job in
                job.state = .running
                job.attempts += 1
                job.startedAt = now
                job.worker = worker
                job.leaseExpiresAt = leaseUntil
            }
        }
    }

    public func heartbeat(id: String, attempt: Int, leaseUntil: Date) async throws(StoreError) -> LeaseStatus {
        state.withLock { state in
            guard state.holds(id, attempt: attempt), var job = state.jobs[id] else { return .lost }
            job.leaseExpiresAt = leaseUntil
            state.jobs[id] = job
            return .held(cancelRequested: job.state == .cancelling)
        }
    }

    public func finish(
        id: String, attempt: Int, state final: JobState, reason: FailureReason?, message: String?,
        resultJSON: String?, log: String, now: Date
    ) async throws(StoreError) -> Bool {
        state.withLock { state in
            guard state.holds(id, attempt: attempt) else { return false }
            state.update(id) { job in
                job.state = final
                job.failureReason = reason
                job.failureMessage = message
                job.resultJSON = resultJSON
                job.log = log
                job.finishedAt = now
                job.leaseExpiresAt = nil
            }
            return true
        }
    }

    public func requestCancel(id: String, now: Date) async throws(StoreError) -> JobRecord? {
        state.withLock { state -> JobRecord? in
            switch state.jobs[id]?.state {
            case .queued:
                return state.update(id) { job in
                    job.state = .cancelled
                    job.finishedAt = now
                    job.log = "Killed.\n"
                }
            case .running: return state.update(id) { $0.state = .cancelling }
            default: return state.jobs[id]
            }
        }
    }

    public func rename(id: String, name: String) async throws(StoreError) -> JobRecord? {
        state.withLock { state in state.update(id) { $0.name = name } }
    }

    public func delete(id: String) async throws(StoreError) -> Bool {
        state.withLock { state in
            guard state.jobs.removeValue(forKey: id) != nil else { return false }
            state.order.removeAll { $0.id == id }
            state.quotaKeys[id] = nil
            state.inputs[id] = nil
            state.events[id] = nil
            state.artifacts[id] = nil
            state.idempotency = state.idempotency.filter { $0.value != id }
            return true
        }
    }

    public func recoverInterrupted(node: String, maxAttempts: Int, now: Date) async throws(StoreError)
        -> (requeued: Int, failed: Int)
    {
        recover(maxAttempts: maxAttempts, now: now) { $0.worker == node || $0.leaseExpiresAt.map { $0 < now } ?? true }
    }

    public func requeueExpired(maxAttempts: Int, now: Date) async throws(StoreError) -> (requeued: Int, failed: Int) {
        recover(maxAttempts: maxAttempts, now: now) { $0.leaseExpiresAt.map { $0 < now } ?? true }
    }

    private func recover(maxAttempts: Int, now: Date, where lost: (JobRecord) -> Bool) -> (requeued: Int, failed: Int) {
        state.withLock { state in
            var total = (requeued: 0, failed: 0)
            for (_, id) in state.order {
                guard let job = state.jobs[id], job.state == .running || job.state == .cancelling, lost(job) else {
                    continue
                }
                let one = state.recover(id, maxAttempts: maxAttempts, now: now)
                total.requeued += one.requeued
                total.failed += one.failed
            }
            return total
        }
    }

    public func prune(finishedBefore cutoff: Date, tombstoneLog: String) async throws(StoreError) -> [String] {
        state.withLock { state in
            var pruned: [String] = []
            for (_, id) in state.order {
                guard let job = state.jobs[id], job.state.isTerminal, job.state != .pruned,
                    let finished = job.finishedAt, finished < cutoff
                else { continue }
                state.update(id) { job in
                    job.state = .pruned
                    job.log = tombstoneLog
                    job.resultJSON = nil
                }
                state.inputs[id] = nil
                state.events[id] = nil
                state.artifacts[id] = nil
                pruned.append(id)
            }
            return pruned
        }
    }

    public func job(owner: String, idempotencyKey: String) async throws(StoreError) -> JobRecord? {
        state.withLock { state in
            state.idempotency[IdempotencyKey(owner: owner, key: idempotencyKey)].flatMap { state.jobs[$0] }
        }
    }

    public func insertToken(_ token: TokenRecord, now: Date) async throws(StoreError) {
        state.withLock { $0.tokens[token.hash] = token }
    }

    public func token(hash: String) async throws(StoreError) -> TokenRecord? {
        state.withLock { $0.tokens[hash] }
    }

    public func pruneAnonymousTokens() async throws(StoreError) -> [String] {
        state.withLock { state in
            let owners = Set(state.jobs.values.filter { $0.state != .pruned }.map(\.owner))
            let expired = state.tokens.values.filter { $0.isAnonymous && !owners.contains($0.owner) }.map(\.hash)
            for hash in expired { state.tokens[hash] = nil }
            return expired
        }
    }

    public func jobIDs(owner: String, limit: Int) async throws(StoreError) -> [String] {
        state.withLock { state in
            let jobs = state.jobs
            return Array(state.order.reversed().lazy.map(\.id).filter { jobs[$0]?.owner == owner }.prefix(limit))
        }
    }

    public func inputs(id: String) async throws(StoreError) -> JobInputs? {
        state.withLock { $0.inputs[id] }
    }

    public func appendEvents(id: String, attempt: Int, _ events: [NewJobEvent]) async throws(StoreError) -> Bool {
        state.withLock { state in
            guard state.holds(id, attempt: attempt) else { return false }
            for event in events {
                state.lastEventSequence += 1
                state.events[id, default: []].append(
                    JobEvent(sequence: state.lastEventSequence, kind: event.kind, line: event.line))
            }
            return true
        }
    }

    public func events(id: String, after: Int64, limit: Int) async throws(StoreError) -> [JobEvent] {
        state.withLock { state in Array((state.events[id] ?? []).lazy.filter { $0.sequence > after }.prefix(limit)) }
    }

    public func storeArtifact(id: String, attempt: Int, name: String, data: [UInt8]) async throws(StoreError) -> Bool {
        state.withLock { state in
            guard state.holds(id, attempt: attempt) else { return false }
            state.artifacts[id, default: [:]][name] = data
            return true
        }
    }

    public func artifact(id: String, name: String) async throws(StoreError) -> [UInt8]? {
        state.withLock { $0.artifacts[id]?[name] }
    }

    public func probeWrite(now: Date) async throws(StoreError) {}

    public func close() async {}
}
