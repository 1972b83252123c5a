import Hummingbird

/// CORS on every reply (browsers call the legacy endpoints cross-origin with text/plain bodies),
/// and an answer to every `OPTIONS` preflight, whatever the path. Which origins: `OriginPolicy`.
struct CORSPolicyMiddleware: RouterMiddleware {
    typealias Context = StaminaRequestContext
    let policy: OriginPolicy
    static let methods = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
    static let headers = "Content-Type, Authorization, Idempotency-Key, Last-Event-ID, X-Requested-With"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response: Response
        if request.method == .options {
            response = Response(status: .noContent)
            response.headers[.accessControlAllowMethods] = Self.methods
            response.headers[.accessControlAllowHeaders] = request.headers[.accessControlRequestHeaders] ?? Self.headers
            response.headers[.accessControlMaxAge] = "600"
        } else {
            response = try await next(request, context)
        }
        if policy.allowsAny {
            response.headers[.accessControlAllowOrigin] = "*"
        } else if let origin = request.headers[.origin], policy.allows(origin, request, context) {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.vary] = "Origin"
        }
        response.headers[.accessControlExposeHeaders] = "Location, Retry-After, Content-Type"
        return response
    }
}
