import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import StaminaServer

/// The first server's endpoints, with their exact shapes (design note section 1), in process on an
/// `InMemoryJobStore`: no sockets unless a test needs the peer address, no engine (a finished job
/// is finished in the store as a worker would; `JobRunThroughServerTests` runs one for real).
@Suite("Legacy API")
struct LegacyAPITests {
    let escape = "\u{1b}"
    static let model = ("model_file", "bd.prism", TestModels.birthDeath)
    static let properties = ("prop_file", "bd.csl", TestModels.birthDeathProperties)

    @Test func submitLookupAndCheckjobShowTheColouredEscapedLog() async throws {
        let store = InMemoryJobStore()
        try await InProcessServer(["admin-token=adm"], store: store).test { client in
            let reply = try await client.multipart(
                "/jobs",
                fields: [("create", "yes"), ("method", "-J"), ("kappa", "2"), ("rkappa", "1.5"), ("w", "0.01")],
                files: [Self.model, Self.properties], headers: [.origin: "https://staminachecker.org"])
            #expect(reply.code == 201)
            #expect(reply.text.hasPrefix("{"))
            #expect(Set(reply.object.keys) == ["id", "status"])
            #expect(reply.object["status"] as? String == "Created")
            #expect(reply.header("Content-Type") == "application/json; charset=utf-8")
            let id = try #require(reply.object["id"] as? String)
            #expect(reply.header("Access-Control-Allow-Origin") == "https://staminachecker.org")

            // The parameters were read under their legacy names.
            let stored = try #require(try await store.job(id: id))
            #expect(stored.parameters.method == .reexploring)
            #expect(stored.parameters.kappa == 2 && stored.parameters.reduceKappa == 1.5)
            #expect(stored.parameters.window == 0.01)

            let queued = try await client.multipart("/jobs", fields: [("id", id)])
            #expect(queued.object["status"] as? String == "created")
            #expect(queued.object["logs"] as? String == "")

            _ = try await store.finishNext(
                log: "[INFO]: Using iterative method <fake>\nProbability Minimum: 0.250000000000\n"
                    + "[MESSAGE]: Finished running!\n")
            let lookup = try await client.multipart("/jobs", fields: [("id", id)])
            #expect(lookup.code == 200)
            #expect(Set(lookup.object.keys) == ["status", "logs", "uid", "name"])
            #expect(lookup.object["uid"] as? String == id)
            #expect(lookup.object["name"] as? String == "bd.prism")
            #expect(lookup.object["status"] as? String == "exited")

            let log = try await client.send(.post, "/checkjob", id)
            #expect(log.code == 200)
            #expect(log.header("Content-Type") == "text/plain; charset=utf-8")
            #expect(
                log.text
                    == "\(escape)[1m\(escape)[34m[INFO]: \(escape)[0m\(escape)[0mUsing iterative method &lt;fake&gt;\n"
                    + "Probability Minimum: 0.250000000000\n"
                    + "\(escape)[1m\(escape)[32m[MESSAGE]: \(escape)[0m\(escape)[0mFinished running!\n")
            #expect(lookup.object["logs"] as? String == log.text)
            // The same job through the path prefix the first deployment used.
            #expect(try await client.send(.post, "/stamina/checkjob", id).text == log.text)
        }
    }

    @Test func urlEncodedAndJSONSubmissionsWork() async throws {
        let store = InMemoryJobStore()
        try await InProcessServer([], store: store).test { client in
            func encode(_ text: String) -> String {
                text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            }
            let form =
                "create=1&method=PRIORITY&model_file=\(encode(TestModels.birthDeath))&prop_file=\(encode(TestModels.birthDeathProperties))"
            let encoded = try await client.send(
                .post, "/jobs", form, headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(encoded.code == 201)
            let encodedJob = try #require(try await store.job(id: encoded.object["id"] as? String ?? ""))
            #expect(encodedJob.parameters.method == .priority)
            #expect(encodedJob.modelFileName == "model.prism" && encodedJob.propertiesFileName == "properties.csl")

            let json = try await client.postJSON(
                "/jobs",
                [
                    "create": true, "model_file": TestModels.birthDeath, "prop_file": TestModels.birthDeathProperties,
                    "kappa": 0.5,
                ])
            #expect(json.code == 201)
            #expect(try await store.job(id: json.object["id"] as? String ?? "")?.parameters.kappa == 0.5)

            let charset = try await client.send(
                .post, "/jobs",
                String(
                    decoding: try JSONSerialization.data(withJSONObject: [
                        "create": "1", "model_file": TestModels.birthDeath, "prop_file": "P=? [ F<=1 true ]",
                    ]), as: UTF8.self),
                headers: [.contentType: "application/json; charset=ISO-8859-1"])
            #expect(charset.code == 201)
        }
    }

    @Test func fromWebAnswersAnHTMLRedirectPage() async throws {
        let server = try InProcessServer(["job-page-url=https://example.org/job?id={id}"], store: InMemoryJobStore())
        try await server.test { client in
            let reply = try await client.multipart(
                "/jobs", fields: [("create", "1"), ("from_web", "1")], files: [Self.model, Self.properties])
            #expect(reply.code == 201)
            #expect(reply.header("Content-Type") == "text/html; charset=utf-8")
            let id = try #require(reply.text.firstMatch(of: /<code>([a-z2-7]{26})<\/code>/)?.1)
            #expect(reply.text.contains("url=https://example.org/job?id=\(id)"))

            let refused = try await client.multipart(
                "/jobs", fields: [("create", "1"), ("from_web", "1"), ("kappa", "nan")],
                files: [Self.model, Self.properties])
            #expect(refused.code == 400)
            #expect(refused.header("Content-Type") == "text/html; charset=utf-8")
            #expect(refused.text.contains("kappa must be a finite number"))
            let missing = try await client.multipart("/jobs", fields: [("create", "1"), ("from_web", "1")])
            #expect(missing.code == 400)
            #expect(missing.text.contains("<h1>The job was not created</h1>"))
            #expect(missing.text.contains("the model file is missing"))
        }
    }

    @Test func myJobsKillRenameDeleteAndTheirExactReplies() async throws {
        // Over a real loopback socket: the legacy identity is the peer address.
        try await InProcessServer([], store: InMemoryJobStore()).test(.live) { client in
            let none = try await client.send(.get, "/myjobs")
            #expect(none.code == 400)
            #expect(none.text == #"{"error":"This IP (127.0.0.1) has no active jobs"}"#)

            let id = try #require(try await client.submitLegacy().object["id"] as? String)
            let mine = try await client.send(.get, "/myjobs")
            #expect(mine.code == 200)
            #expect(mine.array?.map { $0["uid"] as? String } == [id])
            #expect(mine.array?.first?["status"] as? String == "created")

            let rename = try await client.send(.post, "/rename", #"{"id": "\#(id)", "name": "<b>queue</b>"}"#)
            #expect(rename.code == 200)
            #expect(rename.text == #"{"success":"Successfully renamed job \#(id) to &lt;b&gt;queue&lt;/b&gt;"}"#)
            #expect(
                try await client.send(.get, "/myjobs").array?.first?["name"] as? String == "&lt;b&gt;queue&lt;/b&gt;")

            let kill = try await client.send(.post, "/kill", id)
            #expect(kill.code == 200)
            #expect(kill.text == "Success")
            #expect(try await client.send(.get, "/myjobs").array?.first?["status"] as? String == "killed")
            #expect(try await client.send(.post, "/kill", id).text == "Job was already killed")

            let second = try #require(try await client.submitLegacy().object["id"] as? String)
            let deleteOne = try await client.send(.delete, "/jobs", second)
            #expect(deleteOne.code == 200)
            #expect(deleteOne.text == "Success")
            #expect(try await client.multipart("/jobs", fields: [("id", second)]).code == 404)

            let deleteAll = try await client.send(.delete, "/myjobs")
            #expect(deleteAll.text == #"{"message":"Success! Deleted all 1 jobs!"}"#)
            #expect(try await client.send(.get, "/myjobs").code == 400)
        }
    }

    @Test func unknownIDsAnswer404WithAnErrorObject() async throws {
        try await InProcessServer([], store: InMemoryJobStore()).test { client in
            for path in ["/checkjob", "/kill"] {
                let reply = try await client.send(.post, path, "aaaaaaaaaaaaaaaaaaaaaaaaaa")
                #expect(reply.code == 404)
                #expect(reply.text == #"{"error":"Job not found"}"#)
                #expect(reply.header("Content-Type") == "application/json; charset=utf-8")
            }
            #expect(try await client.send(.delete, "/jobs", "../../etc/passwd").code == 404)
            #expect(try await client.multipart("/jobs", fields: [("id", "<script>")]).code == 404)
            let rename = try await client.send(.post, "/rename", "not json")
            #expect(rename.code == 400)
            #expect(rename.object["error"] as? String == "expected a JSON body {\"id\": ..., \"name\": ...}")
        }
    }

    @Test func corsPreflightAndFixedEndpoints() async throws {
        try await InProcessServer(["cors-origins=https://web.example"], store: InMemoryJobStore()).test { client in
            let web: HTTPFields = [.origin: "https://web.example"]
            for path in ["/jobs", "/myjobs", "/stamina/jobs"] {
                let preflight = try await client.send(
                    .options, path, headers: [.origin: "https://web.example", .accessControlRequestMethod: "DELETE"])
                #expect((200..<300).contains(preflight.code))
                #expect(preflight.header("Access-Control-Allow-Origin") == "https://web.example")
                #expect(preflight.header("Access-Control-Allow-Methods")?.contains("DELETE") == true)
            }
            for path in ["/egg", "/qapla", "/about", "/stamina/egg", "/stamina/about"] {
                let reply = try await client.send(.get, path, headers: web)
                #expect(reply.code == 200, "\(path)")
                #expect(reply.header("Access-Control-Allow-Origin") == "https://web.example")
            }
            #expect(try await client.send(.get, "/egg").text == "Egg! The STAMINA server is up.\n")
            #expect(try await client.send(.get, "/about").text.contains("stamina-server 0.1.0"))
            let missing = try await client.send(.get, "/nothing-here", headers: web)
            #expect(missing.code == 404)
            #expect(missing.header("Access-Control-Allow-Origin") == "https://web.example")
        }
    }

    @Test func listingAllJobsNeedsTheAdminToken() async throws {
        try await InProcessServer(["admin-token=secret-admin"], store: InMemoryJobStore()).test { client in
            let id = try #require(try await client.submitLegacy().object["id"] as? String)
            let v1 = try #require(try await client.submitV1().object["id"] as? String)
            #expect(try await client.send(.get, "/jobs").code == 401)
            #expect(try await client.send(.get, "/jobs", headers: .bearer("wrong")).code == 401)
            let all = try await client.send(.get, "/jobs", headers: .bearer("secret-admin"))
            #expect(all.code == 200)
            #expect(all.array?.compactMap { $0["uid"] as? String } == [v1, id])
        }
    }

    @Test func badSubmissionsAreRefusedWithTheReason() async throws {
        let store = InMemoryJobStore()
        try await InProcessServer(["max-upload=2048"], store: store).test { client in
            let model = Self.model
            let props = Self.properties
            let cases: [(String, [(String, String)], [(String, String, String)], Int, String)] = [
                ("missing properties", [], [model], 400, "properties file is missing"),
                ("missing model", [], [props], 400, "model file is missing"),
                ("empty model", [], [("model_file", "m.prism", "  \n"), props], 400, "is empty"),
                ("NaN kappa", [("kappa", "NaN")], [model, props], 400, "kappa must be a finite number"),
                ("infinite window", [("window", "inf")], [model, props], 400, "window must be a finite number"),
                ("window out of range", [("w", "1.5")], [model, props], 400, "window must be"),
                ("rkappa at most 1", [("rkappa", "1")], [model, props], 400, "rkappa must be"),
                ("negative kappa", [("kappa", "-1")], [model, props], 400, "kappa must be"),
                ("unknown method", [("method", "-X")], [model, props], 400, "method must be"),
                ("two-line constants", [("const", "N=1\nM=2")], [model, props], 400, "constants must be one line"),
                (
                    "control character in a file name", [], [("model_file", "m\u{1b}[2J.prism", "ctmc"), props], 400,
                    "model file name contains a control character"
                ),
                (
                    "oversized file", [], [("model_file", "m.prism", String(repeating: "x", count: 5000)), props], 413,
                    "limit"
                ),
            ]
            for (label, fields, files, status, message) in cases {
                let reply = try await client.multipart("/jobs", fields: [("create", "1")] + fields, files: files)
                #expect(reply.code == status, "\(label)")
                #expect(reply.header("Content-Type") == "application/json; charset=utf-8", "\(label)")
                #expect((reply.object["error"] as? String)?.contains(message) == true, "\(label): \(reply.text)")
            }
            let wrongType = try await client.send(.post, "/jobs", "create=1", headers: [.contentType: "text/csv"])
            #expect(wrongType.code == 415)
            let malformed = try await client.send(
                .post, "/jobs", "--b\r\nnonsense", headers: [.contentType: "multipart/form-data; boundary=b"])
            #expect(malformed.code == 400)
            let neither = try await client.multipart("/jobs", fields: [], files: [model, props])
            #expect(neither.code == 400)
            #expect(neither.object["error"] as? String == "send 'create' to create a job or 'id' to look one up")
            #expect(try await store.countByState().values.reduce(0, +) == 0)  // nothing was created
        }
    }
}
