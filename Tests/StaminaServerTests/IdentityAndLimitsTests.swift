import Foundation
import Testing

/// Who the caller is (client address behind trusted proxies, tokens from `stamina token`), the
/// request-rate limit, and names that try to be paths or HTML.
@Suite("Identity and limits", .serialized)
struct IdentityAndLimitsTests {
    @Test func forwardedForCountsOnlyFromTrustedProxies() async throws {
        let directory = RunningServer.temporaryDirectory()
        let trusting = try await RunningServer(
            try TestModels.fakeEngineSettings(directory) + ["trusted-proxies=127.0.0.1"])
        let forwarded = ["X-Forwarded-For": "198.51.100.9, 203.0.113.7"]
        let reply = try await trusting.multipart(
            "/jobs", fields: [("create", "1")],
            files: [
                ("model_file", "m.prism", TestModels.birthDeath),
                ("prop_file", "p.csl", TestModels.birthDeathProperties),
            ],
            headers: forwarded)
        #expect(reply.status == 201)
        let mine = try await trusting.request("GET", "/myjobs", headers: forwarded)
        #expect((mine.json as? [[String: Any]])?.count == 1)
        let direct = try await trusting.get("/myjobs")
        #expect(direct.object["error"] as? String == "This IP (127.0.0.1) has no active jobs")

        let untrusting = try await RunningServer(try TestModels.fakeEngineSettings(directory))
        _ = try await untrusting.multipart(
            "/jobs", fields: [("create", "1")],
            files: [
                ("model_file", "m.prism", TestModels.birthDeath),
                ("prop_file", "p.csl", TestModels.birthDeathProperties),
            ],
            headers: forwarded)
        // The header is ignored: the job belongs to the peer address.
        #expect((try await untrusting.get("/myjobs").json as? [[String: Any]])?.count == 1)
    }

    @Test func requestRateIsLimitedPerClient() async throws {
        let server = try await RunningServer(["rate-limit=0.01", "rate-burst=3"])
        var statuses: [Int] = []
        for _ in 0..<5 { statuses.append(try await server.get("/egg").status) }
        #expect(statuses == [200, 200, 200, 429, 429])
        let limited = try await server.get("/v1/about")
        #expect(limited.status == 429)
        #expect(Int(limited.header("Retry-After") ?? "") ?? 0 >= 1)
        #expect(limited.header("Content-Type") == "application/problem+json")
        #expect(try await server.get("/healthz").status == 200)  // monitoring is exempt
    }

    @Test func tokenCreateIssuesAnAdminTokenTheServerAccepts() async throws {
        let data = RunningServer.temporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RunningServer.staminaBinary)
        process.arguments = ["token", "create", "--admin", "--data-dir", data]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let token = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("stm_"))
        let database = try String(contentsOfFile: data + "/stamina.sqlite", encoding: .isoLatin1)
        #expect(!database.contains(token))  // only the hash is stored

        let server = try await RunningServer([], dataDirectory: data)
        #expect(try await server.get("/jobs", token: token).status == 200)
        #expect(try await server.get("/v1/jobs", token: token).status == 200)
    }

    @Test func pathLikeAndHTMLNamesAreOnlyShown() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.fakeEngineSettings(directory))
        let reply = try await server.multipart(
            "/v1/jobs", fields: [("name", "<script>alert(1)</script>")],
            files: [
                ("model", "../../etc/evil<b>.prism", TestModels.birthDeath),
                ("properties", "..", TestModels.birthDeathProperties),
            ])
        #expect(reply.status == 202)
        let id = try #require(reply.object["id"] as? String)
        #expect(reply.object["modelFile"] as? String == "evil<b>.prism")
        #expect(reply.object["propertiesFile"] as? String == "upload")
        #expect(reply.object["name"] as? String == "<script>alert(1)</script>")
        // A /v1 job is unknown to the legacy endpoints except for the admin.
        #expect(try await server.legacyLookup(id).status == 404)
        let legacy = try await server.multipart(
            "/jobs", fields: [("id", id)], files: [], token: RunningServer.adminToken)
        #expect(legacy.object["name"] as? String == "&lt;script&gt;alert(1)&lt;/script&gt;")
        #expect(!FileManager.default.fileExists(atPath: server.dataDirectory + "/etc"))
    }
}
