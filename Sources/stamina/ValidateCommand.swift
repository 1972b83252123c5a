import ArgumentParser

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "(under construction)")

    func run() async throws {
        throw ValidationError("'validate' is under construction")
    }
}
