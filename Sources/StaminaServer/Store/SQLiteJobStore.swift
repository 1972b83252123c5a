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
        /// Each owner's job ids, newest first (read with the limit beside them), for `/myjobs`.
        var ownerIDs: [String: (limit: Int, ids: [String])] = [:]
        /// Bumped whenever an owner gains or loses a job: a listing read while it changed is not kept.
        var ownerGeneration = 0
    }
    private static let cacheLimit = 20_000

    public static func open(path: String, readers readerCount: Int = 2, logger: Logger) async throws(StoreError)
        -> SQLiteJobStore
    {
        // Connections opened before a failure are closed again: a refused start must not leak them.
        var opened: [SQLiteConnection] = []
        do {
            let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            opened.append(writer)
            for pragma in ["PRAGMA busy_timeout=10000", "PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"] {
                _ = try await writer.query(pragma, [])
            }
            try await checkIntegrity(writer, path: path)
            try await SQLiteMigrations.apply(writer, path: path)
            try await importJobFiles(writer, dataDirectory: URL(fileURLWithPath: path).deletingLastPathComponent().path)
            var readers: [SQLiteConnection] = []
            for _ in 0..<max(1, readerCount) {
                let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                opened.append(reader)
                _ = try await reader.query("PRAGMA busy_timeout=10000", [])
                readers.append(reader)
            }
            return SQLiteJobStore(writer: writer, readers: readers)
        } catch {
            for connection in opened { try? await connection.close() }
            throw classify(error, path: path)
        }
    }

    private static func classify(_ error: any Error, path: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if "\(error)".contains("not a database") || "\(error)".contains("malformed") {
            return .damaged(path: path, problems: "\(error)")
        }
        return .database("\(path): \(error)")
    }

    /// `PRAGMA quick_check` reads every page once (about a second per GB): a damaged store is found
    /// at start, before it answers for jobs it has lost, not when a query trips over the damage.
    private static func checkIntegrity(_ connection: SQLiteConnection, path: String) async throws {
        let rows = try await connection.query("PRAGMA quick_check(20)", [])
        let problems = rows.compactMap { $0.columns.first.flatMap { $0.data.string } }
        guard problems == ["ok"] else {
            throw StoreError.damaged(path: path, problems: problems.joined(separator: "; "))
        }
    }

    /// Jobs from before job data lived in the database have their files in `<data-dir>/jobs/<id>/`:
    /// the inputs and artifacts are read in once (the engine's scratch files there are not), the
    /// directory removed after. A job without inputs is marked with empty ones, so this runs once.
    private static func importJobFiles(_ connection: SQLiteConnection, dataDirectory: String) async throws {
        let rows = try await connection.query(
            "SELECT id FROM jobs WHERE model_text IS NULL AND state != \(JobState.pruned.sql)", [])
        for id in rows.compactMap({ $0.column("id")?.string }) where RandomIdentifier.isJobID(Substring(id)) {
            let directory = JobDirectory(dataDirectory: dataDirectory, id: id)
            _ = try await connection.query(
                "UPDATE jobs SET model_text = ?, props_text = ? WHERE id = ?",
                [
                    .text(JobDirectory.read(directory.model) ?? ""),
                    .text(JobDirectory.read(directory.properties) ?? ""),
                    .text(id),
                ])
            for name in JobDirectory.artifacts.keys {
                guard let path = directory.artifact(name), let data = FileManager.default.contents(atPath: path) else {
                    continue
                }
                _ = try await connection.query(
                    "INSERT OR REPLACE INTO job_artifacts (job_id, name, data) VALUES (?, ?, ?)",
                    [.text(id), .text(name), .blob(ByteBuffer(bytes: data))])
            }
            directory.remove()
        }
    }

    /// A consistent copy of the store at `destination` while servers keep using it (`VACUUM INTO`
    /// reads one snapshot, WAL included), checked before it is reported written.
    public static func backup(path: String, to destination: String, logger: Logger) async throws(StoreError) {
        do {
            let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            _ = try await connection.query("PRAGMA busy_timeout=10000", [])
            do {
                _ = try await connection.query("VACUUM INTO ?", [.text(destination)])
                try await connection.close()
            } catch {
                try? await connection.close()
                throw error
            }
            try await verify(path: destination, logger: logger)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .database("backup of \(path) to \(destination): \(error)")
        }
    }

    /// Checks that `path` is an undamaged store (used by `stamina restore` on the backup).
    public static func verify(path: String, logger: Logger) async throws(StoreError) {
        do {
            let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            do {
                try await checkIntegrity(connection, path: path)
                let tables = try await connection.query(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'jobs'", [])
                try await connection.close()
                if tables.isEmpty { throw StoreError.damaged(path: path, problems: "no jobs table") }
            } catch {
                try? await connection.close()
                throw error
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .damaged(path: path, problems: "\(error)")
        }
    }

    private init(writer: SQLiteConnection, readers: [SQLiteConnection]) {
        self.writer = writer
        self.readers = readers
    }

    private static let columns = """
        seq, id, owner, name, state, failure_reason, failure_message, parameters, model_file, props_file,
        result, log, attempts, created_at, started_at, finished_at, version, worker, lease_until
        """

    // MARK: JobStore

    public func insert(_ job: NewJob, ownerQuota: Int, queuedQuota: Int, systemQuota: Int) async throws(StoreError)
        -> JobRecord
    {
        let parameters = String(decoding: (try? JSONEncoder().encode(job.parameters)) ?? Data("{}".utf8), as: UTF8.self)
        let quotaKey = job.quotaKey ?? job.owner
        let rows = try await write(
            """
            INSERT INTO jobs (
              id, owner, name, state, parameters, model_file, props_file, created_at, quota_key, idempotency_key,
              model_text, props_text)
            SELECT ?1, ?2, ?3, \(JobState.queued.sql), ?4, ?5, ?6, ?7, ?10, ?12, ?13, ?14
            WHERE (SELECT COUNT(*) FROM jobs WHERE quota_key = ?10 AND state IN \(JobState.activeSQL)) < ?8
              AND (SELECT COUNT(*) FROM jobs WHERE quota_key = ?10 AND state = \(JobState.queued.sql)) < ?11
              AND (SELECT COUNT(*) FROM jobs WHERE state IN \(JobState.activeSQL)) < ?9
            ON CONFLICT (owner, idempotency_key) DO NOTHING
            RETURNING \(Self.columns)
            """,
            [
                .text(job.id), .text(job.owner), .text(job.name), .text(parameters), .text(job.modelFileName),
                .text(job.propertiesFileName), .float(job.createdAt.timeIntervalSince1970),
                .integer(ownerQuota), .integer(systemQuota), .text(quotaKey), .integer(queuedQuota),
                job.idempotencyKey.map { .text($0) } ?? .null, .text(job.modelText), .text(job.propertiesText),
            ])
        if let record = rows.first.flatMap(Self.record) {
            remember(record)
            ownerChanged(record.owner)
            return record
        }
        // Nothing inserted: the key was taken (asked of the writer, which has seen every commit) or
        // a quota is full.
        if let key = job.idempotencyKey,
            let existing = try await write(Self.idempotentSelect, [.text(job.owner), .text(key)]).first
                .flatMap(Self.record)
        {
            return existing
        }
        let counts = try await read(
            """
            SELECT COUNT(*) AS active, COALESCE(SUM(state = \(JobState.queued.sql)), 0) AS queued FROM jobs
            WHERE quota_key = ? AND state IN \(JobState.activeSQL)
            """, [.text(quotaKey)]
        ).first
        if counts?.column("active")?.integer ?? 0 >= ownerQuota { throw .ownerQuotaExceeded(limit: ownerQuota) }
        if counts?.column("queued")?.integer ?? 0 >= queuedQuota { throw .queuedQuotaExceeded(limit: queuedQuota) }
        throw .systemQuotaExceeded(limit: systemQuota)
    }

    public func jobIDs(owner: String, limit: Int) async throws(StoreError) -> [String] {
        let (cached, generation) = cache.withLock { ($0.ownerIDs[owner], $0.ownerGeneration) }
        if let cached, cached.limit >= limit || cached.ids.count < cached.limit {
            return Array(cached.ids.prefix(limit))
        }
        let ids = try await read(
            "SELECT id FROM jobs WHERE owner = ? ORDER BY seq DESC LIMIT ?", [.text(owner), .integer(limit)]
        ).compactMap { $0.column("id")?.string }
        cache.withLock { cache in
            guard cache.ownerGeneration == generation else { return }
            if cache.ownerIDs.count >= Self.cacheLimit { cache.ownerIDs.removeAll(keepingCapacity: true) }
            cache.ownerIDs[owner] = (limit, ids)
        }
        return ids
    }

    /// Called after a write that gave `owner` a job or took one away has committed.
    private func ownerChanged(_ owner: String?) {
        cache.withLock { cache in
            cache.ownerGeneration += 1
            if let owner { cache.ownerIDs[owner] = nil } else { cache.ownerIDs.removeAll() }
        }
    }

    private func deleteJobData(where condition: String, _ binds: [SQLiteData]) async throws(StoreError) {
        _ = try await write("DELETE FROM job_events WHERE \(condition)", binds)
        _ = try await write("DELETE FROM job_artifacts WHERE \(condition)", binds)
    }

    public func inputs(id: String) async throws(StoreError) -> JobInputs? {
        guard let row = try await read("SELECT model_text, props_text FROM jobs WHERE id = ?", [.text(id)]).first,
            let model = row.column("model_text")?.string, let properties = row.column("props_text")?.string
        else { return nil }
        return JobInputs(model: model, properties: properties)
    }

    public func appendEvents(id: String, attempt: Int, _ events: [NewJobEvent]) async throws(StoreError) -> Bool {
        guard !events.isEmpty else {
            return !(try await write("SELECT 1 WHERE \(Self.holds)", [.text(id), .integer(attempt)]).isEmpty)
        }
        // A few hundred rows per statement keep far below SQLite's bound-parameter limit.
        for batch in stride(from: 0, to: events.count, by: 400).map({ events[$0..<min($0 + 400, events.count)] }) {
            var binds: [SQLiteData] = [.text(id), .integer(attempt)]
            var values: [String] = []
            for event in batch {
                values.append("(?\(binds.count + 1), ?\(binds.count + 2))")
                binds += [.text(event.kind.rawValue), .text(event.line)]
            }
            let rows = try await write(
                """
                INSERT INTO job_events (job_id, kind, line)
                SELECT ?1, column1, column2 FROM (VALUES \(values.joined(separator: ", "))) WHERE \(Self.holds)
                RETURNING seq
                """, binds)
            if rows.isEmpty { return false }
        }
        return true
    }

    public func events(id: String, after: Int64, limit: Int) async throws(StoreError) -> [JobEvent] {
        try await read(
            "SELECT seq, kind, line FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            [.text(id), .integer(Int(after)), .integer(limit)]
        ).compactMap { row in
            guard let sequence = row.column("seq")?.integer,
                let kind = row.column("kind")?.string.flatMap(JobEvent.Kind.init(rawValue:)),
                let line = row.column("line")?.string
            else { return nil }
            return JobEvent(sequence: Int64(sequence), kind: kind, line: line)
        }
    }

    public func storeArtifact(id: String, attempt: Int, name: String, data: [UInt8]) async throws(StoreError) -> Bool {
        !(try await write(
            """
            INSERT OR REPLACE INTO job_artifacts (job_id, name, data) SELECT ?1, ?3, ?4 WHERE \(Self.holds) RETURNING name
            """, [.text(id), .integer(attempt), .text(name), .blob(ByteBuffer(bytes: data))]
        ).isEmpty)
    }

    public func artifact(id: String, name: String) async throws(StoreError) -> [UInt8]? {
        try await read("SELECT data FROM job_artifacts WHERE job_id = ? AND name = ?", [.text(id), .text(name)])
            .first?.column("data")?.blob.map { Array($0.readableBytesView) }
    }

    public func probeWrite(now: Date) async throws(StoreError) {
        _ = try await write(
            "INSERT OR REPLACE INTO probe (id, at) VALUES (1, ?)", [.float(now.timeIntervalSince1970)])
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

    public func countByState() async throws(StoreError) -> [JobState: Int] {
        var counts: [JobState: Int] = [:]
        for row in try await read("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state", []) {
            if let state = row.column("state")?.string.flatMap(JobState.init(rawValue:)) {
                counts[state] = row.column("n")?.integer ?? 0
            }
        }
        return counts
    }

    public func claimNext(now: Date, worker: String, leaseUntil: Date) async throws(StoreError) -> JobRecord? {
        let record = try await write(
            """
            UPDATE jobs SET version = version + 1, state = \(JobState.running.sql), attempts = attempts + 1,
              started_at = ?, worker = ?, lease_until = ?
            WHERE seq = (SELECT seq FROM jobs WHERE state = \(JobState.queued.sql) ORDER BY seq LIMIT 1)
            RETURNING \(Self.columns)
            """, [.float(now.timeIntervalSince1970), .text(worker), .float(leaseUntil.timeIntervalSince1970)]
        ).first.flatMap(Self.record)
        if let record {
            // What an earlier attempt wrote is not this attempt's.
            _ = try await write("DELETE FROM job_events WHERE job_id = ?", [.text(record.id)])
            _ = try await write("DELETE FROM job_artifacts WHERE job_id = ?", [.text(record.id)])
        }
        remember(record)
        return record
    }

    /// The fence of every worker write: the job runs in this attempt (binds ?1 = id, ?2 = attempt).
    private static let holds = """
        EXISTS (SELECT 1 FROM jobs WHERE id = ?1 AND attempts = ?2 AND state IN \(JobState.sql([.running, .cancelling])))
        """

    public func heartbeat(id: String, attempt: Int, leaseUntil: Date) async throws(StoreError) -> LeaseStatus {
        let rows = try await write(
            """
            UPDATE jobs SET lease_until = ?3
            WHERE id = ?1 AND attempts = ?2 AND state IN \(JobState.sql([.running, .cancelling]))
            RETURNING \(Self.columns)
            """, [.text(id), .integer(attempt), .float(leaseUntil.timeIntervalSince1970)])
        guard let record = rows.first.flatMap(Self.record) else { return .lost }
        remember(record)
        return .held(cancelRequested: record.state == .cancelling)
    }

    public func finish(
        id: String, attempt: Int, state: JobState, reason: FailureReason?, message: String?, resultJSON: String?,
        log: String, now: Date
    ) async throws(StoreError) -> Bool {
        let rows = try await write(
            """
            UPDATE jobs SET version = version + 1, state = ?3, failure_reason = ?4, failure_message = ?5, result = ?6,
              log = ?7, finished_at = ?8, lease_until = NULL
            WHERE id = ?1 AND attempts = ?2 AND state IN \(JobState.sql([.running, .cancelling]))
            RETURNING \(Self.columns)
            """,
            [
                .text(id), .integer(attempt), .text(state.rawValue), reason.map { .text($0.rawValue) } ?? .null,
                message.map { .text($0) } ?? .null, resultJSON.map { .text($0) } ?? .null, .text(log),
                .float(now.timeIntervalSince1970),
            ])
        remember(rows.first.flatMap(Self.record))
        return !rows.isEmpty
    }

    public func requestCancel(id: String, now: Date) async throws(StoreError) -> JobRecord? {
        let queued = JobState.queued.sql
        let rows = try await write(
            """
            UPDATE jobs SET version = version + 1,
              state = CASE state WHEN \(queued) THEN \(JobState.cancelled.sql) ELSE \(JobState.cancelling.sql) END,
              finished_at = CASE state WHEN \(queued) THEN ?2 ELSE finished_at END,
              log = CASE state WHEN \(queued) THEN 'Killed.' || char(10) ELSE log END
            WHERE id = ?1 AND state IN \(JobState.sql([.queued, .running])) RETURNING \(Self.columns)
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
        let rows = try await write("DELETE FROM jobs WHERE id = ? RETURNING owner", [.text(id)])
        try await deleteJobData(where: "job_id = ?", [.text(id)])
        forget([id], deleted: true)
        for row in rows { ownerChanged(row.column("owner")?.string) }
        return !rows.isEmpty
    }

    public func recoverInterrupted(node: String, maxAttempts: Int, now: Date) async throws(StoreError)
        -> (requeued: Int, failed: Int)
    {
        try await recover(node: node, maxAttempts, now)
    }

    public func requeueExpired(maxAttempts: Int, now: Date) async throws(StoreError) -> (requeued: Int, failed: Int) {
        try await recover(node: nil, maxAttempts, now)
    }

    /// Jobs whose worker is gone: held by `node` (restarted) or with a lapsed lease (a NULL `worker =
    /// ?3` is never true, so without a node only leases count).
    private func recover(node: String?, _ maxAttempts: Int, _ now: Date) async throws(StoreError)
        -> (requeued: Int, failed: Int)
    {
        let lost = "(worker = ?3 OR lease_until IS NULL OR lease_until < ?1)"
        let binds: [SQLiteData] = [
            .float(now.timeIntervalSince1970), .integer(maxAttempts), node.map { .text($0) } ?? .null,
        ]
        let cancelled = try await write(
            """
            UPDATE jobs SET version = version + 1, state = \(JobState.cancelled.sql), finished_at = ?1,
              log = coalesce(log, '') || 'Killed.' || char(10), lease_until = NULL
            WHERE state = \(JobState.cancelling.sql) AND \(lost)
            RETURNING \(Self.columns)
            """, binds
        ).compactMap(Self.record)
        let failed = try await write(
            """
            UPDATE jobs SET version = version + 1, state = \(JobState.failed.sql),
              failure_reason = '\(FailureReason.workerLost.rawValue)',
              failure_message = 'the worker was lost while the job ran, ' || attempts || ' times', finished_at = ?1,
              log = coalesce(log, '') || '[ERROR]: the worker running this job was lost' || char(10), lease_until = NULL
            WHERE state = \(JobState.running.sql) AND attempts >= ?2 AND \(lost)
            RETURNING \(Self.columns)
            """, binds
        ).compactMap(Self.record)
        let requeued = try await write(
            """
            UPDATE jobs SET version = version + 1, state = \(JobState.queued.sql), started_at = NULL, worker = NULL,
              lease_until = NULL
            WHERE state = \(JobState.running.sql) AND \(lost)
            RETURNING \(Self.columns)
            """, binds
        ).compactMap(Self.record)
        for record in cancelled + failed + requeued { remember(record) }
        return (requeued.count, failed.count)
    }

    public func prune(finishedBefore cutoff: Date, tombstoneLog: String) async throws(StoreError) -> [String] {
        let ids = try await write(
            """
            UPDATE jobs SET version = version + 1, state = \(JobState.pruned.sql), log = ?, result = NULL
            WHERE state IN \(JobState.finishedSQL) AND finished_at < ? RETURNING id
            """, [.text(tombstoneLog), .float(cutoff.timeIntervalSince1970)]
        ).compactMap { $0.column("id")?.string }
        forget(ids)
        for start in stride(from: 0, to: ids.count, by: 400) {
            let chunk = ids[start..<min(start + 400, ids.count)]
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let binds = chunk.map { SQLiteData.text($0) }
            _ = try await write("UPDATE jobs SET model_text = NULL, props_text = NULL WHERE id IN (\(marks))", binds)
            try await deleteJobData(where: "job_id IN (\(marks))", binds)
        }
        return ids
    }

    private static let idempotentSelect = "SELECT \(columns) FROM jobs WHERE owner = ? AND idempotency_key = ?"

    public func job(owner: String, idempotencyKey: String) async throws(StoreError) -> JobRecord? {
        try await read(Self.idempotentSelect, [.text(owner), .text(idempotencyKey)]).first.flatMap(Self.record)
    }

    public func insertToken(_ token: TokenRecord, now: Date) async throws(StoreError) {
        _ = try await write(
            "INSERT OR REPLACE INTO tokens (hash, owner, admin, created_at, anonymous) VALUES (?, ?, ?, ?, ?)",
            [
                .text(token.hash), .text(token.owner), .integer(token.isAdmin ? 1 : 0),
                .float(now.timeIntervalSince1970), .integer(token.isAnonymous ? 1 : 0),
            ])
    }

    public func token(hash: String) async throws(StoreError) -> TokenRecord? {
        guard
            let row = try await read(
                "SELECT hash, owner, admin, anonymous FROM tokens WHERE hash = ?", [.text(hash)]
            ).first,
            let owner = row.column("owner")?.string
        else { return nil }
        return TokenRecord(
            hash: hash, owner: owner, isAdmin: row.column("admin")?.integer == 1,
            isAnonymous: row.column("anonymous")?.integer == 1)
    }

    public func pruneAnonymousTokens() async throws(StoreError) -> [String] {
        try await write(
            """
            DELETE FROM tokens WHERE anonymous = 1
              AND NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.owner = tokens.owner AND jobs.state != \(JobState.pruned.sql))
            RETURNING hash
            """, []
        ).compactMap { $0.column("hash")?.string }
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
            sequence: Int64(sequence), version: Int64(row.column("version")?.integer ?? 0),
            worker: row.column("worker")?.string,
            leaseExpiresAt: row.column("lease_until")?.double.map(Date.init(timeIntervalSince1970:)))
    }
}
