import Foundation
import Testing

/// `stamina check --server` and `stamina jobs`: the real CLI against a real server, compared with
/// a local run of the same check.
@Suite("remote check", .serialized)
struct RemoteCheckTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Corpus")
    static let model = corpus.appendingPathComponent("models/mm1_unbounded.prism").path
    static let properties = corpus.appendingPathComponent("properties/mm1_unbounded.csl").path

    /// One run of the `stamina` binary, with its own config directory (so tokens are saved there).
    struct CLI {
        let configHome = RunningServer.temporaryDirectory()

        struct Run {
            var status: Int32
            var stdout: String
            var stderr: String
        }

        func start(_ arguments: [String]) throws -> (Process, stdout: String, stderr: String) {
            let directory = RunningServer.temporaryDirectory()
            let out = directory + "/stdout"
            let err = directory + "/stderr"
            FileManager.default.createFile(atPath: out, contents: nil)
            FileManager.default.createFile(atPath: err, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: RunningServer.staminaBinary)
            process.arguments = arguments
            var environment = ProcessInfo.processInfo.environment
            environment["XDG_CONFIG_HOME"] = configHome
            environment["STAMINA_TOKEN"] = nil
            process.environment = environment
            process.standardOutput = FileHandle(forWritingAtPath: out)
            process.standardError = FileHandle(forWritingAtPath: err)
            try process.run()
            return (process, out, err)
        }

        func run(_ arguments: [String]) async throws -> Run {
            let (process, out, err) = try start(arguments)
            let deadline = Date().addingTimeInterval(120)
            while process.isRunning {
                guard Date() < deadline else {
                    process.terminate()
                    throw TestFailure("stamina \(arguments.joined(separator: " ")) did not finish in 120 s")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            return Run(
                status: process.terminationStatus, stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
        }

        var tokenFile: String { configHome + "/stamina/client.toml" }
    }

    @Test func remoteFilterPrintsWhatALocalRunPrints() async throws {
        // The filter's block is written from the JSON's `filter` object, as a local run writes it.
        let server = try await RunningServer()
        let cli = CLI()
        let filters = Self.corpus.appendingPathComponent("properties/filters_mm1_unbounded.csl").path
        let check = ["check", Self.model, filters, "-w", "1e-6"]
        let local = try await cli.run(check)
        let remote = try await cli.run(check + ["--server", server.baseURL])
        #expect(local.status == 0 && remote.status == 0)
        #expect(remote.stdout == local.stdout)
        #expect(local.stdout.contains("Filter: exists over 3 state(s) satisfying q<3"))
    }

    @Test func remoteCheckPrintsWhatALocalRunPrints() async throws {
        let server = try await RunningServer()
        let cli = CLI()
        let check = ["check", Self.model, Self.properties, "--const", "lambda=1.5", "-w", "1e-4"]
        let local = try await cli.run(check)
        let remote = try await cli.run(check + ["--server", server.baseURL])
        #expect(local.status == 0)
        #expect(remote.status == 0)
        #expect(remote.stdout == local.stdout)
        #expect(remote.stdout.contains("Probability Minimum: "))
        // Every line of the local run (rounds included) appears, in order, in the remote run.
        let remoteLines = remote.stderr.split(separator: "\n")
        var next = remoteLines.startIndex
        for line in local.stderr.split(separator: "\n") {
            let found = remoteLines[next...].firstIndex(of: line)
            #expect(found != nil, "missing from the remote run: \(line)")
            next = (found ?? next) + (found == nil ? 0 : 1)
        }

        // The token the server issued was saved, privately, and printed nowhere.
        let attributes = try FileManager.default.attributesOfItem(atPath: cli.tokenFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let saved = try String(contentsOfFile: cli.tokenFile, encoding: .utf8)
        let token = try #require(saved.firstRange(of: /stm_[a-z0-9]+/).map { String(saved[$0]) })
        #expect(!remote.stdout.contains(token) && !remote.stderr.contains(token))

        // --json: the local document, computed by the server (times and memory aside).
        let localJSON = try await cli.run(check + ["--json"])
        let remoteJSON = try await cli.run(check + ["--json", "--server", server.baseURL])
        #expect(remoteJSON.status == 0)
        let a = try #require(try JSONSerialization.jsonObject(with: Data(localJSON.stdout.utf8)) as? [String: Any])
        let b = try #require(try JSONSerialization.jsonObject(with: Data(remoteJSON.stdout.utf8)) as? [String: Any])
        #expect(b["run"] == nil)
        #expect((a["model"] as? NSDictionary) == (b["model"] as? NSDictionary))
        #expect((a["parameters"] as? NSDictionary) == (b["parameters"] as? NSDictionary))
        let localProperties = try #require(a["properties"] as? [[String: Any]])
        let remoteProperties = try #require(b["properties"] as? [[String: Any]])
        #expect(localProperties.count == 3 && remoteProperties.count == 3)
        for (l, r) in zip(localProperties, remoteProperties) {
            for key in ["text", "pmin", "pmax", "window", "states", "transitions", "iterations", "kappa"] {
                #expect((l[key] as? NSObject) == (r[key] as? NSObject), "\(key)")
            }
        }
        // The second remote run reused the saved token: both jobs belong to one owner.
        let listed = try await cli.run(["jobs", "list", "--server", server.baseURL, "--json"])
        let page = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        #expect((page["jobs"] as? [Any])?.count == 2)
    }

    @Test func aBrokenModelExitsOneWithTheLocatedError() async throws {
        let server = try await RunningServer()
        let cli = CLI()
        let directory = RunningServer.temporaryDirectory()
        let model = directory + "/broken.prism"
        let properties = directory + "/broken.csl"
        try "ctmc\nmodule m\n  x : [0..2] init 0;\n  [] x < 2 -> 1 : (x' = x + );\nendmodule\n".write(
            toFile: model, atomically: true, encoding: .utf8)
        try "P=? [ F x=2 ]\n".write(toFile: properties, atomically: true, encoding: .utf8)
        let local = try await cli.run(["check", model, properties])
        let remote = try await cli.run(["check", model, properties, "--server", server.baseURL])
        #expect(remote.status == 1)
        #expect(remote.stderr.contains("\(model):4:29: error: expected an expression"))
        // The server refuses the model at submission, before any of the local run's [INFO] lines.
        let errorPart = { (text: String) in text.range(of: "[ERROR]").map { String(text[$0.lowerBound...]) } }
        #expect(errorPart(remote.stderr) != nil)
        #expect(errorPart(remote.stderr) == errorPart(local.stderr))
        let json = try await cli.run(["check", model, properties, "--server", server.baseURL, "--json"])
        #expect(json.status == 1)
        #expect(json.stdout == (try await cli.run(["check", model, properties, "--json"])).stdout)
        #expect(!FileManager.default.fileExists(atPath: cli.tokenFile), "a refused submission issues no token")
    }

    @Test func jobsListsShowsAndDeletesOnesJobs() async throws {
        let server = try await RunningServer()
        let cli = CLI()
        let noToken = try await cli.run(["jobs", "--server", server.baseURL])
        #expect(noToken.status == 1 && noToken.stderr.contains("no token"))
        let check = try await cli.run(["check", Self.model, Self.properties, "--server", server.baseURL, "-q"])
        #expect(check.status == 0)
        let listed = try await cli.run(["jobs", "--server", server.baseURL])
        #expect(listed.status == 0)
        let row = try #require(listed.stdout.split(separator: "\n").dropFirst().first)
        let id = String(try #require(row.split(separator: " ").first))
        #expect(row.contains("SUCCEEDED") && row.contains("mm1_unbounded.prism"))

        let shown = try await cli.run(["jobs", "show", id, "--server", server.baseURL])
        #expect(shown.status == 0 && shown.stdout.contains("State: SUCCEEDED"))
        #expect(shown.stdout.hasSuffix(check.stdout))
        let cancel = try await cli.run(["jobs", "cancel", id, "--server", server.baseURL])
        #expect(cancel.status == 1 && cancel.stderr.contains("409"))

        // Another owner's token sees nothing of it.
        let stranger = CLI()
        _ = try await stranger.run(["check", Self.model, Self.properties, "--server", server.baseURL, "-q"])
        let foreign = try await stranger.run(["jobs", "show", id, "--server", server.baseURL])
        #expect(foreign.status == 1 && foreign.stderr.contains("404"))
        #expect(try await stranger.run(["jobs", "delete", id, "--server", server.baseURL]).status == 1)

        let deleted = try await cli.run(["jobs", "delete", id, "--server", server.baseURL])
        #expect(deleted.status == 0)
        let after = try await cli.run(["jobs", "--server", server.baseURL])
        #expect(after.status == 0 && !after.stdout.contains(id))
        #expect(try await cli.run(["jobs", "show", id, "--server", server.baseURL]).status == 1)
    }

    @Test func aServerCrashWhileFollowingIsResumedAfterTheRestart() async throws {
        let server = try await RunningServer()
        let cli = CLI()
        let lotka = [
            Self.corpus.appendingPathComponent("models/lotka_volterra.prism").path,
            Self.corpus.appendingPathComponent("properties/lotka_volterra.csl").path, "-w", "1e-8",
        ]
        let (process, out, err) = try cli.start(["check"] + lotka + ["--server", server.baseURL])
        _ = try await server.waitFor("the first round") {
            ((try? String(contentsOfFile: err, encoding: .utf8)) ?? "").contains("round 1:") ? true : nil
        }
        server.crash()
        let restarted = try await RunningServer(dataDirectory: server.dataDirectory, port: server.port)
        _ = try await restarted.waitFor("the CLI to finish", timeout: 300) { process.isRunning ? nil : true }
        let stderr = try String(contentsOfFile: err, encoding: .utf8)
        #expect(process.terminationStatus == 0, "\(stderr)")
        #expect(stderr.contains("Lost the connection to the server; reconnecting"))
        let local = try await cli.run(["check"] + lotka)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == local.stdout)
    }

    @Test func controlCCancelsTheJobOnTheServer() async throws {
        let server = try await RunningServer()
        let cli = CLI()
        let slow = [
            "check", Self.corpus.appendingPathComponent("models/lotka_volterra.prism").path,
            Self.corpus.appendingPathComponent("properties/lotka_volterra.csl").path, "-w", "1e-9",
            "--server", server.baseURL,
        ]
        let (process, _, err) = try cli.start(slow)
        // Interrupt once the engine reports its first round: the job is running on the server.
        _ = try await server.waitFor("the first round") {
            ((try? String(contentsOfFile: err, encoding: .utf8)) ?? "").contains("round 1:") ? true : nil
        }
        kill(process.processIdentifier, SIGINT)
        _ = try await server.waitFor("the CLI to exit") { process.isRunning ? nil : true }
        #expect(process.terminationStatus == 130)
        let listed = try await cli.run(["jobs", "list", "--server", server.baseURL, "--json"])
        let page = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        let state = (page["jobs"] as? [[String: Any]])?.first?["state"] as? String
        #expect(state == "CANCELLED" || state == "CANCELLING")
    }
}
