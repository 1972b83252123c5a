import ArgumentParser

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "(under construction)")

    func run() async throws {
        throw ValidationError("'check' is under construction")
    }
}
