import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import StaminaServer

/// `/v1`: tokens, resources, problem+json, pagination, logs, results, artifacts, events, in process
/// on an `InMemoryJobStore` (no engine: finished jobs are finished in the store, their files
/// written where a run leaves them; `JobRunThroughServerTests` runs the engine's side for real).
@Suite("v1 API")
struct V1APITests {
    static let result = #"{"properties":[{"pmin":0.25,"pmax":0.2505}],"run":{"state":"SUCCEEDED"}}"#

    static func submit(
        _ client: any TestClientProtocol, token: String? = nil, extra: [String: Any] = [:], headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var body: [String: Any] = [
            "model": ["name": "bd.prism", "content": TestModels.birthDeath],
            "properties": TestModels.birthDeathProperties,
        ]
        body.merge(extra) { _, new in new }
        var fields = headers
        if let token { fields[.authorization] = "Bearer \(token)" }
        return try await client.postJSON("/v1/jobs", body, headers: fields)
    }

    @Test func anonymousSubmitReturnsATokenThatOwnsTheJob() async throws {
        let store = InMemoryJobStore()
        let server = try InProcessServer([], store: store)
        try await server.test { client in
            let reply = try await Self.submit(client, extra: ["name": "birth-death", "method": "-P", "kappa": 0.5])
            #expect(reply.code == 202)
            let id = try #require(reply.object["id"] as? String)
            let token = try #require(reply.object["token"] as? String)
            #expect(reply.header("Location") == "/v1/jobs/\(id)")
            #expect(reply.header("Retry-After") == "1")
            #expect(reply.object["name"] as? String == "birth-death")
            #expect(reply.object["state"] as? String == "QUEUED")
            #expect(reply.object["modelFile"] as? String == "bd.prism")
            #expect(reply.object["propertiesFile"] as? String == "properties.csl")
            let parameters = try #require(reply.object["parameters"] as? [String: Any])
            #expect(parameters["method"] as? String == "priority")
            #expect(parameters["kappa"] as? Double == 0.5)
            let links = try #require(reply.object["links"] as? [String: String])
            #expect(links["result"] == "/v1/jobs/\(id)/result")

            #expect(try await client.send(.get, "/v1/jobs/\(id)").code == 401)
            let other = try #require(try await Self.submit(client).object["token"] as? String)
            let foreign = try await client.send(.get, "/v1/jobs/\(id)", headers: .bearer(other))
            #expect(foreign.code == 404)
            #expect(foreign.header("Content-Type") == "application/problem+json")
            #expect(foreign.object["type"] as? String == "https://staminachecker.org/problems/not-found")
            #expect(foreign.object["instance"] as? String == "/v1/jobs/\(id)")
            #expect(try await client.send(.get, "/v1/jobs/\(id)", headers: .bearer("stm_forged")).code == 401)

            let early = try await client.send(.get, "/v1/jobs/\(id)/result", headers: .bearer(token))
            #expect(early.code == 409)
            #expect(early.object["type"] as? String == "https://staminachecker.org/problems/conflict")

            let plain =
                "[INFO]: Using iterative method <fake>\nProbability Minimum: 0.25\n[MESSAGE]: Finished running!\n"
            _ = try await store.finishNext(
                log: plain, resultJSON: Self.result, artifacts: ["transitions.txt": Array("transitions\n".utf8)])

            let job = try await client.send(.get, "/v1/jobs/\(id)", headers: .bearer(token))
            #expect(job.object["state"] as? String == "SUCCEEDED")
            let result = try await client.send(.get, "/v1/jobs/\(id)/result", headers: .bearer(token))
            #expect(result.code == 200)
            #expect(result.text == Self.result)  // as stored, byte for byte
            #expect(result.header("Content-Type") == "application/json; charset=utf-8")

            let log = try await client.send(.get, "/v1/jobs/\(id)/log", headers: .bearer(token))
            #expect(log.text == plain)  // plain, unescaped, uncoloured
            let offset = try #require(Int(log.header("X-Next-Offset") ?? ""))
            #expect(offset == plain.utf8.count)
            let tail = try await client.send(.get, "/v1/jobs/\(id)/log?offset=\(offset - 29)", headers: .bearer(token))
            #expect(tail.text == "[MESSAGE]: Finished running!\n")
            #expect(try await client.send(.get, "/v1/jobs/\(id)/log?offset=-1", headers: .bearer(token)).code == 400)

            let artifact = try await client.send(
                .get, "/v1/jobs/\(id)/artifacts/transitions.txt", headers: .bearer(token))
            #expect(artifact.code == 200)
            #expect(artifact.text == "transitions\n")
            #expect(
                try await client.send(.get, "/v1/jobs/\(id)/artifacts/model.drn", headers: .bearer(token)).code == 404)
            #expect(
                try await client.send(.get, "/v1/jobs/\(id)/artifacts/..%2Fmodel.prism", headers: .bearer(token)).code
                    == 404)

