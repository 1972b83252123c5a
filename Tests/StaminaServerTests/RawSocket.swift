import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP client for the tests that must misbehave as HTTP clients do not: send half a
/// request head, hold a connection idle, count connections. Reads never block a thread: the
/// server under test runs in this process, on the same cooperative threads.
final class RawSocket: @unchecked Sendable {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw TestFailure("connect() failed: \(errno)")
        }
    }

    private var isClosed = false

    deinit { disconnect() }

    /// Closes the socket once: closing a descriptor twice could close one that NIO reopened since.
    func disconnect() {
        guard !isClosed else { return }
        isClosed = true
        close(descriptor)
    }

    func send(_ text: String) {
        _ = text.withCString { Glibc.send(descriptor, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    }

    /// Reads what arrives until `done` holds for the text read so far, the peer closes, or the
    /// deadline passes; returns the text.
    func read(timeout: Duration, until done: (String) -> Bool = { _ in false }) async -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 65536)
        while ContinuousClock.now < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 0) > 0 else {
                try? await Task.sleep(for: .milliseconds(10))
                continue
            }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { return (String(decoding: received, as: UTF8.self), true) }
            received += buffer[0..<count]
            if done(String(decoding: received, as: UTF8.self)) { break }
        }
        return (String(decoding: received, as: UTF8.self), false)
    }

    /// Polls until the server closes the connection; the time it took, or nil if still open at the deadline.
    func waitUntilClosed(timeout: Duration) async -> Duration? {
        let start = ContinuousClock.now
        let result = await read(timeout: timeout)
        return result.closed ? ContinuousClock.now - start : nil
    }

    /// Sends a whole request and reads its reply (up to the end of the headers and body).
    func request(_ path: String) async -> String {
        send("GET \(path) HTTP/1.1\r\nHost: localhost\r\n\r\n")
        return await read(timeout: .seconds(10)) { $0.contains("\r\n\r\n") && $0.hasSuffix("}") }.text
    }
}
