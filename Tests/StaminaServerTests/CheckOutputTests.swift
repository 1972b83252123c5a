import Foundation
import Testing

/// `stamina check` output a user reads: every property gets a block (refused ones say why, at
/// once), limits keep their intervals and say so, rewards say "Reward", experiments give a table,
/// a CSV file and `constants` per JSON result; and a server job with constant ranges gets one
/// result per valuation. Oracle: closed forms of a pure-birth chain (tolerance 1e-12).
@Suite("stamina check output", .serialized)
struct CheckOutputTests {
    static let birth = """
        ctmc
        const double lambda;
        module arrivals
          n : int init 0;
          [] true -> lambda : (n'=n+1);
        endmodule
        rewards "r" n < 5 : 5 - n; endrewards
        """

    /// P(N_1 = 3) for N_1 ~ Poisson(lambda).
    static func exactlyThree(_ lambda: Double) -> Double { exp(-lambda) * pow(lambda, 3) / 6 }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], files: [String: String]) throws -> Output {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, text) in files {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RunningServer.staminaBinary)
        process.arguments = ["check"] + arguments
        process.currentDirectoryURL = directory
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var output = Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
        if let csv = try? String(contentsOf: directory.appendingPathComponent("out.csv"), encoding: .utf8) {
            output.stderr += "\nCSV:\n" + csv
        }
        return output
    }

    @Test func everyPropertyHasABlockAndLimitsSaySo() throws {
        let output = try Self.run(
            ["m.prism", "p.csl", "--const", "lambda=2", "--max-states", "5", "-q"],
            files: ["m.prism": Self.birth, "p.csl": "S=? [ n > 3 ]\nP=? [ F[1,1] n = 3 ]\nR=? [ I=1 ]\n"])
        #expect(output.status == 0, "\(output.stderr)")
        let blocks = output.stdout.components(separatedBy: "Property: ")
        #expect(blocks.count == 4, "\(output.stdout)")
        #expect(blocks[1].contains("not computed: ") && blocks[1].contains("variable 'n'"))
        #expect(blocks[2].contains("Window not reached") && blocks[2].contains("--max-states 5"))
        #expect(blocks[2].contains("Model: 5 states"))
        #expect(blocks[3].contains("Reward Minimum") && blocks[3].contains("Reward Maximum"))
        #expect(!output.stdout.contains("drop --exact"))
    }

    /// Three counters: no window of 1e-9 is reached within the time limit.
    static let growing = """
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
        """

    @Test func aTimeLimitKeepsTheLastRoundAndProgressIsPlainOffATerminal() throws {
        let files = ["m.prism": Self.growing, "p.csl": "P=? [ F[30,30] x >= 20 ]\nP=? [ F<=1 x >= 2 ]\n"]
        let output = try Self.run(["m.prism", "p.csl", "-w", "1e-9", "--time-limit", "2"], files: files)
        #expect(output.status == 0, "\(output.stderr)")
        let blocks = output.stdout.components(separatedBy: "Property: ")
        #expect(blocks.count == 3)
        #expect(blocks[1].contains("Window not reached") && blocks[1].contains("--time-limit 2.0 s"))
        #expect(blocks[2].contains("not computed: the time limit"))
        // stderr is a pipe here: no terminal control sequences, only whole lines.
        #expect(!output.stderr.contains("\u{1B}[K") && !output.stderr.contains("\r"))
        let quiet = try Self.run(["m.prism", "p.csl", "-w", "1e-9", "--time-limit", "1.2", "-q"], files: files)
        #expect(!quiet.stderr.contains("[INFO]"), "\(quiet.stderr)")
    }

    @Test func experimentsGiveOneResultPerValuation() throws {
        let output = try Self.run(
            ["m.prism", "p.csl", "--const", "lambda=1:1:3", "--json", "--csv", "out.csv", "-q"],
            files: ["m.prism": Self.birth, "p.csl": "P=? [ F[1,1] n = 3 ]\n"])
        #expect(output.status == 0, "\(output.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let properties = try #require(json["properties"] as? [[String: Any]])
        #expect(properties.count == 3)
        for (index, property) in properties.enumerated() {
            let lambda = Double(index + 1)
            #expect((property["constants"] as? [String: Any])?["lambda"] as? Double == lambda)
            let pmin = try #require(property["pmin"] as? Double)
            let pmax = try #require(property["pmax"] as? Double)
            let truth = Self.exactlyThree(lambda)
            #expect(pmin <= truth + 1e-12 && truth <= pmax + 1e-12)
            #expect(property["status"] as? String == "computed")
        }
        // The property text has a comma, so it is quoted (RFC 4180).
        #expect(output.stderr.contains("lambda,property,kind,pmin"))
        #expect(output.stderr.components(separatedBy: "\n3,\"P=? [ F[1,1] n = 3 ]\",probability,").count == 2)
        let text = try Self.run(
            ["m.prism", "p.csl", "--const", "lambda=1:1:3", "-q"],
            files: ["m.prism": Self.birth, "p.csl": "P=? [ F[1,1] n = 3 ]\n"])
        #expect(text.stdout.contains("Experiment: P=? [ F[1,1] n = 3 ]"))
        #expect(text.stdout.contains("lambda\tProbability Minimum"))
    }

    @Test func filterAnswersHaveTheirColumns() throws {
        // n < 3 holds in three states (n >= 0 is inferred), all explored: count is exact; the
        // initial state has n = 0, so the forall holds.
        let output = try Self.run(
            ["m.prism", "p.csl", "--const", "lambda=1:1:2", "--csv", "out.csv", "-q"],
            files: ["m.prism": Self.birth, "p.csl": "filter(count, n<3)\nfilter(forall, n=0, \"init\")\n"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("lambda\tAnswer\n1\tCount: 3\n2\tCount: 3"), "\(output.stdout)")
        #expect(output.stderr.contains(",error,verdict,filter\n"))
        #expect(output.stderr.contains("1,\"filter(count, n<3)\",stateFormula,,,,true,computed,window,"))
        #expect(output.stderr.components(separatedBy: ",,,Count: 3\n").count == 3, "\(output.stderr)")
        #expect(output.stderr.components(separatedBy: ",,true,Result: true\n").count == 3, "\(output.stderr)")
    }

    @Test func anInitBlockOverAnUnboundedVariableIsLocated() throws {
        let model = "ctmc\nmodule m\n  x : int;\n  [] true -> 1 : (x'=x+1);\nendmodule\ninit x<=1 endinit\n"
        let output = try Self.run(
            ["m.prism", "p.csl", "--json", "-q"], files: ["m.prism": model, "p.csl": "P=? [ F<=1 x>=3 ]\n"])
        #expect(output.status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let error = try #require(json["error"] as? [String: Any])
        #expect(error["code"] as? String == "UNBOUNDED_INIT")
        let diagnostics = try #require(error["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?["file"] as? String == "m.prism")
        #expect(diagnostics.first?["line"] as? Int == 3 && diagnostics.first?["column"] as? Int == 3)
        #expect(output.stderr.contains("[ERROR]: m.prism:3:3: the init block constrains unbounded variable 'x'"))
    }

    @Test func aServerJobWithConstantRangesGetsOneResultPerValuation() async throws {
        let server = try await RunningServer()
        let reply = try await server.json(
            "POST", "/v1/jobs",
            ["model": Self.birth, "properties": "P=? [ F[1,1] n = 3 ]\n", "constants": "lambda=1:1:2"])
        #expect(reply.status == 202, "\(reply.text)")
        let id = try #require(reply.object["id"] as? String)
        let token = try #require(reply.object["token"] as? String)
        #expect(try await server.waitForV1State(id, token: token, ["SUCCEEDED", "FAILED"]) == "SUCCEEDED")
        let result = try await server.get("/v1/jobs/\(id)/result", token: token)
        let properties = try #require(result.object["properties"] as? [[String: Any]])
        #expect(properties.count == 2)
        #expect(properties.compactMap { ($0["constants"] as? [String: Any])?["lambda"] as? Double } == [1, 2])
        // A range that is not one is refused at submission.
        let bad = try await server.json(
            "POST", "/v1/jobs",
            ["model": Self.birth, "properties": "P=? [ F[1,1] n = 3 ]\n", "constants": "lambda=2:1"])
        #expect(bad.status == 422 || bad.status == 400, "\(bad.text)")
    }
}
