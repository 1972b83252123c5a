import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP relay on loopback between a server under test and its PostgreSQL, so a test can make the
/// database go away without stopping the one the other tests share: `cut` closes every relayed
/// connection and every new one at once (a stopped database), `silence` keeps them open but carries
/// nothing (a network that drops packets), `restore` carries bytes again. Plain threads and
/// blocking sockets: the server under test may run on this process's cooperative threads.
final class TCPRelay: @unchecked Sendable {
    enum Mode { case forwarding, cut, silent }

    /// Both ends of one relayed connection; closed by the last of its two pumps to stop.
    private final class Pair: @unchecked Sendable {
        let client: Int32
        let upstream: Int32
        var running = 2
        init(client: Int32, upstream: Int32) {
            self.client = client
            self.upstream = upstream
        }
    }

    let port: Int
    private let targetPort: Int
    private let listener: Int32
    private let lock = NSLock()
    private var mode = Mode.forwarding
    private var pairs: [ObjectIdentifier: Pair] = [:]
    private var stopped = false

    init(toPort targetPort: Int) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket() failed") }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, Glibc.listen(descriptor, 64) == 0 else {
            close(descriptor)
            throw TestFailure("bind/listen failed: \(errno)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.targetPort = targetPort
        listener = descriptor
        port = Int(UInt16(bigEndian: actual.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// The database is gone: every relayed connection is closed, and new ones are closed at once.
    func cut() { set(.cut) }
    /// The network drops everything: connections stay open, nothing is carried either way.
    func silence() { set(.silent) }
    /// Bytes flow again (held ones first).
    func restore() { set(.forwarding) }

    func stop() {
        lock.withLock { stopped = true }
        set(.cut)
        shutdown(listener, Int32(SHUT_RDWR))
    }

    deinit { close(listener) }

    private func set(_ new: Mode) {
        let ended: [Pair] = lock.withLock {
            mode = new
            return new == .cut ? Array(pairs.values) : []
        }
        // shutdown (not close) wakes the pumps; the last pump of a pair closes its descriptors.
        for pair in ended {
            shutdown(pair.client, Int32(SHUT_RDWR))
            shutdown(pair.upstream, Int32(SHUT_RDWR))
        }
    }

    private var currentMode: Mode { lock.withLock { mode } }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if lock.withLock({ stopped }) { return }
                continue
            }
            if currentMode == .cut {
                close(client)
                continue
            }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: targetPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard upstream >= 0, connected == 0 else {
                if upstream >= 0 { close(upstream) }
                close(client)
                continue
            }
            let pair = Pair(client: client, upstream: upstream)
            lock.withLock { pairs[ObjectIdentifier(pair)] = pair }
            Thread { [self] in pump(pair, from: client, to: upstream) }.start()
            Thread { [self] in pump(pair, from: upstream, to: client) }.start()
        }
    }

    private func pump(_ pair: Pair, from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        loop: while true {
            switch currentMode {
            case .cut: break loop
            case .silent:
                usleep(20_000)
                continue
            case .forwarding: break
            }
            var poller = pollfd(fd: source, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) >= 0 else { break }
            if poller.revents == 0 { continue }
            // Silenced between the poll and here: leave the bytes in the socket.
            if currentMode != .forwarding { continue }
            let count = recv(source, &buffer, buffer.count, 0)
            if count <= 0 { break }
            var sent = 0
            while sent < count {
                let written = buffer.withUnsafeBytes { bytes -> Int in
                    guard let base = bytes.baseAddress else { return -1 }
                    return send(destination, base + sent, count - sent, Int32(MSG_NOSIGNAL))
                }
                if written <= 0 { break loop }
                sent += written
            }
        }
        shutdown(source, Int32(SHUT_RDWR))
        shutdown(destination, Int32(SHUT_RDWR))
        let last: Bool = lock.withLock {
            pair.running -= 1
            if pair.running == 0 { pairs[ObjectIdentifier(pair)] = nil }
            return pair.running == 0
        }
        if last {
            close(pair.client)
            close(pair.upstream)
        }
    }
}
