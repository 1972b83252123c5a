import ArgumentParser
import Foundation
import StaminaServer

/// `stamina worker-exec` (internal): how the server's workers run engines. With `--zygote` it is a
/// worker slot's long-lived zygote, which forks one process per job (`JobZygote`); without, it runs
/// the engine command after `--` once (`LimitedExecution`: the sandbox probe, and tests). Either way
/// the engine runs sandboxed, under the job's rlimits, in a process of its own, and how it ended is
/// recorded in a status file. The in-process engine is this executable's own `check`, entered
/// through the same parser as on the command line.
///
/// Both modes fork, so they must run while the process has one thread: `Stamina.main` sends
/// `worker-exec` here (`runBeforeAnyThread`) before the async entry point, which runs commands
/// on the concurrency runtime's threads, starts.
struct WorkerExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker-exec", abstract: "(internal) run an engine command under job limits.", shouldDisplay: false
    )

    @Option(name: .customLong("memory-bytes")) var memoryBytes: Int = 0
    @Option(name: .customLong("cpu-seconds")) var cpuSeconds: Int = 0
    @Option(name: .customLong("status")) var statusFile: String?
    @Option(name: .customLong("server-pid")) var serverPID: Int32 = 0
    @Option(name: .customLong("sandbox-user")) var sandboxUser: String?
    @Flag(name: .customLong("zygote")) var zygote = false
    @Argument(parsing: .postTerminator) var command: [String] = []

    /// `stamina worker-exec ...`, run synchronously on the main thread; never returns.
    static func runBeforeAnyThread(_ arguments: [String]) -> Never {
        main(arguments)
        Foundation.exit(0)
    }

    func run() throws {
        if zygote {
            // The zygote checks that it is single-threaded (see `runBeforeAnyThread`).
            JobZygote.serve(serverPID: serverPID, inProcess: InProcessEngine(run: Self.runInProcess))
        }
        guard !command.isEmpty else { throw ValidationError("give the engine command after --") }
        guard let statusFile else { throw ValidationError("give --status FILE") }
        let code = LimitedExecution.run(
            memoryBytes: memoryBytes, cpuSeconds: cpuSeconds, statusFile: statusFile, serverPID: serverPID,
            sandboxUser: sandboxUser, arguments: command)
        throw ExitCode(code)
    }

    /// In a forked job process: `stamina ARGUMENTS` as the executable's own entry point runs it,
    /// on the concurrency runtime's threads (this thread is inside the zygote's main-actor job,
    /// which never ends here), then exit, which flushes stdout.
    @Sendable static func runInProcess(_ arguments: [String]) -> Never {
        Task.detached {
            await Stamina.main(arguments)
            Foundation.exit(0)
        }
        while true { pause() }
    }
}
