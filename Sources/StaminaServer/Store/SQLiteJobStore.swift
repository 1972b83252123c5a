import Foundation
import Logging
import NIOCore
import SQLiteNIO
import Synchronization

/// The embedded store: one SQLite file in WAL mode, one writer connection (SQLite allows one writer
/// at a time anyway, and a single writer makes every `UPDATE ... RETURNING` a clean claim) and a few
/// reader connections so reads proceed while a write is in flight.
public final class SQLiteJobStore: JobStore {
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let nextReader = Atomic<Int>(0)
    /// Jobs as last written, so polling clients (most requests) cost no query. Coherent because
    /// this process is SQLite's only writer and every write below refreshes or drops its entries.
    private let cache = Mutex(JobCache())

    private struct JobCache {
        var jobs: [String: JobRecord] = [:]
        /// Recently deleted ids: a write that finished before the delete must not bring them back.
        var deleted: Set<String> = []
    }
    private static let cacheLimit = 20_000

    public static func open(path: String, readers readerCount: Int = 2, logger: Logger) async throws(StoreError)
        -> SQLiteJobStore
    {
        do {
            let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=10000"] {
                _ = try await writer.query(pragma, [])
            }
            for statement in schema { _ = try await writer.query(statement, []) }
            var readers: [SQLiteConnection] = []
            for _ in 0..<max(1, readerCount) {
                let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                _ = try await reader.query("PRAGMA busy_timeout=10000", [])
                readers.append(reader)
            }
            return SQLiteJobStore(writer: writer, readers: readers)
        } catch {
            throw .database("\(path): \(error)")
        }
    }

    private init(writer: SQLiteConnection, readers: [SQLiteConnection]) {
        self.writer = writer
        self.readers = readers
    }

    private static let schema = [
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
            version INTEGER NOT NULL DEFAULT 0)
        """,
        "CREATE INDEX IF NOT EXISTS jobs_owner ON jobs(owner, seq)",
        "CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, seq)",
        """
        CREATE TABLE IF NOT EXISTS tokens (
            hash TEXT PRIMARY KEY, owner TEXT NOT NULL, admin INTEGER NOT NULL, created_at REAL NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS idempotency (
            owner TEXT NOT NULL, key TEXT NOT NULL, job_id TEXT NOT NULL, created_at REAL NOT NULL,
            PRIMARY KEY (owner, key))
        """,
    ]

    private static let columns = """
        seq, id, owner, name, state, failure_reason, failure_message, parameters, model_file, props_file,
        result, log, attempts, created_at, started_at, finished_at, version
        """

    // MARK: JobStore

    public func insert(_ job: NewJob, ownerQuota: Int, systemQuota: Int) async throws(StoreError) -> JobRecord {
        let parameters = String(decoding: (try? JSONEncoder().encode(job.parameters)) ?? Data("{}".utf8), as: UTF8.self)
        let rows = try await write(
            """
            INSERT INTO jobs (id, owner, name, state, parameters, model_file, props_file, created_at)
            SELECT ?1, ?2, ?3, 'QUEUED', ?4, ?5, ?6, ?7
            WHERE (SELECT COUNT(*) FROM jobs WHERE owner = ?2 AND state IN \(JobState.activeSQLList)) < ?8
              AND (SELECT COUNT(*) FROM jobs WHERE state IN \(JobState.activeSQLList)) < ?9
            RETURNING \(Self.columns)
            """,
            [
                .text(job.id), .text(job.owner), .text(job.name), .text(parameters), .text(job.modelFileName),
                .text(job.propertiesFileName), .float(job.createdAt.timeIntervalSince1970),
                .integer(ownerQuota), .integer(systemQuota),
            ])
        if let record = rows.first.flatMap(Self.record) {
            remember(record)
            return record
        }
        if try await countActive(owner: job.owner) >= ownerQuota { throw .ownerQuotaExceeded(limit: ownerQuota) }
        throw .systemQuotaExceeded(limit: systemQuota)
    }

    public func job(id: String) async throws(StoreError) -> JobRecord? {
        // Only writes fill the cache: a read that raced with a write could otherwise store an old row.
        if let cached = cache.withLock({ $0.jobs[id] }) { return cached }
        return try await read("SELECT \(Self.columns) FROM jobs WHERE id = ?", [.text(id)]).first.flatMap(Self.record)
    }

    /// Writes finish in any order on their tasks; the row version keeps the newest.
    private func remember(_ record: JobRecord?) {
        guard let record else { return }
        cache.withLock { cache in
            guard !cache.deleted.contains(record.id) else { return }
            if let cached = cache.jobs[record.id], cached.version > record.version { return }
            if cache.jobs.count >= Self.cacheLimit { cache.jobs.removeAll(keepingCapacity: true) }
            cache.jobs[record.id] = record
        }
    }

    private func forget(_ ids: [String], deleted: Bool = false) {
        cache.withLock { cache in
            for id in ids { cache.jobs[id] = nil }
            if deleted {
                if cache.deleted.count >= Self.cacheLimit { cache.deleted.removeAll(keepingCapacity: true) }
                cache.deleted.formUnion(ids)
            }
        }
    }

    public func jobs(owner: String?, state: JobState?, before: Int64?, limit: Int) async throws(StoreError)
        -> [JobRecord]
    {
        var conditions: [String] = []
        var binds: [SQLiteData] = []
        if let owner { conditions.append("owner = ?"); binds.append(.text(owner)) }
        if let state { conditions.append("state = ?"); binds.append(.text(state.rawValue)) }
        if let before { conditions.append("seq < ?"); binds.append(.integer(Int(before))) }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        binds.append(.integer(limit))
        return try await read("SELECT \(Self.columns) FROM jobs \(whereClause) ORDER BY seq DESC LIMIT ?", binds)
            .compactMap(Self.record)
    }

    public func countActive(owner: String?) async throws(StoreError) -> Int {
        let rows =
            if let owner {
                try await read(
                    "SELECT COUNT(*) AS n FROM jobs WHERE owner = ? AND state IN \(JobState.activeSQLList)",
                    [.text(owner)])
            } else {
                try await read("SELECT COUNT(*) AS n FROM jobs WHERE state IN \(JobState.activeSQLList)", [])
            }
        return rows.first?.column("n")?.integer ?? 0
    }

    public func countByState() async throws(StoreError) -> [JobState: Int] {
        var counts: [JobState: Int] = [:]
        for row in try await read("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state", []) {
            if let state = row.column("state")?.string.flatMap(JobState.init(rawValue:)) {
                counts[state] = row.column("n")?.integer ?? 0
            }
        }
        return counts
    }

    public func claimNext(now: Date) async throws(StoreError) -> JobRecord? {
        let record = try await write(
            """
            UPDATE jobs SET version = version + 1, state = 'RUNNING', attempts = attempts + 1, started_at = ?
            WHERE seq = (SELECT seq FROM jobs WHERE state = 'QUEUED' ORDER BY seq LIMIT 1)
            RETURNING \(Self.columns)
            """, [.float(now.timeIntervalSince1970)]
        ).first.flatMap(Self.record)
        remember(record)
        return record
    }

    public func finish(
        id: String, state: JobState, reason: FailureReason?, message: String?, resultJSON: String?, log: String,
        now: Date
    ) async throws(StoreError) -> Bool {
        let rows = try await write(
            """
            UPDATE jobs SET version = version + 1, state = ?, failure_reason = ?, failure_message = ?, result = ?, log = ?, finished_at = ?
            WHERE id = ? AND state IN ('RUNNING', 'CANCELLING') RETURNING \(Self.columns)
            """,
            [
                .text(state.rawValue), reason.map { .text($0.rawValue) } ?? .null, message.map { .text($0) } ?? .null,
                resultJSON.map { .text($0) } ?? .null, .text(log), .float(now.timeIntervalSince1970), .text(id),
            ])
        remember(rows.first.flatMap(Self.record))
        return !rows.isEmpty
    }

    public func requestCancel(id: String, now: Date) async throws(StoreError) -> JobRecord? {
        let rows = try await write(
            """
            UPDATE jobs SET version = version + 1,
              state = CASE state WHEN 'QUEUED' THEN 'CANCELLED' ELSE 'CANCELLING' END,
              finished_at = CASE state WHEN 'QUEUED' THEN ?2 ELSE finished_at END,
              log = CASE state WHEN 'QUEUED' THEN 'Killed.' || char(10) ELSE log END
            WHERE id = ?1 AND state IN ('QUEUED', 'RUNNING') RETURNING \(Self.columns)
            """, [.text(id), .float(now.timeIntervalSince1970)])
        if let record = rows.first.flatMap(Self.record) {
            remember(record)
            return record
        }
        return try await job(id: id)
    }

    public func rename(id: String, name: String) async throws(StoreError) -> JobRecord? {
        let record = try await write(
            "UPDATE jobs SET version = version + 1, name = ? WHERE id = ? RETURNING \(Self.columns)",
            [.text(name), .text(id)]
        ).first.flatMap(Self.record)
        remember(record)
        return record
    }

    public func delete(id: String) async throws(StoreError) -> Bool {
        let deleted = !(try await write("DELETE FROM jobs WHERE id = ? RETURNING id", [.text(id)])).isEmpty
        forget([id], deleted: true)
        return deleted
    }

    public func recoverInterrupted(maxAttempts: Int, now: Date) async throws(StoreError) -> (requeued: Int, failed: Int)
    {
        let time = SQLiteData.float(now.timeIntervalSince1970)
        cache.withLock { $0.jobs.removeAll() }
        _ = try await write(
            """
            UPDATE jobs SET version = version + 1, state = 'CANCELLED', finished_at = ?, log = coalesce(log, '') || 'Killed.' || char(10)
            WHERE state = 'CANCELLING'
            """, [time])
        let failed = try await write(
            """
            UPDATE jobs SET version = version + 1, state = 'FAILED', failure_reason = 'WORKER_LOST',
              failure_message = 'the server stopped while the job ran, ' || attempts || ' times', finished_at = ?,
              log = coalesce(log, '') || '[ERROR]: the server stopped while this job ran' || char(10)
            WHERE state = 'RUNNING' AND attempts >= ? RETURNING id
            """, [time, .integer(maxAttempts)]
        ).count
        let requeued = try await write(
            "UPDATE jobs SET version = version + 1, state = 'QUEUED', started_at = NULL WHERE state = 'RUNNING' RETURNING id",
            []
        ).count
        return (requeued, failed)
    }

    public func prune(finishedBefore cutoff: Date, tombstoneLog: String) async throws(StoreError) -> [String] {
        let ids = try await write(
            """
            UPDATE jobs SET version = version + 1, state = 'PRUNED', log = ?, result = NULL
            WHERE state IN ('SUCCEEDED', 'FAILED', 'CANCELLED') AND finished_at < ? RETURNING id
            """, [.text(tombstoneLog), .float(cutoff.timeIntervalSince1970)]
        ).compactMap { $0.column("id")?.string }
        forget(ids)
        return ids
    }

    public func idempotentJobID(owner: String, key: String) async throws(StoreError) -> String? {
        try await read("SELECT job_id FROM idempotency WHERE owner = ? AND key = ?", [.text(owner), .text(key)])
            .first?.column("job_id")?.string
    }

    public func rememberIdempotency(owner: String, key: String, jobID: String, now: Date) async throws(StoreError) {
        _ = try await write(
            "INSERT OR IGNORE INTO idempotency (owner, key, job_id, created_at) VALUES (?, ?, ?, ?)",
            [.text(owner), .text(key), .text(jobID), .float(now.timeIntervalSince1970)])
    }

    public func insertToken(_ token: TokenRecord, now: Date) async throws(StoreError) {
        _ = try await write(
            "INSERT OR REPLACE INTO tokens (hash, owner, admin, created_at) VALUES (?, ?, ?, ?)",
            [.text(token.hash), .text(token.owner), .integer(token.isAdmin ? 1 : 0), .float(now.timeIntervalSince1970)])
    }

    public func token(hash: String) async throws(StoreError) -> TokenRecord? {
        guard let row = try await read("SELECT hash, owner, admin FROM tokens WHERE hash = ?", [.text(hash)]).first,
            let owner = row.column("owner")?.string
        else { return nil }
        return TokenRecord(hash: hash, owner: owner, isAdmin: row.column("admin")?.integer == 1)
    }

    public func close() async {
        for connection in readers + [writer] { try? await connection.close() }
    }

    // MARK: plumbing

    private func write(_ sql: String, _ binds: [SQLiteData]) async throws(StoreError) -> [SQLiteRow] {
        do { return try await writer.query(sql, binds) } catch { throw .database("\(error)") }
    }

    private func read(_ sql: String, _ binds: [SQLiteData]) async throws(StoreError) -> [SQLiteRow] {
        let index = nextReader.add(1, ordering: .relaxed).newValue
        do { return try await readers[index % readers.count].query(sql, binds) } catch {
            throw .database("\(error)")
        }
    }

    private static func record(_ row: SQLiteRow) -> JobRecord? {
        guard let id = row.column("id")?.string, let owner = row.column("owner")?.string,
            let state = row.column("state")?.string.flatMap(JobState.init(rawValue:)),
            let created = row.column("created_at")?.double, let sequence = row.column("seq")?.integer
        else { return nil }
        let parameters =
            row.column("parameters")?.string.flatMap {
                try? JSONDecoder().decode(JobParameters.self, from: Data($0.utf8))
            }
            ?? JobParameters()
        return JobRecord(
            id: id, owner: owner, name: row.column("name")?.string ?? "", state: state,
            failureReason: row.column("failure_reason")?.string.flatMap(FailureReason.init(rawValue:)),
            failureMessage: row.column("failure_message")?.string, parameters: parameters,
            modelFileName: row.column("model_file")?.string ?? "",
            propertiesFileName: row.column("props_file")?.string ?? "",
            resultJSON: row.column("result")?.string, log: row.column("log")?.string,
            attempts: row.column("attempts")?.integer ?? 0, createdAt: Date(timeIntervalSince1970: created),
            startedAt: row.column("started_at")?.double.map(Date.init(timeIntervalSince1970:)),
            finishedAt: row.column("finished_at")?.double.map(Date.init(timeIntervalSince1970:)),
            sequence: Int64(sequence), version: Int64(row.column("version")?.integer ?? 0))
    }
}
