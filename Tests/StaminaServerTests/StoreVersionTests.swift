import Foundation
import Logging
import Testing

@testable import StaminaServer

/// The store bumps a job's version on every change: the rendered-document cache relies on it to
/// never serve a job as it was before a change.
struct StoreVersionTests {
    static func openStore() async throws -> SQLiteJobStore {
        let directory = RunningServer.temporaryDirectory()
        return try await SQLiteJobStore.open(path: directory + "/stamina.sqlite", logger: Logger(label: "test"))
    }

    static func newJob(_ id: String = RandomIdentifier.jobID()) -> NewJob {
        NewJob(
            id: id, owner: "owner:a", name: "job", parameters: JobParameters(), modelFileName: "m.prism",
            propertiesFileName: "p.csl", createdAt: Date())
    }

    @Test func everyChangeOfAJobGivesANewVersionAndTheNextReadShowsIt() async throws {
        let store = try await Self.openStore()
        let inserted = try await store.insert(Self.newJob(), ownerQuota: 10, systemQuota: 10)
        var versions = [inserted.version]
        func check(_ expected: JobState, name: String? = nil) async throws {
            let read = try #require(try await store.job(id: inserted.id))
            #expect(read.state == expected)
            if let name { #expect(read.name == name) }
            #expect(read.version > versions.last ?? .max)
            versions.append(read.version)
        }
        _ = try await store.rename(id: inserted.id, name: "renamed")
        try await check(.queued, name: "renamed")
        _ = try await store.claimNext(now: Date())
        try await check(.running)
        _ = try await store.requestCancel(id: inserted.id, now: Date())
        try await check(.cancelling)
        _ = try await store.finish(
            id: inserted.id, attempt: 1, state: .cancelled, reason: nil, message: nil, resultJSON: nil,
            log: "Killed.\n",
            now: Date(timeIntervalSince1970: 0))
        try await check(.cancelled)
        #expect(try await store.prune(finishedBefore: Date(), tombstoneLog: "pruned") == [inserted.id])
        try await check(.pruned)
        #expect(try await store.delete(id: inserted.id))
        #expect(try await store.job(id: inserted.id) == nil)
        await store.close()
    }

    @Test func recoveryAfterARestartGivesNewVersions() async throws {
        let store = try await Self.openStore()
        let requeued = try await store.insert(Self.newJob(), ownerQuota: 10, systemQuota: 10)
        let cancelling = try await store.insert(Self.newJob(), ownerQuota: 10, systemQuota: 10)
        _ = try await store.claimNext(now: Date())
        _ = try await store.claimNext(now: Date())
        _ = try await store.requestCancel(id: cancelling.id, now: Date())
        let before = [
            try #require(try await store.job(id: requeued.id)), try #require(try await store.job(id: cancelling.id)),
        ]
        _ = try await store.recoverInterrupted(node: "test-node", maxAttempts: 3, now: Date())
        let after = [
            try #require(try await store.job(id: requeued.id)), try #require(try await store.job(id: cancelling.id)),
        ]
        #expect(after.map(\.state) == [.queued, .cancelled])
        #expect(zip(before, after).allSatisfy { $0.version < $1.version })
        await store.close()
    }

    @Test func aQueuedJobCancelledAtOnceGetsANewVersion() async throws {
        let store = try await Self.openStore()
        let job = try await store.insert(Self.newJob(), ownerQuota: 10, systemQuota: 10)
        let cancelled = try #require(try await store.requestCancel(id: job.id, now: Date()))
        #expect(cancelled.state == .cancelled)
        #expect(cancelled.version > job.version)
        #expect(try await store.job(id: job.id) == cancelled)
        await store.close()
    }
}
