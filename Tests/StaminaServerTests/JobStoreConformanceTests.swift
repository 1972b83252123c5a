import Foundation
import Logging
import Testing

@testable import StaminaServer

/// One way to make an empty store of one kind. Adding a store to the conformance suite is one
/// more line in `all`.
struct StoreFactory: Sendable, CustomTestStringConvertible {
    let name: String
    let open: @Sendable () async throws -> any JobStore

    static let all: [StoreFactory] =
        [
            StoreFactory(name: "SQLite") {
                try await SQLiteJobStore.open(
                    path: RunningServer.temporaryDirectory() + "/stamina.sqlite", logger: Logger(label: "test"))
            },
            StoreFactory(name: "in-memory") { InMemoryJobStore() },
        ] + postgres

    /// Each test on a database of its own (see PostgresTestDatabase); absent without the server.
    static let postgres: [StoreFactory] =
        PostgresTestDatabase.isConfigured
        ? [
            StoreFactory(name: "PostgreSQL") { try await PostgresTestDatabase.store().0 },
            StoreFactory(name: "PostgreSQL, cached") {
                await CachingJobStore.wrapping(try await PostgresTestDatabase.store().0)
            },
        ] : []

    var testDescription: String { name }
}

extension JobStore {
    /// A claim by the test node, with a lease that outlasts the test.
    func claimNext(now: Date) async throws(StoreError) -> JobRecord? {
        try await claimNext(now: now, worker: "test-node", leaseUntil: now.addingTimeInterval(3600))
    }
}

/// The contract of `JobStore`, method by method, which every store must keep: the server above
/// it (quotas, claims, restarts, the document cache, idempotent submission) relies on each clause.
struct JobStoreConformanceTests {
    static func newJob(
        owner: String = "owner:a", quotaKey: String? = nil, idempotencyKey: String? = nil, name: String = "job"
    ) -> NewJob {
        var parameters = JobParameters()
        parameters.kappa = 2.5
        return NewJob(
            id: RandomIdentifier.jobID(), owner: owner, name: name, parameters: parameters,
            modelFileName: "m.prism", propertiesFileName: "p.csl", createdAt: Date(timeIntervalSince1970: 1_000),
            quotaKey: quotaKey, idempotencyKey: idempotencyKey, modelText: "ctmc // model", propertiesText: "P=? [F x]")
    }

    static func insert(_ store: any JobStore, _ job: NewJob = newJob(), quota: Int = 100) async throws -> JobRecord {
        try await store.insert(job, ownerQuota: quota, queuedQuota: quota, systemQuota: quota)
    }

    @Test(arguments: StoreFactory.all)
    func insertedJobReadsBackQueuedWithEveryField(_ factory: StoreFactory) async throws {
        let store = try await factory.open()
        let job = Self.newJob(name: "my job")
        let inserted = try await Self.insert(store, job)
        let read = try #require(try await store.job(id: job.id))
        #expect(read == inserted)
        #expect(read.id == job.id && read.owner == job.owner && read.name == "my job")
        #expect(read.state == .queued && read.attempts == 0 && read.failureReason == nil)
        #expect(read.parameters == job.parameters)
        #expect(read.modelFileName == "m.prism" && read.propertiesFileName == "p.csl")
        #expect(read.createdAt == job.createdAt && read.startedAt == nil && read.finishedAt == nil)
        #expect(read.resultJSON == nil && read.log == nil)
        let second = try await Self.insert(store)
        #expect(second.sequence > inserted.sequence)
        #expect(try await store.job(id: RandomIdentifier.jobID()) == nil)
        await store.close()
    }

