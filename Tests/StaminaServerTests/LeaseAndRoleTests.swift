import EngineContract
import Foundation
import Logging
import Testing

@testable import StaminaServer

/// Leases, fencing and roles with a real `stamina serve` over SQLite. The test itself plays "another
/// node": it opens the server's store file and writes what another node's sweeper, worker or API
/// would write (SQLite is one machine; the real multi-node run is `scripts/ci/multinode.sh`).
@Suite("Leases and roles")
struct LeaseAndRoleTests {
    /// The server's store opened by the test, closed again however `body` ends (SQLiteNIO traps on
    /// a connection that was never closed).
    static func withStore<T>(_ server: RunningServer, _ body: (SQLiteJobStore) async throws -> T) async throws -> T {
        let store = try await SQLiteJobStore.open(
            path: server.dataDirectory + "/stamina.sqlite", logger: Logger(label: "test"))
        do {
            let value = try await body(store)
            await store.close()
            return value
        } catch {
            await store.close()
            throw error
        }
    }

    /// The job as the file holds it now: `job(id:)` would answer from this process's cache, which
    /// sees only this process's writes (another reason SQLite is one process per store).
    static func current(_ store: SQLiteJobStore, _ id: String) async throws -> JobRecord? {
        try await store.jobs(owner: nil, state: nil, before: nil, limit: 1000).first { $0.id == id }
    }

