import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL store's schema, as numbered migrations recorded in `schema_version`. Several
/// nodes may start at once against one database: each migration runs in one transaction that first
/// takes a transaction-level advisory lock, then re-reads the version, so it is applied exactly once
/// and a node never sees half of it. A database whose version is past `latest` is refused.
enum PostgresMigrations {
    struct Migration: Sendable {
        let version: Int
        let statements: [String]
    }

    /// Key of the advisory lock that serialises migrations (any constant unlikely to clash).
    static let lockKey: Int64 = 0x5354_414D_0001

    static let all: [Migration] = [
        Migration(
            version: 1,
            statements: [
                """
                CREATE TABLE jobs (
                    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
                    created_at DOUBLE PRECISION NOT NULL,
                    started_at DOUBLE PRECISION,
                    finished_at DOUBLE PRECISION,
                    version BIGINT NOT NULL DEFAULT 0,
                    quota_key TEXT NOT NULL,
                    idempotency_key TEXT)
                """,
                "CREATE INDEX jobs_owner ON jobs (owner, seq)",
                "CREATE INDEX jobs_state ON jobs (state, seq)",
                // Claims read the oldest QUEUED row: a small index of only those keeps it one probe.
                "CREATE INDEX jobs_queued ON jobs (seq) WHERE state = \(JobState.queued.sql)",
                "CREATE INDEX jobs_quota ON jobs (quota_key, state)",
                // NULL keys are distinct, so jobs without a key never conflict.
                "CREATE UNIQUE INDEX jobs_idempotency ON jobs (owner, idempotency_key)",
                """
                CREATE TABLE tokens (
                    hash TEXT PRIMARY KEY, owner TEXT NOT NULL, admin BOOLEAN NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL, anonymous BOOLEAN NOT NULL DEFAULT FALSE)
                """,
                "CREATE INDEX tokens_owner ON tokens (owner)",
                "CREATE TABLE probe (id INTEGER PRIMARY KEY, at DOUBLE PRECISION NOT NULL)",
            ]),
        // Job data in the database (no API node keeps job files) and the workers' leases.
        Migration(
            version: 2,
            statements: [
                """
                ALTER TABLE jobs ADD COLUMN model_text TEXT, ADD COLUMN props_text TEXT, ADD COLUMN worker TEXT,
                  ADD COLUMN lease_until DOUBLE PRECISION
                """,
                // The sweeper reads the held jobs' leases.
                "CREATE INDEX jobs_lease ON jobs (lease_until) WHERE state IN \(JobState.sql([.running, .cancelling]))",
                """
                CREATE TABLE job_events (
                    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
                    kind TEXT NOT NULL, line TEXT NOT NULL)
                """,
                "CREATE INDEX job_events_job ON job_events (job_id, seq)",
                """
                CREATE TABLE job_artifacts (
                    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE, name TEXT NOT NULL,
                    data BYTEA NOT NULL, PRIMARY KEY (job_id, name))
                """,
            ]),
        // Change notifications for the nodes' read caches and event streams (`JobChange`), sent by
        // triggers so that no write path can forget one. A job row notifies `stamina_job` when its
        // version changes (not on a lease renewal, which changes no version) or when it is deleted;
        // appended progress lines notify `stamina_job_events` once per job and statement.
        // PostgreSQL delivers a notification only after its transaction commits, and drops
        // duplicates within one transaction.
        Migration(
            version: 3,
            statements: [
                """
                CREATE FUNCTION stamina_notify_job() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_OP = 'DELETE' THEN
                    PERFORM pg_notify('stamina_job', OLD.id);
                    RETURN OLD;
                  END IF;
                  PERFORM pg_notify('stamina_job', NEW.id);
                  RETURN NEW;
                END $$
                """,
                """
                CREATE TRIGGER jobs_notify_change AFTER UPDATE ON jobs FOR EACH ROW
                WHEN (OLD.version IS DISTINCT FROM NEW.version) EXECUTE FUNCTION stamina_notify_job()
                """,
                "CREATE TRIGGER jobs_notify_delete AFTER DELETE ON jobs FOR EACH ROW EXECUTE FUNCTION stamina_notify_job()",
                """
                CREATE FUNCTION stamina_notify_job_events() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  PERFORM pg_notify('stamina_job_events', job_id) FROM (SELECT DISTINCT job_id FROM added) AS jobs;
                  RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER job_events_notify AFTER INSERT ON job_events REFERENCING NEW TABLE AS added
                FOR EACH STATEMENT EXECUTE FUNCTION stamina_notify_job_events()
                """,
            ]),
    ]
    static var latest: Int { all.last?.version ?? 0 }

    static func apply(_ connection: PostgresConnection, database: String, logger: Logger) async throws {
        for migration in all {
            let applied = try await connection.withTransaction(logger: logger) { connection in
                _ = try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
                _ = try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS schema_version (
                        version INTEGER PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)
                    """, logger: logger)
                let found = try await currentVersion(connection, logger: logger)
                guard found <= latest else {
                    throw StoreError.newerSchema(database: database, found: found, supported: latest)
                }
                guard found < migration.version else { return false }
                for statement in migration.statements {
                    _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                let now = Date().timeIntervalSince1970
                _ = try await connection.query(
                    "INSERT INTO schema_version (version, applied_at) VALUES (\(migration.version), \(now))",
                    logger: logger)
                return true
            }
            if applied { logger.info("database schema migrated", metadata: ["version": "\(migration.version)"]) }
        }
    }

    static func currentVersion(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query("SELECT COALESCE(MAX(version), 0) FROM schema_version", logger: logger)
        for try await (version) in rows.decode(Int.self) { return version }
        return 0
    }
}
