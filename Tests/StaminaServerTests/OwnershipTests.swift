import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// One ownership rule for both APIs: legacy endpoints see the jobs of the caller's address, `/v1`
/// the jobs of the token, the admin every job; anything else is an unknown job.
@Suite("Ownership")
struct OwnershipTests {
    @Test func aTokenJobIsUnknownToEveryLegacyEndpoint() async throws {
        try await InProcessServer(["admin-token=the-admin"]).test { client in
            let submitted = try await client.submitV1(name: "mine")
            #expect(submitted.code == 202)
            let id = try #require(submitted.object["id"] as? String)
            let token = try #require(submitted.object["token"] as? String)

            let attempts: [(HTTPRequest.Method, String, String)] = [
                (.post, "/checkjob", id), (.post, "/kill", id), (.delete, "/jobs", id),
                (.post, "/rename", #"{"id": "\#(id)", "name": "stolen"}"#),
                (.post, "/stamina/checkjob", id),
            ]
            for (method, path, body) in attempts {
                let reply = try await client.send(method, path, body)
                #expect(reply.code == 404, "\(method) \(path)")
                #expect(reply.object["error"] as? String == "Job not found", "\(method) \(path)")
            }
            let lookup = try await client.send(
                .post, "/jobs", #"{"id": "\#(id)"}"#, headers: [.contentType: "application/json"])
            #expect(lookup.code == 404)
            #expect(lookup.object["error"] as? String == "Job not found")

            // Untouched, as its owner sees it.
            let job = try await client.send(.get, "/v1/jobs/\(id)", headers: .bearer(token))
            #expect(job.code == 200)
            #expect(job.object["state"] as? String == "QUEUED")
            #expect(job.object["name"] as? String == "mine")

            // The admin sees every job, on the legacy endpoints too.
            let asAdmin = try await client.send(.post, "/checkjob", id, headers: .bearer("the-admin"))
            #expect(asAdmin.code == 200)
        }
    }

    @Test func aLegacyJobIsUnknownToAnotherAddressAndToTokens() async throws {
        let server = try InProcessServer(["trusted-proxies=127.0.0.1,::1", "admin-token=the-admin"])
        try await server.test(.live) { client in
            let created = try await client.submitLegacy(headers: .forwardedFor("198.51.100.1"))
            #expect(created.code == 201)
            let id = try #require(created.object["id"] as? String)

            let stranger = HTTPFields.forwardedFor("198.51.100.2")
            #expect(try await client.send(.post, "/checkjob", id, headers: stranger).code == 404)
            #expect(try await client.send(.post, "/kill", id, headers: stranger).code == 404)
            #expect(try await client.send(.delete, "/jobs", id, headers: stranger).code == 404)
            let owner = HTTPFields.forwardedFor("198.51.100.1")
            #expect(try await client.send(.post, "/checkjob", id, headers: owner).code == 200)

            // A token (here a fresh anonymous one) does not see the address's job on /v1.
            let other = try await client.submitV1(headers: stranger)
            let token = try #require(other.object["token"] as? String)
            #expect(try await client.send(.get, "/v1/jobs/\(id)", headers: .bearer(token)).code == 404)
            #expect(try await client.send(.get, "/v1/jobs/\(id)", headers: .bearer("the-admin")).code == 200)
            #expect(try await client.send(.post, "/kill", id, headers: owner).text == "Success")
        }
    }

    @Test func anotherTokenSeesNothingOnV1AndTheAdminSeesAll() async throws {
        try await InProcessServer(["admin-token=the-admin"]).test { client in
            let first = try await client.submitV1()
            let id = try #require(first.object["id"] as? String)
            let second = try await client.submitV1()
            let other = try #require(second.object["token"] as? String)
            for (method, path) in [
                (HTTPRequest.Method.get, "/v1/jobs/\(id)"), (.get, "/v1/jobs/\(id)/log"),
                (.post, "/v1/jobs/\(id)/cancel"),
                (.delete, "/v1/jobs/\(id)"), (.get, "/v1/jobs/\(id)/events"),
            ] {
                #expect(try await client.send(method, path, headers: .bearer(other)).code == 404, "\(method) \(path)")
            }
            let all = try await client.send(.get, "/v1/jobs", headers: .bearer("the-admin"))
            #expect((all.object["jobs"] as? [[String: Any]])?.count == 2)
            #expect(try await client.send(.delete, "/v1/jobs/\(id)", headers: .bearer("the-admin")).code == 204)
        }
    }
}
