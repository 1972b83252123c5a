import Foundation
import Logging

/// What both APIs do with jobs: submit (validate, store the files, insert under quotas, wake a
/// worker), look up, cancel, delete, rename, read the log. The controllers only translate HTTP.
final class JobService: Sendable {
    let store: any JobStore
    let runner: JobRunner
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

    /// Reads the parameters from the form (legacy and `/v1` names); empty fields mean the default,
    /// as the web form sends every field.
    static func parameters(from form: SubmissionForm) throws(APIError) -> JobParameters {
        var parameters = JobParameters()
        var problems: [ParameterProblem] = []
        func present(_ value: String?) -> String? {
            guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            return value
        }
        func number(_ label: String, _ names: String...) -> Double? {
            for name in names {
                guard let text = present(form.fields[name]) else { continue }
                if let value = parseFiniteNumber(text) { return value }
                problems.append(
                    .init(parameter: label, message: "\(label) must be a finite number, got '\(text.prefix(40))'"))
                return nil
            }
            return nil
        }
        if let text = present(form.field("method")) {
            if let method = JobParameters.method(parsing: text) {
                parameters.method = method
            } else {
                problems.append(
                    .init(
                        parameter: "method",
                        message:
                            "method must be iterative, reexploring or priority (or -I, -J, -P), got '\(text.prefix(40))'"
                    ))
            }
        }
        if let value = number("kappa", "kappa", "k") { parameters.kappa = value }
        if let value = number("rkappa", "rkappa", "reduceKappa", "r") { parameters.reduceKappa = value }
        if let value = number("window", "window", "w", "probWin") { parameters.window = value }
        if let value = number("approxFactor", "approxFactor", "f") { parameters.approxFactor = value }
        if let value = number("maxIterations", "maxIterations", "maxApproxCount", "n") {
            if value == value.rounded(), abs(value) < 1e9 {
                parameters.maxIterations = Int(value)
            } else {
                problems.append(
                    .init(parameter: "maxIterations", message: "maxIterations must be an integer, got \(value)"))
            }
        }
        if let text = present(form.field("propertyTruncation")) {
            switch text.lowercased() {
            case "true", "1", "yes", "on": parameters.propertyTruncation = true
            case "false", "0", "no", "off": parameters.propertyTruncation = false
            default:
                problems.append(
                    .init(parameter: "propertyTruncation", message: "propertyTruncation must be true or false"))
            }
        }
        if let text = present(form.field("noPropRefine", "R")), ["true", "1", "yes", "on"].contains(text.lowercased()) {
            parameters.propertyTruncation = false
        }
        if let text = present(form.field("constants", "const")) { parameters.constants = text }
        problems += problems.isEmpty ? parameters.validate() : []
        if !problems.isEmpty { throw .invalidParameters(problems) }
        return parameters
    }

    struct Submission: Sendable {
        var owner: String
        /// Whom quotas count the job against (nil: the owner), see `NewJob.quotaKey`.
        var quotaKey: String? = nil
        var name: String?
        var model: SubmissionForm.File
        var properties: SubmissionForm.File
        var parameters: JobParameters
        /// See `NewJob.idempotencyKey`.
        var idempotencyKey: String? = nil
    }

    static func files(from form: SubmissionForm) throws(APIError) -> (
        model: SubmissionForm.File, properties: SubmissionForm.File
    ) {
        guard let model = form.file("model_file", "model") else {
            throw .missingFile("the model file is missing (field 'model_file' or 'model')")
        }
        guard let properties = form.file("prop_file", "properties") else {
            throw .missingFile("the properties file is missing (field 'prop_file' or 'properties')")
        }
        if model.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw .missingFile("the model file '\(model.fileName)' is empty")
        }
        if properties.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw .missingFile("the properties file '\(properties.fileName)' is empty")
        }
        return (model, properties)
    }

    /// Names are shown in pages, logs and terminals: a control character (a NUL that SQLite or a C
    /// string would cut the name at, an escape sequence, a newline) is refused, never silently dropped.
    static func checkName(_ name: String, what: String) throws(APIError) {
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .badRequest("the \(what) contains a control character; use printable characters only")
        }
    }

    func submit(_ submission: Submission) async throws(APIError) -> JobRecord {
        if let name = submission.name { try Self.checkName(name, what: "job name") }
        try Self.checkName(submission.model.fileName, what: "model file name")
        try Self.checkName(submission.properties.fileName, what: "properties file name")
        let diagnostics = validator.validate(
            model: SourceFile(name: submission.model.fileName, text: submission.model.text),
            properties: SourceFile(name: submission.properties.fileName, text: submission.properties.text),
            constants: submission.parameters.constants)
        if !diagnostics.isEmpty {
            metrics.submissionRefused()
            throw .invalidModel(diagnostics)
        }
        let id = RandomIdentifier.jobID()
        let job = NewJob(
            id: id, owner: submission.owner,
            name: String((submission.name ?? submission.model.fileName).prefix(255)),
            parameters: submission.parameters, modelFileName: submission.model.fileName,
            propertiesFileName: submission.properties.fileName, createdAt: Date(), quotaKey: submission.quotaKey,
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
            throw .from(error)
        }
    }

    // MARK: ownership

    /// The one ownership-aware lookup: the job with this id if `caller` may see it, else nil (an
    /// unknown id, a malformed id and another owner's job look the same to the caller).
    func visibleJob(id: String, caller: Caller) async throws(APIError) -> JobRecord? {
        guard RandomIdentifier.isJobID(Substring(id)) else { return nil }
        let job: JobRecord?
        do { job = try await store.job(id: id) } catch { throw .from(error) }
        guard let job, caller.canSee(job) else { return nil }
        return job
    }

    // MARK: life cycle

    func cancel(_ job: JobRecord) async throws(APIError) -> JobRecord {
        let updated: JobRecord?
        do { updated = try await store.requestCancel(id: job.id, now: Date()) } catch { throw .from(error) }
        guard let updated else { throw .notFound() }
        if updated.state == .cancelling { runner.cancel(jobID: job.id) }
        return updated
    }

    func delete(_ job: JobRecord) async throws(APIError) {
        if job.state.isActive { _ = try await cancel(job) }
        do { _ = try await store.delete(id: job.id) } catch { throw .from(error) }
    }

    func rename(_ job: JobRecord, to name: String) async throws(APIError) -> JobRecord {
        try Self.checkName(name, what: "job name")
        let trimmed = String(name.prefix(255))
        do {
            guard let renamed = try await store.rename(id: job.id, name: trimmed) else { throw APIError.notFound() }
            return renamed
        } catch let error as StoreError { throw .from(error) } catch { throw .notFound() }
    }

    /// The plain log: the stored one once finished, the stored stderr lines while running.
    func plainLog(_ job: JobRecord) async throws(APIError) -> String {
        if let log = job.log { return log }
        if job.state == .running || job.state == .cancelling {
            var lines = ""
            var after: Int64 = 0
            do {
                while true {
                    let events = try await store.events(id: job.id, after: after, limit: 1000)
                    for event in events where event.kind == .log { lines += event.line + "\n" }
                    guard events.count == 1000, let last = events.last else { break }
                    after = last.sequence
                }
            } catch { throw .from(error) }
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
