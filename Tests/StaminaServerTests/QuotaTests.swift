import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing

@testable import StaminaServer

/// Quotas count anonymous `/v1` jobs against the client address (a fresh token per submission
/// buys nothing), tokens against the token; QUEUED jobs have their own per-owner limit; anonymous
/// tokens expire with their last job.
@Suite("Fair quotas")
struct QuotaTests {
    @Test func anonymousSubmissionsCountAgainstTheAddressNotTheFreshToken() async throws {
        let server = try InProcessServer(["owner-quota=2", "owner-queued-quota=2", "trusted-proxies=127.0.0.1,::1"])
        try await server.test(.live) { client in
            let here = HTTPFields.forwardedFor("203.0.113.5")
            let first = try await client.submitV1(headers: here)
            #expect(first.code == 202)
            let token = try #require(first.object["token"] as? String)
            #expect(try await client.submitLegacy(headers: here).code == 201)
            // The token issued to an anonymous submission counts against the address too.
            var withToken = here
            withToken[.authorization] = "Bearer \(token)"
            #expect(try await client.submitV1(headers: withToken).code == 429)
            let third = try await client.submitV1(headers: here)
            #expect(third.code == 429)
            #expect(third.headers[.contentType] == "application/problem+json")
            #expect(try await client.submitLegacy(headers: here).code == 429)
            // Another address has its own quota.
            #expect(try await client.submitV1(headers: .forwardedFor("203.0.113.6")).code == 202)
        }
    }

    @Test func tokenHoldersCountAgainstTheirTokenAndQueuedJobsHaveTheirOwnLimit() async throws {
        let server = try InProcessServer(["owner-quota=10", "owner-queued-quota=2"])
        let first = try await TokenIssuer.create(
            dataDirectory: server.dataDirectory, admin: false, logger: Logger(label: "test"))
        let second = try await TokenIssuer.create(
            dataDirectory: server.dataDirectory, admin: false, logger: Logger(label: "test"))
        try await server.test { client in
            #expect(try await client.submitV1(token: first).code == 202)
            #expect(try await client.submitV1(token: first).code == 202)
            let refused = try await client.submitV1(token: first)
            #expect(refused.code == 429)
            #expect((refused.object["detail"] as? String)?.contains("waiting in the queue") == true)
            #expect(try await client.submitV1(token: second).code == 202)
        }
    }

    @Test func anonymousTokensExpireWithTheirLastJob() async throws {
        let server = try InProcessServer(["prune-interval=0.05"])
        try await server.test { client in
            let submitted = try await client.submitV1()
            let id = try #require(submitted.object["id"] as? String)
            let token = try #require(submitted.object["token"] as? String)
            // A job still stored keeps its token alive across pruning passes.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await client.send(.get, "/v1/jobs/\(id)", headers: .bearer(token)).code == 200)
            #expect(try await client.send(.delete, "/v1/jobs/\(id)", headers: .bearer(token)).code == 204)
            let deadline = ContinuousClock.now + .seconds(20)
            var status = 0
            while ContinuousClock.now < deadline {
                status = try await client.send(.get, "/v1/jobs", headers: .bearer(token)).code
                if status == 401 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(status == 401)
        }
    }

    @Test func ownerQuotaAndSystemQuota() async throws {
        let server = try InProcessServer(
            ["owner-quota=2", "owner-queued-quota=2", "system-quota=3", "admin-token=adm"], store: InMemoryJobStore())
        try await server.test { client in
            let first = try await client.submitV1()
            let token = try #require(first.object["token"] as? String)
            #expect(try await client.submitV1(token: token).code == 202)
            let third = try await client.submitV1(token: token)
            #expect(third.code == 429)
            #expect(third.object["type"] as? String == "https://staminachecker.org/problems/quota-exceeded")
            #expect(third.headers[.retryAfter] == "30")
            // The same address on the legacy API: the same quota (anonymous jobs count against the address).
            let sameAddress = try await client.submitLegacy()
            #expect(sameAddress.code == 429)
            #expect((sameAddress.object["error"] as? String)?.contains("already has 2") == true)
            #expect(try await client.submitV1(token: "adm").code == 202)  // another owner
            let overSystem = try await client.submitV1(token: "adm")
            #expect(overSystem.code == 429)
            #expect((overSystem.object["detail"] as? String)?.contains("the server already holds 3") == true)
            // Nothing of any submission is in the data directory (job data is in the store).
            let directories = try FileManager.default.contentsOfDirectory(atPath: server.dataDirectory + "/jobs")
            #expect(directories.filter { !$0.hasPrefix(".") }.isEmpty)
        }
    }
}
