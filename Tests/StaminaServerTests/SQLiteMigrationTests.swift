import Foundation
import Logging
import SQLiteNIO
import Testing

@testable import StaminaServer

/// The SQLite store's schema versions: a file of the last release before versioning is upgraded
/// in place with its jobs and tokens kept, and a file of a newer release is refused untouched.
struct SQLiteMigrationTests {
    /// The tables exactly as the releases before schema versioning left them (frozen here: the
    /// store's own statements may change, an old file does not).
    static let unversionedSchema = [
        """
        CREATE TABLE jobs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, owner TEXT NOT NULL, name TEXT NOT NULL,
            state TEXT NOT NULL, failure_reason TEXT, failure_message TEXT, parameters TEXT NOT NULL,
            model_file TEXT NOT NULL, props_file TEXT NOT NULL, result TEXT, log TEXT,
            attempts INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL, started_at REAL, finished_at REAL,
            version INTEGER NOT NULL DEFAULT 0, quota_key TEXT, idempotency_key TEXT)
        """,
        "CREATE INDEX jobs_owner ON jobs(owner, seq)",
        "CREATE INDEX jobs_state ON jobs(state, seq)",
        """
        CREATE TABLE tokens (
            hash TEXT PRIMARY KEY, owner TEXT NOT NULL, admin INTEGER NOT NULL, created_at REAL NOT NULL,
            anonymous INTEGER NOT NULL DEFAULT 0)
        """,
        "CREATE TABLE probe (id INTEGER PRIMARY KEY, at REAL NOT NULL)",
        "CREATE UNIQUE INDEX jobs_idempotency ON jobs(owner, idempotency_key)",
        "CREATE INDEX jobs_quota ON jobs(quota_key, state)",
        "CREATE INDEX tokens_owner ON tokens(owner)",
        """
        INSERT INTO jobs (id, owner, name, state, parameters, model_file, props_file, created_at, quota_key,
          idempotency_key, attempts, version)
        VALUES ('job-old', 'owner:old', 'old job', 'QUEUED', '{"kappa":2}', 'm.prism', 'p.csl', 1000, 'owner:old',
          'key-1', 0, 3)
        """,
        "INSERT INTO tokens VALUES ('hash-old', 'owner:old', 0, 1000, 1)",
    ]

    static func versions(_ path: String) async throws -> [Int] {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: Logger(label: "test"))
        do {
            let rows = try await connection.query("SELECT version FROM schema_version ORDER BY version", [])
            try await connection.close()
            return rows.compactMap { $0.column("version")?.integer }
        } catch {
            try? await connection.close()
            throw error
        }
    }

    @Test func aFileOfThePreviousReleaseIsUpgradedWithItsJobs() async throws {
        let path = RunningServer.temporaryDirectory() + "/stamina.sqlite"
        let old = try await SQLiteConnection.open(storage: .file(path: path), logger: Logger(label: "test"))
        for statement in Self.unversionedSchema { _ = try await old.query(statement, []) }
        try await old.close()

        let store = try await SQLiteJobStore.open(path: path, logger: Logger(label: "test"))
        let job = try #require(try await store.job(id: "job-old"))
        #expect(job.owner == "owner:old" && job.name == "old job" && job.state == .queued && job.version == 3)
        #expect(try await store.job(owner: "owner:old", idempotencyKey: "key-1")?.id == "job-old")
        #expect(try await store.token(hash: "hash-old")?.isAnonymous == true)
        let claimed = try await store.claimNext(now: Date())
        #expect(claimed?.id == "job-old" && claimed?.attempts == 1)
        await store.close()
        #expect(try await Self.versions(path) == SQLiteMigrations.all.map(\.version))

        // Opening again applies nothing twice.
        let again = try await SQLiteJobStore.open(path: path, logger: Logger(label: "test"))
        await again.close()
        #expect(try await Self.versions(path) == SQLiteMigrations.all.map(\.version))
    }

    @Test func aNewFileGetsEveryVersion() async throws {
        let path = RunningServer.temporaryDirectory() + "/stamina.sqlite"
        let store = try await SQLiteJobStore.open(path: path, logger: Logger(label: "test"))
        _ = try await store.insert(JobStoreConformanceTests.newJob(), ownerQuota: 1, systemQuota: 1)
        await store.close()
        #expect(try await Self.versions(path) == SQLiteMigrations.all.map(\.version))
        #expect(SQLiteMigrations.latest == SQLiteMigrations.all.map(\.version).max())
    }

    @Test func aFileOfANewerReleaseIsRefusedUntouched() async throws {
        let path = RunningServer.temporaryDirectory() + "/stamina.sqlite"
        let store = try await SQLiteJobStore.open(path: path, logger: Logger(label: "test"))
        let job = try await store.insert(JobStoreConformanceTests.newJob(), ownerQuota: 1, systemQuota: 1)
        await store.close()
        let newer = SQLiteMigrations.latest + 1
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: Logger(label: "test"))
        _ = try await connection.query("INSERT INTO schema_version VALUES (?, 0)", [.integer(newer)])
        _ = try await connection.query("ALTER TABLE jobs ADD COLUMN from_the_future TEXT", [])
        try await connection.close()

        do throws(StoreError) {
            _ = try await SQLiteJobStore.open(path: path, logger: Logger(label: "test"))
            Issue.record("a file of schema version \(newer) was opened")
        } catch {
            guard case .newerSchema(let database, let found, let supported) = error else {
                Issue.record("expected newerSchema, got \(error)")
                return
            }
            #expect(database == path && found == newer && supported == SQLiteMigrations.latest)
            #expect(error.description.contains("schema version \(newer)"))
        }
        #expect(try await Self.versions(path).last == newer)
        let check = try await SQLiteConnection.open(storage: .file(path: path), logger: Logger(label: "test"))
        let ids = try await check.query("SELECT id FROM jobs", []).compactMap { $0.column("id")?.string }
        try await check.close()
        #expect(ids == [job.id])
    }
}
