import Foundation
import Testing

/// A job run by a real `stamina serve`'s worker pool (worker-exec and the engine, through `MisbehavingEngine`, are child
/// processes, which the in-process server cannot start from a test binary), as both APIs show it:
/// the composed log in the legacy colours, the result with the run's measurements, the artifacts,
/// the event stream fed by the engine's events file, and a kill that leaves no process. The API
/// shapes themselves are tested in process (`LegacyAPITests`, `V1APITests`).
@Suite("Job run through the server", .serialized)
struct JobRunThroughServerTests {
    let escape = "\u{1b}"

    @Test func aLegacyJobRunsAndCheckjobShowsTheColouredEscapedLogWithTheResults() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.misbehavingEngineSettings(directory))
        let id = try await server.legacySubmit(fields: [("method", "-J"), ("kappa", "2")])
        _ = try await server.waitFor("exited") { try await server.legacyStatus(id) == "exited" ? true : nil }
        let log = try await server.text("POST", "/checkjob", id)
        #expect(log.status == 200)
        // The real engine ran: its coloured [INFO] line names the method and numbers given, `<`
        // is escaped, and the results block holds a local run's numbers for the same parameters.
        #expect(
            log.text.contains(
                "\(escape)[1m\(escape)[34m[INFO]: \(escape)[0m\(escape)[0mMethod: reexploring, kappa 2.0"))
        #expect(log.text.contains("Property: P=? [ F&lt;=10 \"full\" ]"))
        let local = try TestModels.localBirthDeath(["-J", "-k", "2"]).text
        let block = local.split(separator: "\n").filter {
            $0.hasPrefix("Probability Minimum") || $0.hasPrefix("Probability Maximum") || $0.hasPrefix("Window:")
        }
        #expect(block.count == 3)
        #expect(log.text.contains(block.joined(separator: "\n") + "\n"))
        #expect(log.text.hasSuffix("\(escape)[1m\(escape)[32m[MESSAGE]: \(escape)[0m\(escape)[0mFinished running!\n"))
        #expect(try await server.legacyLookup(id).object["logs"] as? String == log.text)
    }

    @Test func killingARunningLegacyJobLeavesNoProcessAndEndsTheLogWithKilled() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.misbehavingEngineSettings(directory))
        let id = try await server.legacySubmit(model: TestModels.sleeping)
        _ = try await server.waitFor("running") { try await server.legacyStatus(id) == "running" ? true : nil }
        let kill = try await server.text("POST", "/kill", id)
        #expect(kill.text == "Success")
        // "killed" is already the legacy status while the job is CANCELLING; the log's last line is
        // written when the engine has gone.
        _ = try await server.waitFor("the log's Killed. line") {
            try await server.text("POST", "/checkjob", id).text.hasSuffix("Killed.\n") ? true : nil
        }
        #expect(try await server.text("POST", "/kill", id).text == "Job was already killed")
        _ = try await server.waitFor("no processes left") { server.processesOfJob(id).isEmpty ? true : nil }
    }

    @Test func aV1JobRunsToItsResultLogArtifactsAndEvents() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.misbehavingEngineSettings(directory))
        let reply = try await server.v1Submit(extra: ["method": "-P", "kappa": 0.5])
        let id = try #require(reply.object["id"] as? String)
        let token = try #require(reply.object["token"] as? String)
        #expect(try await server.waitForV1State(id, token: token, ["SUCCEEDED"]) == "SUCCEEDED")

        let result = try await server.get("/v1/jobs/\(id)/result", token: token)
        let properties = try #require(result.object["properties"] as? [[String: Any]])
        // The real engine ran with the parameters given: a local run with them has the same bounds.
        let local = try TestModels.localBirthDeath(["-P", "-k", "0.5"]).result
        #expect(properties.first?["pmin"] as? Double == local.properties.first?.pmin)
        #expect(properties.first?["pmax"] as? Double == local.properties.first?.pmax)
        let run = try #require(result.object["run"] as? [String: Any])
        #expect(run["state"] as? String == "SUCCEEDED")
        #expect((run["peakMemoryBytes"] as? Int ?? 0) >= (result.object["peakMemoryBytes"] as? Int ?? .max))
        #expect(run["cpuSeconds"] is Double)

        let log = try await server.get("/v1/jobs/\(id)/log", token: token)
        #expect(log.text.contains("[INFO]: Method: priority, kappa 0.5"))  // plain, uncoloured
        #expect(log.text.contains("Property: P=? [ F<=10 \"full\" ]"))  // unescaped
        #expect(!log.text.contains("\u{1b}"))
        #expect(log.text.hasSuffix("[MESSAGE]: Finished running!\n"))
        let artifact = try await server.get("/v1/jobs/\(id)/artifacts/transitions.txt", token: token)
        // `from to rate` lines, one per transition of the explored model (plus the sink's).
        let lines = artifact.text.split(separator: "\n")
        #expect(lines.count >= (result.object["transitions"] as? Int ?? .max))
        #expect(lines.allSatisfy { $0.split(separator: " ").count == 3 })

        let stream = try await server.get("/v1/jobs/\(id)/events", token: token)
        let events = stream.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        let types = events.compactMap { $0.split(separator: "\n").first { $0.hasPrefix("event: ") }?.dropFirst(7) }
        #expect(types.contains("round"))
        #expect(types.contains("property"))
        #expect(types.contains("log"))
        #expect(types.last == "state")
        #expect(events.last?.contains("\"state\":\"SUCCEEDED\"") == true)
        // The engine's line is passed on byte for byte (numbers keep their text).
        let round = try #require(events.first { $0.contains("event: round") })
        let engineLines = try await LeaseAndRoleTests.withStore(server) { store in
            try await store.events(id: id, after: 0, limit: 1000).filter { $0.kind == .engine }.map(\.line)
        }
        let first = try #require(engineLines.first)
        #expect(round.contains("data: " + first + "\n") || round.hasSuffix("data: " + first))
    }
}
