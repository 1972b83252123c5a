import Hummingbird

/// Headers every reply carries, errors included (it wraps every other middleware): browsers must
/// not guess a type for a log or a result (`nosniff`), and HTML without a policy of its own (the
/// legacy `from_web` pages) may load nothing, run nothing and not be framed. The web app's pages
/// bring their own, stricter-than-default policy (`WebAppController`), which is kept.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = StaminaRequestContext
    static let htmlPolicy = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        if response.headers[.contentType]?.hasPrefix("text/html") == true,
            response.headers[.contentSecurityPolicy] == nil
        {
            response.headers[.contentSecurityPolicy] = Self.htmlPolicy
        }
        return response
    }
}
