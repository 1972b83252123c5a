import ArgumentParser
import Foundation
import StaminaServer

/// `stamina worker-exec` (internal): what the server's workers run. Sets the job's rlimits, runs the
/// engine command after `--`, and records how it ended in the status file. See `LimitedExecution`.
struct WorkerExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker-exec", abstract: "(internal) run an engine command under job limits.", shouldDisplay: false
    )

    @Option(name: .customLong("memory-bytes")) var memoryBytes: Int = 0
    @Option(name: .customLong("cpu-seconds")) var cpuSeconds: Int = 0
    @Option(name: .customLong("status")) var statusFile: String
    @Option(name: .customLong("server-pid")) var serverPID: Int32 = 0
    @Argument(parsing: .postTerminator) var command: [String] = []

    func run() throws {
        guard !command.isEmpty else { throw ValidationError("give the engine command after --") }
        let code = LimitedExecution.run(
            memoryBytes: memoryBytes, cpuSeconds: cpuSeconds, statusFile: statusFile, serverPID: serverPID,
            arguments: command)
        throw ExitCode(code)
    }
}
