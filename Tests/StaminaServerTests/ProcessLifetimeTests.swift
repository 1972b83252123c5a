import Foundation
import Testing

/// The engine's lifetime is bound to the process that forked it (a one-shot worker-exec here; a
/// zygote killed under a job: `ZygoteTests`), and a job whose engine dies or whose data directory
/// turns unwritable ends with the true reason. Process-level: real signals, real
/// mounts, `/proc` checked; every wait polls with a deadline.
@Suite("Process lifetime", .serialized)
struct ProcessLifetimeTests {
    /// The engine itself killed: its own children go with its group, and the reason names the signal.
    @Test func killingTheEngineLeavesNothingAndNamesTheSignal() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.misbehavingEngineSettings(directory))
        let reply = try await server.v1Submit(model: TestModels.sleeping)
        let id = try #require(reply.object["id"] as? String)
        let token = try #require(reply.object["token"] as? String)
        // The engine (bash) and its `sleep`.
        _ = try await server.waitFor("engine processes") { server.processesOfJob(id).count >= 2 ? true : nil }
        let engine = try #require(
            server.processesOfJob(id).first { !ProcessTable.commandLine($0).hasPrefix("sleep") })
        kill(engine, SIGKILL)

        _ = try await server.waitFor("no process of the job", timeout: 10) {
            server.processesOfJob(id).isEmpty ? true : nil
        }
        #expect(try await server.waitForV1State(id, token: token, ["FAILED"]) == "FAILED")
        let job = try await server.get("/v1/jobs/\(id)", token: token).object
        #expect(job["failureReason"] as? String == "ENGINE_ERROR")
        #expect((job["failureMessage"] as? String ?? "").contains("signal 9"), "\(job)")
        #expect(server.zombieChildren().isEmpty)
    }

    /// PR_SET_PDEATHSIG alone, without the server's group kill: worker-exec runs outside any
    /// server, and its engine must still die with it.
    @Test func theEngineDiesWithItsWorkerExec() async throws {
        let job = RunningServer.temporaryDirectory()
        let worker = try WorkerExecRun(
            in: job, command: ["/bin/sh", "-c", "echo $$ > engine.pid; exec sleep 1000"])
        let engine = try await ProcessTable.waitFor("the engine's pid", timeout: 10) {
            (try? String(contentsOfFile: job + "/engine.pid", encoding: .utf8))
                .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        #expect(ProcessTable.isAlive(engine))
        kill(worker.process.processIdentifier, SIGKILL)
        worker.process.waitUntilExit()
        _ = try await ProcessTable.waitFor("the engine to die", timeout: 10) {
            ProcessTable.isAlive(engine) ? nil : true
        }
    }

    /// The data directory turns read-only while the job runs: the server's own view goes through
    /// a read-only bind mount in a private mount namespace (we run as root), while the running
    /// engine keeps its working directory on the writable mount.
    @Test func anUnwritableDataDirectoryIsTheReason() async throws {
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"),
            FileManager.default.isExecutableFile(atPath: "/usr/bin/nsenter")
        else {
            print("skipped: needs root, unshare and nsenter for a private read-only mount")
            return
        }
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(
            try TestModels.misbehavingEngineSettings(directory),
            launcher: ["/usr/bin/unshare", "--mount", "--propagation", "private"])
        let reply = try await server.v1Submit(model: TestModels.sleeping)
        let id = try #require(reply.object["id"] as? String)
        let token = try #require(reply.object["token"] as? String)
        _ = try await server.waitFor("engine processes") { server.processesOfJob(id).count >= 2 ? true : nil }
        let data = server.dataDirectory
        let mounted = ProcessTable.run(
            "/usr/bin/nsenter",
            [
                "-t", String(server.process.processIdentifier), "-m", "/bin/sh", "-c",
                "mount --bind '\(data)' '\(data)' && mount -o remount,bind,ro '\(data)'",
            ])
        try #require(mounted == 0, "the read-only bind mount failed")
        // The engine now finishes; its zygote cannot record how.
        let sleeper = try #require(server.processesOfJob(id).first { ProcessTable.commandLine($0).hasPrefix("sleep") })
        kill(sleeper, SIGKILL)

        #expect(try await server.waitForV1State(id, token: token, ["FAILED", "SUCCEEDED"]) == "FAILED")
        let job = try await server.get("/v1/jobs/\(id)", token: token).object
        #expect(job["failureReason"] as? String == "INTERNAL")
        let message = job["failureMessage"] as? String ?? ""
        #expect(message.contains("data directory is not writable"), "\(message)")
        #expect(message.contains("Read-only file system"), "\(message)")
        #expect(!message.contains("could not be started"))
    }
}

/// `stamina worker-exec` run directly by a test, in a job directory of its own.
struct WorkerExecRun {
    let process: Process
    let directory: String
    var statusFile: String { directory + "/status.json" }

    init(in directory: String, command: [String]) throws {
        self.directory = directory
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RunningServer.staminaBinary)
        let user = geteuid() == 0 ? ["--sandbox-user", "nobody"] : []
        process.arguments = ["worker-exec", "--status", directory + "/status.json"] + user + ["--"] + command
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        self.process = process
    }

    /// Runs to the end and returns the engine's exit code and the status worker-exec wrote.
    static func finish(in directory: String, command: [String]) throws -> (code: Int32, status: [String: Any]) {
        let run = try WorkerExecRun(in: directory, command: command)
        run.process.waitUntilExit()
        let data = try Data(contentsOf: URL(fileURLWithPath: run.statusFile))
        let status = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        return (run.process.terminationStatus, status)
    }
}

/// Reading `/proc`, and running a helper command.
enum ProcessTable {
    static func commandLine(_ pid: Int32) -> String {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return "" }
        return String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }

    /// Alive means present and not a zombie (a dead orphan waiting for init to reap it).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z" && state != "X"
    }

    static func run(_ executable: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func waitFor<T>(_ what: String, timeout: Double, _ condition: () throws -> T?) async throws -> T {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let value = try condition() { return value }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("timed out waiting for \(what)")
    }
}
