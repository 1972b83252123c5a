import Foundation
import Testing

/// `/v1`: tokens, resources, problem+json, pagination, logs, results, artifacts, events.
@Suite("v1 API", .serialized)
struct V1APITests {
    @Test func anonymousSubmitReturnsATokenThatOwnsTheJob() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.misbehavingEngineSettings(directory))
        let reply = try await server.v1Submit(extra: ["name": "birth-death", "method": "-P", "kappa": 0.5])
        #expect(reply.status == 202)
        let id = try #require(reply.object["id"] as? String)
        let token = try #require(reply.object["token"] as? String)
        #expect(reply.header("Location") == "/v1/jobs/\(id)")
        #expect(reply.header("Retry-After") != nil)
        #expect(reply.object["name"] as? String == "birth-death")
        let parameters = try #require(reply.object["parameters"] as? [String: Any])
        #expect(parameters["method"] as? String == "priority")
        #expect(parameters["kappa"] as? Double == 0.5)

        #expect(try await server.get("/v1/jobs/\(id)").status == 401)
        let other = try #require(try await server.v1Submit().object["token"] as? String)
        let foreign = try await server.get("/v1/jobs/\(id)", token: other)
        #expect(foreign.status == 404)
        #expect(foreign.header("Content-Type") == "application/problem+json")
        #expect(foreign.object["type"] as? String == "https://staminachecker.org/problems/not-found")
        #expect(try await server.get("/v1/jobs/\(id)", token: "stm_forged").status == 401)

        #expect(try await server.waitForV1State(id, token: token, ["SUCCEEDED"]) == "SUCCEEDED")
        let result = try await server.get("/v1/jobs/\(id)/result", token: token)
        #expect(result.status == 200)
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
        let offset = try #require(Int(log.header("X-Next-Offset") ?? ""))
        #expect(offset == log.text.utf8.count)
        let tail = try await server.get("/v1/jobs/\(id)/log?offset=\(offset - 29)", token: token)
        #expect(tail.text == "[MESSAGE]: Finished running!\n")

        let artifact = try await server.get("/v1/jobs/\(id)/artifacts/transitions.txt", token: token)
        #expect(artifact.status == 200)
        // `from to rate` lines, one per transition of the explored model (plus the sink's).
        let lines = artifact.text.split(separator: "\n")
        #expect(lines.count >= (result.object["transitions"] as? Int ?? .max))
        #expect(lines.allSatisfy { $0.split(separator: " ").count == 3 })
        #expect(try await server.get("/v1/jobs/\(id)/artifacts/..%2Fmodel.prism", token: token).status == 404)

        let renamed = try await server.json("PATCH", "/v1/jobs/\(id)", ["name": "renamed"], token: token)
        #expect(renamed.object["name"] as? String == "renamed")
        #expect(
            try await server.request("DELETE", "/v1/jobs/\(id)", headers: ["Authorization": "Bearer \(other)"]).status
                == 404)
        #expect(
            try await server.request("DELETE", "/v1/jobs/\(id)", headers: ["Authorization": "Bearer \(token)"]).status
                == 204)
        #expect(try await server.get("/v1/jobs/\(id)", token: token).status == 404)
        #expect(!FileManager.default.fileExists(atPath: server.dataDirectory + "/jobs/\(id)"))
    }

    @Test func eventsStreamRoundsLogLinesAndStatesAndResume() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.misbehavingEngineSettings(directory))
        let reply = try await server.v1Submit()
        let id = try #require(reply.object["id"] as? String)
        let token = try #require(reply.object["token"] as? String)
        let stream = try await server.get("/v1/jobs/\(id)/events", token: token)
        #expect(stream.status == 200)
        #expect(stream.header("Content-Type") == "text/event-stream")
        let events = stream.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        let types = events.compactMap { $0.split(separator: "\n").first { $0.hasPrefix("event: ") }?.dropFirst(7) }
        #expect(types.contains("round"))
        #expect(types.contains("property"))
        #expect(types.contains("log"))
        #expect(types.last == "state")
        #expect(events.last?.contains("\"state\":\"SUCCEEDED\"") == true)
        let round = try #require(events.first { $0.contains("event: round") })
        // The engine's line is passed on byte for byte (numbers keep their text).
        let engineLines = try String(
            contentsOfFile: server.dataDirectory + "/jobs/\(id)/events.jsonl", encoding: .utf8
        ).split(separator: "\n")
        let first = try #require(engineLines.first)
        #expect(round.contains("data: " + first + "\n") || round.hasSuffix("data: " + first))

        // Resuming after the round event repeats nothing before it.
        let roundID = try #require(round.split(separator: "\n").first { $0.hasPrefix("id: ") }?.dropFirst(4))
        let resumed = try await server.get(
            "/v1/jobs/\(id)/events", token: token, headers: ["Last-Event-ID": String(roundID)])
        #expect(!resumed.text.contains("event: round"))
        #expect(resumed.text.contains("event: property"))
    }

    @Test func idempotencyKeyReturnsTheFirstAnswer() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.misbehavingEngineSettings(directory))
        let token = try #require(try await server.v1Submit().object["token"] as? String)
        let first = try await server.v1Submit(token: token, headers: ["Idempotency-Key": "k-1"])
        let second = try await server.v1Submit(token: token, headers: ["Idempotency-Key": "k-1"])
        #expect(first.status == 202)
        #expect(second.status == 202)
        #expect(first.object["id"] as? String == second.object["id"] as? String)
        let third = try await server.v1Submit(token: token, headers: ["Idempotency-Key": "k-2"])
        #expect(third.object["id"] as? String != first.object["id"] as? String)
    }

    @Test func listingIsPaginatedAndFiltered() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(
            try TestModels.misbehavingEngineSettings(directory) + ["owner-quota=10", "owner-queued-quota=10"])
        let firstReply = try await server.v1Submit()
        let token = try #require(firstReply.object["token"] as? String)
        var ids = [try #require(firstReply.object["id"] as? String)]
        for _ in 0..<4 { ids.append(try #require(try await server.v1Submit(token: token).object["id"] as? String)) }
        for id in ids { _ = try await server.waitForV1State(id, token: token, ["SUCCEEDED"]) }

        var seen: [String] = []
        var cursor: String? = nil
        repeat {
            let page = try await server.get("/v1/jobs?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token)
            #expect(page.status == 200)
            let jobs = try #require(page.object["jobs"] as? [[String: Any]])
            #expect(jobs.count <= 2)
            seen += jobs.compactMap { $0["id"] as? String }
            cursor = page.object["nextCursor"] as? String
        } while cursor != nil
        #expect(seen == ids.reversed())
        let succeeded = try await server.get("/v1/jobs?state=SUCCEEDED", token: token)
        #expect((succeeded.object["jobs"] as? [Any])?.count == 5)
        let queued = try await server.get("/v1/jobs?state=QUEUED", token: token)
        #expect((queued.object["jobs"] as? [Any])?.count == 0)
        #expect(try await server.get("/v1/jobs?state=BOGUS", token: token).status == 400)
        #expect(try await server.get("/v1/jobs?limit=0", token: token).status == 400)
    }

    @Test func badInputIsAProblemDocument() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(
            try TestModels.misbehavingEngineSettings(directory) + ["anonymous=false", "admin-token=adm"])
        #expect(try await server.v1Submit().status == 401)
        let nan = try await server.v1Submit(token: "adm", extra: ["kappa": "nan"])
        #expect(nan.status == 422)
        #expect(nan.header("Content-Type") == "application/problem+json")
        #expect(nan.object["type"] as? String == "https://staminachecker.org/problems/invalid-parameters")
        #expect(nan.object["status"] as? Int == 422)
        let window = try await server.v1Submit(token: "adm", extra: ["window": 0])
        #expect(window.status == 422)
        let missing = try await server.json("POST", "/v1/jobs", ["model": "ctmc"], token: "adm")
        #expect(missing.status == 422)
        #expect((missing.object["detail"] as? String)?.contains("properties file is missing") == true)
        let notJSON = try await server.request(
            "POST", "/v1/jobs", body: Data("{".utf8), contentType: "application/json",
            headers: ["Authorization": "Bearer adm"])
        #expect(notJSON.status == 400)
        #expect(notJSON.header("Content-Type") == "application/problem+json")
    }

    @Test func operationalEndpoints() async throws {
        let server = try await RunningServer(["time-limit=123", "admin-token=ops-admin"])
        let about = try await server.get("/v1/about", token: "ops-admin")
        #expect(about.status == 200)
        let configuration = try #require(about.object["configuration"] as? [String: String])
        let defaults = try #require(about.object["defaults"] as? [String: String])
        #expect(configuration["time-limit"] == "123.0")
        #expect(defaults["time-limit"] == "300.0")
        #expect(defaults["memory-limit"] == "524288000")
        #expect(defaults["retention"] == "36000.0")
        #expect(defaults["listen"] == "127.0.0.1:8080")
        #expect(try await server.get("/healthz").status == 200)
        #expect(try await server.get("/readyz").status == 200)
        let metrics = try await server.get("/metrics", token: "ops-admin")
        #expect(metrics.text.contains("stamina_jobs{state=\"QUEUED\"} 0"))
        #expect(metrics.text.contains("stamina_http_requests_total"))
        let openapi = try await server.get("/v1/openapi.json")
        let paths = try #require(openapi.object["paths"] as? [String: Any])
        #expect(paths.keys.contains("/v1/jobs/{id}/events"))
        #expect(openapi.object["openapi"] as? String == "3.1.0")
    }
}
