import Foundation
import Hummingbird
import Synchronization

/// A token bucket per client address: `rate` requests per second, bursts of `burst`. Over the
/// limit: 429 with Retry-After. The operational endpoints are exempt so monitoring never trips it.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    let rate: Double
    let burst: Double
    private let buckets = Mutex<[String: Bucket]>([:])

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
    }

    /// nil if allowed, else the seconds to wait.
    func take(_ client: String, now: Double = Date().timeIntervalSince1970) -> Int? {
        guard rate > 0 else { return nil }
        return buckets.withLock { buckets in
            if buckets.count > 50_000 { buckets = buckets.filter { now - $0.value.updated < 60 } }
            var bucket = buckets[client] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            defer { buckets[client] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
    }
}

struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = StaminaRequestContext
    let limiter: RateLimiter
    let trustedProxies: Set<String>
    static let exempt: Set<String> = ["/healthz", "/readyz", "/metrics"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if request.method != .options, !Self.exempt.contains(request.uri.path) {
            let client = ClientAddress.resolve(request, peer: context.remoteAddress, trustedProxies: trustedProxies)
            if let wait = limiter.take(client) { throw APIError.rateLimited(retryAfter: wait) }
        }
        return try await next(request, context)
    }
}

struct MetricsMiddleware: RouterMiddleware {
    typealias Context = StaminaRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        metrics.request(status: Int(response.status.code), duration: ContinuousClock.now - start)
        return response
    }
}
