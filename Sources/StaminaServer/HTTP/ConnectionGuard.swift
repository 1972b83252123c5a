import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Slow or idle clients must not hold connections (and their descriptors) forever: each
/// connection gets one `ConnectionGuard` in its pipeline, which closes it when a request head
/// does not arrive in time (from connecting: `header-timeout`; after a reply: `idle-timeout`), or a
/// body does not arrive in time after its head (`body-timeout`), and which closes new connections
/// at once past `max-connections`. No timer runs while the server itself is answering, so long
/// replies (the SSE event stream, which sends heartbeat comments) are never cut.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    struct Limits: Sendable {
        var header: TimeAmount
        var body: TimeAmount
        var idle: TimeAmount

        init(_ configuration: ServerConfiguration) {
            header = .nanoseconds(Int64(configuration.headerTimeoutSeconds * 1e9))
            body = .nanoseconds(Int64(configuration.bodyTimeoutSeconds * 1e9))
            idle = .nanoseconds(Int64(configuration.idleTimeoutSeconds * 1e9))
        }
    }

    /// Open connections of one server, shared by the guards of all its connections.
    final class Counter: Sendable {
        let limit: Int
        private let open = Atomic<Int>(0)

        init(limit: Int) { self.limit = limit }

        func tryOpen() -> Bool {
            if open.add(1, ordering: .relaxed).newValue <= limit { return true }
            open.subtract(1, ordering: .relaxed)
            return false
        }

        func close() { open.subtract(1, ordering: .relaxed) }
        var count: Int { open.load(ordering: .relaxed) }
    }

    /// The HTTP/1 channel of one server: a guard per connection, one counter for all of them.
    static func server(_ configuration: ServerConfiguration) -> HTTPServerBuilder {
        let limits = Limits(configuration)
        let counter = Counter(limit: configuration.maxConnections)
        return .http1(
            configuration: HTTP1Channel.Configuration(
                additionalChannelHandlers: [ConnectionGuard(limits: limits, counter: counter)]))
    }

    private let limits: Limits
    private let counter: Counter
    private var started = false
    private var counted = false
    private var readingBody = false
    private var pendingReplies = 0
    private var timer: Scheduled<Void>?

    init(limits: Limits, counter: Counter) {
        self.limits = limits
        self.counter = counter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            readingBody = true
            pendingReplies += 1
            arm(context, limits.body)
        case .body:
            break
        case .end:
            readingBody = false
            if pendingReplies == 0 { arm(context, limits.idle) } else { disarm() }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            pendingReplies = max(0, pendingReplies - 1)
            if pendingReplies == 0, !readingBody { arm(context, limits.idle) }
        }
        context.write(data, promise: promise)
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        guard counter.tryOpen() else {
            context.close(promise: nil)
            return
        }
        counted = true
        arm(context, limits.header)
    }

    private func stop() {
        disarm()
        if counted {
            counted = false
            counter.close()
        }
    }

    private func arm(_ context: ChannelHandlerContext, _ delay: TimeAmount) {
        disarm()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            context.close(promise: nil)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}
