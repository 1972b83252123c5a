import Foundation
import Hummingbird

/// Every refusal the server makes, with what the client needs to fix it. `ErrorMiddleware` turns it
/// into `application/problem+json` on `/v1` and into the legacy `{"error": ...}` shape elsewhere.
struct APIError: Error, Sendable {
    var status: HTTPResponse.Status
    /// Stable slug; the problem type URI is `problemTypeBase + slug`.
    var slug: String
    var title: String
    var detail: String
    var diagnostics: [ModelDiagnostic] = []
    var retryAfterSeconds: Int? = nil

    static let problemTypeBase = "https://staminachecker.org/problems/"

    static func badRequest(_ detail: String) -> APIError {
        APIError(status: .badRequest, slug: "bad-request", title: "Bad request", detail: detail)
    }
    static func invalidParameters(_ problems: [ParameterProblem]) -> APIError {
        APIError(
            status: .unprocessableContent, slug: "invalid-parameters", title: "Invalid parameters",
            detail: problems.map(\.message).joined(separator: "; "))
    }
    static func invalidModel(_ diagnostics: [ModelDiagnostic]) -> APIError {
        APIError(
            status: .unprocessableContent, slug: "invalid-model", title: "The model or properties do not check",
            detail: diagnostics.map(\.text).joined(separator: "\n"), diagnostics: diagnostics)
    }
    static func missingFile(_ detail: String) -> APIError {
        APIError(
            status: .unprocessableContent, slug: "missing-file", title: "A file is missing or empty", detail: detail)
    }
    static func notFound(_ what: String = "job") -> APIError {
        APIError(status: .notFound, slug: "not-found", title: "Not found", detail: "no such \(what)")
    }
    static func unauthorized(_ detail: String) -> APIError {
        APIError(status: .unauthorized, slug: "unauthorized", title: "Unauthorized", detail: detail)
    }
    static func forbidden(_ detail: String) -> APIError {
        APIError(status: .forbidden, slug: "forbidden", title: "Forbidden", detail: detail)
    }
    static func conflict(_ detail: String) -> APIError {
        APIError(status: .conflict, slug: "conflict", title: "Conflict", detail: detail)
    }
    static func quota(_ detail: String) -> APIError {
        APIError(
            status: .tooManyRequests, slug: "quota-exceeded", title: "Quota exceeded", detail: detail,
            retryAfterSeconds: 30)
    }
    static func rateLimited(retryAfter: Int) -> APIError {
        APIError(
            status: .tooManyRequests, slug: "rate-limited", title: "Too many requests",
            detail: "slow down: retry after \(retryAfter) s", retryAfterSeconds: retryAfter)
    }
    static func payloadTooLarge(_ detail: String) -> APIError {
        APIError(status: .contentTooLarge, slug: "payload-too-large", title: "Upload too large", detail: detail)
    }
    static func unsupportedMediaType(_ detail: String) -> APIError {
        APIError(
            status: .unsupportedMediaType, slug: "unsupported-media-type", title: "Unsupported media type",
            detail: detail)
    }
    static func `internal`(_ detail: String) -> APIError {
        APIError(status: .internalServerError, slug: "internal", title: "Internal error", detail: detail)
    }
    static func unavailable(_ detail: String) -> APIError {
        APIError(
            status: .serviceUnavailable, slug: "unavailable", title: "Service unavailable", detail: detail,
            retryAfterSeconds: 5)
    }

    /// The one mapping of the service's refusals to statuses and problem types (the legacy
    /// endpoints turn the 422s into 400s, see `ErrorMiddleware`).
    static func from(_ error: JobServiceError) -> APIError {
        switch error {
        case .invalidModel(let diagnostics): return .invalidModel(diagnostics)
        case .controlCharacter(let what):
            return .badRequest("the \(what) contains a control character; use printable characters only")
        case .notFound: return .notFound()
        case .storage(let detail): return .internal(detail)
        case .checksBusy(let detail): return .unavailable(detail)
        case .store(let error): return .from(error)
        }
    }

    static func from(_ error: StoreError) -> APIError {
        switch error {
        case .ownerQuotaExceeded, .systemQuotaExceeded, .queuedQuotaExceeded: return .quota(error.description)
        case .database(let message): return .internal(message)
        case .unavailable: return .unavailable("the database is not answering; try again shortly")
        case .damaged: return .unavailable("the database is damaged")
        case .newerSchema: return .unavailable("the database was written by a newer release")
        }
    }

    static func from(_ error: HTTPError) -> APIError {
        switch error.status {
        case .contentTooLarge:
            return .payloadTooLarge("the request body is larger than the server accepts")
        case .notFound: return .notFound("resource")
        case .methodNotAllowed:
            return APIError(
                status: .methodNotAllowed, slug: "method-not-allowed", title: "Method not allowed",
                detail: "method not allowed here")
        default:
            return APIError(
                status: error.status, slug: "http-\(error.status.code)", title: error.status.reasonPhrase,
                detail: error.body ?? error.status.reasonPhrase)
        }
    }
}
