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
        let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.reversed().first { !trustedProxies.contains($0) } ?? peerAddress
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}
