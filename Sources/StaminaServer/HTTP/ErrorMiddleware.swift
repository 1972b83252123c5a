import Hummingbird
import Logging
import NIOCore

/// The one place that turns errors into replies: the service's `JobServiceError`s and every HTTP
/// refusal become problem+json (RFC 9457) under `/v1` and for the operational endpoints, the legacy
/// `{"error": ...}` shape (with a proper 4xx/5xx code) elsewhere, or an HTML page for legacy
/// `from_web` submissions (`WebFormRefusal`).
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = StaminaRequestContext
    let legacyPrefix: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let refusal as WebFormRefusal {
            return render(apiError(refusal.reason, context: context), request: request, page: true)
        } catch {
            return render(apiError(error, context: context), request: request, page: false)
        }
    }

    private func apiError(_ error: any Error, context: Context) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as JobServiceError:
            if case .store(let cause) = error { context.logger.error("store error", metadata: ["error": "\(cause)"]) }
            return .from(error)
        case let error as HTTPError: return .from(error)
        case is NIOTooManyBytesError:
            // A body read past its limit anywhere (see `BodyLimit`): the client's fault, not ours.
            return .payloadTooLarge("the request body is larger than this endpoint accepts")
        case let error as StoreError:
            context.logger.error("store error", metadata: ["error": "\(error)"])
            return .from(error)
        default:
            context.logger.error("unexpected error", metadata: ["error": "\(error)"])
            return .internal("unexpected server error")
        }
    }

    private func render(_ error: APIError, request: Request, page: Bool) -> Response {
        let path = request.uri.path
        var error = error
        // Bad input is a 422 under /v1 and a 400 on the legacy endpoints, as the first server had it.
        if !Self.isModernPath(path), error.status == .unprocessableContent { error.status = .badRequest }
        if page {
            let page = """
                <!DOCTYPE html>
                <html><head><meta charset="utf-8"><title>STAMINA: submission refused</title></head>
                <body><h1>The job was not created</h1><pre>\(htmlEscaped(error.detail))</pre></body></html>

                """
            return Reply.html(page, status: error.status)
        }
        if Self.isModernPath(path, prefix: legacyPrefix) { return Reply.problem(error, instance: path) }
        return Reply.legacyError(error)
    }

    /// `/v1` and the operational endpoints, also below `path-prefix`; every other path is a
    /// legacy one.
    static func isModernPath(_ path: String, prefix: String = "") -> Bool {
        if !prefix.isEmpty, path.hasPrefix(prefix + "/") { return isModernPath(String(path.dropFirst(prefix.count))) }
        return path.hasPrefix("/v1") || path == "/healthz" || path == "/readyz" || path == "/metrics"
    }
}

/// A legacy submission from the web form (`from_web`) that was refused: the browser gets an HTML
/// page saying why instead of JSON. `reason` is the error as thrown; it is mapped as any other.
struct WebFormRefusal: Error {
    var reason: any Error
}
