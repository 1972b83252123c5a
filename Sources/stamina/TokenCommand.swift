import ArgumentParser

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "(under construction)")

    func run() async throws {
        throw ValidationError("'token' is under construction")
    }
}
