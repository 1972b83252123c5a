import ArgumentParser
import Foundation
import StaminaServer

/// `stamina worker-exec` (internal): what the server's workers run. Runs the engine command after
/// `--` sandboxed and under the job's rlimits, and records how it ended in the status file. See
/// `LimitedExecution`. With `--stage` it is the launch stage worker-exec spawns, which becomes the
/// engine (see `EngineLaunch`).
struct WorkerExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker-exec", abstract: "(internal) run an engine command under job limits.", shouldDisplay: false
    )

    @Option(name: .customLong("memory-bytes")) var memoryBytes: Int = 0
    @Option(name: .customLong("cpu-seconds")) var cpuSeconds: Int = 0
    @Option(name: .customLong("status")) var statusFile: String?
    @Option(name: .customLong("server-pid")) var serverPID: Int32 = 0
    @Option(name: .customLong("sandbox-user")) var sandboxUser: String?
    @Flag(name: .customLong("stage")) var stage = false
    @Option(name: .customLong("parent-pid")) var parentPID: Int32 = 0
    @Argument(parsing: .postTerminator) var command: [String] = []

    func run() throws {
        guard !command.isEmpty else { throw ValidationError("give the engine command after --") }
        if stage {
            EngineLaunch.stage(
                memoryBytes: memoryBytes, cpuSeconds: cpuSeconds, sandboxUser: sandboxUser, parentPID: parentPID,
                arguments: command)
        }
        guard let statusFile else { throw ValidationError("give --status FILE") }
        let code = LimitedExecution.run(
            memoryBytes: memoryBytes, cpuSeconds: cpuSeconds, statusFile: statusFile, serverPID: serverPID,
            sandboxUser: sandboxUser, arguments: command)
        throw ExitCode(code)
    }
}
