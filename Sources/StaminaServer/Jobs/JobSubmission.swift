/// A job as a client asks for it, in the service's terms: who owns it, whom its quotas count
/// against, its two files and its engine settings. Both APIs build one from their request
/// (`SubmissionForm.submission`), so `JobService` never sees a form field, an encoding or a header.
struct JobSubmission: Sendable, Equatable {
    /// An uploaded file: the name shown to people (never used as a path) and its text.
    struct File: Sendable, Equatable {
        var name: String
        var text: String
    }

    var owner: String
    /// Whom quotas count the job against (nil: the owner), see `NewJob.quotaKey`.
    var quotaKey: String? = nil
    /// The job's name; nil names it after the model file.
    var name: String?
    var model: File
    var properties: File
    var parameters: JobParameters
    /// See `NewJob.idempotencyKey`.
    var idempotencyKey: String? = nil
}
