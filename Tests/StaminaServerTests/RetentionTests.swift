import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import StaminaServer

/// Retention, in process: a finished job is pruned to a tombstone after `retention` seconds (its
/// files gone, its log replaced, its result 410), and its anonymous token expires with it.
@Suite("Retention")
struct RetentionTests {
    @Test func pruningKeepsATombstone() async throws {
        let store = InMemoryJobStore()
        let server = try InProcessServer(
            ["retention=0.5", "prune-interval=0.1", "admin-token=adm"], store: store)
        try await server.test { client in
            let reply = try await client.submitV1()
            let id = try #require(reply.object["id"] as? String)
            let token = try #require(reply.object["token"] as? String)
            _ = try await store.finishNext(log: "[INFO]: done\n", resultJSON: "{}")
            #expect(try await store.inputs(id: id) != nil)
            _ = try await poll("the job pruned") {
                let state = try await client.send(.get, "/v1/jobs/\(id)", headers: .bearer("adm")).object["state"]
                return state as? String == "PRUNED" ? true : nil
            }
            // The job's anonymous token expires with it.
            _ = try await poll("the anonymous token expired") {
                try await client.send(.get, "/v1/jobs", headers: .bearer(token)).code == 401 ? true : nil
            }
            let legacy = try await client.send(
                .post, "/jobs", #"{"id": "\#(id)"}"#,
                headers: [.contentType: "application/json", .authorization: "Bearer adm"])
            #expect(legacy.object["status"] as? String == "pruned")
            let log = try await client.send(.post, "/checkjob", id, headers: .bearer("adm"))
            #expect(log.text == JobLog.prunedText)
            #expect(!FileManager.default.fileExists(atPath: server.dataDirectory + "/jobs/\(id)"))
            // The admin still sees the tombstone.
            let result = try await client.send(.get, "/v1/jobs/\(id)/result", headers: .bearer("adm"))
            #expect(result.code == 410)
            #expect(result.object["type"] as? String == "https://staminachecker.org/problems/pruned")
        }
    }
}
