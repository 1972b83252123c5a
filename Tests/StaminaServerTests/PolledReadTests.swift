import Foundation
import Testing

/// A polled job read (`GET /v1/jobs/{id}`) is served from memory; these tests read a job first, so
/// whatever the server keeps is warm, then change it every way there is and read it again.
@Suite("Polled reads see every change", .serialized)
struct PolledReadTests {
    @Test func renameCancelAndDeleteAreSeenByTheNextRead() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.misbehavingEngineSettings(directory) + ["workers=1"])
        let running = try await server.v1Submit(model: TestModels.sleeping)
        let token = try #require(running.object["token"] as? String)
        let runningID = try #require(running.object["id"] as? String)
        _ = try await server.waitForV1State(runningID, token: token, ["RUNNING"])
        // The only worker is busy, so this one stays QUEUED until it is cancelled.
        let queuedID = try #require(
            try await server.v1Submit(token: token, extra: ["name": "first"]).object["id"] as? String)

        let first = try await server.get("/v1/jobs/\(queuedID)", token: token)
        let second = try await server.get("/v1/jobs/\(queuedID)", token: token)
        #expect(first.object["state"] as? String == "QUEUED")
        #expect(second.body == first.body)

        _ = try await server.json("PATCH", "/v1/jobs/\(queuedID)", ["name": "second"], token: token)
        #expect(try await server.get("/v1/jobs/\(queuedID)", token: token).object["name"] as? String == "second")
        // The legacy API (for a /v1 job: as the admin) changes the same job through the same store.
        _ = try await server.text(
            "POST", "/rename", #"{"id": "\#(queuedID)", "name": "third"}"#, token: RunningServer.adminToken)
        #expect(try await server.get("/v1/jobs/\(queuedID)", token: token).object["name"] as? String == "third")

        _ = try await server.request(
            "POST", "/v1/jobs/\(queuedID)/cancel", headers: ["Authorization": "Bearer \(token)"])
        let cancelled = try await server.get("/v1/jobs/\(queuedID)", token: token)
        #expect(cancelled.object["state"] as? String == "CANCELLED")
        #expect(cancelled.object["finishedAt"] is String)

        #expect(try await server.get("/v1/jobs/\(runningID)", token: token).object["state"] as? String == "RUNNING")
        _ = try await server.request(
            "POST", "/v1/jobs/\(runningID)/cancel", headers: ["Authorization": "Bearer \(token)"])
        // The runner records the end of the run; the next reads must show it.
        #expect(try await server.waitForV1State(runningID, token: token, ["CANCELLED"]) == "CANCELLED")

        #expect(
            try await server.request("DELETE", "/v1/jobs/\(queuedID)", headers: ["Authorization": "Bearer \(token)"])
                .status == 204)
        #expect(try await server.get("/v1/jobs/\(queuedID)", token: token).status == 404)
        #expect(try await server.get("/v1/jobs/\(queuedID)", token: token).status == 404)
        #expect(try await server.legacyLookup(queuedID).status == 404)
    }

    @Test func aReadTokenStaysBoundToItsOwner() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.misbehavingEngineSettings(directory))
        let reply = try await server.v1Submit()
        let id = try #require(reply.object["id"] as? String)
        let token = try #require(reply.object["token"] as? String)
        let other = try #require(try await server.v1Submit().object["token"] as? String)
        for _ in 0..<2 {
            #expect(try await server.get("/v1/jobs/\(id)", token: token).status == 200)
            #expect(try await server.get("/v1/jobs/\(id)", token: other).status == 404)
            #expect(try await server.get("/v1/jobs/\(id)", token: token + "x").status == 401)
            #expect(
                try await server.get("/v1/jobs/\(id)", headers: ["Authorization": "bearer   \(token) "]).status == 200)
            #expect(try await server.get("/v1/jobs/\(id)", headers: ["Authorization": "Basic \(token)"]).status == 401)
        }
    }
}
