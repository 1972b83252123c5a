import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import StaminaServer

/// Who the caller is (client address behind trusted proxies, tokens from `stamina token`), the
/// request-rate limit, and names that try to be paths or HTML; in process (over a loopback socket
/// where the peer address matters).
@Suite("Identity and limits")
struct IdentityAndLimitsTests {
    static let forwarded: HTTPFields = .forwardedFor("198.51.100.9, 203.0.113.7")

    @Test func forwardedForCountsOnlyFromTrustedProxies() async throws {
        let trusting = try InProcessServer(["trusted-proxies=127.0.0.1"], store: InMemoryJobStore())
        try await trusting.test(.live) { client in
            #expect(try await client.submitLegacy(headers: Self.forwarded).code == 201)
            // The client is the right-most address that is not a trusted proxy.
            #expect(try await client.send(.get, "/myjobs", headers: .forwardedFor("203.0.113.7")).array?.count == 1)
            #expect(try await client.send(.get, "/myjobs", headers: Self.forwarded).array?.count == 1)
            let direct = try await client.send(.get, "/myjobs")
            #expect(direct.object["error"] as? String == "This IP (127.0.0.1) has no active jobs")
        }
        let untrusting = try InProcessServer([], store: InMemoryJobStore())
        try await untrusting.test(.live) { client in
            _ = try await client.submitLegacy(headers: Self.forwarded)
            // The header is ignored: the job belongs to the peer address.
            #expect(try await client.send(.get, "/myjobs").array?.count == 1)
        }
    }

    @Test func requestRateIsLimitedPerClient() async throws {
        try await InProcessServer(["rate-limit=0.01", "rate-burst=3"], store: InMemoryJobStore()).test { client in
            var statuses: [Int] = []
            for _ in 0..<5 { statuses.append(try await client.send(.get, "/egg").code) }
            #expect(statuses == [200, 200, 200, 429, 429])
            let limited = try await client.send(.get, "/v1/about")
            #expect(limited.code == 429)
            #expect(Int(limited.header("Retry-After") ?? "") ?? 0 >= 1)
            #expect(limited.header("Content-Type") == "application/problem+json")
            #expect(try await client.send(.get, "/healthz").code == 200)  // monitoring is exempt
        }
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

        let server = try InProcessServer([], dataDirectory: data)
        try await server.test { client in
            let all = try await client.send(.get, "/jobs", headers: .bearer(token))
            #expect(all.code == 200)
            #expect(try await client.send(.get, "/v1/jobs", headers: .bearer(token)).code == 200)
            #expect(try await client.send(.get, "/v1/jobs", headers: .bearer(token + "x")).code == 401)
        }
    }

    @Test func pathLikeAndHTMLNamesAreOnlyShown() async throws {
        let store = InMemoryJobStore()
        let server = try InProcessServer(["admin-token=adm"], store: store)
        try await server.test { client in
            let reply = try await client.multipart(
                "/v1/jobs", fields: [("name", "<script>alert(1)</script>")],
                files: [
                    ("model", "../../etc/evil<b>.prism", TestModels.birthDeath),
                    ("properties", "..", TestModels.birthDeathProperties),
                ])
            #expect(reply.code == 202)
            let id = try #require(reply.object["id"] as? String)
            #expect(reply.object["modelFile"] as? String == "evil<b>.prism")
            #expect(reply.object["propertiesFile"] as? String == "upload")
            #expect(reply.object["name"] as? String == "<script>alert(1)</script>")
            // A /v1 job is unknown to the legacy endpoints except for the admin.
            #expect(try await client.multipart("/jobs", fields: [("id", id)]).code == 404)
            let legacy = try await client.multipart("/jobs", fields: [("id", id)], headers: .bearer("adm"))
            #expect(legacy.object["name"] as? String == "&lt;script&gt;alert(1)&lt;/script&gt;")
            // The files are stored under the job's id; their names are only shown.
            #expect(try await store.inputs(id: id)?.model == TestModels.birthDeath)
            #expect(!FileManager.default.fileExists(atPath: server.dataDirectory + "/etc"))
        }
    }
}
