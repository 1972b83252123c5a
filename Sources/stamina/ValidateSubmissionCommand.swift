import ArgumentParser
import StaminaServer

/// `stamina validate-submission` (internal): the server's check of a large submission, in a child
/// process under limits. See `ValidationChild` and `IsolatingValidator`.
struct ValidateSubmissionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate-submission", abstract: "(internal) check a submission read as JSON from stdin.",
        shouldDisplay: false)

    @Option(name: .customLong("memory-bytes")) var memoryBytes: Int = 0
    @Option(name: .customLong("cpu-seconds")) var cpuSeconds: Int = 0
    @Option(name: .customLong("wall-seconds")) var wallSeconds: Int = 0
    @Option(name: .customLong("parent-pid")) var parentPID: Int32 = 0

    func run() throws {
        let code = ValidationChild.run(
            memoryBytes: memoryBytes, cpuSeconds: cpuSeconds, wallSeconds: wallSeconds, parentPID: parentPID)
        if code != 0 { throw ExitCode(code) }
    }
}