    /// Processes working in the scratch directory of one attempt of the job.
    static func processes(of server: RunningServer, _ id: String, attempt: Int) -> [Int32] {
        server.processesOfJob(id).filter { pid in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd"))?.contains(
                "/jobs/\(id).\(attempt)") == true
        }
    }

    @Test func aWorkerWhoseJobWasTakenOverStopsItsRunAndRecordsNothing() async throws {
        let directory = RunningServer.temporaryDirectory()
        // A heartbeat every 2 s: the server's one worker stays busy with attempt 1 (and so cannot
        // claim the job again) while the test plays the other node.
        let server = try await RunningServer(
            try TestModels.misbehavingEngineSettings(directory) + ["workers=1", "heartbeat-interval=2", "lease=30"])
        let reply = try await server.v1Submit(model: TestModels.sleeping)
        let id = try #require(reply.object["id"] as? String)
        _ = try await server.waitFor("engine processes") {
            Self.processes(of: server, id, attempt: 1).count >= 2 ? true : nil
        }
        try await Self.withStore(server) { store in
            // Another node's sweeper saw the lease lapse (its clock says so) and another worker took the job.
            #expect(try await store.requeueExpired(maxAttempts: 5, now: Date().addingTimeInterval(60)) == (1, 0))
            let taken = try await store.claimNext(
                now: Date(), worker: "node-b", leaseUntil: Date().addingTimeInterval(3600))
            // The first worker learns it at its next heartbeat and kills its run.
            _ = try await server.waitFor("the stale run stopped", timeout: 15) {
                Self.processes(of: server, id, attempt: 1).isEmpty ? true : nil
            }
            let job = try #require(try await Self.current(store, id))
            #expect(job.state == .running && job.attempts == 2 && job.resultJSON == nil)
            guard let taken else {
                // Only on a machine so slow that the heartbeat came first: the freed worker took the
                // job again itself, as attempt 2.
                #expect(job.worker != "node-b")
                return
            }
            #expect(taken.id == id && job.worker == "node-b")
            #expect(try await store.events(id: id, after: 0, limit: 10).isEmpty)
            // The new holder records the one result.
            #expect(
                try await store.finish(
                    id: id, attempt: 2, state: .succeeded, reason: nil, message: nil, resultJSON: "{}", log: "",
                    now: Date()
                ))
        }
    }

    @Test func aCancelWrittenByAnotherNodeStopsTheRunAtTheNextHeartbeat() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(
            try TestModels.misbehavingEngineSettings(directory) + ["heartbeat-interval=0.2", "lease=5"])
        let reply = try await server.v1Submit(model: TestModels.sleeping)
        let id = try #require(reply.object["id"] as? String)
        _ = try await server.waitFor("engine processes") { server.processesOfJob(id).count >= 2 ? true : nil }
        try await Self.withStore(server) { store in
            #expect(try await store.requestCancel(id: id, now: Date())?.state == .cancelling)
            _ = try await server.waitFor("the run stopped", timeout: 5) {
                server.processesOfJob(id).isEmpty ? true : nil
            }
            let cancelled = try await server.waitFor("CANCELLED in the store", timeout: 10) {
                try await Self.current(store, id).flatMap { $0.state == .cancelled ? $0 : nil }
            }
            #expect(cancelled.log?.hasSuffix("Killed.\n") == true)
        }
    }

    @Test func aWorkerNodeServesNoJobAPIAndRunsJobsFromTheStore() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.misbehavingEngineSettings(directory) + ["role=worker"])
        #expect(try await server.get("/healthz").status == 200)
        #expect(try await server.get("/readyz").status == 200)
        #expect(try await server.get("/v1/jobs").status == 404)
        #expect(try await server.get("/myjobs").status == 404)
        // An API node (here: the test) stores a job; the worker runs it and stores the outcome.
        try await Self.withStore(server) { store in
            let job = NewJob(
                id: RandomIdentifier.jobID(), owner: "owner:t", name: "j", parameters: JobParameters(),
                modelFileName: "m.prism", propertiesFileName: "p.csl", createdAt: Date(),
                modelText: TestModels.birthDeath, propertiesText: TestModels.birthDeathProperties)
            _ = try await store.insert(job, ownerQuota: 10, systemQuota: 10)
            let finished = try await server.waitFor("the job finished", timeout: 30) {
                try await Self.current(store, job.id).flatMap { $0.state.isTerminal ? $0 : nil }
            }
            #expect(finished.state == .succeeded && finished.attempts == 1)
            // The engine ran for real: the numbers a local run gives.
            let expected = try TestModels.localBirthDeath([]).result.properties.first?.pmin
            let stored = try JSONDecoder().decode(CheckResult.self, from: Data((finished.resultJSON ?? "").utf8))
            #expect(stored.properties.first?.pmin == expected && expected != nil)
            #expect(try await store.artifact(id: job.id, name: "transitions.txt")?.isEmpty == false)
            let events = try await store.events(id: job.id, after: 0, limit: 100)
            #expect(events.contains { $0.kind == .engine && $0.line.contains("\"round\"") })
            #expect(events.contains { $0.kind == .log && $0.line == "[MESSAGE]: Finished running!" })
            // The scratch directory goes once the outputs are stored.
            let scratch = server.dataDirectory + "/jobs/\(job.id).1"
            _ = try await server.waitFor("the scratch directory removed", timeout: 10) {
                FileManager.default.fileExists(atPath: scratch) ? nil : true
            }
        }
    }

    @Test func anAPINodeStoresJobsAndRunsNone() async throws {
        let directory = RunningServer.temporaryDirectory()
        let settings = try TestModels.misbehavingEngineSettings(directory)
        let api = try await RunningServer(settings + ["role=api"])
        let reply = try await api.v1Submit()
        let id = try #require(reply.object["id"] as? String)
        let token = try #require(reply.object["token"] as? String)
        // A node with workers claims a queued job within milliseconds; this one never does.
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline {
            #expect(try await api.v1State(id, token: token) == "QUEUED")
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(try await api.get("/healthz").status == 200)
        api.stop()
        // A worker node on the same store runs it; a new API node answers with the result.
        let worker = try await RunningServer(settings + ["role=worker"], dataDirectory: api.dataDirectory)
        try await Self.withStore(worker) { store in
            _ = try await worker.waitFor("the job finished", timeout: 30) {
                try await Self.current(store, id).flatMap { $0.state.isTerminal ? $0 : nil }
            }
        }
        worker.stop()
        let again = try await RunningServer(settings + ["role=api"], dataDirectory: api.dataDirectory)
        #expect(try await again.v1State(id, token: token) == "SUCCEEDED")
        let result = try await again.get("/v1/jobs/\(id)/result", token: token)
        #expect(result.status == 200)
        let expected = try TestModels.localBirthDeath([]).result.properties.first?.pmin
        #expect(try JSONDecoder().decode(CheckResult.self, from: result.body).properties.first?.pmin == expected)
        #expect(try await again.get("/v1/jobs/\(id)/artifacts/transitions.txt", token: token).text.isEmpty == false)
        #expect(try await again.get("/v1/jobs/\(id)/log", token: token).text.contains("Finished running!"))
        #expect(try await again.legacyStatus(id, token: RunningServer.adminToken) == "exited")
    }
}
