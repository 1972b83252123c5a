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

    public func claimNext(now: Date) async throws(StoreError) -> JobRecord? {
        state.withLock { state -> JobRecord? in
            guard let id = state.order.first(where: { state.jobs[$0.id]?.state == .queued })?.id else { return nil }
            return state.update(id) { job in
                job.state = .running
                job.attempts += 1
                job.startedAt = now
            }
        }
    }

    public func finish(
        id: String, state final: JobState, reason: FailureReason?, message: String?, resultJSON: String?, log: String,
        now: Date
    ) async throws(StoreError) -> Bool {
        state.withLock { state in
            guard let job = state.jobs[id], job.state == .running || job.state == .cancelling else { return false }
            state.update(id) { job in
                job.state = final
                job.failureReason = reason
                job.failureMessage = message
                job.resultJSON = resultJSON
                job.log = log
                job.finishedAt = now
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
            state.idempotency = state.idempotency.filter { $0.value != id }
            return true
        }
    }

    public func recoverInterrupted(maxAttempts: Int, now: Date) async throws(StoreError) -> (requeued: Int, failed: Int)
    {
        state.withLock { state in
            var requeued = 0
            var failed = 0
            for (_, id) in state.order {
                switch state.jobs[id]?.state {
                case .cancelling:
                    state.update(id) { job in
                        job.state = .cancelled
                        job.finishedAt = now
                        job.log = (job.log ?? "") + "Killed.\n"
                    }
                case .running:
                    state.update(id) { job in
                        if job.attempts >= maxAttempts {
                            job.state = .failed
                            job.failureReason = .workerLost
                            job.failureMessage = "the server stopped while the job ran, \(job.attempts) times"
                            job.finishedAt = now
                            job.log = (job.log ?? "") + "[ERROR]: the server stopped while this job ran\n"
                            failed += 1
                        } else {
                            job.state = .queued
                            job.startedAt = nil
                            requeued += 1
                        }
                    }
                default: break
                }
            }
            return (requeued, failed)
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

    public func probeWrite(now: Date) async throws(StoreError) {}

    public func close() async {}
}
