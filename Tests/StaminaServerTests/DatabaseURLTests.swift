import Foundation
import Testing

@testable import StaminaServer

/// The `database` setting: what parses, what is refused at start, and that the password never
/// shows (not in `/v1/about`'s settings, not in an error about the URL).
struct DatabaseURLTests {
    @Test func aFullURLParsesWithEveryPart() throws {
        let url = try DatabaseURL(parsing: "postgres://lab:s%40cret@db.example:6432/stamina?sslmode=verify-full")
        #expect(url.user == "lab" && url.password == "s@cret")
        #expect(url.host == "db.example" && url.port == 6432 && url.database == "stamina")
        #expect(url.sslMode == .verifyFull)
        #expect(url.redacted == "postgres://lab:***@db.example:6432/stamina?sslmode=verify-full")
    }

    @Test func defaultsAreLibpqsPortAndPreferredTLS() throws {
        let url = try DatabaseURL(parsing: "postgresql://lab@[::1]/jobs")
        #expect(url.password == nil && url.host == "::1" && url.port == 5432 && url.sslMode == .prefer)
        #expect(url.redacted == "postgres://lab@[::1]:5432/jobs?sslmode=prefer")
        let socket = try DatabaseURL(parsing: "postgres://lab@localhost/jobs?host=/run/postgresql&sslmode=disable")
        #expect(socket.host == "/run/postgresql" && socket.sslMode == .disable)
    }

    @Test(arguments: ["disable", "prefer", "require", "verify-ca", "verify-full"])
    func everySupportedSSLModeParses(mode: String) throws {
        let url = try DatabaseURL(parsing: "postgres://u:p@h/d?sslmode=\(mode)")
        #expect(url.sslMode.rawValue == mode)
        _ = try url.clientConfiguration()
        _ = try url.connectionConfiguration()
    }

    @Test(arguments: [
        ("mysql://u:hunter2@h/d", "only PostgreSQL"), ("postgres://h/d", "no user"),
        ("postgres://u:hunter2@h/", "no database"), ("postgres://u:hunter2@h/d?sslmode=allow", "sslmode 'allow'"),
        ("postgres://u:hunter2@h/d?sslmod=require", "unknown parameter"),
        ("/var/lib/stamina.sqlite", "only PostgreSQL"),
        ("postgres://u:hunter2@h:99999/d", "port out of range"), ("postgres://u:hunter2@/d", "no host"),
    ])
    func badURLsAreRefusedAtStartWithoutThePassword(text: String, why: String) {
        do {
            _ = try ServerConfiguration.load(file: nil, environment: ["STAMINA_DATABASE": text], flags: [])
            Issue.record("'\(text)' was accepted")
        } catch {
            #expect(error.description.hasPrefix("database: "))
            #expect(error.description.contains(why))
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test func theSettingComesFromTheEnvironmentOrAFlagAndShowsRedacted() throws {
        let configuration = try ServerConfiguration.load(
            file: nil, environment: ["STAMINA_DATABASE": "postgres://a:hunter2@h1/d1"],
            flags: [("database", "postgres://b:hunter3@h2/d2?sslmode=require")])
        #expect(configuration.database?.host == "h2" && configuration.database?.password == "hunter3")
        let shown = configuration.values.first { $0.key == "database" }?.value
        #expect(shown == "postgres://b:***@h2:5432/d2?sslmode=require")
        #expect(try ServerConfiguration.load(file: nil, environment: [:], flags: []).database == nil)
        #expect(try ServerConfiguration.load(file: nil, environment: [:], flags: [("database", "")]).database == nil)
    }

    @Test func aUnixSocketCannotRequireTLS() throws {
        let url = try DatabaseURL(parsing: "postgres://u@x/d?host=/run/postgresql&sslmode=require")
        #expect(throws: ConfigurationError.self) { _ = try url.clientConfiguration() }
    }
}
