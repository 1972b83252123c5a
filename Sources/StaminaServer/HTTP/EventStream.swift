import Foundation
import Hummingbird

/// `GET /v1/jobs/{id}/events` as Server-Sent Events: `state` on every state change, `log` per
/// engine stderr line, `round` and `property` per line of the engine's events file. Every event's id
/// is the cursor after it (`<state>.<log lines>.<event lines>`), so a client that reconnects with
/// `Last-Event-ID` continues where it stopped. The stream ends once the job is terminal.
struct EventStream: Sendable {
    let service: JobService
    static let pollInterval: Duration = .milliseconds(200)
    static let heartbeatEvery = 75  // polls, ~15 s

    struct Cursor: Equatable, Sendable {
        var state: String = ""
        var logLines = 0
        var eventLines = 0

        init() {}

        init?(_ text: String) {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 3, let log = Int(parts[1]), let events = Int(parts[2]), log >= 0, events >= 0 else {
                return nil
            }
            state = String(parts[0])
            logLines = log
            eventLines = events
        }

        var id: String { "\(state).\(logLines).\(eventLines)" }
    }

    func response(for job: JobRecord, lastEventID: String?) -> Response {
        let start = lastEventID.flatMap(Cursor.init) ?? Cursor()
        let service = self.service
        let body = ResponseBody { writer in
            var cursor = start
            var polls = 0
            var current = job
            while true {
                let directory = service.directory(current.id)
                var chunk = ""
                // Log and engine events first, the state change after: a client that sees a
                // terminal state has seen everything before it.
                let logLines = Self.completeLines(directory.stderr)
                while cursor.logLines < logLines.count {
                    let line = logLines[cursor.logLines]
                    cursor.logLines += 1
                    chunk += Self.event("log", id: cursor.id, data: line)
                }
                let eventLines = Self.completeLines(directory.events)
                while cursor.eventLines < eventLines.count {
                    let line = eventLines[cursor.eventLines]
                    cursor.eventLines += 1
                    let type = Self.eventType(line)
                    chunk += Self.event(type, id: cursor.id, data: line)
                }
                if current.state.rawValue != cursor.state {
                    cursor.state = current.state.rawValue
                    let reason = current.failureReason.map { "\"\($0.rawValue)\"" } ?? "null"
                    chunk += Self.event(
                        "state", id: cursor.id,
                        data: "{\"state\":\"\(current.state.rawValue)\",\"failureReason\":\(reason)}")
                }
                polls += 1
                if chunk.isEmpty, polls % Self.heartbeatEvery == 0 { chunk = ": keep-alive\n\n" }
                if !chunk.isEmpty { try await writer.write(ByteBuffer(string: chunk)) }
                if current.state.isTerminal { break }
                try await Task.sleep(for: Self.pollInterval)
                guard let next = try await service.current(current) else { break }
                current = next
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", .xAccelBuffering: "no"],
            body: body)
    }

    static func event(_ type: String, id: String, data: String) -> String {
        let payload = data.split(separator: "\n", omittingEmptySubsequences: false).map { "data: \($0)" }.joined(
            separator: "\n")
        return "id: \(id)\nevent: \(type)\n\(payload)\n\n"
    }

    /// The SSE event name of an events-file line: its contract type (`round`, `property`), or
    /// `engine` for a line the contract does not describe (passed on as it is).
    static func eventType(_ line: String) -> String {
        EngineOutputReader.event(line)?.kind.rawValue ?? "engine"
    }

    /// The lines of a file that end with a newline (a half-written last line waits for the next poll).
    static func completeLines(_ path: String) -> [String] {
        guard let text = JobDirectory.read(path), !text.isEmpty else { return [] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast()  // the part after the last newline: empty or incomplete
        return lines
    }
}
