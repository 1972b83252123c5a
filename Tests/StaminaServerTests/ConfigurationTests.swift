import Foundation
import StaminaServer
import Testing

/// Configuration sources and their order: defaults < TOML file < STAMINA_* environment < flags.
struct ConfigurationTests {
    @Test func laterSourcesWinAndEveryValueIsChecked() throws {
        let file = RunningServer.temporaryDirectory() + "/server.toml"
        try Data(
            """
            workers = 4
            time-limit = 60
            cors-origins = ["https://a.example", "https://b.example"]
            anonymous = false
            listen = "0.0.0.0:9000"
            """.utf8
        ).write(to: URL(fileURLWithPath: file))
        let configuration = try ServerConfiguration.load(
            file: file, environment: ["STAMINA_TIME_LIMIT": "90", "STAMINA_RETENTION": "5", "UNRELATED": "x"],
            flags: [("retention", "7")])
        #expect(configuration.workers == 4)
        #expect(configuration.timeLimitSeconds == 90)
        #expect(configuration.retentionSeconds == 7)
        #expect(configuration.corsOrigins == ["https://a.example", "https://b.example"])
        #expect(configuration.allowAnonymous == false)
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.port == 9000)
        #expect(configuration.memoryLimitBytes == 500 * 1024 * 1024)
    }

    @Test(arguments: [
        ("time-limit", "nan"), ("time-limit", "-1"), ("workers", "two"), ("listen", "localhost"),
        ("anonymous", "maybe"), ("path-prefix", "stamina/"), ("no-such-key", "1"), ("memory-limit", "1000"),
        ("role", "boss"), ("lease", "0.1"), ("heartbeat-interval", "0"), ("max-events", "10"),
        ("database", "mysql://u@h/db"),
    ])
    func badValuesAreRefusedWithTheirKey(key: String, value: String) {
        #expect(throws: ConfigurationError.self) {
            _ = try ServerConfiguration.load(file: nil, environment: [:], flags: [(key, value)])
        }
    }

    @Test func aLeaseShorterThanTwoHeartbeatsIsRefused() throws {
        #expect(throws: ConfigurationError.self) {
            _ = try ServerConfiguration.load(
                file: nil, environment: [:], flags: [("heartbeat-interval", "5"), ("lease", "9")])
        }
        let config = try ServerConfiguration.load(
            file: nil, environment: ["STAMINA_ROLE": "WORKER"], flags: [("heartbeat-interval", "5"), ("lease", "10")])
        #expect(config.role == .worker)
        #expect(config.leaseSeconds == 10)
    }

    @Test func aTOMLFileWithATableIsRefused() throws {
        let file = RunningServer.temporaryDirectory() + "/bad.toml"
        try Data("[server]\nworkers = 2\n".utf8).write(to: URL(fileURLWithPath: file))
        #expect(throws: ConfigurationError.self) {
            _ = try ServerConfiguration.load(file: file, environment: [:], flags: [])
        }
    }
}
