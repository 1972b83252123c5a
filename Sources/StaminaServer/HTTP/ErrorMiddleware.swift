import Hummingbird
import Logging
import NIOCore

/// The one place that turns errors into replies: problem+json (RFC 9457) under `/v1` and for the
/// operational endpoints, the legacy `{"error": ...}` shape (with a proper 4xx/5xx code) elsewhere,
/// or an HTML page for legacy `from_web` submissions.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = StaminaRequestContext
    let legacyPrefix: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return render(error, request: request)
        } catch let error as HTTPError {
            return render(.from(error), request: request)
        } catch is NIOTooManyBytesError {
            // A body read past its limit anywhere (see `BodyLimit`): the client's fault, not ours.
            return render(.payloadTooLarge("the request body is larger than this endpoint accepts"), request: request)
        } catch let error as StoreError {
            context.logger.error("store error", metadata: ["error": "\(error)"])
            return render(.from(error), request: request)
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(error)"])
            return render(.internal("unexpected server error"), request: request)
        }
    }

    private func render(_ error: APIError, request: Request) -> Response {
        let path = request.uri.path
        if error.legacyHTML {
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
