// The `stamina` executable: only dispatches to subcommands. Each subcommand lives in its own file
// next to this one and owns its options; the work happens in the library targets.
import ArgumentParser

@main
struct Stamina: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stamina",
        abstract: "STAMINA: certified probability bounds for infinite-state CTMCs, and a job server.",
        version: StaminaVersion.current,
        subcommands: [
            CheckCommand.self, ValidateCommand.self, ServeCommand.self, TokenCommand.self, WorkerExecCommand.self,
            BackupCommand.self, RestoreCommand.self, StoreBenchCommand.self,
            JobsCommand.self,
            ValidateSubmissionCommand.self,
        ]
    )

    /// `worker-exec` forks job processes, so it runs here, on the main thread before the async
    /// entry point has started any other thread (see `WorkerExecCommand`).
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == WorkerExecCommand.configuration.commandName {
            WorkerExecCommand.runBeforeAnyThread(Array(arguments.dropFirst()))
        }
        await main(nil)
    }
}

enum StaminaVersion {
    static let current = "0.1.0"
}
