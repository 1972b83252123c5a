import Foundation
import Testing

/// Jobs run by the real engine (`stamina check`, the default engine of `stamina serve`), and the
/// real front end refusing bad models at submission.
@Suite("Jobs on the real engine", .serialized)
struct EngineJobTests {
    /// Pure birth at rate 2 from 0: the count at time 1 is Poisson(2), so
    /// P(F<=1 s>=3) = 1 - e^-2 (1 + 2 + 2) = 1 - 5 e^-2 (closed form; the oracle). The model is
    /// effectively infinite (a million states), so STAMINA truncates it.
    static let pureBirth = """
        ctmc
        const double lambda = 2.0;
        module birth
          s : [0..1000000] init 0;
          [] s < 1000000 -> lambda : (s' = s + 1);
        endmodule
        label "three" = s >= 3;
        """
    static let pureBirthProperties = "P=? [ F<=1 \"three\" ]\n"

    /// Three unbounded counters with a vanishing window: the state space grows until memory ends.
    static let exploding = """
        ctmc
        module walk
          x : [0..1000000] init 0;
          y : [0..1000000] init 0;
          z : [0..1000000] init 0;
          [] x < 1000000 -> 1.0 : (x' = x + 1);
          [] y < 1000000 -> 1.0 : (y' = y + 1);
          [] z < 1000000 -> 1.0 : (z' = z + 1);
          [] x > 0 -> 0.5 : (x' = x - 1);
        endmodule
        label "far" = x >= 1000;
        """

    @Test(arguments: ["iterative", "reexploring", "priority"])
    func pureBirthBoundsContainTheClosedForm(method: String) async throws {
        let server = try await RunningServer()
        let exact = 1 - 5 * exp(-2.0)
        let reply = try await server.json(
            "POST", "/v1/jobs",
            ["model": Self.pureBirth, "properties": Self.pureBirthProperties, "method": method, "window": 1e-6])
        #expect(reply.status == 202, "\(reply.text)")
        let id = try #require(reply.object["id"] as? String)
        let token = try #require(reply.object["token"] as? String)
        #expect(try await server.waitForV1State(id, token: token, ["SUCCEEDED", "FAILED"]) == "SUCCEEDED")
        let result = try await server.get("/v1/jobs/\(id)/result", token: token)
        let property = try #require((result.object["properties"] as? [[String: Any]])?.first)
        let pmin = try #require(property["pmin"] as? Double)
        let pmax = try #require(property["pmax"] as? Double)
        // Certified bounds: Pmin <= exact <= Pmax (1e-12 slack for rounding), window <= 1e-6.
        #expect(pmin <= exact + 1e-12)
        #expect(exact <= pmax + 1e-12)
        #expect(pmax - pmin <= 1e-6)
        let log = try await server.text("POST", "/checkjob", id, token: RunningServer.adminToken).text
        #expect(log.contains("Probability Minimum: " + String(format: "%.12f", pmin)))
        #expect(log.contains("Finished running!"))
        let drn = try await server.get("/v1/jobs/\(id)/artifacts/model.drn", token: token)
        #expect(drn.status == 200)
        #expect(!drn.text.isEmpty)
        let events = try await server.get("/v1/jobs/\(id)/events", token: token).text
        #expect(events.contains("event: round"))
    }

    @Test func badModelsAreRefusedAtSubmissionWithLineAndColumn() async throws {
        let server = try await RunningServer()
        let broken = "ctmc\nmodule m\n  s : [0..1] init 0;\n  [] s = 0 -> 1.0 : (s' = );\nendmodule\n"
        let reply = try await server.json(
            "POST", "/v1/jobs",
            ["model": ["name": "broken.prism", "content": broken], "properties": "P=? [ F<=1 s=1 ]"])
        #expect(reply.status == 422)
        #expect(reply.object["type"] as? String == "https://staminachecker.org/problems/invalid-model")
        let diagnostic = try #require((reply.object["diagnostics"] as? [[String: Any]])?.first)
        #expect(diagnostic["file"] as? String == "broken.prism")
        #expect(diagnostic["line"] as? Int == 4)
        #expect((diagnostic["column"] as? Int ?? 0) > 1)

        let legacy = try await server.multipart(
            "/jobs", fields: [("create", "1")],
            files: [("model_file", "broken.prism", broken), ("prop_file", "p.csl", "P=? [ F<=1 s=1 ]")])
        #expect(legacy.status == 400)
        #expect((legacy.object["error"] as? String)?.contains("broken.prism:4:") == true)

        let unknownLabel = try await server.json(
            "POST", "/v1/jobs",
            ["model": Self.pureBirth, "properties": ["name": "p.csl", "content": "P=? [ F<=1 \"nowhere\" ]"]])
        #expect(unknownLabel.status == 422)
        #expect((unknownLabel.object["diagnostics"] as? [[String: Any]])?.first?["file"] as? String == "p.csl")
        #expect(try await server.get("/myjobs").status == 400)  // nothing became a job
    }

    @Test func anExplodingModelFailsWithMemoryLimit() async throws {
        let server = try await RunningServer(["memory-limit=300000000", "time-limit=120"])
        let reply = try await server.json(
            "POST", "/v1/jobs",
            ["model": Self.exploding, "properties": "P=? [ F<=1000 \"far\" ]", "window": 1e-12, "kappa": 1e-30])
        #expect(reply.status == 202, "\(reply.text)")
        let id = try #require(reply.object["id"] as? String)
        let token = try #require(reply.object["token"] as? String)
        #expect(try await server.waitForV1State(id, token: token, ["SUCCEEDED", "FAILED"], timeout: 150) == "FAILED")
        let job = try await server.get("/v1/jobs/\(id)", token: token)
        #expect(job.object["failureReason"] as? String == "MEMORY_LIMIT", "\(job.object)")
        #expect(
            try await server.text("POST", "/checkjob", id, token: RunningServer.adminToken).text.hasSuffix("Killed.\n"))
    }
}
