import EngineContract
import Foundation

/// Models and properties used by the server tests. `MisbehavingEngine` reacts to marker words
/// (SLEEP, EXPLODE, BROKEN, CRASH, SLOWEVENTS, ESCAPE); everything else runs the real engine.
enum TestModels {
    static let birthDeath = """
        ctmc
        const int N = 20;
        module queue
          s : [0..N] init 0;
          [] s < N -> 2.0 : (s' = s + 1);
          [] s > 0 -> 3.0 : (s' = s - 1);
        endmodule
        label "full" = s = N;
        """
    static let birthDeathProperties = "P=? [ F<=10 \"full\" ]\n"
    static let sleeping = marked("SLEEP")
    static let exploding = marked("EXPLODE")
    static let crashing = marked("CRASH")

    /// A valid model (it passes the front end at submission) carrying a marker for `MisbehavingEngine`.
    static func marked(_ word: String) -> String {
        """
        ctmc
        // \(word)
        module m
          s : [0..1] init 0;
          [] s = 0 -> 1.0 : (s' = 1);
        endmodule
        label "full" = s = 1;
        """
    }

    static func misbehavingEngineSettings(_ directory: String) throws -> [String] {
        ["engine=\(try MisbehavingEngine.install(in: directory))"]
    }
}

extension TestModels {
    /// A local `stamina check` of the birth-death model with `flags`: the numbers a server job with
    /// the same parameters must report (the engine is deterministic).
    static func localBirthDeath(_ flags: [String]) throws -> (result: CheckResult, text: String) {
        let files = ["bd.prism": birthDeath, "bd.csl": birthDeathProperties]
        let json = try CheckOutputTests.run(["bd.prism", "bd.csl", "--json", "-q"] + flags, files: files)
        let text = try CheckOutputTests.run(["bd.prism", "bd.csl", "-q"] + flags, files: files)
        guard json.status == 0, text.status == 0 else { throw TestFailure("local run failed: \(json.stderr)") }
        return (try JSONDecoder().decode(CheckResult.self, from: Data(json.stdout.utf8)), text.stdout)
    }
}

/// Helpers shared by the endpoint tests.
extension RunningServer {
    /// Submits through the legacy endpoint (multipart) and returns the job id.
    func legacySubmit(model: String = TestModels.birthDeath, fields: [(String, String)] = []) async throws -> String {
        let reply = try await multipart(
            "/jobs", fields: [("create", "1")] + fields,
            files: [("model_file", "model.prism", model), ("prop_file", "props.csl", TestModels.birthDeathProperties)])
        guard reply.status == 201, let id = reply.object["id"] as? String else {
            throw TestFailure("legacy submit failed: \(reply.status) \(reply.text)")
        }
        return id
    }

    /// `token`: the admin token, to see a `/v1` job through the legacy endpoints.
    func legacyLookup(_ id: String, token: String? = nil) async throws -> RunningServer.Reply {
        try await multipart("/jobs", fields: [("id", id)], files: [], token: token)
    }

    func legacyStatus(_ id: String, token: String? = nil) async throws -> String? {
        try await legacyLookup(id, token: token).object["status"] as? String
    }

    /// Submits through `/v1` (JSON) and returns the job resource.
    func v1Submit(
        model: String = TestModels.birthDeath, token: String? = nil, extra: [String: Any] = [:],
        headers: [String: String] = [:]
    )
        async throws -> RunningServer.Reply
    {
        var body: [String: Any] = [
            "model": ["name": "bd.prism", "content": model], "properties": TestModels.birthDeathProperties,
        ]
        body.merge(extra) { _, new in new }
        return try await json("POST", "/v1/jobs", body, token: token, headers: headers)
    }

    func v1State(_ id: String, token: String) async throws -> String? {
        try await get("/v1/jobs/\(id)", token: token).object["state"] as? String
    }

    func waitForV1State(_ id: String, token: String, _ states: Set<String>, timeout: Double = 60) async throws -> String
    {
        try await waitFor("job \(id) in \(states)", timeout: timeout) {
            let state = try await self.v1State(id, token: token)
            return state.flatMap { states.contains($0) ? $0 : nil }
        }
    }

    /// Processes whose working directory is the job's directory (the engine and what it started).
    func processesOfJob(_ id: String) -> [Int32] {
        let jobDirectory = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path + "/jobs/" + id
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            // A run works in `jobs/<id>.<attempt>`.
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd"))?.hasPrefix(
                jobDirectory + ".")
                == true
        }
    }
}

extension RunningServer {
    /// Children of the server that have exited but were not reaped.
    func zombieChildren() -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && fields[0] == "Z" && Int32(fields[1]) == process.processIdentifier
        }
    }
}
