import Foundation
import HummingbirdTesting
import Testing

/// Slow and idle clients are disconnected on time; connections past the cap are closed at once;
/// a live SSE stream is never cut by these timeouts.
@Suite("Connection hygiene", .serialized)
struct ConnectionHygieneTests {
    @Test func halfARequestHeadIsClosedWithinTheHeaderTimeout() async throws {
        let server = try InProcessServer(["header-timeout=1", "idle-timeout=30", "body-timeout=30"])
        try await server.test(.live) { client in
            let port = try #require(client.port)
            let slow = try RawSocket(port: port)
            slow.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
            let closedAfter = await slow.waitUntilClosed(timeout: .seconds(10))
            #expect(closedAfter != nil)
            #expect(closedAfter.map { $0 < .seconds(5) } == true)
            // A whole request on a fresh connection is still answered.
            let fresh = try RawSocket(port: port)
            #expect(await fresh.request("/healthz").hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test func aStalledBodyAndAnIdleKeepAliveAreClosed() async throws {
        let server = try InProcessServer(["header-timeout=30", "idle-timeout=1", "body-timeout=1"])
        try await server.test(.live) { client in
            let port = try #require(client.port)
            let stalled = try RawSocket(port: port)
            stalled.send("POST /checkjob HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nabc")
            #expect(await stalled.waitUntilClosed(timeout: .seconds(10)) != nil)

            let idle = try RawSocket(port: port)
            #expect(await idle.request("/healthz").hasPrefix("HTTP/1.1 200"))
            #expect(await idle.waitUntilClosed(timeout: .seconds(10)) != nil)
        }
    }

    @Test func connectionsPastTheCapAreClosedAtOnce() async throws {
        let server = try InProcessServer(["max-connections=3", "header-timeout=30", "idle-timeout=30"])
        try await server.test(.live) { client in
            let port = try #require(client.port)
            // The test client holds one connection; two more fill the cap.
            #expect(try await client.send(.get, "/healthz").code == 200)
            let first = try RawSocket(port: port)
            #expect(await first.request("/healthz").hasPrefix("HTTP/1.1 200"))
            let second = try RawSocket(port: port)
            #expect(await second.request("/healthz").hasPrefix("HTTP/1.1 200"))

            let extra = try RawSocket(port: port)
            extra.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let refused = await extra.read(timeout: .seconds(10))
            #expect(refused.closed)
            #expect(!refused.text.contains("200"))
            // The connections within the cap still work, and a closed one frees its place.
            #expect(await first.request("/healthz").hasPrefix("HTTP/1.1 200"))
            second.disconnect()
            let deadline = ContinuousClock.now + .seconds(10)
            var answered = false
            while !answered, ContinuousClock.now < deadline {
                let next = try RawSocket(port: port)
                answered = await next.request("/healthz").hasPrefix("HTTP/1.1 200")
            }
            #expect(answered)
        }
    }

    @Test func anEventStreamOutlivesTheTimeouts() async throws {
        // The head timeout is what the test client's own connection needs; the stream must outlive
        // the idle and body timeouts many times over.
        let server = try InProcessServer(["header-timeout=5", "idle-timeout=0.5", "body-timeout=0.5"])
        try await server.test(.live) { client in
            let port = try #require(client.port)
            let submitted = try await client.submitV1()
            let id = try #require(submitted.object["id"] as? String)
            let token = try #require(submitted.object["token"] as? String)
            let stream = try RawSocket(port: port)
            stream.send(
                "GET /v1/jobs/\(id)/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(token)\r\n\r\n")
            let first = await stream.read(timeout: .seconds(10)) { $0.contains("event: state") }
            #expect(first.text.contains("\"state\":\"QUEUED\""))
            // The job stays queued (no workers): the stream must stay open well past every timeout.
            let later = await stream.read(timeout: .seconds(3))
            #expect(!later.closed)
            // Deleting the job ends the stream (the server finishes the reply; nothing cut it before).
            let deletion = try RawSocket(port: port)
            deletion.send("DELETE /v1/jobs/\(id) HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(token)\r\n\r\n")
            #expect(
                await deletion.read(timeout: .seconds(10)) { $0.contains("\r\n\r\n") }.text.hasPrefix("HTTP/1.1 204"))
            let end = await stream.read(timeout: .seconds(10)) { $0.hasSuffix("0\r\n\r\n") }
            #expect(end.text.hasSuffix("0\r\n\r\n"))
        }
    }
}
