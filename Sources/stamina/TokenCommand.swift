import ArgumentParser
import Foundation
import Logging
import StaminaServer

/// `stamina token create [--admin]`: issues a bearer token for the server's `/v1` API. The token is
/// printed once; the database keeps only its SHA-256.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage bearer tokens of the job server.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Issue a new token and print it.")

        @Flag(help: "The token sees and manages every job.") var admin = false
        @Option(name: .customLong("data-dir"), help: "The server's data directory.") var dataDirectory =
            "./stamina-data"

        @Option(help: "The server's PostgreSQL URL (default: STAMINA_DATABASE; neither: SQLite in --data-dir).")
        var database: String?

        func run() async throws {
            let text = database ?? ProcessInfo.processInfo.environment["STAMINA_DATABASE"] ?? ""
            let url: DatabaseURL?
            do { url = text.isEmpty ? nil : try DatabaseURL(parsing: text) } catch {
                throw ValidationError(error.description)
            }
            let token = try await TokenIssuer.create(
                dataDirectory: dataDirectory, database: url, admin: admin, logger: Logger(label: "stamina.token"))
            print(token)
        }
    }
}
