import Foundation
import Testing

/// The first server's endpoints, with their exact shapes (design note section 1).
@Suite("Legacy API", .serialized)
struct LegacyAPITests {
    let escape = "\u{1b}"

    @Test func submitLookupAndCheckjobShowTheColouredEscapedLog() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.misbehavingEngineSettings(directory))
        let reply = try await server.multipart(
            "/jobs", fields: [("create", "yes"), ("method", "-J"), ("kappa", "2"), ("rkappa", "1.5"), ("w", "0.01")],
            files: [
                ("model_file", "bd.prism", TestModels.birthDeath),
                ("prop_file", "bd.csl", TestModels.birthDeathProperties),
            ], headers: ["Origin": "https://staminachecker.org"])
        #expect(reply.status == 201)
        #expect(Set(reply.object.keys) == ["id", "status"])
        #expect(reply.object["status"] as? String == "Created")
        let id = try #require(reply.object["id"] as? String)
        #expect(reply.header("Access-Control-Allow-Origin") == "https://staminachecker.org")

        _ = try await server.waitFor("exited") { try await server.legacyStatus(id) == "exited" ? true : nil }
        let lookup = try await server.legacyLookup(id)
        #expect(lookup.status == 200)
        #expect(Set(lookup.object.keys) == ["status", "logs", "uid", "name"])
        #expect(lookup.object["uid"] as? String == id)
        #expect(lookup.object["name"] as? String == "bd.prism")

        let log = try await server.text("POST", "/checkjob", id)
        #expect(log.status == 200)
        #expect(log.header("Content-Type")?.hasPrefix("text/plain") == true)
        // The real engine ran: its coloured [INFO] line names the method and numbers given, `<`
        // is escaped, and the results block holds a local run's numbers for the same parameters.
        #expect(
            log.text.contains(
                "\(escape)[1m\(escape)[34m[INFO]: \(escape)[0m\(escape)[0mMethod: reexploring, kappa 2.0, reduceKappa 1.5"
            ))
        #expect(log.text.contains("Property: P=? [ F&lt;=10 \"full\" ]"))
        let local = try TestModels.localBirthDeath(["-J", "-k", "2", "-r", "1.5", "-w", "0.01"]).text
        let block = local.split(separator: "\n").filter {
            $0.hasPrefix("Probability Minimum") || $0.hasPrefix("Probability Maximum") || $0.hasPrefix("Window:")
        }
        #expect(block.count == 3)
        #expect(log.text.contains(block.joined(separator: "\n") + "\n"))
        #expect(log.text.hasSuffix("\(escape)[1m\(escape)[32m[MESSAGE]: \(escape)[0m\(escape)[0mFinished running!\n"))
        #expect(lookup.object["logs"] as? String == log.text)

        // The parameters reached the engine as the method and numbers given.
        let v1 = try await server.get("/v1/about")
        #expect(v1.status == 200)
    }

    @Test func urlEncodedAndJSONSubmissionsWork() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.misbehavingEngineSettings(directory))
        func encode(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        }
        let form =
            "create=1&method=PRIORITY&model_file=\(encode(TestModels.birthDeath))&prop_file=\(encode(TestModels.birthDeathProperties))"
        let encoded = try await server.text("POST", "/jobs", form, contentType: "application/x-www-form-urlencoded")
        #expect(encoded.status == 201)
        let json = try await server.json(
            "POST", "/jobs",
            [
                "create": true, "model_file": TestModels.birthDeath, "prop_file": TestModels.birthDeathProperties,
                "kappa": 0.5,
            ])
        #expect(json.status == 201)
        let charset = try await server.request(
            "POST", "/jobs",
            body: try JSONSerialization.data(withJSONObject: [
                "create": "1", "model_file": TestModels.birthDeath, "prop_file": "P=? [ F<=1 true ]",
            ]),
            contentType: "application/json; charset=ISO-8859-1")
        #expect(charset.status == 201)
    }

    @Test func fromWebAnswersAnHTMLRedirectPage() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(
            try TestModels.misbehavingEngineSettings(directory) + ["job-page-url=https://example.org/job?id={id}"])
        let reply = try await server.multipart(
            "/jobs", fields: [("create", "1"), ("from_web", "1")],
            files: [
                ("model_file", "m.prism", TestModels.birthDeath),
                ("prop_file", "p.csl", TestModels.birthDeathProperties),
            ])
        #expect(reply.status == 201)
        #expect(reply.header("Content-Type")?.hasPrefix("text/html") == true)
        let id = try #require(reply.text.firstMatch(of: /<code>([a-z2-7]{26})<\/code>/)?.1)
        #expect(reply.text.contains("url=https://example.org/job?id=\(id)"))

        let refused = try await server.multipart(
            "/jobs", fields: [("create", "1"), ("from_web", "1"), ("kappa", "nan")],
            files: [
                ("model_file", "m.prism", TestModels.birthDeath),
                ("prop_file", "p.csl", TestModels.birthDeathProperties),
            ])
        #expect(refused.status == 400)
        #expect(refused.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(refused.text.contains("kappa must be a finite number"))
    }

    @Test func myJobsKillRenameDeleteAndTheirExactReplies() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.misbehavingEngineSettings(directory))
        let none = try await server.get("/myjobs")
        #expect(none.status == 400)
        #expect(none.object["error"] as? String == "This IP (127.0.0.1) has no active jobs")

        let id = try await server.legacySubmit(model: TestModels.sleeping)
        _ = try await server.waitFor("running") { try await server.legacyStatus(id) == "running" ? true : nil }
        let mine = try await server.get("/myjobs")
        #expect(mine.status == 200)
        let list = try #require(mine.json as? [[String: Any]])
        #expect(list.map { $0["uid"] as? String } == [id])

        let rename = try await server.text("POST", "/rename", "{\"id\": \"\(id)\", \"name\": \"<b>queue</b>\"}")
        #expect(rename.status == 200)
        #expect(rename.object["success"] as? String == "Successfully renamed job \(id) to &lt;b&gt;queue&lt;/b&gt;")

        let kill = try await server.text("POST", "/kill", id)
        #expect(kill.status == 200)
        #expect(kill.text == "Success")
        _ = try await server.waitFor("killed") { try await server.legacyStatus(id) == "killed" ? true : nil }
        // "killed" is already the legacy status while the job is CANCELLING; the log's last line is
        // written when the engine has gone.
        _ = try await server.waitFor("the log's Killed. line") {
            try await server.text("POST", "/checkjob", id).text.hasSuffix("Killed.\n") ? true : nil
        }
        #expect(try await server.text("POST", "/kill", id).text == "Job was already killed")
        #expect(server.processesOfJob(id).isEmpty)

        let second = try await server.legacySubmit()
        let deleteOne = try await server.text("DELETE", "/jobs", second)
        #expect(deleteOne.status == 200)
        #expect(deleteOne.text == "Success")
        #expect(try await server.legacyLookup(second).status == 404)

        let deleteAll = try await server.request("DELETE", "/myjobs")
        #expect(deleteAll.object["message"] as? String == "Success! Deleted all 1 jobs!")
        #expect(try await server.get("/myjobs").status == 400)
    }

    @Test func unknownIDsAnswer404WithAnErrorObject() async throws {
        let server = try await RunningServer()
        for path in ["/checkjob", "/kill"] {
            let reply = try await server.text("POST", path, "aaaaaaaaaaaaaaaaaaaaaaaaaa")
            #expect(reply.status == 404)
            #expect(reply.object["error"] as? String == "Job not found")
        }
        #expect(try await server.text("DELETE", "/jobs", "../../etc/passwd").status == 404)
        #expect(try await server.legacyLookup("<script>").status == 404)
        let rename = try await server.text("POST", "/rename", "not json")
        #expect(rename.status == 400)
    }

    @Test func corsPreflightAndFixedEndpoints() async throws {
        let server = try await RunningServer(["cors-origins=https://web.example"])
        let web = ["Origin": "https://web.example"]
        for path in ["/jobs", "/myjobs", "/stamina/jobs"] {
            let preflight = try await server.request(
                "OPTIONS", path, headers: ["Origin": "https://web.example", "Access-Control-Request-Method": "DELETE"])
            #expect((200..<300).contains(preflight.status))
            #expect(preflight.header("Access-Control-Allow-Origin") == "https://web.example")
            #expect(preflight.header("Access-Control-Allow-Methods")?.contains("DELETE") == true)
        }
        for path in ["/egg", "/qapla", "/about", "/stamina/egg", "/stamina/about"] {
            let reply = try await server.get(path, headers: web)
            #expect(reply.status == 200, "\(path)")
            #expect(reply.header("Access-Control-Allow-Origin") == "https://web.example")
        }
        #expect(try await server.get("/about").text.contains("stamina-server 0.1.0"))
        let missing = try await server.get("/nothing-here", headers: web)
        #expect(missing.status == 404)
        #expect(missing.header("Access-Control-Allow-Origin") == "https://web.example")
    }

    @Test func listingAllJobsNeedsTheAdminToken() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(
            try TestModels.misbehavingEngineSettings(directory) + ["admin-token=secret-admin"])
        let id = try await server.legacySubmit()
        #expect(try await server.get("/jobs").status == 401)
        #expect(try await server.get("/jobs", token: "wrong").status == 401)
        let all = try await server.get("/jobs", token: "secret-admin")
        #expect(all.status == 200)
        #expect((all.json as? [[String: Any]])?.compactMap { $0["uid"] as? String } == [id])
    }

    @Test func badSubmissionsAreRefusedWithTheReason() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.misbehavingEngineSettings(directory) + ["max-upload=2048"])
        let model = ("model_file", "m.prism", TestModels.birthDeath)
        let props = ("prop_file", "p.csl", TestModels.birthDeathProperties)
        func submit(_ fields: [(String, String)], _ files: [(String, String, String)]) async throws
            -> RunningServer.Reply
        {
            try await server.multipart("/jobs", fields: [("create", "1")] + fields, files: files)
        }
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
            (
                "oversized file", [], [("model_file", "m.prism", String(repeating: "x", count: 5000)), props], 413,
                "limit"
            ),
        ]
        for (label, fields, files, status, message) in cases {
            let reply = try await submit(fields, files)
            #expect(reply.status == status, "\(label)")
            #expect((reply.object["error"] as? String)?.contains(message) == true, "\(label): \(reply.text)")
        }
        let wrongType = try await server.text("POST", "/jobs", "create=1", contentType: "text/csv")
        #expect(wrongType.status == 415)
        let malformed = try await server.request(
            "POST", "/jobs", body: Data("--b\r\nnonsense".utf8), contentType: "multipart/form-data; boundary=b")
        #expect(malformed.status == 400)
        let neither = try await server.multipart("/jobs", fields: [], files: [model, props])
        #expect(neither.status == 400)
        #expect(try await server.get("/myjobs").status == 400)  // nothing was created
    }
}
