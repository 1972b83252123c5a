import Foundation
import Testing

/// The worker slots' zygotes (`stamina worker-exec --zygote`): one process per job forked from a
/// single-threaded zygote. Process-level, as the mechanism is processes: a zygote killed with -9
/// loses its job as WORKER_LOST and is replaced; nothing a job starts outlives it, even a process
/// that left the job's group; the job process is a fresh child of the zygote for every job; the
/// engine runs in the job process itself when it is the server's own executable, under the job's
/// limits. Every wait polls with a deadline.
@Suite("Zygotes", .serialized)
struct ZygoteTests {
    @Test func aZygoteKilledWithMinus9LosesItsJobAndIsReplaced() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.misbehavingEngineSettings(directory))
        let reply = try await server.v1Submit(model: TestModels.sleeping)
        let id = try #require(reply.object["id"] as? String)
        let token = try #require(reply.object["token"] as? String)
        // The engine (bash) and its `sleep`.
        let engine = try await server.waitFor("engine processes") { () -> Int32? in
            let processes = server.processesOfJob(id)
            guard processes.count >= 2 else { return nil }
            return processes.first { ProcessTable.commandLine($0).contains("bash") }
        }
        let zygote = ProcessTable.parent(of: engine)
        #expect(ProcessTable.commandLine(zygote).contains("worker-exec --zygote"))
        #expect(ProcessTable.parent(of: zygote) == server.process.processIdentifier)
        kill(zygote, SIGKILL)

        _ = try await server.waitFor("no process of the job", timeout: 10) {
            server.processesOfJob(id).isEmpty ? true : nil
        }
        #expect(try await server.waitForV1State(id, token: token, ["FAILED", "QUEUED"]) == "FAILED")
        let job = try await server.get("/v1/jobs/\(id)", token: token).object
        #expect(job["failureReason"] as? String == "WORKER_LOST")
        let message = job["failureMessage"] as? String ?? ""
        #expect(message.contains("killed by signal 9"), "\(message)")
        #expect(!message.contains("could not be started"))
        #expect(server.zombieChildren().isEmpty)

        // The slot has a new zygote, and the next job runs through it.
        let next = try await server.v1Submit(model: TestModels.marked("QUICK"))
        let nextID = try #require(next.object["id"] as? String)
        let nextToken = try #require(next.object["token"] as? String)
        #expect(try await server.waitForV1State(nextID, token: nextToken, ["SUCCEEDED", "FAILED"]) == "SUCCEEDED")
        let zygotes = ProcessTable.children(of: server.process.processIdentifier).filter {
            ProcessTable.commandLine($0).contains("worker-exec --zygote")
        }
        #expect(zygotes.count == 1 && !zygotes.contains(zygote), "\(zygotes)")
    }

    /// A process that leaves the job's process group and session (setsid) is still the job's: the
    /// zygote, its subreaper, kills it when the job ends.
    @Test func aProcessThatLeftTheJobsGroupDiesWithTheJob() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.misbehavingEngineSettings(directory))
        let reply = try await server.v1Submit(model: TestModels.marked("ESCAPE"))
        let id = try #require(reply.object["id"] as? String)
        let token = try #require(reply.object["token"] as? String)
        #expect(try await server.waitForV1State(id, token: token, ["SUCCEEDED", "FAILED"]) == "SUCCEEDED")
        let log = try await server.get("/v1/jobs/\(id)/log", token: token).text
        let line = try #require(log.split(separator: "\n").first { $0.hasPrefix("[INFO]: escaped ") })
        let escaped = try #require(Int32(line.dropFirst("[INFO]: escaped ".count)))
        _ = try await ProcessTable.waitFor("the escaped process to die", timeout: 10) {
            ProcessTable.isAlive(escaped) ? nil : true
        }
        #expect(server.zombieChildren().isEmpty)
    }

    /// The server's own engine runs in the forked job process (no exec), still in a process of its
    /// own for each job, and gives the result a separate `stamina check` gives.
    @Test func theOwnEngineRunsInAForkedProcessPerJob() async throws {
        let server = try await RunningServer(["admin-token=zygote-admin"])
        for _ in 0..<2 {
            let reply = try await server.v1Submit()
            let id = try #require(reply.object["id"] as? String)
            let token = try #require(reply.object["token"] as? String)
            #expect(try await server.waitForV1State(id, token: token, ["SUCCEEDED", "FAILED"]) == "SUCCEEDED")
            let log = try await server.get("/v1/jobs/\(id)/log", token: token).text
            let local = try TestModels.localBirthDeath([]).text
            let block = local.split(separator: "\n").filter { $0.hasPrefix("Probability M") || $0.hasPrefix("Window:") }
            #expect(block.count == 3)
            #expect(log.contains(block.joined(separator: "\n") + "\n"))
            let result = try await server.get("/v1/jobs/\(id)/result", token: token).object
            let run = try #require(result["run"] as? [String: Any])
            #expect(run["exitCode"] as? Int == 0)
        }
        let zygotes = ProcessTable.children(of: server.process.processIdentifier).filter {
            ProcessTable.commandLine($0).contains("worker-exec --zygote")
        }
        #expect(zygotes.count == 1, "one worker, one zygote: \(zygotes)")
        // Single-threaded, so a fork copies all of it.
        #expect(ProcessTable.threads(zygotes.first ?? 0) == 1)
    }

    /// Limits hold in the forked process: the CPU limit (RLIMIT_CPU set in the child) stops a
    /// check of the server's own engine that runs longer, and it is told as the time limit.
    @Test func theCPULimitHoldsForAnInProcessEngine() async throws {
        // A memory limit well above what one CPU second can allocate, so the CPU limit is what stops it.
        let server = try await RunningServer(["cpu-limit=1", "time-limit=60", "memory-limit=3000000000"])
        let reply = try await server.json(
            "POST", "/v1/jobs",
            [
                "model": ["name": "walk.prism", "content": Self.slowToCheck], "properties": "P=? [ F<=1000 x=1000000 ]",
                "window": 1e-15, "kappa": 1e-30,
            ])
        #expect(reply.status == 202, "\(reply.text)")
        let id = try #require(reply.object["id"] as? String)
        let token = try #require(reply.object["token"] as? String)
        #expect(try await server.waitForV1State(id, token: token, ["SUCCEEDED", "FAILED"], timeout: 60) == "FAILED")
        let job = try await server.get("/v1/jobs/\(id)", token: token).object
        #expect(job["failureReason"] as? String == "TIME_LIMIT", "\(job)")
        #expect((job["failureMessage"] as? String ?? "").contains("CPU seconds"), "\(job)")
        // Stopped by the CPU rlimit (SIGXCPU), long before the wall-clock limit. (Under load the
        // CPU time wait4 reports can be a little below the limit the kernel enforced.)
        let run = try #require(
            (try await server.get("/v1/jobs/\(id)/result", token: token).object)["run"] as? [String: Any])
        #expect(run["signal"] as? Int == Int(SIGXCPU), "\(run)")
        let cpu = try #require(run["cpuSeconds"] as? Double)
        #expect(cpu > 0.5 && cpu < 5, "cpu \(cpu)")
        #expect((run["wallSeconds"] as? Double ?? 60) < 30, "\(run)")
    }

    /// One-shot worker-exec (the sandbox probe's way): the same sweep of processes that left the group.
    @Test func aOneShotWorkerExecLeavesNoEscapedProcess() async throws {
        let job = RunningServer.temporaryDirectory()
        let (code, _) = try WorkerExecRun.finish(
            in: job, command: ["/bin/sh", "-c", "setsid sleep 1000 & echo $! > escaped.pid; sleep 0.2"])
        #expect(code == 0)
        let escaped = try #require(
            Int32(
                try String(contentsOfFile: job + "/escaped.pid", encoding: .utf8).trimmingCharacters(
                    in: .whitespacesAndNewlines)))
        _ = try await ProcessTable.waitFor("the escaped process to die", timeout: 10) {
            ProcessTable.isAlive(escaped) ? nil : true
        }
    }
}

extension ZygoteTests {
    /// A two-dimensional walk: truncated at a tiny kappa its exploration takes far more than a CPU second.
    static let slowToCheck = """
        ctmc
        module walk
          x : [0..1000000] init 0;
          y : [0..1000000] init 0;
          [] x < 1000000 -> 1.0 : (x' = x + 1);
          [] x > 0 -> 1.0 : (x' = x - 1);
          [] y < 1000000 -> 1.0 : (y' = y + 1);
          [] y > 0 -> 1.0 : (y' = y - 1);
        endmodule
        """
}

extension ProcessTable {
    static func parent(of pid: Int32) -> Int32 {
        field(pid, 1).flatMap { Int32($0) } ?? 0
    }

    static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { isAlive($0) && self.parent(of: $0) == parent }
    }

    static func threads(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Threads:") })
        else { return nil }
        return Int(line.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces))
    }

    /// A field of /proc/PID/stat after the command name (0: the state, 1: the parent's pid).
    private static func field(_ pid: Int32, _ index: Int) -> Substring? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return index < fields.count ? fields[index] : nil
    }
}