            let renamed = try await client.send(
                .patch, "/v1/jobs/\(id)", #"{"name": "renamed"}"#, headers: .bearer(token))
            #expect(renamed.object["name"] as? String == "renamed")
            #expect(try await client.send(.delete, "/v1/jobs/\(id)", headers: .bearer(other)).code == 404)
            #expect(try await client.send(.delete, "/v1/jobs/\(id)", headers: .bearer(token)).code == 204)
            #expect(try await client.send(.get, "/v1/jobs/\(id)", headers: .bearer(token)).code == 404)
            #expect(try await store.job(id: id) == nil)
            #expect(try await store.artifact(id: id, name: "transitions.txt") == nil)
        }
    }

    @Test func cancelAQueuedJobOnceAndRenameChecksItsInput() async throws {
        try await InProcessServer([], store: InMemoryJobStore()).test { client in
            let reply = try await Self.submit(client)
            let id = try #require(reply.object["id"] as? String)
            let token = try #require(reply.object["token"] as? String)
            let cancel = try await client.send(.post, "/v1/jobs/\(id)/cancel", headers: .bearer(token))
            #expect(cancel.code == 202)
            #expect(cancel.object["state"] as? String == "CANCELLED")
            let again = try await client.send(.post, "/v1/jobs/\(id)/cancel", headers: .bearer(token))
            #expect(again.code == 409)
            #expect(again.header("Content-Type") == "application/problem+json")
            #expect(again.object["detail"] as? String == "the job is CANCELLED and cannot be cancelled")

            for body in ["not json", #"{"name": 3}"#, "[]"] {
                let bad = try await client.send(.patch, "/v1/jobs/\(id)", body, headers: .bearer(token))
                #expect(bad.code == 400, "\(body)")
                #expect(bad.object["type"] as? String == "https://staminachecker.org/problems/bad-request")
            }
            let control = try await client.send(
                .patch, "/v1/jobs/\(id)", #"{"name": "a\u0000b"}"#, headers: .bearer(token))
            #expect(control.code == 400)
            #expect((control.object["detail"] as? String)?.contains("job name contains a control character") == true)
            let long = try await client.send(
                .patch, "/v1/jobs/\(id)", #"{"name": "\#(String(repeating: "n", count: 300))"}"#,
                headers: .bearer(token))
            #expect((long.object["name"] as? String)?.count == 255)
        }
    }

    /// A whole contract `round` event (a line that is not one goes out as `engine`).
    static let roundLine =
        #"{"type":"round","property":0,"iteration":1,"kappa":1.0,"states":10,"transitions":20,"frontier":3,"#
        + #""pmin":0.1,"pmax":0.2,"seconds":0.01}"#

    @Test func eventsStreamRoundsLogLinesAndStatesAndResume() async throws {
        let store = InMemoryJobStore()
        let server = try InProcessServer([], store: store)
        try await server.test { client in
            let reply = try await Self.submit(client)
            let id = try #require(reply.object["id"] as? String)
            let token = try #require(reply.object["token"] as? String)
            // What a run's worker stores: stderr lines and the engine's event lines.
            _ = try await store.finishNext(
                log: "[INFO]: one\n[INFO]: two\n", resultJSON: Self.result,
                events: [
                    .init(kind: .log, line: "[INFO]: one"), .init(kind: .log, line: "[INFO]: two"),
                    .init(kind: .engine, line: Self.roundLine),
                    .init(kind: .engine, line: #"{"type":"property","property":0}"#),
                ])

            let stream = try await client.send(.get, "/v1/jobs/\(id)/events", headers: .bearer(token))
            #expect(stream.code == 200)
            #expect(stream.header("Content-Type") == "text/event-stream")
            #expect(stream.header("Cache-Control") == "no-cache")
            let events = stream.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
            let types = events.compactMap { $0.split(separator: "\n").first { $0.hasPrefix("event: ") }?.dropFirst(7) }
            #expect(types == ["log", "log", "round", "property", "state"])
            #expect(
                events.last == #"id: SUCCEEDED.2.2"# + "\nevent: state\n"
                    + #"data: {"state":"SUCCEEDED","failureReason":null}"#)
            let round = try #require(events.first { $0.contains("event: round") })
            #expect(round == "id: .2.1\nevent: round\n" + "data: " + Self.roundLine)

            // Resuming after the round event repeats nothing before it.
            let resumed = try await client.send(
                .get, "/v1/jobs/\(id)/events", headers: [.authorization: "Bearer \(token)", .lastEventID: ".2.1"])
            #expect(!resumed.text.contains("event: round") && !resumed.text.contains("event: log"))
            #expect(resumed.text.contains("event: property"))
            #expect(resumed.text.contains("event: state"))
        }
    }

    @Test func idempotencyKeyReturnsTheFirstAnswer() async throws {
        let store = InMemoryJobStore()
        try await InProcessServer([], store: store).test { client in
            let token = try #require(try await Self.submit(client).object["token"] as? String)
            let first = try await Self.submit(client, token: token, headers: [.idempotencyKey: "k-1"])
            let second = try await Self.submit(client, token: token, headers: [.idempotencyKey: "k-1"])
            #expect(first.code == 202)
            #expect(second.code == 202)
            #expect(first.object["id"] as? String == second.object["id"] as? String)
            // A retry is answered before its body is read: even a broken one.
            let retry = try await client.send(
                .post, "/v1/jobs", "{", headers: [.authorization: "Bearer \(token)", .idempotencyKey: "k-1"])
            #expect(retry.code == 202)
            #expect(retry.object["id"] as? String == first.object["id"] as? String)
            let third = try await Self.submit(client, token: token, headers: [.idempotencyKey: "k-2"])
            #expect(third.object["id"] as? String != first.object["id"] as? String)
            #expect(try await store.countByState()[.queued] == 3)
        }
    }

    @Test func listingIsPaginatedAndFiltered() async throws {
        let store = InMemoryJobStore()
        try await InProcessServer(["owner-quota=10", "owner-queued-quota=10"], store: store).test { client in
            let firstReply = try await Self.submit(client)
            let token = try #require(firstReply.object["token"] as? String)
            var ids = [try #require(firstReply.object["id"] as? String)]
            for _ in 0..<4 {
                ids.append(try #require(try await Self.submit(client, token: token).object["id"] as? String))
            }
            for _ in 0..<3 { _ = try await store.finishNext(log: "", resultJSON: Self.result) }

            var seen: [String] = []
            var cursor: String? = nil
            repeat {
                let page = try await client.send(
                    .get, "/v1/jobs?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), headers: .bearer(token))
                #expect(page.code == 200)
                let jobs = try #require(page.object["jobs"] as? [[String: Any]])
                #expect(jobs.count <= 2)
                seen += jobs.compactMap { $0["id"] as? String }
                cursor = page.object["nextCursor"] as? String
            } while cursor != nil
            #expect(seen == ids.reversed())
            let succeeded = try await client.send(.get, "/v1/jobs?state=SUCCEEDED", headers: .bearer(token))
            #expect(
                (succeeded.object["jobs"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
                    == ids[0..<3].reversed())
            let queued = try await client.send(.get, "/v1/jobs?state=queued", headers: .bearer(token))
            #expect((queued.object["jobs"] as? [Any])?.count == 2)
            for query in ["state=BOGUS", "limit=0", "limit=501", "limit=x", "cursor=0", "cursor=abc"] {
                let bad = try await client.send(.get, "/v1/jobs?\(query)", headers: .bearer(token))
                #expect(bad.code == 400, "\(query)")
                #expect(bad.header("Content-Type") == "application/problem+json", "\(query)")
            }
            #expect(try await client.send(.get, "/v1/jobs").code == 401)
        }
    }

    @Test func badInputIsAProblemDocument() async throws {
        let store = InMemoryJobStore()
        let server = try InProcessServer(["anonymous=false", "admin-token=adm", "max-upload=2048"], store: store)
        try await server.test { client in
            let anonymous = try await Self.submit(client)
            #expect(anonymous.code == 401)
            #expect(anonymous.object["type"] as? String == "https://staminachecker.org/problems/unauthorized")

            func problem(_ reply: TestResponse, _ status: Int, _ slug: String, _ detail: String) {
                #expect(reply.code == status, "\(slug): \(reply.text)")
                #expect(reply.header("Content-Type") == "application/problem+json")
                #expect(reply.object["type"] as? String == "https://staminachecker.org/problems/\(slug)")
                #expect(reply.object["status"] as? Int == status)
                #expect(reply.object["instance"] as? String == "/v1/jobs")
                #expect((reply.object["detail"] as? String)?.contains(detail) == true, "\(slug): \(reply.text)")
            }
            problem(
                try await Self.submit(client, token: "adm", extra: ["kappa": "nan"]), 422, "invalid-parameters",
                "kappa must be a finite number")
            problem(
                try await Self.submit(client, token: "adm", extra: ["window": 0]), 422, "invalid-parameters",
                "window must be")
            problem(
                try await Self.submit(client, token: "adm", extra: ["method": "fastest"]), 422, "invalid-parameters",
                "method must be")
            problem(
                try await Self.submit(client, token: "adm", extra: ["maxIterations": 2.5]), 422, "invalid-parameters",
                "maxIterations must be an integer")
            problem(
                try await Self.submit(client, token: "adm", extra: ["propertyTruncation": "maybe"]), 422,
                "invalid-parameters", "propertyTruncation must be true or false")
            problem(
                try await client.postJSON("/v1/jobs", ["model": "ctmc"], headers: .bearer("adm")), 422, "missing-file",
                "properties file is missing")
            problem(
                try await Self.submit(client, token: "adm", extra: ["name": "a\nb"]), 400, "bad-request",
                "job name contains a control character")
            problem(
                try await Self.submit(client, token: "adm", extra: ["model": ["name": "m.prism"]]), 400,
                "bad-request", "'model' needs a string 'content'")
            problem(
                try await Self.submit(
                    client, token: "adm", extra: ["model": ["content": String(repeating: "x", count: 3000)]]), 413,
                "payload-too-large", "the limit is 2048")
            problem(
                try await client.send(
                    .post, "/v1/jobs", "{", headers: [.authorization: "Bearer adm", .contentType: "application/json"]),
                400, "bad-request", "not valid JSON")
            problem(
                try await client.send(
                    .post, "/v1/jobs", "[1]", headers: [.authorization: "Bearer adm", .contentType: "application/json"]),
                400, "bad-request", "must be a JSON object")
            problem(
                try await client.send(
                    .post, "/v1/jobs", "model=x", headers: [.authorization: "Bearer adm", .contentType: "text/plain"]),
                415, "unsupported-media-type", "got 'text/plain'")
            problem(
                try await client.send(.post, "/v1/jobs", "x", headers: [.authorization: "Bearer adm"]), 415,
                "unsupported-media-type", "expected multipart/form-data")
            #expect(try await store.countByState().values.reduce(0, +) == 0)  // nothing was stored
            let jobs = (try? FileManager.default.contentsOfDirectory(atPath: server.dataDirectory + "/jobs")) ?? []
            #expect(jobs.filter { !$0.hasPrefix(".") }.isEmpty)  // the start-up sandbox probe's is its own
        }
    }

    @Test func aBrokenModelOrBadConstantsAreRefusedWithLocatedDiagnosticsOnBothAPIs() async throws {
        let store = InMemoryJobStore()
        var server = try InProcessServer(["admin-token=adm"], store: store)
        server.validator = FrontEndValidator()
        try await server.test { client in
            let broken = "ctmc\nmodule m\n  s : [0..1] init 0;\n  [] s = 0 -> 1.0 : (s' = t);\nendmodule\n"
            let reply = try await Self.submit(
                client, token: "adm", extra: ["model": ["name": "b.prism", "content": broken]])
            #expect(reply.code == 422)
            #expect(reply.header("Content-Type") == "application/problem+json")
            #expect(reply.object["type"] as? String == "https://staminachecker.org/problems/invalid-model")
            let diagnostics = try #require(reply.object["diagnostics"] as? [[String: Any]])
            #expect(diagnostics.first?["file"] as? String == "b.prism")
            #expect(diagnostics.first?["line"] as? Int == 4)
            #expect((diagnostics.first?["message"] as? String)?.contains("t") == true)

            // Constants the model does not declare, or that are not numbers.
            for constants in ["M=3", "N=abc"] {
                let refused = try await Self.submit(client, token: "adm", extra: ["constants": constants])
                #expect(refused.code == 422, "\(constants)")
                #expect(refused.object["type"] as? String == "https://staminachecker.org/problems/invalid-model")
            }
            let good = try await Self.submit(client, token: "adm", extra: ["constants": "N=5"])
            #expect(good.code == 202)

            // The same refusal on the legacy endpoint is a 400 with the legacy shape.
            let legacy = try await client.multipart(
                "/jobs", fields: [("create", "1")],
                files: [("model_file", "b.prism", broken), ("prop_file", "p.csl", TestModels.birthDeathProperties)])
            #expect(legacy.code == 400)
            #expect(Set(legacy.object.keys) == ["error"])
            #expect((legacy.object["error"] as? String)?.contains("b.prism:4:") == true)
            #expect(try await store.countByState()[.queued] == 1)
        }
    }

    @Test func operationalEndpoints() async throws {
        try await InProcessServer(["time-limit=123", "admin-token=ops-admin"], store: InMemoryJobStore()).test {
            client in
            let about = try await client.send(.get, "/v1/about", headers: .bearer("ops-admin"))
            #expect(about.code == 200)
            let configuration = try #require(about.object["configuration"] as? [String: String])
            let defaults = try #require(about.object["defaults"] as? [String: String])
            #expect(configuration["time-limit"] == "123.0")
            #expect(defaults["time-limit"] == "300.0")
            #expect(defaults["memory-limit"] == "524288000")
            #expect(defaults["retention"] == "36000.0")
            #expect(defaults["listen"] == "127.0.0.1:8080")
            #expect(about.object["sandbox"] != nil)
            let anyone = try await client.send(.get, "/v1/about")
            #expect(anyone.object["configuration"] == nil && anyone.object["sandbox"] == nil)
            #expect((anyone.object["limits"] as? [String: Any])?["timeLimitSeconds"] as? Double == 123)
            #expect(try await client.send(.get, "/healthz").text == #"{"status":"ok"}"#)
            #expect(try await client.send(.get, "/readyz").text == #"{"status":"ready"}"#)
            _ = try await Self.submit(client)
            let metrics = try await client.send(.get, "/metrics", headers: .bearer("ops-admin"))
            #expect(metrics.text.contains("stamina_jobs{state=\"QUEUED\"} 1"))
            #expect(metrics.text.contains("stamina_http_requests_total"))
            let refused = try await client.send(.get, "/metrics")
            #expect(refused.code == 401)
            #expect(refused.header("Content-Type") == "application/problem+json")
            let openapi = try await client.send(.get, "/v1/openapi.json")
            let paths = try #require(openapi.object["paths"] as? [String: Any])
            #expect(paths.keys.contains("/v1/jobs/{id}/events"))
            #expect(openapi.object["openapi"] as? String == "3.1.0")
        }
    }
}
