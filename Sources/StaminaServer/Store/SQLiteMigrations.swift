import Foundation
import SQLiteNIO

/// The SQLite store's schema, as numbered migrations recorded in `schema_version`. Each runs in
/// one `BEGIN IMMEDIATE` transaction (which takes SQLite's write lock, so two processes opening one
/// file apply it once) and records its number in the same transaction; a file whose version is
/// past `latest` is refused before anything is written to it.
enum SQLiteMigrations {
    struct Migration: Sendable {
        let version: Int
        let apply: @Sendable (SQLiteConnection) async throws -> Void
    }

    static let all: [Migration] = [
        Migration(version: 1, apply: versionOne), Migration(version: 2, apply: versionTwo),
    ]
    static var latest: Int { all.last?.version ?? 0 }

    static func apply(_ connection: SQLiteConnection, path: String) async throws {
        _ = try await connection.query(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)", [])
        let found = try await currentVersion(connection)
        guard found <= latest else {
            throw StoreError.newerSchema(database: path, found: found, supported: latest)
        }
        for migration in all where migration.version > found {
            _ = try await connection.query("BEGIN IMMEDIATE", [])
            do {
                // Another process may have applied it while this one waited for the lock.
                if try await currentVersion(connection) < migration.version {
                    try await migration.apply(connection)
                    _ = try await connection.query(
                        "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                        [.integer(migration.version), .float(Date().timeIntervalSince1970)])
                }
                _ = try await connection.query("COMMIT", [])
            } catch {
                _ = try? await connection.query("ROLLBACK", [])
                throw error
            }
        }
    }

    static func currentVersion(_ connection: SQLiteConnection) async throws -> Int {
        try await connection.query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_version", []).first?
            .column("v")?.integer ?? 0
    }

    /// Version 1 is the schema of every release before versioning, reached from any of them: a new
    /// file gets the tables; an unversioned file of an older release gets the columns it lacks.
    @Sendable static func versionOne(_ connection: SQLiteConnection) async throws {
        for statement in [
            """
            CREATE TABLE IF NOT EXISTS jobs (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                owner TEXT NOT NULL,
                name TEXT NOT NULL,
                state TEXT NOT NULL,
                failure_reason TEXT,
                failure_message TEXT,
                parameters TEXT NOT NULL,
                model_file TEXT NOT NULL,
                props_file TEXT NOT NULL,
                result TEXT,
                log TEXT,
                attempts INTEGER NOT NULL DEFAULT 0,
                created_at REAL NOT NULL,
                started_at REAL,
                finished_at REAL,
                version INTEGER NOT NULL DEFAULT 0,
                quota_key TEXT,
                idempotency_key TEXT)
            """,
            "CREATE INDEX IF NOT EXISTS jobs_owner ON jobs(owner, seq)",
            "CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, seq)",
            """
            CREATE TABLE IF NOT EXISTS tokens (
                hash TEXT PRIMARY KEY, owner TEXT NOT NULL, admin INTEGER NOT NULL, created_at REAL NOT NULL)
            """,
            "CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, at REAL NOT NULL)",
        ] {
            _ = try await connection.query(statement, [])
        }
        func columns(_ table: String) async throws -> Set<String> {
            Set(try await connection.query("PRAGMA table_info(\(table))", []).compactMap { $0.column("name")?.string })
        }
        if try await !columns("jobs").contains("quota_key") {
            _ = try await connection.query("ALTER TABLE jobs ADD COLUMN quota_key TEXT", [])
            _ = try await connection.query("UPDATE jobs SET quota_key = owner", [])
        }
        if try await !columns("tokens").contains("anonymous") {
            _ = try await connection.query("ALTER TABLE tokens ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0", [])
        }
        if try await !columns("jobs").contains("idempotency_key") {
            // Keys lived in a table of their own, written after the insert (two requests with one key
            // could both insert); now they are a unique column of the job, checked by the insert.
            _ = try await connection.query("ALTER TABLE jobs ADD COLUMN idempotency_key TEXT", [])
            if try await !columns("idempotency").isEmpty {
                _ = try await connection.query(
                    """
                    UPDATE jobs SET idempotency_key =
                      (SELECT key FROM idempotency i WHERE i.job_id = jobs.id AND i.owner = jobs.owner LIMIT 1)
                    """, [])
                _ = try await connection.query("DROP TABLE idempotency", [])
            }
        }
        _ = try await connection.query(
            "CREATE UNIQUE INDEX IF NOT EXISTS jobs_idempotency ON jobs(owner, idempotency_key)", [])
        _ = try await connection.query("CREATE INDEX IF NOT EXISTS jobs_quota ON jobs(quota_key, state)", [])
        _ = try await connection.query("CREATE INDEX IF NOT EXISTS tokens_owner ON tokens(owner)", [])
    }

    /// Version 2: job data in the database (inputs, progress events, artifacts; the files beside
    /// the database are read in by `SQLiteJobStore.open`) and the workers' leases.
    /// Like version 1 it tolerates a file that has some of it already (a version table dropped).
    @Sendable static func versionTwo(_ connection: SQLiteConnection) async throws {
        let columns = Set(
            try await connection.query("PRAGMA table_info(jobs)", []).compactMap { $0.column("name")?.string })
        for (column, type) in [
            ("model_text", "TEXT"), ("props_text", "TEXT"), ("worker", "TEXT"), ("lease_until", "REAL"),
        ]
        where !columns.contains(column) {
            _ = try await connection.query("ALTER TABLE jobs ADD COLUMN \(column) \(type)", [])
        }
        for statement in [
            """
            CREATE TABLE IF NOT EXISTS job_events (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL, kind TEXT NOT NULL, line TEXT NOT NULL)
            """,
            "CREATE INDEX IF NOT EXISTS job_events_job ON job_events(job_id, seq)",
            """
            CREATE TABLE IF NOT EXISTS job_artifacts (
                job_id TEXT NOT NULL, name TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (job_id, name))
            """,
        ] {
            _ = try await connection.query(statement, [])
        }
    }
}
