import Hummingbird

/// Which browser origins may call the server: the `cors-origins` list, where `*` allows every
/// origin and `self` stands for the server's own origin (its scheme and `Host`, or the
/// `X-Forwarded-Proto`/`X-Forwarded-Host` a trusted proxy sends). CORS replies and the refusal of
/// cross-site legacy writes both ask this one policy.
struct OriginPolicy: Sendable {
    static let selfKeyword = "self"
    let origins: Set<String>
    let trustedProxies: Set<String>

    init(origins: [String], trustedProxies: Set<String>) {
        self.origins = Set(origins)
        self.trustedProxies = trustedProxies
    }

    var allowsAny: Bool { origins.contains("*") }

    func allows(_ origin: String, _ request: Request, _ context: StaminaRequestContext) -> Bool {
        if allowsAny || origins.contains(origin) { return true }
        return origins.contains(Self.selfKeyword) && origin == ownOrigin(request, context)
    }

    /// `scheme://host[:port]` as the browser saw the server.
    func ownOrigin(_ request: Request, _ context: StaminaRequestContext) -> String? {
        var scheme = request.head.scheme ?? "http"
        var host = request.head.authority
        if let peer = context.remoteAddress?.ipAddress, trustedProxies.contains(peer) {
            if let forwarded = request.headers[.xForwardedProto] { scheme = Self.lastHop(forwarded) }
            if let forwarded = request.headers[.xForwardedHost] { host = Self.lastHop(forwarded) }
        }
        guard let host, !host.isEmpty else { return nil }
        return scheme.lowercased() + "://" + host.lowercased()
    }

    private static func lastHop(_ header: String) -> String {
        String(header.split(separator: ",").last ?? "").trimmingCharacters(in: .whitespaces)
    }
}

/// Legacy clients are identified by their address, which a browser sends for any page the user
/// has open: so a state-changing legacy request from a page of another origin is refused (403),
/// while requests without `Origin` (curl, scripts, same-origin forms in old browsers) go through.
struct LegacyOriginMiddleware: RouterMiddleware {
    typealias Context = StaminaRequestContext
    let policy: OriginPolicy
    var pathPrefix = ""

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if request.method != .get, request.method != .head, request.method != .options,
            !ErrorMiddleware.isModernPath(request.uri.path, prefix: pathPrefix), let origin = request.headers[.origin],
            !policy.allows(origin, request, context)
        {
            throw APIError.forbidden("requests from the origin '\(origin.prefix(200))' are not allowed")
        }
        return try await next(request, context)
    }
}
