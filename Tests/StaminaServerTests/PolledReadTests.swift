import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import StaminaServer

/// A polled job read (`GET /v1/jobs/{id}`) is served from memory; these tests read a job first, so
/// whatever the server keeps is warm, then change it every way there is (through both APIs, and
/// in the store as a worker does) and read it again. In process, on an `InMemoryJobStore`.
@Suite("Polled reads see every change")
struct PolledReadTests {
    @Test func renameCancelAndDeleteAreSeenByTheNextRead() async throws {
        let store = InMemoryJobStore()
        try await InProcessServer(["admin-token=adm"], store: store).test { client in
            let running = try await client.submitV1()
            let token = try #require(running.object["token"] as? String)
            let runningID = try #require(running.object["id"] as? String)
            // What a worker does: the oldest QUEUED job becomes RUNNING.
            #expect(try await store.claimNext(now: Date())?.id == runningID)
            let queuedID = try #require(try await client.submitV1(name: "first", token: token).object["id"] as? String)

            let first = try await client.send(.get, "/v1/jobs/\(queuedID)", headers: .bearer(token))
            let second = try await client.send(.get, "/v1/jobs/\(queuedID)", headers: .bearer(token))
            #expect(first.object["state"] as? String == "QUEUED")
            #expect(second.body == first.body)

            _ = try await client.send(.patch, "/v1/jobs/\(queuedID)", #"{"name": "second"}"#, headers: .bearer(token))
            #expect(try await Self.read(client, queuedID, token)["name"] as? String == "second")
            // The legacy API (for a /v1 job: as the admin) changes the same job through the same store.
            _ = try await client.send(
                .post, "/rename", #"{"id": "\#(queuedID)", "name": "third"}"#, headers: .bearer("adm"))
            #expect(try await Self.read(client, queuedID, token)["name"] as? String == "third")

            _ = try await client.send(.post, "/v1/jobs/\(queuedID)/cancel", headers: .bearer(token))
            let cancelled = try await Self.read(client, queuedID, token)
            #expect(cancelled["state"] as? String == "CANCELLED")
            #expect(cancelled["finishedAt"] is String)

            #expect(try await Self.read(client, runningID, token)["state"] as? String == "RUNNING")
            let cancelling = try await client.send(.post, "/v1/jobs/\(runningID)/cancel", headers: .bearer(token))
            #expect(cancelling.object["state"] as? String == "CANCELLING")
            #expect(try await Self.read(client, runningID, token)["state"] as? String == "CANCELLING")
            // The worker records the end of the run; the next read must show it.
            #expect(
                try await store.finish(
                    id: runningID, attempt: 1, state: .cancelled, reason: nil, message: nil, resultJSON: nil,
                    log: "Killed.\n",
                    now: Date()))
            #expect(try await Self.read(client, runningID, token)["state"] as? String == "CANCELLED")

            #expect(try await client.send(.delete, "/v1/jobs/\(queuedID)", headers: .bearer(token)).code == 204)
            #expect(try await client.send(.get, "/v1/jobs/\(queuedID)", headers: .bearer(token)).code == 404)
            #expect(try await client.send(.get, "/v1/jobs/\(queuedID)", headers: .bearer(token)).code == 404)
            #expect(
                try await client.multipart("/jobs", fields: [("id", queuedID)], headers: .bearer("adm")).code == 404)
        }
    }

    static func read(_ client: any TestClientProtocol, _ id: String, _ token: String) async throws -> [String: Any] {
        try await client.send(.get, "/v1/jobs/\(id)", headers: .bearer(token)).object
    }

    @Test func aReadTokenStaysBoundToItsOwner() async throws {
        try await InProcessServer([], store: InMemoryJobStore()).test { client in
            let reply = try await client.submitV1()
            let id = try #require(reply.object["id"] as? String)
            let token = try #require(reply.object["token"] as? String)
            let other = try #require(try await client.submitV1().object["token"] as? String)
            for _ in 0..<2 {
                #expect(try await client.send(.get, "/v1/jobs/\(id)", headers: .bearer(token)).code == 200)
                #expect(try await client.send(.get, "/v1/jobs/\(id)", headers: .bearer(other)).code == 404)
                #expect(try await client.send(.get, "/v1/jobs/\(id)", headers: .bearer(token + "x")).code == 401)
                #expect(
                    try await client.send(.get, "/v1/jobs/\(id)", headers: [.authorization: "bearer   \(token) "]).code
                        == 200)
                #expect(
                    try await client.send(.get, "/v1/jobs/\(id)", headers: [.authorization: "Basic \(token)"]).code
                        == 401)
            }
        }
    }
}
