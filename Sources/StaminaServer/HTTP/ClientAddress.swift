import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The legacy identity: the client's address. `X-Forwarded-For` counts only when the peer is a
/// configured proxy; then the right-most address that is not itself a trusted proxy is the client.
enum ClientAddress {
    static func resolve(_ request: Request, peer: SocketAddress?, trustedProxies: Set<String>) -> String {
        let peerAddress = peer?.ipAddress ?? "unknown"
        guard trustedProxies.contains(peerAddress), let forwarded = request.headers[.xForwardedFor] else {
            return peerAddress
        }
        let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
        return hops.reversed().first { !trustedProxies.contains($0) } ?? peerAddress
    }
}

extension HTTPField.Name {
    static let xForwardedFor = literal("X-Forwarded-For")
    static let xForwardedProto = literal("X-Forwarded-Proto")
    static let xForwardedHost = literal("X-Forwarded-Host")
    static let idempotencyKey = literal("Idempotency-Key")
    static let lastEventID = literal("Last-Event-ID")
    static let xNextOffset = literal("X-Next-Offset")
    static let xAccelBuffering = literal("X-Accel-Buffering")

    /// Header names written in this file; a typo here is a programming error caught by any test.
    private static func literal(_ name: String) -> HTTPField.Name {
        guard let field = HTTPField.Name(name) else { fatalError("'\(name)' is not a header name") }
        return field
    }
}
