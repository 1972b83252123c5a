import EngineContract
import Foundation
import Logging

/// What both APIs do with jobs: submit (validate, store the files, insert under quotas, wake a
/// worker), look up, list, cancel, delete, rename, read the log. It takes domain values
/// (`JobSubmission`, `Caller`) and throws `JobServiceError`; the controllers translate HTTP to and from it and reach the store and the workers only through it.
final class JobService: Sendable {
    private let store: any JobStore
    private let runner: JobRunner
    let validator: any ModelValidator
    let configuration: ServerConfiguration
    let metrics: ServerMetrics
    let logger: Logger

    init(
        store: any JobStore, runner: JobRunner, validator: any ModelValidator, configuration: ServerConfiguration,
        metrics: ServerMetrics, logger: Logger
    ) {
        self.store = store
        self.runner = runner
        self.validator = validator
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    // MARK: submission

    /// Names are shown in pages, logs and terminals: a control character (a NUL that SQLite or a C
    /// string would cut the name at, an escape sequence, a newline) is refused, never silently dropped.
    static func checkName(_ name: String, what: String) throws(JobServiceError) {
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .controlCharacter(what: what)
        }
    }

    func submit(_ submission: JobSubmission) async throws(JobServiceError) -> JobRecord {
        if let name = submission.name { try Self.checkName(name, what: "job name") }
        try Self.checkName(submission.model.name, what: "model file name")
        try Self.checkName(submission.properties.name, what: "properties file name")
        let diagnostics: [ModelDiagnostic]
        do {
            diagnostics = try await validator.validate(
                model: SourceFile(name: submission.model.name, text: submission.model.text),
                properties: SourceFile(name: submission.properties.name, text: submission.properties.text),
                constants: submission.parameters.constants)
        } catch {
            throw .checksBusy(error.description)
        }
        if !diagnostics.isEmpty {
            metrics.submissionRefused()
            throw .invalidModel(diagnostics)
        }
        let id = RandomIdentifier.jobID()
        let job = NewJob(
            id: id, owner: submission.owner,
            name: String((submission.name ?? submission.model.name).prefix(255)),
            parameters: submission.parameters, modelFileName: submission.model.name,
            propertiesFileName: submission.properties.name, createdAt: Date(), quotaKey: submission.quotaKey,
            idempotencyKey: submission.idempotencyKey, modelText: submission.model.text,
            propertiesText: submission.properties.text)
        do {
            let record = try await store.insert(
                job, ownerQuota: configuration.activeJobsPerOwner, queuedQuota: configuration.queuedJobsPerOwner,
                systemQuota: configuration.jobsInSystem)
            // The owner's earlier job with this idempotency key: this submission made nothing new.
            guard record.id == id else { return record }
            metrics.jobSubmitted()
            runner.wake()
            return record
        } catch {
            metrics.submissionRefused()
            throw .store(error)
        }
    }

    /// The owner's job submitted earlier with this `Idempotency-Key`: a retry is answered with it
    /// before its body is read (concurrent first tries are settled by the store's insert).
    func earlierSubmission(owner: String, idempotencyKey: String) async throws(JobServiceError) -> JobRecord? {
        do { return try await store.job(owner: owner, idempotencyKey: idempotencyKey) } catch { throw .store(error) }
    }

    // MARK: ownership

    /// The one ownership-aware lookup: the job with this id if `caller` may see it, else nil (an
    /// unknown id, a malformed id and another owner's job look the same to the caller).
    func visibleJob(id: String, caller: Caller) async throws(JobServiceError) -> JobRecord? {
        guard RandomIdentifier.isJobID(Substring(id)) else { return nil }
        let job: JobRecord?
        do { job = try await store.job(id: id) } catch { throw .store(error) }
        guard let job, caller.canSee(job) else { return nil }
        return job
    }

    /// The job as it is now, for a caller who was already shown it (the event stream's polls);
    /// nil once it is deleted.
    func current(_ job: JobRecord) async throws(JobServiceError) -> JobRecord? {
        do { return try await store.job(id: job.id) } catch { throw .store(error) }
    }

    /// Wakes an event stream when its job changes on any node; nil where the store reports no
    /// changes (one process owns it), and the stream polls.
    func subscribeToChanges(of job: JobRecord) -> JobChangeSubscription? {
        (store as? CachingJobStore)?.hub.subscribe(id: job.id)
    }

    // MARK: listings

    /// One page of the owner's jobs (nil: every owner's), newest first; `before` is the
    /// `sequence` of the previous page's last job.
    func jobs(owner: String?, state: JobState? = nil, before: Int64? = nil, limit: Int) async throws(JobServiceError)
        -> [JobRecord]
    {
        do { return try await store.jobs(owner: owner, state: state, before: before, limit: limit) } catch {
            throw .store(error)
        }
    }