    @Test(arguments: StoreFactory.all)
    func listingsAreNewestFirstPagedAndFiltered(_ factory: StoreFactory) async throws {
        let store = try await factory.open()
        var mine: [JobRecord] = []
        for _ in 0..<5 { mine.append(try await Self.insert(store)) }
        let theirs = try await Self.insert(store, Self.newJob(owner: "owner:b"))
        _ = try #require(try await store.claimNext(now: Date()))  // mine[0] runs

        var seen: [String] = []
        var before: Int64? = nil
        while true {
            let page = try await store.jobs(owner: "owner:a", state: nil, before: before, limit: 2)
            #expect(page.count <= 2)
            seen += page.map(\.id)
            guard page.count == 2, let last = page.last else { break }
            before = last.sequence
        }
        #expect(seen == mine.reversed().map(\.id))
        #expect(try await store.jobs(owner: nil, state: nil, before: nil, limit: 100).map(\.id).first == theirs.id)
        #expect(try await store.jobs(owner: nil, state: nil, before: nil, limit: 100).count == 6)
        #expect(
            try await store.jobs(owner: "owner:a", state: .running, before: nil, limit: 10).map(\.id) == [mine[0].id])
        #expect(try await store.jobs(owner: nil, state: .queued, before: nil, limit: 10).count == 5)
        #expect(try await store.jobs(owner: "owner:c", state: nil, before: nil, limit: 10).isEmpty)
        #expect(try await store.jobIDs(owner: "owner:a", limit: 3) == mine.reversed().prefix(3).map(\.id))
        #expect(try await store.jobIDs(owner: "owner:b", limit: 10) == [theirs.id])
        let counts = try await store.countByState()
        #expect(counts[.queued] == 5 && counts[.running] == 1 && counts[.succeeded] ?? 0 == 0)
        await store.close()
    }

    @Test(arguments: StoreFactory.all)
    func quotasCountActiveJobsOfTheQuotaKeyAndOfTheSystem(_ factory: StoreFactory) async throws {
        let store = try await factory.open()
        func insert(_ job: NewJob) async throws -> JobRecord {
            try await store.insert(job, ownerQuota: 3, queuedQuota: 2, systemQuota: 5)
        }
        /// The refusal of `job`, described (nil if it was inserted).
        func refusal(_ job: NewJob) async -> String? {
            do throws(StoreError) {
                _ = try await store.insert(job, ownerQuota: 3, queuedQuota: 2, systemQuota: 5)
                return nil
            } catch {
                return error.description
            }
        }
        let first = try await insert(Self.newJob())
        _ = try await insert(Self.newJob())
        #expect(await refusal(Self.newJob()) == StoreError.queuedQuotaExceeded(limit: 2).description)
        _ = try await store.claimNext(now: Date())  // one queued, one running
        _ = try await insert(Self.newJob())  // three active
        #expect(await refusal(Self.newJob()) == StoreError.ownerQuotaExceeded(limit: 3).description)
        // Another owner counted against the same address shares the quota; another key does not.
        #expect(
            await refusal(Self.newJob(owner: "owner:b", quotaKey: "owner:a"))
                == StoreError.ownerQuotaExceeded(limit: 3).description)
        _ = try await insert(Self.newJob(owner: "owner:b"))
        _ = try await insert(Self.newJob(owner: "owner:c"))  // five in the system
        #expect(
            await refusal(Self.newJob(owner: "owner:d")) == StoreError.systemQuotaExceeded(limit: 5).description)
        // A finished job no longer counts.
        #expect(
            try await store.finish(
                id: first.id, attempt: 1, state: .succeeded, reason: nil, message: nil, resultJSON: "{}", log: "",
                now: Date()))
        _ = try await insert(Self.newJob(owner: "owner:d"))
        await store.close()
    }

    @Test(arguments: StoreFactory.all)
    func concurrentInsertsNeverExceedTheQuota(_ factory: StoreFactory) async throws {
        let store = try await factory.open()
        let inserted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    (try? await store.insert(Self.newJob(), ownerQuota: 7, queuedQuota: 7, systemQuota: 100)) != nil
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(inserted == 7)
        #expect(try await store.jobs(owner: "owner:a", state: nil, before: nil, limit: 100).count == 7)
        await store.close()
    }

    @Test(arguments: StoreFactory.all)
    func everyTransitionBumpsTheVersionAndTerminalStatesAreReachedOnce(_ factory: StoreFactory) async throws {
        let store = try await factory.open()
        let job = try await Self.insert(store)
        var version = job.version
        func changed(_ record: JobRecord?) throws -> JobRecord {
            let record = try #require(record)
            #expect(record.version > version)
            version = record.version
            return record
        }
        #expect(try changed(try await store.rename(id: job.id, name: "renamed")).name == "renamed")
        let started = Date(timeIntervalSince1970: 2_000)
        let claimed = try changed(try await store.claimNext(now: started))
        #expect(claimed.id == job.id && claimed.state == .running && claimed.attempts == 1)
        #expect(claimed.startedAt == started)
        #expect(try await store.claimNext(now: Date()) == nil)
        let cancelling = try changed(try await store.requestCancel(id: job.id, now: Date()))
        #expect(cancelling.state == .cancelling)
        let finished = Date(timeIntervalSince1970: 3_000)
        #expect(
            try await store.finish(
                id: job.id, attempt: 1, state: .cancelled, reason: nil, message: nil, resultJSON: nil, log: "Killed.\n",
                now: finished))
        let cancelled = try changed(try await store.job(id: job.id))
        #expect(cancelled.state == .cancelled && cancelled.finishedAt == finished && cancelled.log == "Killed.\n")
        // Finished once: a second finish and a cancel change nothing.
        #expect(
            !(try await store.finish(
                id: job.id, attempt: 1, state: .succeeded, reason: nil, message: nil, resultJSON: "{}", log: "",
                now: Date())))
        #expect(try await store.requestCancel(id: job.id, now: Date()) == cancelled)
        #expect(try await store.job(id: job.id) == cancelled)
        #expect(try await store.requestCancel(id: RandomIdentifier.jobID(), now: Date()) == nil)
        #expect(try await store.rename(id: RandomIdentifier.jobID(), name: "x") == nil)
        #expect(try await store.delete(id: job.id))
        #expect(try await store.job(id: job.id) == nil)
        #expect(!(try await store.delete(id: job.id)))
        #expect(
            !(try await store.finish(
                id: job.id, attempt: 1, state: .succeeded, reason: nil, message: nil, resultJSON: "{}", log: "",
                now: Date())))
        await store.close()
    }

    @Test(arguments: StoreFactory.all)
    func finishingStoresTheOutcomeAndCancellingAQueuedJobEndsIt(_ factory: StoreFactory) async throws {
        let store = try await factory.open()
        let failing = try await Self.insert(store)
        let queued = try await Self.insert(store)
        #expect(try await store.claimNext(now: Date())?.id == failing.id)  // oldest first
        let now = Date(timeIntervalSince1970: 4_000)
        #expect(
            try await store.finish(
                id: failing.id, attempt: 1, state: .failed, reason: .timeLimit, message: "too slow",
                resultJSON: "{\"a\":1}",
                log: "the log", now: now))
        let failed = try #require(try await store.job(id: failing.id))
        #expect(failed.state == .failed && failed.failureReason == .timeLimit && failed.failureMessage == "too slow")
        #expect(failed.resultJSON == "{\"a\":1}" && failed.log == "the log" && failed.finishedAt == now)
        let cancelled = try #require(try await store.requestCancel(id: queued.id, now: now))
        #expect(cancelled.state == .cancelled && cancelled.finishedAt == now && cancelled.log == "Killed.\n")
        #expect(cancelled.version > queued.version)
        #expect(try await store.claimNext(now: Date()) == nil)
        await store.close()
    }

    @Test(arguments: StoreFactory.all)
    func afterARestartRunningJobsAreRequeuedUntilTheirAttemptsAreSpent(_ factory: StoreFactory) async throws {
        let store = try await factory.open()
        let spent = try await Self.insert(store)
        let retried = try await Self.insert(store)
        let cancelling = try await Self.insert(store)
        let waiting = try await Self.insert(store)
        // `spent` runs twice (requeued after the first restart), `retried` once.
        #expect(try await store.claimNext(now: Date())?.id == spent.id)
        #expect(
            try await store.recoverInterrupted(node: "test-node", maxAttempts: 9, now: Date()) == (
                requeued: 1, failed: 0
            ))
        #expect(try await store.claimNext(now: Date())?.id == spent.id)
        #expect(try await store.claimNext(now: Date())?.id == retried.id)
        #expect(try await store.claimNext(now: Date())?.id == cancelling.id)
        _ = try await store.requestCancel(id: cancelling.id, now: Date())
        let before = try await store.jobs(owner: nil, state: nil, before: nil, limit: 10)
        let now = Date(timeIntervalSince1970: 5_000)
        #expect(
            try await store.recoverInterrupted(node: "test-node", maxAttempts: 2, now: now) == (requeued: 1, failed: 1))
        let after = try await store.jobs(owner: nil, state: nil, before: nil, limit: 10)
        let states = Dictionary(uniqueKeysWithValues: after.map { ($0.id, $0) })
        #expect(states[retried.id]?.state == .queued && states[retried.id]?.startedAt == nil)
        #expect(states[retried.id]?.attempts == 1)
        let lost = try #require(states[spent.id])
        #expect(lost.state == .failed && lost.failureReason == .workerLost && lost.finishedAt == now)
        #expect(lost.failureMessage?.contains("2 times") == true)
        #expect(lost.log?.contains("the worker running this job was lost") == true)
        #expect(
            states[cancelling.id]?.state == .cancelled && states[cancelling.id]?.log?.hasSuffix("Killed.\n") == true)
        #expect(states[waiting.id]?.state == .queued)
        for job in before where job.id != waiting.id {
            #expect((states[job.id]?.version ?? 0) > job.version)
        }
        #expect(states[waiting.id]?.version == before.first { $0.id == waiting.id }?.version)
        await store.close()
    }

    @Test(arguments: StoreFactory.all)
    func pruningTurnsFinishedJobsIntoTombstonesOnce(_ factory: StoreFactory) async throws {
        let store = try await factory.open()
        let old = try await Self.insert(store)
        let recent = try await Self.insert(store)
        let running = try await Self.insert(store)
        for _ in 0..<3 { _ = try await store.claimNext(now: Date()) }
        for (job, finished) in [(old, 1_000.0), (recent, 9_000.0)] {
            _ = try await store.finish(
                id: job.id, attempt: 1, state: .succeeded, reason: nil, message: nil, resultJSON: "{}", log: "log",
                now: Date(timeIntervalSince1970: finished))
        }
        let cutoff = Date(timeIntervalSince1970: 5_000)
        #expect(try await store.prune(finishedBefore: cutoff, tombstoneLog: "pruned") == [old.id])
        let tombstone = try #require(try await store.job(id: old.id))
        #expect(tombstone.state == .pruned && tombstone.log == "pruned" && tombstone.resultJSON == nil)
        #expect(try await store.job(id: recent.id)?.state == .succeeded)
        #expect(try await store.job(id: running.id)?.state == .running)
        #expect(try await store.prune(finishedBefore: cutoff, tombstoneLog: "pruned").isEmpty)
        await store.close()
    }

    @Test(arguments: StoreFactory.all)
    func tokensAreKeptAndAnonymousOnesExpireWithTheirLastJob(_ factory: StoreFactory) async throws {
        let store = try await factory.open()
        let admin = TokenRecord(hash: "h-admin", owner: "owner:admin", isAdmin: true)
        let idle = TokenRecord(hash: "h-idle", owner: "owner:idle", isAdmin: false, isAnonymous: true)
        let busy = TokenRecord(hash: "h-busy", owner: "owner:busy", isAdmin: false, isAnonymous: true)
        let gone = TokenRecord(hash: "h-gone", owner: "owner:gone", isAdmin: false, isAnonymous: true)
        for token in [admin, idle, busy, gone] { try await store.insertToken(token, now: Date()) }
        #expect(try await store.token(hash: "h-admin") == admin)
        #expect(try await store.token(hash: "h-busy") == busy)
        #expect(try await store.token(hash: "h-none") == nil)
        _ = try await Self.insert(store, Self.newJob(owner: "owner:busy"))
        let pruned = try await Self.insert(store, Self.newJob(owner: "owner:gone"))
        _ = try await store.requestCancel(id: pruned.id, now: Date(timeIntervalSince1970: 0))
        _ = try await store.prune(finishedBefore: Date(), tombstoneLog: "pruned")
        #expect(Set(try await store.pruneAnonymousTokens()) == ["h-idle", "h-gone"])
        #expect(try await store.token(hash: "h-idle") == nil)
        #expect(try await store.token(hash: "h-busy") == busy)
        #expect(try await store.token(hash: "h-admin") == admin)
        #expect(try await store.pruneAnonymousTokens().isEmpty)
        try await store.probeWrite(now: Date())
        await store.close()
    }

    @Test(arguments: StoreFactory.all)
    func oneIdempotencyKeyMakesOneJobPerOwner(_ factory: StoreFactory) async throws {
        let store = try await factory.open()
        let first = try await Self.insert(store, Self.newJob(idempotencyKey: "k"))
        let again = try await Self.insert(store, Self.newJob(idempotencyKey: "k"))
        #expect(again == first)
        #expect(try await store.job(owner: "owner:a", idempotencyKey: "k") == first)
        #expect(try await store.job(owner: "owner:a", idempotencyKey: "other") == nil)
        #expect(try await store.job(owner: "owner:b", idempotencyKey: "k") == nil)
        let theirs = try await Self.insert(store, Self.newJob(owner: "owner:b", idempotencyKey: "k"))
        #expect(theirs.id != first.id)
        // The first answer is given even when a new job would be over quota.
        #expect(
            try await store.insert(Self.newJob(idempotencyKey: "k"), ownerQuota: 1, queuedQuota: 1, systemQuota: 1)
                == first)
        #expect(try await store.jobs(owner: "owner:a", state: nil, before: nil, limit: 10).map(\.id) == [first.id])
        // A deleted job frees its key.
        #expect(try await store.delete(id: first.id))
        #expect(try await store.job(owner: "owner:a", idempotencyKey: "k") == nil)
        let fresh = try await Self.insert(store, Self.newJob(idempotencyKey: "k"))
        #expect(fresh.id != first.id)
        await store.close()
    }

    @Test(arguments: StoreFactory.all)
    func concurrentSubmissionsWithOneKeyMakeExactlyOneJob(_ factory: StoreFactory) async throws {
        let store = try await factory.open()
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<16 {
                group.addTask { try await Self.insert(store, Self.newJob(idempotencyKey: "same")).id }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(ids.count == 1)
        #expect(try await store.jobs(owner: "owner:a", state: nil, before: nil, limit: 100).map(\.id) == Array(ids))
        await store.close()
    }

    // MARK: leases and fencing

    @Test(arguments: StoreFactory.all)
    func aClaimRecordsTheWorkerAndItsLease(_ factory: StoreFactory) async throws {
        let store = try await factory.open()
        let job = try await Self.insert(store)
        let now = Date(timeIntervalSince1970: 10_000)
        let claimed = try #require(
            try await store.claimNext(now: now, worker: "node-a", leaseUntil: now.addingTimeInterval(10)))
        #expect(claimed.id == job.id && claimed.worker == "node-a")
        #expect(claimed.leaseExpiresAt == now.addingTimeInterval(10))
        #expect(try await store.job(id: job.id)?.worker == "node-a")
        #expect(try await store.claimNext(now: now, worker: "node-b", leaseUntil: now) == nil)
        await store.close()
    }

    @Test(arguments: StoreFactory.all)
    func aHeartbeatRenewsOnlyTheRunningAttemptAndReportsACancel(_ factory: StoreFactory) async throws {
        let store = try await factory.open()
        let job = try await Self.insert(store)
        let now = Date(timeIntervalSince1970: 10_000)
        _ = try await store.claimNext(now: now, worker: "node-a", leaseUntil: now.addingTimeInterval(10))
        let later = now.addingTimeInterval(30)
        #expect(try await store.heartbeat(id: job.id, attempt: 1, leaseUntil: later) == .held(cancelRequested: false))
        #expect(try await store.job(id: job.id)?.leaseExpiresAt == later)
        #expect(try await store.heartbeat(id: job.id, attempt: 2, leaseUntil: later) == .lost)
        _ = try await store.requestCancel(id: job.id, now: now)
        #expect(try await store.heartbeat(id: job.id, attempt: 1, leaseUntil: later) == .held(cancelRequested: true))
        _ = try await store.finish(
            id: job.id, attempt: 1, state: .cancelled, reason: nil, message: nil, resultJSON: nil, log: "", now: now)
        #expect(try await store.heartbeat(id: job.id, attempt: 1, leaseUntil: later) == .lost)
        #expect(try await store.heartbeat(id: RandomIdentifier.jobID(), attempt: 1, leaseUntil: later) == .lost)
        await store.close()
    }

    @Test(arguments: StoreFactory.all)
    func aStaleAttemptCannotFinishTheJob(_ factory: StoreFactory) async throws {
        let store = try await factory.open()
        let job = try await Self.insert(store)
        let now = Date(timeIntervalSince1970: 10_000)
        _ = try await store.claimNext(now: now, worker: "node-a", leaseUntil: now.addingTimeInterval(1))
        // The lease lapses, the job is requeued and claimed again by another node.
        #expect(try await store.requeueExpired(maxAttempts: 3, now: now.addingTimeInterval(5)) == (1, 0))
        let second = try #require(
            try await store.claimNext(now: now, worker: "node-b", leaseUntil: now.addingTimeInterval(100)))
        #expect(second.attempts == 2)
        #expect(
            !(try await store.finish(
                id: job.id, attempt: 1, state: .succeeded, reason: nil, message: nil, resultJSON: "{\"stale\":1}",
                log: "", now: now)))
        #expect(try await store.job(id: job.id)?.state == .running)
        #expect(
            try await store.finish(
                id: job.id, attempt: 2, state: .succeeded, reason: nil, message: nil, resultJSON: "{}", log: "",
                now: now))
        let finished = try #require(try await store.job(id: job.id))
        #expect(finished.resultJSON == "{}" && finished.state == .succeeded && finished.leaseExpiresAt == nil)
        await store.close()
    }

    @Test(arguments: StoreFactory.all)
    func theSweeperTakesOnlyLapsedLeases(_ factory: StoreFactory) async throws {
        let store = try await factory.open()
        let lapsed = try await Self.insert(store)
        let live = try await Self.insert(store)
        let cancelling = try await Self.insert(store)
        let spent = try await Self.insert(store)
        let now = Date(timeIntervalSince1970: 10_000)
        for job in [lapsed, live, cancelling, spent] {
            let lease = now.addingTimeInterval(job.id == live.id ? 100 : 5)
            _ = try await store.claimNext(now: now, worker: "node-\(job.id)", leaseUntil: lease)
        }
        _ = try await store.requestCancel(id: cancelling.id, now: now)
        #expect(try await store.requeueExpired(maxAttempts: 3, now: now.addingTimeInterval(1)) == (0, 0))
        #expect(try await store.requeueExpired(maxAttempts: 1, now: now.addingTimeInterval(10)) == (0, 2))
        // With max-attempts 1 both RUNNING ones failed; redo with attempts to spare on a fresh pair.
        #expect(try await store.job(id: lapsed.id)?.failureReason == .workerLost)
        #expect(try await store.job(id: spent.id)?.state == .failed)
        #expect(try await store.job(id: cancelling.id)?.state == .cancelled)
        #expect(try await store.job(id: live.id)?.state == .running)
        let again = try await Self.insert(store)
        _ = try await store.claimNext(now: now, worker: "node-x", leaseUntil: now.addingTimeInterval(5))
        #expect(try await store.requeueExpired(maxAttempts: 3, now: now.addingTimeInterval(10)) == (1, 0))
        let requeued = try #require(try await store.job(id: again.id))
        #expect(requeued.state == .queued && requeued.worker == nil && requeued.startedAt == nil)
        #expect(try await store.job(id: live.id)?.state == .running)
        await store.close()
    }

    @Test(arguments: StoreFactory.all)
    func aRestartingNodeTakesBackItsOwnJobsButNotThoseOfLiveNodes(_ factory: StoreFactory) async throws {
        let store = try await factory.open()
        let mine = try await Self.insert(store)
        let theirs = try await Self.insert(store)
        let now = Date(timeIntervalSince1970: 10_000)
        _ = try await store.claimNext(now: now, worker: "node-a", leaseUntil: now.addingTimeInterval(100))
        _ = try await store.claimNext(now: now, worker: "node-b", leaseUntil: now.addingTimeInterval(100))
        #expect(try await store.recoverInterrupted(node: "node-a", maxAttempts: 3, now: now) == (1, 0))
        #expect(try await store.job(id: mine.id)?.state == .queued)
        #expect(try await store.job(id: theirs.id)?.state == .running)
        await store.close()
    }

    // MARK: job data

    @Test(arguments: StoreFactory.all)
    func theInputsAreStoredWithTheJobAndGoWithIt(_ factory: StoreFactory) async throws {
        let store = try await factory.open()
        let job = try await Self.insert(store)
        #expect(try await store.inputs(id: job.id) == JobInputs(model: "ctmc // model", properties: "P=? [F x]"))
        #expect(try await store.inputs(id: RandomIdentifier.jobID()) == nil)
        _ = try await store.requestCancel(id: job.id, now: Date(timeIntervalSince1970: 0))
        _ = try await store.prune(finishedBefore: Date(), tombstoneLog: "pruned")
        #expect(try await store.inputs(id: job.id) == nil)
        let deleted = try await Self.insert(store)
        _ = try await store.delete(id: deleted.id)
        #expect(try await store.inputs(id: deleted.id) == nil)
        await store.close()
    }

    @Test(arguments: StoreFactory.all)
    func appendedEventsAreNumberedInOrderAndAStaleAttemptIsRefused(_ factory: StoreFactory) async throws {
        let store = try await factory.open()
        let job = try await Self.insert(store)
        let other = try await Self.insert(store)
        let lines = [
            NewJobEvent(kind: .log, line: "[INFO]: one"), NewJobEvent(kind: .engine, line: "{\"type\":\"round\"}"),
        ]
        #expect(!(try await store.appendEvents(id: job.id, attempt: 0, lines)))  // queued: nobody runs it
        _ = try await store.claimNext(now: Date())
        _ = try await store.claimNext(now: Date())
        #expect(try await store.appendEvents(id: job.id, attempt: 1, lines))
        #expect(try await store.appendEvents(id: other.id, attempt: 1, [NewJobEvent(kind: .log, line: "other")]))
        #expect(try await store.appendEvents(id: job.id, attempt: 1, [NewJobEvent(kind: .log, line: "three")]))
        #expect(!(try await store.appendEvents(id: job.id, attempt: 2, [NewJobEvent(kind: .log, line: "stale")])))
        let events = try await store.events(id: job.id, after: 0, limit: 100)
        #expect(events.map(\.line) == ["[INFO]: one", "{\"type\":\"round\"}", "three"])
        #expect(events.map(\.kind) == [.log, .engine, .log])
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.sequence < $1.sequence })
        // Many lines at once (more than one statement's worth) keep their order.
        let many = (0..<1000).map { NewJobEvent(kind: .log, line: "line \($0)") }
        #expect(try await store.appendEvents(id: other.id, attempt: 1, many))
        #expect(try await store.events(id: other.id, after: 0, limit: 2000).map(\.line) == ["other"] + many.map(\.line))
        await store.close()
    }

    @Test(arguments: StoreFactory.all)
    func eventsAreReadAfterASequenceAndDroppedByTheNextAttempt(_ factory: StoreFactory) async throws {
        let store = try await factory.open()
        let job = try await Self.insert(store)
        let now = Date(timeIntervalSince1970: 10_000)
        _ = try await store.claimNext(now: now, worker: "node-a", leaseUntil: now.addingTimeInterval(1))
        let lines = (1...5).map { NewJobEvent(kind: .log, line: "line \($0)") }
        #expect(try await store.appendEvents(id: job.id, attempt: 1, lines))
        let all = try await store.events(id: job.id, after: 0, limit: 100)
        #expect(
            try await store.events(id: job.id, after: all[1].sequence, limit: 2).map(\.line) == ["line 3", "line 4"])
        #expect(try await store.events(id: job.id, after: all[4].sequence, limit: 10).isEmpty)
        #expect(try await store.events(id: RandomIdentifier.jobID(), after: 0, limit: 10).isEmpty)
        _ = try await store.requeueExpired(maxAttempts: 3, now: now.addingTimeInterval(2))
        _ = try await store.claimNext(now: now, worker: "node-b", leaseUntil: now.addingTimeInterval(100))
        #expect(try await store.events(id: job.id, after: 0, limit: 100).isEmpty)
        #expect(try await store.appendEvents(id: job.id, attempt: 2, [NewJobEvent(kind: .log, line: "again")]))
        let retried = try await store.events(id: job.id, after: 0, limit: 100)
        #expect(retried.map(\.line) == ["again"] && retried[0].sequence > all[4].sequence)
        await store.close()
    }

    @Test(arguments: StoreFactory.all)
    func artifactsAreStoredByTheRunningAttemptAndReadByName(_ factory: StoreFactory) async throws {
        let store = try await factory.open()
        let job = try await Self.insert(store)
        let bytes: [UInt8] = Array("1 2 0.5\n".utf8) + [0, 255]
        #expect(!(try await store.storeArtifact(id: job.id, attempt: 1, name: "model.drn", data: bytes)))
        _ = try await store.claimNext(now: Date())
        #expect(try await store.storeArtifact(id: job.id, attempt: 1, name: "model.drn", data: [1]))
        #expect(try await store.storeArtifact(id: job.id, attempt: 1, name: "model.drn", data: bytes))
        #expect(!(try await store.storeArtifact(id: job.id, attempt: 2, name: "transitions.txt", data: bytes)))
        #expect(try await store.artifact(id: job.id, name: "model.drn") == bytes)
        #expect(try await store.artifact(id: job.id, name: "transitions.txt") == nil)
        _ = try await store.finish(
            id: job.id, attempt: 1, state: .succeeded, reason: nil, message: nil, resultJSON: "{}", log: "",
            now: Date(timeIntervalSince1970: 0))
        #expect(!(try await store.storeArtifact(id: job.id, attempt: 1, name: "transitions.txt", data: bytes)))
        #expect(try await store.artifact(id: job.id, name: "model.drn") == bytes)
        _ = try await store.prune(finishedBefore: Date(), tombstoneLog: "pruned")
        #expect(try await store.artifact(id: job.id, name: "model.drn") == nil)
        await store.close()
    }
}
