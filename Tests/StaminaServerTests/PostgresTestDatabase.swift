import Foundation
import Logging
import PostgresNIO
import Synchronization

@testable import StaminaServer

/// Fresh PostgreSQL databases for tests, made on the server named by `STAMINA_TEST_POSTGRES_URL`
/// (`.ci/run` starts one with scripts/ci/postgres.sh). Without the variable the PostgreSQL tests
/// are skipped and say so. Each test gets a database of its own, so tests running in parallel
/// never see each other's jobs; databases of earlier runs left for an hour are dropped.
enum PostgresTestDatabase {
    static let skipReason = "needs STAMINA_TEST_POSTGRES_URL (scripts/ci/postgres.sh sets it)"

    static var adminURL: DatabaseURL? {
        guard let text = ProcessInfo.processInfo.environment["STAMINA_TEST_POSTGRES_URL"], !text.isEmpty else {
            return nil
        }
        return try? DatabaseURL(parsing: text)
    }

    static var isConfigured: Bool { adminURL != nil }

    /// Creates an empty database and returns its URL.
    static func create() async throws -> DatabaseURL {
        guard var url = adminURL else { throw ConfigurationError(description: skipReason) }
        let name = "stamina_test_\(Int(Date().timeIntervalSince1970))_\(UInt32.random(in: 0...UInt32.max))"
        try await withAdmin { client, logger in
            await dropStale(client, logger: logger)
            _ = try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        url.database = name
        return url
    }

    static func drop(_ url: DatabaseURL) async {
        try? await withAdmin { client, logger in
            _ = try await client.query(
                PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(url.database) WITH (FORCE)"), logger: logger)
        }
    }

    /// Opens a store on a new database.
    static func store() async throws -> (PostgresJobStore, DatabaseURL) {
        let url = try await create()
        return (try await PostgresJobStore.open(url: url, logger: Logger(label: "test")), url)
    }

    /// Runs `body` with a connection to the admin database.
    static func withAdmin(_ body: (PostgresConnection, Logger) async throws -> Void) async throws {
        guard let url = adminURL else { return }
        try await withConnection(url, body)
    }

    static func withConnection(_ url: DatabaseURL, _ body: (PostgresConnection, Logger) async throws -> Void)
        async throws
    {
        let logger = Logger(label: "test.postgres")
        let connection = try await PostgresConnection.connect(
            configuration: try url.connectionConfiguration(), id: 1, logger: logger)
        do {
            try await body(connection, logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    private static let staleDropped = Mutex(false)

    /// Test databases of runs at least an hour old: a run that died before dropping its own.
    private static func dropStale(_ client: PostgresConnection, logger: Logger) async {
        let first = staleDropped.withLock { done in
            let first = !done
            done = true
            return first
        }
        guard first else { return }
        let cutoff = Int(Date().timeIntervalSince1970) - 3600
        guard
            let rows = try? await client.query(
                "SELECT datname FROM pg_database WHERE datname LIKE 'stamina\\_test\\_%'", logger: logger)
        else { return }
        var stale: [String] = []
        do {
            for try await (name) in rows.decode(String.self) {
                let parts = name.split(separator: "_")
                if parts.count == 4, let stamp = Int(parts[2]), stamp < cutoff { stale.append(name) }
            }
        } catch { return }
        for name in stale {
            _ = try? await client.query(
                PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
    }
}
