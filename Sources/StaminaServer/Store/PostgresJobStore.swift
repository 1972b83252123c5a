import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The shared store for several nodes: one PostgreSQL database reached through a connection pool
/// (`PostgresClient`, whose `run()` this store drives in a task of its own until `close()`). Every
/// racing state change is one statement; claims lock the row they take with `FOR UPDATE SKIP
/// LOCKED`, so concurrent workers on any node never take one job twice nor wait for each other.
/// Nothing is cached here: a node keeps its copies of job rows in `CachingJobStore`, which
/// `jobChanges` tells of every change. Every call has a time limit (`queryTimeLimit`), so a
/// database that went away costs a caller a few seconds and a clear `StoreError.unavailable`.
public final class PostgresJobStore: JobStore {
    let client: PostgresClient
    private let runTask: Task<Void, Never>
    let logger: Logger
    private let name: String
    /// When the database last answered a call of this store (or the listener's query): while
    /// that was moments ago, a slow call is the database being busy, not gone.
    private let lastAnswer = LastAnswer()

    /// Key of the advisory lock that serialises inserts (see `insert`).
    static let insertLockKey: Int64 = 0x5354_414D_0002
    /// The LISTEN/NOTIFY channel of cancels (see `cancelRequests`).
    static let cancelChannel = "stamina_cancel"
    /// Key of the advisory lock that lets one node prune at a time (see `prune`).
    static let pruneLockKey: Int64 = 0x5354_414D_0003

    public static func open(url: DatabaseURL, maximumConnections: Int = 20, logger: Logger) async throws(StoreError)
        -> PostgresJobStore
    {
        let configuration: PostgresClient.Configuration
        let single: PostgresConnection.Configuration
        do {
            configuration = try url.clientConfiguration()
            single = try url.connectionConfiguration()
        } catch {
            throw .database(error.description)
        }
        // Migrations on one connection of their own: a wrong password or an unreachable host is
        // reported now instead of the pool retrying it in the background for ever.
        do {
            let connection = try await PostgresConnection.connect(configuration: single, id: 0, logger: logger)
            do {
                try await PostgresMigrations.apply(connection, database: url.redacted, logger: logger)
                try await connection.close()
            } catch {
                try? await connection.close()
                throw error
            }
        } catch {
            throw Self.classify(error, database: url.redacted)
        }
        var pooled = configuration
        pooled.options.maximumConnections = max(1, maximumConnections)
        pooled.options.additionalStartupParameters = [("application_name", "stamina")]
        let client = PostgresClient(configuration: pooled, backgroundLogger: logger)
        let runTask = Task { await client.run() }
        return PostgresJobStore(client: client, runTask: runTask, logger: logger, name: url.redacted)
    }

    private init(client: PostgresClient, runTask: Task<Void, Never>, logger: Logger, name: String) {
        self.client = client
        self.runTask = runTask
        self.logger = logger
        self.name = name
    }

