import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Synchronization
import Testing

@testable import StaminaServer

/// The nodes' read caches on a real PostgreSQL: the triggers notify what they must and nothing
/// more, a change made through one node is read through another within a deadline, and a node
/// whose database goes away answers 503 promptly and recovers by itself.
@Suite(.enabled(if: PostgresTestDatabase.isConfigured, Comment(rawValue: PostgresTestDatabase.skipReason)))
struct PostgresReadCacheTests {
    /// Collects what a store's change feed reports.
    final class Recorder: Sendable {
        private let changes = Mutex<[JobChange]>([])
        func record(_ change: JobChange) { changes.withLock { $0.append(change) } }
        var seen: [JobChange] { changes.withLock { $0 } }
    }

    /// A heartbeat notifies nobody; a version change, a delete and appended lines do, in commit
    /// order. (A heartbeat of job A, then a rename of job B: the first job notification is B's.)
    @Test func theTriggersNotifyVersionChangesDeletesAndEventsButNotHeartbeats() async throws {
        let (store, url) = try await PostgresTestDatabase.store()
        let recorder = Recorder()
        let stream = await store.jobChanges()
        let listening = Task { for await change in stream { recorder.record(change) } }
        _ = try await poll("listening") { recorder.seen.contains(.listening) ? true : nil }
        let first = try await store.insert(PostgresJobStoreTests.newJob(), ownerQuota: 9, systemQuota: 9)
        let second = try await store.insert(PostgresJobStoreTests.newJob(), ownerQuota: 9, systemQuota: 9)
        let claimed = try #require(try await store.claimNext(now: Date()))
        #expect(claimed.id == first.id)
        _ = try await poll("the claim's notification") { recorder.seen.contains(.job(first.id)) ? true : nil }
        let before = recorder.seen.count
        #expect(
            try await store.heartbeat(id: first.id, attempt: 1, leaseUntil: Date() + 60)
                == .held(cancelRequested: false))
        _ = try await store.rename(id: second.id, name: "renamed")
        _ = try await poll("the rename's notification") { recorder.seen.count > before ? true : nil }
        #expect(recorder.seen[before] == .job(second.id))
        // Three lines in one statement: one notification.
        let lines = (0..<3).map { NewJobEvent(kind: .log, line: "line \($0)") }
        #expect(try await store.appendEvents(id: first.id, attempt: 1, lines))
        _ = try await store.delete(id: second.id)
        _ = try await poll("the delete's notification") {
            recorder.seen.filter { $0 == .job(second.id) }.count == 2 ? true : nil
        }
        #expect(recorder.seen.filter { $0 == .events(first.id) }.count == 1)
        #expect(recorder.seen.filter { $0 == .job(first.id) }.count == 1)
        listening.cancel()
        await store.close()
        await PostgresTestDatabase.drop(url)
    }

    /// Two nodes' stores on one database: node B keeps a copy; a rename through node A reaches B
    /// within a deadline, and A reads its own write at once.
    @Test func aChangeThroughOneStoreReachesTheOtherStoresCopy() async throws {
        let (plainA, url) = try await PostgresTestDatabase.store()
        let plainB = try await PostgresJobStore.open(url: url, logger: Logger(label: "test"))
        let nodeA = await CachingJobStore.wrapping(plainA)
        let nodeB = await CachingJobStore.wrapping(plainB)
        _ = try await poll("both nodes listening") { nodeA.cache.isListening && nodeB.cache.isListening ? true : nil }
        let job = try await nodeA.insert(PostgresJobStoreTests.newJob(), ownerQuota: 9, systemQuota: 9)
        #expect(try await nodeB.job(id: job.id)?.name == job.name)
        #expect(try await nodeB.job(id: job.id)?.name == job.name)
        #expect(nodeB.cache.statistics.hits >= 1)
        _ = try await nodeA.job(id: job.id)
        _ = try await nodeA.rename(id: job.id, name: "renamed on A")
        #expect(try await nodeA.job(id: job.id)?.name == "renamed on A")
        _ = try await poll("node B reads the rename", timeout: 5) {
            try await nodeB.job(id: job.id)?.name == "renamed on A" ? true : nil
        }
        _ = try await nodeB.delete(id: job.id)
        #expect(try await nodeB.job(id: job.id) == nil)
        _ = try await poll("node A reads the delete", timeout: 5) {
            try await nodeA.job(id: job.id) == nil ? true : nil
        }
        await nodeA.close()
        await nodeB.close()
        await PostgresTestDatabase.drop(url)
    }

    /// The worker's doorbell passes through the cache (`queuedJobs`): a job inserted through node A
    /// rings node B's, so an idle worker node claims it at once rather than at its periodic look.
    @Test func aNewJobRingsTheOtherNodesDoorbellThroughTheCache() async throws {
        let (plainA, url) = try await PostgresTestDatabase.store()
        let plainB = try await PostgresJobStore.open(url: url, logger: Logger(label: "test"))
        let nodeA = await CachingJobStore.wrapping(plainA)
        let nodeB = await CachingJobStore.wrapping(plainB)
        let doorbell = try #require(await nodeB.queuedJobs())
        let rings = Mutex(0)
        let listener = Task {
            for await _ in doorbell { rings.withLock { $0 += 1 } }
        }
        // The listener may not be up yet: insert until the doorbell rings, within a deadline.
        _ = try await poll("node B's doorbell rings", timeout: 10) { () -> Bool? in
            _ = try await nodeA.insert(PostgresJobStoreTests.newJob(), ownerQuota: 99, systemQuota: 99)
            try await Task.sleep(for: .milliseconds(200))
            return rings.withLock { $0 } > 0 ? true : nil
        }
        listener.cancel()
        await nodeA.close()
        await nodeB.close()
        await PostgresTestDatabase.drop(url)
    }

    /// The whole server, twice on one database: a job renamed and cancelled through one node is
    /// read so through the other within a deadline, though the other had it in its cache.
    @Test func twoServersOnOneDatabaseSeeEachOthersChanges() async throws {
        let url = try await PostgresTestDatabase.create()
        let settings = ["database=\(PostgresJobStoreTests.plainURL(url))"]
        try await InProcessServer(settings).test { first in
            try await InProcessServer(settings).test { second in
                let reply = try await first.submitV1(name: "before")
                let id = try #require(reply.object["id"] as? String)
                let token = try #require(reply.object["token"] as? String)
                for _ in 0..<2 {
                    let read = try await second.send(.get, "/v1/jobs/\(id)", headers: .bearer(token))
                    #expect(read.object["name"] as? String == "before")
                }
                var headers = HTTPFields.bearer(token)
                headers[.contentType] = "application/json"
                let renamed = try await first.send(.patch, "/v1/jobs/\(id)", #"{"name": "after"}"#, headers: headers)
                #expect(renamed.code == 200)
                _ = try await poll("the other node reads the new name", timeout: 5) {
                    let read = try await second.send(.get, "/v1/jobs/\(id)", headers: .bearer(token))
                    return read.object["name"] as? String == "after" ? true : nil
                }
                let cancelled = try await second.send(.post, "/v1/jobs/\(id)/cancel", headers: .bearer(token))
                #expect(cancelled.code == 202)
                _ = try await poll("the first node reads the cancel", timeout: 5) {
                    let read = try await first.send(.get, "/v1/jobs/\(id)", headers: .bearer(token))
                    return read.object["state"] as? String == "CANCELLED" ? true : nil
                }
            }
        }
        await PostgresTestDatabase.drop(url)
    }

    /// A real server whose database goes away, behind a relay: stopped (connections closed) and
    /// silent (nothing answers). `/readyz` and job reads answer 503 within a few seconds instead of
    /// hanging, the legacy listing its JSON error, and the node serves again once the database is
    /// back, by itself.
    @Test func aServerWhoseDatabaseGoesAwayAnswers503PromptlyAndRecovers() async throws {
        let url = try await PostgresTestDatabase.create()
        let relay = try TCPRelay(toPort: url.port)
        defer { relay.stop() }
        var relayed = url
        relayed.port = relay.port
        let server = try await RunningServer(["database=\(PostgresJobStoreTests.plainURL(relayed))", "workers=0"])
        defer { server.stop() }
        let submitted = try await server.json(
            "POST", "/v1/jobs", ["model": TestModels.birthDeath, "properties": TestModels.birthDeathProperties])
        #expect(submitted.status == 202)
        let id = try #require(submitted.object["id"] as? String)
        let token = try #require(submitted.object["token"] as? String)
        #expect(try await server.get("/v1/jobs/\(id)", token: token).status == 200)

        /// Polls `path` until it answers `status`; every answer must come within `prompt` seconds.
        func expectPrompt(_ path: String, status: Int, prompt: Double, within timeout: Double) async throws
            -> RunningServer.Reply
        {
            try await server.waitFor("\(path) answers \(status)", timeout: timeout) {
                let start = ContinuousClock.now
                let reply = try await server.get(path, token: token)
                let took = start.duration(to: .now)
                #expect(took < .seconds(prompt), "\(path) took \(took)")
                return reply.status == status ? reply : nil
            }
        }

        for outage in ["stopped", "silent"] {
            if outage == "stopped" { relay.cut() } else { relay.silence() }
            let ready = try await expectPrompt("/readyz", status: 503, prompt: 8, within: 30)
            #expect(ready.header("Content-Type")?.hasPrefix("application/problem+json") == true, "\(outage)")
            let read = try await expectPrompt("/v1/jobs/\(id)", status: 503, prompt: 12, within: 30)
            #expect(read.header("Retry-After") != nil, "\(outage)")
            #expect(read.object["status"] as? Int == 503, "\(outage)")
            let legacy = try await expectPrompt("/myjobs", status: 503, prompt: 12, within: 30)
            #expect(legacy.object["error"] is String, "\(outage): \(legacy.text)")
            relay.restore()
            _ = try await server.waitFor("/readyz after the \(outage) database is back", timeout: 60) {
                try await server.get("/readyz").status == 200 ? true : nil
            }
            #expect(try await server.get("/v1/jobs/\(id)", token: token).status == 200, "\(outage)")
        }
        server.stop()
        relay.stop()
        await PostgresTestDatabase.drop(url)
    }
}
