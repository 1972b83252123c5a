import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Every body over its endpoint's limit answers 413 (problem+json on `/v1`, the legacy JSON error
/// elsewhere) and stores nothing.
@Suite("Body limits")
struct BodyLimitTests {
    @Test func everyEndpointAnswers413AndStoresNothing() async throws {
        let server = try InProcessServer(["max-upload=2048", "admin-token=the-admin"])
        try await server.test { client in
            let submitted = try await client.submitV1()
            let id = try #require(submitted.object["id"] as? String)
            let token = try #require(submitted.object["token"] as? String)
            let upload = String(repeating: "x", count: 2 * 2048 + 70_000)
            let json: HTTPFields = [.contentType: "application/json"]
            let legacy: [(HTTPRequest.Method, String, String, HTTPFields)] = [
                (.post, "/jobs", #"{"create": "1", "model_file": "\#(upload)", "prop_file": "x"}"#, json),
                (.post, "/checkjob", id + String(repeating: " ", count: 600), [:]),
                (.post, "/kill", String(repeating: "a", count: 600), [:]),
                (.delete, "/jobs", String(repeating: "a", count: 600), [:]),
                (.post, "/rename", #"{"id": "\#(id)", "name": "\#(String(repeating: "n", count: 5000))"}"#, json),
            ]
            for (method, path, body, headers) in legacy {
                let reply = try await client.send(method, path, body, headers: headers)
                #expect(reply.code == 413, "\(method) \(path)")
                #expect(reply.headers[.contentType]?.hasPrefix("application/json") == true, "\(method) \(path)")
                #expect((reply.object["error"] as? String)?.contains("larger than") == true, "\(method) \(path)")
            }
            var withToken = HTTPFields.bearer(token)
            withToken[.contentType] = "application/json"
            let modern: [(HTTPRequest.Method, String, String)] = [
                (.post, "/v1/jobs", #"{"model": "\#(upload)", "properties": "x"}"#),
                (.patch, "/v1/jobs/\(id)", #"{"name": "\#(String(repeating: "n", count: 5000))"}"#),
            ]
            for (method, path, body) in modern {
                let reply = try await client.send(method, path, body, headers: withToken)
                #expect(reply.code == 413, "\(method) \(path)")
                #expect(reply.headers[.contentType] == "application/problem+json", "\(method) \(path)")
                #expect(reply.object["status"] as? Int == 413, "\(method) \(path)")
            }
            // Nothing stored, nothing changed: still the one job, queued, with its name.
            let all = try await client.send(.get, "/v1/jobs", headers: .bearer("the-admin"))
            let jobs = try #require(all.object["jobs"] as? [[String: Any]])
            #expect(jobs.count == 1)
            #expect(jobs.first?["state"] as? String == "QUEUED")
            #expect(jobs.first?["name"] as? String == "bd.prism")
        }
        // The one job's files are in the store; the data directory holds only runs' scratch directories.
        let directories = try FileManager.default.contentsOfDirectory(atPath: server.dataDirectory + "/jobs")
        #expect(directories.filter { !$0.hasPrefix(".") }.isEmpty)
    }
}
