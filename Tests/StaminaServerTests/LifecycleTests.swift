import Foundation
import Testing

/// Jobs through their whole life: limits, cancel, quotas, pruning, a crash of the server, and many
/// clients at once. Every wait polls a condition with a deadline.
@Suite("Job life cycle", .serialized)
struct LifecycleTests {
    @Test func wallClockLimitKillsTheGroupAndFailsWithTimeLimit() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.misbehavingEngineSettings(directory) + ["time-limit=1"])
        let reply = try await server.v1Submit(model: TestModels.sleeping)
        let id = try #require(reply.object["id"] as? String)
        let token = try #require(reply.object["token"] as? String)
        #expect(try await server.waitForV1State(id, token: token, ["FAILED"]) == "FAILED")
        let job = try await server.get("/v1/jobs/\(id)", token: token)
        #expect(job.object["failureReason"] as? String == "TIME_LIMIT")
        #expect(try await server.legacyStatus(id, token: RunningServer.adminToken) == "killed")
        #expect(
            try await server.text("POST", "/checkjob", id, token: RunningServer.adminToken).text.hasSuffix("Killed.\n"))
        _ = try await server.waitFor("no processes left") { server.processesOfJob(id).isEmpty ? true : nil }
        #expect(server.zombieChildren().isEmpty)
    }

    @Test func addressSpaceLimitFailsWithMemoryLimit() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(
            try TestModels.misbehavingEngineSettings(directory) + ["memory-limit=300000000"])
        let reply = try await server.v1Submit(model: TestModels.exploding)
        let id = try #require(reply.object["id"] as? String)
        let token = try #require(reply.object["token"] as? String)
        #expect(try await server.waitForV1State(id, token: token, ["FAILED", "SUCCEEDED"]) == "FAILED")
        let job = try await server.get("/v1/jobs/\(id)", token: token)
        #expect(job.object["failureReason"] as? String == "MEMORY_LIMIT")
        #expect(try await server.legacyStatus(id, token: RunningServer.adminToken) == "killed")
    }

    @Test func engineErrorAndInputErrorAreTold() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.misbehavingEngineSettings(directory))
        let crash = try await server.v1Submit(model: TestModels.crashing)
        let token = try #require(crash.object["token"] as? String)
        let crashID = try #require(crash.object["id"] as? String)
        let broken = try await server.v1Submit(model: TestModels.marked("BROKEN"), token: token)
        let brokenID = try #require(broken.object["id"] as? String)
        _ = try await server.waitForV1State(crashID, token: token, ["FAILED"])
        _ = try await server.waitForV1State(brokenID, token: token, ["FAILED"])
        #expect(
            try await server.get("/v1/jobs/\(crashID)", token: token).object["failureReason"] as? String
                == "ENGINE_ERROR")
        #expect(
            try await server.get("/v1/jobs/\(brokenID)", token: token).object["failureReason"] as? String
                == "INVALID_INPUT")
        #expect(try await server.legacyStatus(crashID, token: RunningServer.adminToken) == "exited")
    }

    @Test func cancelQueuedAndRunningJobs() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.misbehavingEngineSettings(directory) + ["workers=1"])
        let running = try await server.v1Submit(model: TestModels.sleeping)
        let token = try #require(running.object["token"] as? String)
        let runningID = try #require(running.object["id"] as? String)
        let queuedID = try #require(
            try await server.v1Submit(model: TestModels.sleeping, token: token).object["id"] as? String)
        _ = try await server.waitForV1State(runningID, token: token, ["RUNNING"])
        _ = try await server.waitFor("engine processes") { server.processesOfJob(runningID).count >= 2 ? true : nil }

        let cancelQueued = try await server.request(
            "POST", "/v1/jobs/\(queuedID)/cancel", headers: ["Authorization": "Bearer \(token)"])
        #expect(cancelQueued.status == 202)
        #expect(cancelQueued.object["state"] as? String == "CANCELLED")

        let cancelRunning = try await server.request(
            "POST", "/v1/jobs/\(runningID)/cancel", headers: ["Authorization": "Bearer \(token)"])
        #expect(cancelRunning.status == 202)
        #expect(["CANCELLING", "CANCELLED"].contains(cancelRunning.object["state"] as? String))
        _ = try await server.waitForV1State(runningID, token: token, ["CANCELLED"], timeout: 5)
        #expect(server.processesOfJob(runningID).isEmpty)  // the whole group (worker-exec, bash, sleep)
        #expect(server.zombieChildren().isEmpty)
        let again = try await server.request(
            "POST", "/v1/jobs/\(runningID)/cancel", headers: ["Authorization": "Bearer \(token)"])
        #expect(again.status == 409)
        #expect(try await server.get("/v1/jobs/\(runningID)/log", token: token).text.hasSuffix("Killed.\n"))
    }

    @Test func aJobRunningWhenTheServerIsKilledCompletesAfterRestart() async throws {
        let directory = RunningServer.temporaryDirectory()
        let engine = try MisbehavingEngine.install(in: directory)
        // The first run sleeps; the restarted server gets an engine that finishes at once.
        let server = try await RunningServer(["engine=\(engine)"])
        let reply = try await server.v1Submit(model: TestModels.sleeping)
        let id = try #require(reply.object["id"] as? String)
        let token = try #require(reply.object["token"] as? String)
        _ = try await server.waitFor("engine processes") { server.processesOfJob(id).count >= 2 ? true : nil }
        server.crash()
        // worker-exec notices its parent is gone and kills its group: no orphans.
        _ = try await server.waitFor("orphans gone", timeout: 10) { server.processesOfJob(id).isEmpty ? true : nil }

        let finishing = try MisbehavingEngine.install(in: directory, sleeps: false, name: "finishing-engine.sh")
        let restarted = try await RunningServer(["engine=\(finishing)"], dataDirectory: server.dataDirectory)
        #expect(try await restarted.waitForV1State(id, token: token, ["SUCCEEDED", "FAILED"]) == "SUCCEEDED")
        #expect(try await restarted.get("/v1/jobs/\(id)", token: token).object["attempts"] as? Int == 2)
    }

    @Test func aGracefulStopKillsRunningJobsAndTheNextStartRequeuesThem() async throws {
        let directory = RunningServer.temporaryDirectory()
        let engine = try MisbehavingEngine.install(in: directory)
        let server = try await RunningServer(["engine=\(engine)"])
        let reply = try await server.v1Submit(model: TestModels.sleeping)
        let id = try #require(reply.object["id"] as? String)
        let token = try #require(reply.object["token"] as? String)
        _ = try await server.waitFor("engine processes") { server.processesOfJob(id).count >= 2 ? true : nil }
        server.stop()
        _ = try await server.waitFor("group killed", timeout: 10) { server.processesOfJob(id).isEmpty ? true : nil }
        let restarted = try await RunningServer(["engine=\(engine)"], dataDirectory: server.dataDirectory)
        // The listener may answer before the runner has requeued the interrupted job (still RUNNING
        // with attempt 1 then): wait for the second attempt itself.
        let job = try await restarted.waitFor("the second attempt running") {
            let job = try await restarted.get("/v1/jobs/\(id)", token: token).object
            return job["state"] as? String == "RUNNING" && job["attempts"] as? Int == 2 ? job : nil
        }
        #expect(job["attempts"] as? Int == 2, "job after the restart: \(job)")
        restarted.stop()
        _ = try await server.waitFor("group killed", timeout: 10) { server.processesOfJob(id).isEmpty ? true : nil }
    }

    @Test func aJobLostOnItsLastAttemptFailsWithWorkerLost() async throws {
        let directory = RunningServer.temporaryDirectory()
        let engine = try MisbehavingEngine.install(in: directory)
        var server = try await RunningServer(["engine=\(engine)", "max-attempts=1"])
        let reply = try await server.v1Submit(model: TestModels.sleeping)
        let id = try #require(reply.object["id"] as? String)
        let token = try #require(reply.object["token"] as? String)
        _ = try await server.waitForV1State(id, token: token, ["RUNNING"])
        server.crash()
        server = try await RunningServer(["engine=\(engine)", "max-attempts=1"], dataDirectory: server.dataDirectory)
        let job = try await server.get("/v1/jobs/\(id)", token: token)
        #expect(job.object["state"] as? String == "FAILED")
        #expect(job.object["failureReason"] as? String == "WORKER_LOST")
    }

    @Test func manyClientsSubmitAndPollAndEveryJobEndsOnce() async throws {
        let directory = RunningServer.temporaryDirectory()
        let clients = 12
        let jobsPerClient = 3
        // Every client is 127.0.0.1 here, and anonymous jobs count against the address: the per-address
        // quotas are raised so that the clients are limited by the workers only.
        let server = try await RunningServer(
            try TestModels.misbehavingEngineSettings(directory) + [
                "workers=2", "owner-quota=100", "owner-queued-quota=100",
            ])
        let finished = try await withThrowingTaskGroup(of: [String: String].self) { group in
            for _ in 0..<clients {
                group.addTask {
                    let first = try await server.v1Submit()
                    guard let token = first.object["token"] as? String, let id = first.object["id"] as? String else {
                        throw TestFailure("submit failed: \(first.text)")
                    }
                    var states: [String: String] = [:]
                    var ids = [id]
                    for _ in 1..<jobsPerClient {
                        let reply = try await server.v1Submit(token: token)
                        guard let next = reply.object["id"] as? String else {
                            throw TestFailure("submit failed: \(reply.text)")
                        }
                        ids.append(next)
                    }
                    for id in ids {
                        states[id] = try await server.waitForV1State(
                            id, token: token, ["SUCCEEDED", "FAILED", "CANCELLED"], timeout: 120)
                    }
                    return states
                }
            }
            var all: [String: String] = [:]
            for try await states in group { all.merge(states) { first, _ in first } }
            return all
        }
        #expect(finished.count == clients * jobsPerClient)
        #expect(Set(finished.values) == ["SUCCEEDED"])
        let metrics = try await server.get("/metrics", token: RunningServer.adminToken).text
        #expect(metrics.contains("stamina_jobs_finished_total{outcome=\"SUCCEEDED\"} \(clients * jobsPerClient)"))
        #expect(server.zombieChildren().isEmpty)
    }
}
