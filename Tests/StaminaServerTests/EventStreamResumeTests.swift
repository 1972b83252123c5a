// The progress stream survives a dropped connection (issue 11): a client that reconnects with
// `Last-Event-ID` gets every event after the last one it saw, none lost and none twice. Real
// sockets against a real server, since the drop has to happen while the job runs.

import Foundation
import Testing

@Suite("event stream resume")
struct EventStreamResumeTests {
    struct Event: Equatable {
        var type: String
        var id: String
        var data: String
    }

    /// The complete events in a stream's text (raw HTTP with chunk-size lines, or a body): an
    /// event counts once the blank line after it has arrived.
    static func events(in text: String) -> [Event] {
        var found: [Event] = []
        var current = Event(type: "message", id: "", data: "")
        var hasData = false
        // "\r\n" is one Character in Swift: make every line end a plain "\n" before splitting.
        let plain = text.replacingOccurrences(of: "\r\n", with: "\n")
        for line in plain.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty {
                if hasData { found.append(current) }
                current = Event(type: "message", id: "", data: "")
                hasData = false
            } else if line.hasPrefix("event: ") {
                current.type = String(line.dropFirst(7))
            } else if line.hasPrefix("id: ") {
                current.id = String(line.dropFirst(4))
            } else if line.hasPrefix("data: ") {
                current.data = String(line.dropFirst(6))
                hasData = true
            }
        }
        return found
    }

    static func open(_ server: RunningServer, _ id: String, token: String, lastEventID: String? = nil) throws
        -> RawSocket
    {
        let socket = try RawSocket(port: server.port)
        var head = "GET /v1/jobs/\(id)/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
        if let lastEventID { head += "Last-Event-ID: \(lastEventID)\r\n" }
        socket.send(head + "\r\n")
        return socket
    }

    @Test func aDroppedStreamResumedWithLastEventIDLosesAndRepeatsNothing() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.misbehavingEngineSettings(directory))
        let reply = try await server.v1Submit(model: TestModels.marked("SLOWEVENTS"))
        let id = try #require(reply.object["id"] as? String)
        let token = try #require(reply.object["token"] as? String)

        // First connection: read until three rounds have arrived, then drop it mid-job.
        let first = try Self.open(server, id, token: token)
        let part = await first.read(timeout: .seconds(60)) { text in
            Self.events(in: text).filter { $0.type == "round" }.count >= 3
        }
        first.disconnect()
        let before = Self.events(in: part.text)
        #expect(before.filter { $0.type == "round" }.count == 3)
        #expect(try await server.v1State(id, token: token) == "RUNNING")
        let lastID = try #require(before.last?.id)

        // The client comes back where it stopped while the job still runs, and follows it to the end.
        let second = try Self.open(server, id, token: token, lastEventID: lastID)
        FileManager.default.createFile(atPath: server.dataDirectory + "/jobs/\(id).1/release", contents: nil)
        let rest = await second.read(timeout: .seconds(60)) { text in
            Self.events(in: text).last?.data.contains("\"state\":\"SUCCEEDED\"") == true
        }
        second.disconnect()
        let after = Self.events(in: rest.text)
        #expect(after.last?.data.contains("\"state\":\"SUCCEEDED\"") == true)

        // Together they are the whole stream as one connection reads it now: every log line and
        // engine event once, in order. (A fresh stream shows only the current state, not the
        // states the job went through, so state events are compared apart.)
        let whole = Self.events(in: try await server.get("/v1/jobs/\(id)/events", token: token).text)
        // Per kind, since a poll sends its log lines before its engine events.
        let of = { (type: String, events: [Event]) in events.filter { $0.type == type }.map(\.data) }
        for type in ["log", "round", "property"] {
            #expect(of(type, before + after) == of(type, whole), "\(type) events differ")
        }
        #expect(of("round", whole).count >= 9)  // 8 slow rounds and the real engine's own
        #expect(of("log", whole).count >= 10)  // 8 round lines, the server's own and the engine's
        let ids = (before + after).map(\.id)
        #expect(Set(ids).count == ids.count, "an event came twice: \(ids)")
        // Nothing before the resume point came again.
        #expect(!after.contains { $0.type == "round" && $0.data.contains("\"iteration\":3,") })
        #expect(after.contains { $0.type == "round" && $0.data.contains("\"iteration\":4,") })
    }
}