    /// postgres-nio hides the server's message from `description` (it might hold data); the message
    /// and SQLSTATE are what an operator needs, and they hold no bound values.
    static func classify(_ error: any Error, database: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if error is StoreDeadline.Expired { return .unavailable("\(database): no answer within the time limit") }
        if let error = error as? PSQLError, isConnectionLoss(error) {
            let message = error.serverInfo?[.message].map { ": \($0)" } ?? ""
            return .unavailable("\(database): the connection failed (\(error.code)\(message))")
        }
        // The pool's circuit breaker: no connection could be made for a while.
        if "\(type(of: error))" == "ConnectionPoolError" { return .unavailable("\(database): \(error)") }
        if let error = error as? PostgresTransactionError {
            if let inner = error.closureError ?? error.beginError ?? error.commitError {
                return classify(inner, database: database)
            }
        }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return .database("\(database): \(message)\(state)")
            }
            let underlying = error.underlying.map { ": \($0)" } ?? ""
            return .database("\(database): \(error.code)\(underlying)")
        }
        return .database("\(database): \(error)")
    }

    /// The server is unreachable, shutting down or refusing connections (SQLSTATE classes 08 and
    /// 57P), as opposed to a statement it refused.
    static func isConnectionLoss(_ error: PSQLError) -> Bool {
        if let state = error.serverInfo?[.sqlState] { return state.hasPrefix("08") || state.hasPrefix("57P") }
        return [.connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown].contains(
            error.code)
    }

    /// How long one call may take before its caller gets `StoreError.unavailable` (see
    /// `StoreDeadline`), unless the database answered another call within the last 3 s (then up
    /// to `busyTimeLimit`); `/readyz`'s probe waits less, a pruning pass more.
    static let queryTimeLimit: Duration = .seconds(5)
    static let probeTimeLimit: Duration = .seconds(2)
    static let pruneTimeLimit: Duration = .seconds(60)
    /// How long a call may wait while the database keeps answering others (busy, not gone).
    static let busyTimeLimit: Duration = .seconds(60)

    // MARK: JobStore

    private static let columns = """
        seq, id, owner, name, state, failure_reason, failure_message, parameters, model_file, props_file,
        result, log, attempts, created_at, started_at, finished_at, version, worker, lease_until
        """

    /// The counts and the insert are one statement, but under READ COMMITTED two such statements on
    /// two nodes could each count before the other's row commits and both insert past the quota.
    /// So every insert first takes one transaction-scoped advisory lock: inserts (from all nodes)
    /// run one at a time, and the statement after the lock sees every insert committed before it.
    /// One global lock and not one per quota key, because the system quota spans every key.
    public func insert(_ job: NewJob, ownerQuota: Int, queuedQuota: Int, systemQuota: Int) async throws(StoreError)
        -> JobRecord
    {
        let parameters = String(decoding: (try? JSONEncoder().encode(job.parameters)) ?? Data("{}".utf8), as: UTF8.self)
        let quotaKey = job.quotaKey ?? job.owner
        let created = job.createdAt.timeIntervalSince1970
        let logger = self.logger
        let inserted: JobRecord? = try await run { client in
            try await client.withTransaction(logger: logger) { connection in
                _ = try await connection.query("SELECT pg_advisory_xact_lock(\(Self.insertLockKey))", logger: logger)
                let rows = try await connection.query(
                    """
                    INSERT INTO jobs (
                      id, owner, name, state, parameters, model_file, props_file, created_at, quota_key, idempotency_key,
                      model_text, props_text)
                    SELECT \(job.id), \(job.owner), \(job.name), \(unescaped: JobState.queued.sql), \(parameters),
                      \(job.modelFileName), \(job.propertiesFileName), \(created), \(quotaKey), \(job.idempotencyKey),
                      \(job.modelText), \(job.propertiesText)
                    WHERE (SELECT COUNT(*) FROM jobs WHERE quota_key = \(quotaKey)
                             AND state IN \(unescaped: JobState.activeSQL)) < \(ownerQuota)
                      AND (SELECT COUNT(*) FROM jobs WHERE quota_key = \(quotaKey)
                             AND state = \(unescaped: JobState.queued.sql)) < \(queuedQuota)
                      AND (SELECT COUNT(*) FROM jobs WHERE state IN \(unescaped: JobState.activeSQL)) < \(systemQuota)
                    ON CONFLICT (owner, idempotency_key) DO NOTHING
                    RETURNING \(unescaped: Self.columns)
                    """, logger: logger)
                let record = try await Self.records(rows).first
                // Delivered when the row commits: idle workers on every node claim it at once.
                if record != nil {
                    _ = try await connection.query("SELECT pg_notify(\(Self.queuedChannel), '')", logger: logger)
                }
                return record
            }
        }
        if let inserted { return inserted }
        // Nothing inserted: the key was taken, or a quota is full.
        if let key = job.idempotencyKey, let existing = try await self.job(owner: job.owner, idempotencyKey: key) {
            return existing
        }
        let counts = try await run { client in
            let rows = try await client.query(
                """
                SELECT COUNT(*), COUNT(*) FILTER (WHERE state = \(unescaped: JobState.queued.sql)) FROM jobs
                WHERE quota_key = \(quotaKey) AND state IN \(unescaped: JobState.activeSQL)
                """, logger: logger)
            for try await (active, queued) in rows.decode((Int, Int).self) { return (active, queued) }
            return (0, 0)
        }
        if counts.0 >= ownerQuota { throw .ownerQuotaExceeded(limit: ownerQuota) }
        if counts.1 >= queuedQuota { throw .queuedQuotaExceeded(limit: queuedQuota) }
        throw .systemQuotaExceeded(limit: systemQuota)
    }

    public func job(id: String) async throws(StoreError) -> JobRecord? {
        try await records("SELECT \(unescaped: Self.columns) FROM jobs WHERE id = \(id)").first
    }

    public func jobs(owner: String?, state: JobState?, before: Int64?, limit: Int) async throws(StoreError)
        -> [JobRecord]
    {
        // NULL parameters switch a condition off, so one statement text serves every filter.
        try await records(
            """
            SELECT \(unescaped: Self.columns) FROM jobs
            WHERE (\(owner)::TEXT IS NULL OR owner = \(owner))
              AND (\(state?.rawValue)::TEXT IS NULL OR state = \(state?.rawValue))
              AND (\(before)::BIGINT IS NULL OR seq < \(before))
            ORDER BY seq DESC LIMIT \(limit)
            """)
    }

    public func countByState() async throws(StoreError) -> [JobState: Int] {
        let logger = self.logger
        return try await run { client in
            var counts: [JobState: Int] = [:]
            let rows = try await client.query("SELECT state, COUNT(*) FROM jobs GROUP BY state", logger: logger)
            for try await (state, count) in rows.decode((String, Int).self) {
                if let state = JobState(rawValue: state) { counts[state] = count }
            }
            return counts
        }
    }

    public func requestCancel(id: String, now: Date) async throws(StoreError) -> JobRecord? {
        let queued = JobState.queued.sql
        let changed = try await records(
            """
            UPDATE jobs SET version = version + 1,
              state = CASE state WHEN \(unescaped: queued) THEN \(unescaped: JobState.cancelled.sql)
                ELSE \(unescaped: JobState.cancelling.sql) END,
              finished_at = CASE state WHEN \(unescaped: queued) THEN \(now.timeIntervalSince1970)
                ELSE finished_at END,
              log = CASE state WHEN \(unescaped: queued) THEN E'Killed.\\n' ELSE log END
            WHERE id = \(id) AND state IN \(unescaped: JobState.sql([.queued, .running]))
            RETURNING \(unescaped: Self.columns)
            """
        ).first
        if let changed {
            // Workers on every node hear it at once (their polling is the fallback).
            if changed.state == .cancelling {
                _ = try await strings("SELECT 'sent' FROM (SELECT pg_notify(\(Self.cancelChannel), \(id))) AS n")
            }
            return changed
        }
        return try await job(id: id)
    }

    public func rename(id: String, name: String) async throws(StoreError) -> JobRecord? {
        try await records(
            "UPDATE jobs SET version = version + 1, name = \(name) WHERE id = \(id) RETURNING \(unescaped: Self.columns)"
        ).first
    }

    public func delete(id: String) async throws(StoreError) -> Bool {
        try await !strings("DELETE FROM jobs WHERE id = \(id) RETURNING id").isEmpty
    }

    public func claimNext(now: Date, worker: String, leaseUntil: Date) async throws(StoreError) -> JobRecord? {
        // The claim and the removal of an earlier attempt's events and outputs are one statement.
        try await records(
            """
            WITH claimed AS (
              UPDATE jobs SET version = version + 1, state = \(unescaped: JobState.running.sql),
                attempts = attempts + 1, started_at = \(now.timeIntervalSince1970), worker = \(worker),
                lease_until = \(leaseUntil.timeIntervalSince1970)
              WHERE seq = (
                SELECT seq FROM jobs WHERE state = \(unescaped: JobState.queued.sql) ORDER BY seq LIMIT 1
                FOR UPDATE SKIP LOCKED)
              RETURNING \(unescaped: Self.columns)),
            events AS (DELETE FROM job_events WHERE job_id IN (SELECT id FROM claimed)),
            artifacts AS (DELETE FROM job_artifacts WHERE job_id IN (SELECT id FROM claimed))
            SELECT * FROM claimed
            """
        ).first
    }

    public func heartbeat(id: String, attempt: Int, leaseUntil: Date) async throws(StoreError) -> LeaseStatus {
        let states = try await strings(
            """
            UPDATE jobs SET lease_until = \(leaseUntil.timeIntervalSince1970)
            WHERE id = \(id) AND attempts = \(attempt) AND state IN \(unescaped: JobState.sql([.running, .cancelling]))
            RETURNING state
            """)
        guard let state = states.first else { return .lost }
        return .held(cancelRequested: state == JobState.cancelling.rawValue)
    }

    public func finish(
        id: String, attempt: Int, state: JobState, reason: FailureReason?, message: String?, resultJSON: String?,
        log: String, now: Date
    ) async throws(StoreError) -> Bool {
        try await !records(
            """
            UPDATE jobs SET version = version + 1, state = \(state.rawValue), failure_reason = \(reason?.rawValue),
              failure_message = \(message), result = \(resultJSON), log = \(log),
              finished_at = \(now.timeIntervalSince1970), lease_until = NULL
            WHERE id = \(id) AND attempts = \(attempt) AND state IN \(unescaped: JobState.sql([.running, .cancelling]))
            RETURNING \(unescaped: Self.columns)
            """
        ).isEmpty
    }

    public func recoverInterrupted(node: String, maxAttempts: Int, now: Date) async throws(StoreError)
        -> (requeued: Int, failed: Int)
    {
        try await recover(node: node, maxAttempts: maxAttempts, now: now)
    }

    public func requeueExpired(maxAttempts: Int, now: Date) async throws(StoreError) -> (requeued: Int, failed: Int) {
        try await recover(node: nil, maxAttempts: maxAttempts, now: now)
    }

    /// Jobs whose worker is gone: held by `node` (restarting) or with a lapsed lease. Sweepers on
    /// several nodes may run this at once: each UPDATE re-checks a row after locking it, so a job is
    /// recovered once.
    private func recover(node: String?, maxAttempts: Int, now: Date) async throws(StoreError)
        -> (requeued: Int, failed: Int)
    {
        let time = now.timeIntervalSince1970
        _ = try await strings(
            """
            UPDATE jobs SET version = version + 1, state = \(unescaped: JobState.cancelled.sql), finished_at = \(time),
              log = COALESCE(log, '') || E'Killed.\\n', lease_until = NULL
            WHERE state = \(unescaped: JobState.cancelling.sql)
              AND (worker = \(node) OR lease_until IS NULL OR lease_until < \(time))
            RETURNING id
            """)
        let failed = try await strings(
            """
            UPDATE jobs SET version = version + 1, state = \(unescaped: JobState.failed.sql),
              failure_reason = '\(unescaped: FailureReason.workerLost.rawValue)',
              failure_message = 'the worker was lost while the job ran, ' || attempts || ' times',
              finished_at = \(time),
              log = COALESCE(log, '') || E'[ERROR]: the worker running this job was lost\\n', lease_until = NULL
            WHERE state = \(unescaped: JobState.running.sql) AND attempts >= \(maxAttempts)
              AND (worker = \(node) OR lease_until IS NULL OR lease_until < \(time))
            RETURNING id
            """
        ).count
        let requeued = try await strings(
            """
            UPDATE jobs SET version = version + 1, state = \(unescaped: JobState.queued.sql), started_at = NULL,
              worker = NULL, lease_until = NULL
            WHERE state = \(unescaped: JobState.running.sql)
              AND (worker = \(node) OR lease_until IS NULL OR lease_until < \(time))
            RETURNING id
            """
        ).count
        return (requeued, failed)
    }

    /// One node prunes at a time: the pass holds a transaction-level advisory lock, and a node that
    /// finds it taken skips its pass (the other node is doing the same work).
    public func prune(finishedBefore cutoff: Date, tombstoneLog: String) async throws(StoreError) -> [String] {
        let logger = self.logger
        return try await run(limit: Self.pruneTimeLimit) { client in
            try await client.withTransaction(logger: logger) { connection in
                let locked = try await connection.query(
                    "SELECT pg_try_advisory_xact_lock(\(Self.pruneLockKey))", logger: logger)
                for try await (taken) in locked.decode(Bool.self) where !taken { return [] }
                var ids: [String] = []
                let rows = try await connection.query(
                    """
                    UPDATE jobs SET version = version + 1, state = \(unescaped: JobState.pruned.sql),
                      log = \(tombstoneLog), result = NULL, model_text = NULL, props_text = NULL
                    WHERE state IN \(unescaped: JobState.finishedSQL) AND finished_at < \(cutoff.timeIntervalSince1970)
                    RETURNING id
                    """, logger: logger)
                for try await (id) in rows.decode(String.self) { ids.append(id) }
                if !ids.isEmpty {
                    _ = try await connection.query("DELETE FROM job_events WHERE job_id = ANY(\(ids))", logger: logger)
                    _ = try await connection.query(
                        "DELETE FROM job_artifacts WHERE job_id = ANY(\(ids))", logger: logger)
                }
                return ids
            }
        }
    }

    public func inputs(id: String) async throws(StoreError) -> JobInputs? {
        let logger = self.logger
        return try await run { client in
            let rows = try await client.query(
                "SELECT model_text, props_text FROM jobs WHERE id = \(id)", logger: logger)
            for try await (model, properties) in rows.decode((String?, String?).self) {
                guard let model, let properties else { return nil }
                return JobInputs(model: model, properties: properties)
            }
            return nil
        }
    }

    /// The fence of every worker write: the job row in this attempt, locked FOR SHARE so that a
    /// requeue (and the next claim's removal of this attempt's data) waits for the write to commit.
    private static func holds(_ id: String, _ attempt: Int) -> PostgresQuery {
        """
        SELECT 1 FROM jobs WHERE id = \(id) AND attempts = \(attempt)
          AND state IN \(unescaped: JobState.sql([.running, .cancelling])) FOR SHARE
        """
    }

    public func appendEvents(id: String, attempt: Int, _ events: [NewJobEvent]) async throws(StoreError) -> Bool {
        let kinds = events.map(\.kind.rawValue)
        let lines = events.map(\.line)
        return try await !strings(
            """
            WITH fence AS (
              SELECT 1 FROM jobs WHERE id = \(id) AND attempts = \(attempt)
                AND state IN \(unescaped: JobState.sql([.running, .cancelling])) FOR SHARE),
            added AS (
              INSERT INTO job_events (job_id, kind, line)
              SELECT \(id), kind, line FROM unnest(\(kinds)::TEXT[], \(lines)::TEXT[]) WITH ORDINALITY AS e(kind, line, n)
              WHERE EXISTS (SELECT 1 FROM fence) ORDER BY n
              RETURNING 1)
            SELECT 'held' FROM fence
            """
        ).isEmpty
    }

    public func events(id: String, after: Int64, limit: Int) async throws(StoreError) -> [JobEvent] {
        let logger = self.logger
        return try await run { client in
            let rows = try await client.query(
                "SELECT seq, kind, line FROM job_events WHERE job_id = \(id) AND seq > \(after) ORDER BY seq LIMIT \(limit)",
                logger: logger)
            var events: [JobEvent] = []
            for try await (sequence, kind, line) in rows.decode((Int64, String, String).self) {
                guard let kind = JobEvent.Kind(rawValue: kind) else { continue }
                events.append(JobEvent(sequence: sequence, kind: kind, line: line))
            }
            return events
        }
    }

    public func storeArtifact(id: String, attempt: Int, name: String, data: [UInt8]) async throws(StoreError) -> Bool {
        let bytes = ByteBuffer(bytes: data)
        return try await !strings(
            """
            WITH fence AS (
              SELECT 1 FROM jobs WHERE id = \(id) AND attempts = \(attempt)
                AND state IN \(unescaped: JobState.sql([.running, .cancelling])) FOR SHARE)
            INSERT INTO job_artifacts (job_id, name, data) SELECT \(id), \(name), \(bytes) FROM fence
            ON CONFLICT (job_id, name) DO UPDATE SET data = EXCLUDED.data
            RETURNING name
            """
        ).isEmpty
    }

    public func artifact(id: String, name: String) async throws(StoreError) -> [UInt8]? {
        let logger = self.logger
        return try await run { client in
            let rows = try await client.query(
                "SELECT data FROM job_artifacts WHERE job_id = \(id) AND name = \(name)", logger: logger)
            for try await (data) in rows.decode(ByteBuffer.self) { return Array(data.readableBytesView) }
            return nil
        }
    }

    /// Cancels asked on any node, as PostgreSQL notifies them (`requestCancel` sends one on the
    /// channel `stamina_cancel`). The listening connection is taken from the pool and given back
    /// when the consumer stops; after an error it listens again a second later.
    public func cancelRequests() async -> AsyncStream<String>? {
        notifications(on: Self.cancelChannel, purpose: "cancels") { $0 }
    }

    /// The payloads PostgreSQL notifies on `channel`, on a connection taken from the pool and
    /// given back when the consumer stops; after an error it listens again a second later (the
    /// callers' polling covers the gap).
    func notifications<Element: Sendable>(
        on channel: String, purpose: String,
        bufferingPolicy: AsyncStream<Element>.Continuation.BufferingPolicy = .unbounded,
        _ element: @escaping @Sendable (String) -> Element
    ) -> AsyncStream<Element> {
        let (stream, continuation) = AsyncStream.makeStream(of: Element.self, bufferingPolicy: bufferingPolicy)
        let client = self.client
        let logger = self.logger
        let listener = Task {
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: channel) { notifications in
                            for try await notification in notifications {
                                continuation.yield(element(notification.payload))
                            }
                        }
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.notice("listening for \(purpose) failed; polling covers it", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(1))
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in listener.cancel() }
        return stream
    }

    /// The channels the triggers of schema version 3 notify (see `JobChange`): a job's row changed
    /// its version or went; progress lines were appended to a job.
    static let jobChannel = "stamina_job"
    static let jobEventsChannel = "stamina_job_events"

    /// Changes made on any node, as the triggers notify them, on one pooled connection that listens
    /// on both channels. After a failure it reports `.lost` and listens again a second later.
    public func jobChanges() async -> AsyncStream<JobChange> {
        let (stream, continuation) = AsyncStream.makeStream(of: JobChange.self)
        let client = self.client
        let logger = self.logger
        let lastAnswer = self.lastAnswer
        let listener = Task {
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await Self.listenForChanges(on: connection, logger: logger, answered: lastAnswer) {
                            continuation.yield($0)
                        }
                    }
                } catch {
                    if !Task.isCancelled {
                        logger.notice(
                            "listening for job changes failed; reads skip the cache until it listens again",
                            metadata: ["error": "\(Self.classify(error, database: ""))"])
                    }
                }
                continuation.yield(.lost)
                try? await Task.sleep(for: .seconds(1))
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in listener.cancel() }
        return stream
    }

    /// When a connection last answered.
    final class LastAnswer: Sendable {
        private let instant = Mutex(ContinuousClock.now)
        func now() { instant.withLock { $0 = .now } }
        var silence: Duration { instant.withLock { $0 }.duration(to: .now) }
    }

    /// How long the listening connection may go without answering before it is given up.
    static let listenerSilenceLimit: Duration = .seconds(3)

    /// Listens on both channels until the connection fails. It asks the connection a trivial query
    /// every second and closes it once no answer came for `listenerSilenceLimit`: over a silent
    /// network a dead connection looks like a quiet database, and the node would keep stale copies.
    static func listenForChanges(
        on connection: PostgresConnection, logger: Logger, answered store: LastAnswer,
        report: @escaping @Sendable (JobChange) -> Void
    ) async throws {
        let answered = LastAnswer()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while true {
                    try await Task.sleep(for: .milliseconds(250))
                    if answered.silence > listenerSilenceLimit {
                        try? await connection.close()
                        throw StoreError.unavailable("the listening connection did not answer for 3 s")
                    }
                }
            }
            group.addTask {
                try await connection.listen(on: jobChannel) { jobs in
                    try await connection.listen(on: jobEventsChannel) { events in
                        answered.now()
                        report(.listening)
                        try await withThrowingTaskGroup(of: Void.self) { streams in
                            streams.addTask { for try await change in jobs { report(.job(change.payload)) } }
                            streams.addTask { for try await change in events { report(.events(change.payload)) } }
                            streams.addTask {
                                while true {
                                    try await Task.sleep(for: .seconds(1))
                                    for try await _ in try await connection.query("SELECT 1", logger: logger) {}
                                    answered.now()
                                    store.now()
                                }
                            }
                            // Any of them ending ends the listening.
                            try await streams.next()
                            streams.cancelAll()
                        }
                    }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    public func job(owner: String, idempotencyKey: String) async throws(StoreError) -> JobRecord? {
        try await records(
            "SELECT \(unescaped: Self.columns) FROM jobs WHERE owner = \(owner) AND idempotency_key = \(idempotencyKey)"
        ).first
    }

    public func insertToken(_ token: TokenRecord, now: Date) async throws(StoreError) {
        _ = try await strings(
            """
            INSERT INTO tokens (hash, owner, admin, created_at, anonymous)
            VALUES (\(token.hash), \(token.owner), \(token.isAdmin), \(now.timeIntervalSince1970), \(token.isAnonymous))
            ON CONFLICT (hash) DO UPDATE SET owner = EXCLUDED.owner, admin = EXCLUDED.admin,
              created_at = EXCLUDED.created_at, anonymous = EXCLUDED.anonymous
            RETURNING hash
            """)
    }

    public func token(hash: String) async throws(StoreError) -> TokenRecord? {
        let logger = self.logger
        return try await run { client in
            let rows = try await client.query(
                "SELECT owner, admin, anonymous FROM tokens WHERE hash = \(hash)", logger: logger)
            for try await (owner, admin, anonymous) in rows.decode((String, Bool, Bool).self) {
                return TokenRecord(hash: hash, owner: owner, isAdmin: admin, isAnonymous: anonymous)
            }
            return nil
        }
    }

    public func pruneAnonymousTokens() async throws(StoreError) -> [String] {
        try await strings(
            """
            DELETE FROM tokens WHERE anonymous
              AND NOT EXISTS (
                SELECT 1 FROM jobs WHERE jobs.owner = tokens.owner AND jobs.state != \(unescaped: JobState.pruned.sql))
            RETURNING hash
            """)
    }

    public func jobIDs(owner: String, limit: Int) async throws(StoreError) -> [String] {
        try await strings("SELECT id FROM jobs WHERE owner = \(owner) ORDER BY seq DESC LIMIT \(limit)")
    }

    public func probeWrite(now: Date) async throws(StoreError) {
        _ = try await strings(
            """
            INSERT INTO probe (id, at) VALUES (1, \(now.timeIntervalSince1970))
            ON CONFLICT (id) DO UPDATE SET at = EXCLUDED.at RETURNING 'ok'
            """, limit: Self.probeTimeLimit)
    }

    public func close() async {
        runTask.cancel()
        await runTask.value
    }

    // MARK: plumbing

    private func run<Result: Sendable>(
        limit: Duration = PostgresJobStore.queryTimeLimit,
        _ body: @escaping @Sendable (PostgresClient) async throws -> Result
    ) async throws(StoreError) -> Result {
        let client = self.client
        let lastAnswer = self.lastAnswer
        do {
            let result = try await StoreDeadline.run(
                limit, hardLimit: max(limit, Self.busyTimeLimit),
                isAnswering: { lastAnswer.silence < Self.listenerSilenceLimit }
            ) { try await body(client) }
            lastAnswer.now()
            return result
        } catch {
            throw Self.classify(error, database: name)
        }
    }

    private func records(_ query: PostgresQuery) async throws(StoreError) -> [JobRecord] {
        let logger = self.logger
        return try await run { client in try await Self.records(client.query(query, logger: logger)) }
    }

    /// The first column of every row, as text.
    private func strings(_ query: PostgresQuery, limit: Duration = PostgresJobStore.queryTimeLimit)
        async throws(StoreError) -> [String]
    {
        let logger = self.logger
        return try await run(limit: limit) { client in
            var values: [String] = []
            for try await (value) in try await client.query(query, logger: logger).decode(String.self) {
                values.append(value)
            }
            return values
        }
    }

    private static func records(_ rows: PostgresRowSequence) async throws -> [JobRecord] {
        var records: [JobRecord] = []
        for try await row in rows {
            let cells = row.makeRandomAccess()
            // A state this release does not know (a newer node wrote it) is left out, as SQLite does.
            guard let state = JobState(rawValue: try cells["state"].decode(String.self)) else { continue }
            let parameters =
                (try? cells["parameters"].decode(String.self)).flatMap {
                    try? JSONDecoder().decode(JobParameters.self, from: Data($0.utf8))
                } ?? JobParameters()
            records.append(
                JobRecord(
                    id: try cells["id"].decode(String.self), owner: try cells["owner"].decode(String.self),
                    name: try cells["name"].decode(String.self),
                    state: state,
                    failureReason: try cells["failure_reason"].decode(String?.self).flatMap(FailureReason.init),
                    failureMessage: try cells["failure_message"].decode(String?.self), parameters: parameters,
                    modelFileName: try cells["model_file"].decode(String.self),
                    propertiesFileName: try cells["props_file"].decode(String.self),
                    resultJSON: try cells["result"].decode(String?.self), log: try cells["log"].decode(String?.self),
                    attempts: try cells["attempts"].decode(Int.self),
                    createdAt: Date(timeIntervalSince1970: try cells["created_at"].decode(Double.self)),
                    startedAt: try cells["started_at"].decode(Double?.self).map(Date.init(timeIntervalSince1970:)),
                    finishedAt: try cells["finished_at"].decode(Double?.self).map(Date.init(timeIntervalSince1970:)),
                    sequence: try cells["seq"].decode(Int64.self), version: try cells["version"].decode(Int64.self),
                    worker: try cells["worker"].decode(String?.self),
                    leaseExpiresAt: try cells["lease_until"].decode(Double?.self).map(Date.init(timeIntervalSince1970:))
                ))
        }
        return records
    }
}
