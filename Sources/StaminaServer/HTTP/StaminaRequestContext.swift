import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus the peer address, from which the
/// legacy identity (the client address) is derived.
public struct StaminaRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