    /// Every job of every owner, newest first, read page by page (the admin's legacy `GET /jobs`).
    func allJobs() async throws(JobServiceError) -> [JobRecord] {
        var all: [JobRecord] = []
        var before: Int64? = nil
        while true {
            let page = try await jobs(owner: nil, before: before, limit: 500)
            all += page
            guard page.count == 500, let last = page.last else { return all }
            before = last.sequence
        }
    }

    /// The owner's jobs oldest first, at most `limit`, for the polled legacy `/myjobs`: ids from
    /// the store's owner listing, then each job as `job(id:)` gives it (both cheap to repeat).
    func polledJobs(owner: String, limit: Int) async throws(JobServiceError) -> [JobRecord] {
        do {
            var jobs: [JobRecord] = []
            for id in try await store.jobIDs(owner: owner, limit: limit).reversed() {
                if let job = try await store.job(id: id) { jobs.append(job) }
            }
            return jobs
        } catch { throw .store(error) }
    }

    func countByState() async throws(JobServiceError) -> [JobState: Int] {
        do { return try await store.countByState() } catch { throw .store(error) }
    }

    // MARK: readiness

    /// Why a job submitted now could not be accepted, or nil when it could: the store commits a
    /// write, the data directory takes a file, and the workers are not stopping.
    func unreadiness() async -> String? {
        do { try await store.probeWrite(now: Date()) } catch { return "the database does not accept writes" }
        guard WriteProbe.succeeds(in: configuration.dataDirectory + "/jobs") else {
            return "the data directory is not writable"
        }
        if runner.isStopping { return "the server is stopping" }
        return nil
    }

    /// Which sandbox layers the workers run jobs under (the admin's `/v1/about`).
    var sandboxLayers: SandboxLayers { runner.sandboxLayers }

    // MARK: life cycle

    func cancel(_ job: JobRecord) async throws(JobServiceError) -> JobRecord {
        let updated: JobRecord?
        do { updated = try await store.requestCancel(id: job.id, now: Date()) } catch { throw .store(error) }
        guard let updated else { throw .notFound }
        if updated.state == .cancelling { runner.cancel(jobID: job.id) }
        return updated
    }

    func delete(_ job: JobRecord) async throws(JobServiceError) {
        if job.state.isActive { _ = try await cancel(job) }
        do { _ = try await store.delete(id: job.id) } catch { throw .store(error) }
    }

    /// Deletes every job of the owner (cancelling the active ones); returns how many.
    func deleteAll(owner: String) async throws(JobServiceError) -> Int {
        let jobs = try await jobs(owner: owner, limit: 10_000)
        for job in jobs { try await delete(job) }
        return jobs.count
    }

    func rename(_ job: JobRecord, to name: String) async throws(JobServiceError) -> JobRecord {
        try Self.checkName(name, what: "job name")
        let renamed: JobRecord?
        do { renamed = try await store.rename(id: job.id, name: String(name.prefix(255))) } catch {
            throw .store(error)
        }
        guard let renamed else { throw .notFound }
        return renamed
    }

    /// A file the engine exported (`transitions.txt`, `model.drn`), once the job is finished.
    func artifact(_ job: JobRecord, named name: String) async throws(JobServiceError) -> [UInt8]? {
        guard job.state.isTerminal, JobDirectory.artifacts[name] != nil else { return nil }
        do { return try await store.artifact(id: job.id, name: name) } catch { throw .store(error) }
    }

    /// The job's progress lines stored after sequence `after` (the event stream's polls).
    func events(_ job: JobRecord, after: Int64, limit: Int) async throws(JobServiceError) -> [JobEvent] {
        do { return try await store.events(id: job.id, after: after, limit: limit) } catch { throw .store(error) }
    }

    /// The plain log: the stored one once finished, the stored stderr lines while running.
    func plainLog(_ job: JobRecord) async throws(JobServiceError) -> String {
        if let log = job.log { return log }
        if job.state == .running || job.state == .cancelling {
            var lines = ""
            var after: Int64 = 0
            while true {
                let events = try await events(job, after: after, limit: 1000)
                for event in events where event.kind == .log { lines += event.line + "\n" }
                guard events.count == 1000, let last = events.last else { break }
                after = last.sequence
            }
            return lines
        }
        return Self.storedLog(job)
    }

    /// The log of a job that is not running: what the row holds.
    static func storedLog(_ job: JobRecord) -> String {
        if let log = job.log { return log }
        return job.state == .pruned ? JobLog.prunedText : ""
    }
}
