/// Why `JobService` refused or could not do something, in the service's terms. It says nothing
/// about HTTP: `APIError.init(_:)` (in `HTTP/`) is the one place that gives each case its status
/// and problem type, and `ErrorMiddleware` renders it for `/v1` or the legacy endpoints.
enum JobServiceError: Error, Sendable {
    /// The model or properties do not pass the front end; every located diagnostic.
    case invalidModel([ModelDiagnostic])
    /// A name shown in pages, logs and terminals has a control character; `what` names it.
    case controlCharacter(what: String)
    /// No such job (also: one the caller may not see, or one deleted meanwhile).
    case notFound
    /// The job's files could not be written to the data directory.
    case storage(String)
    /// Every slot for checking a large submission in a child is taken; the client may retry.
    case checksBusy(String)
    /// The store refused (a quota) or failed.
    case store(StoreError)
}
