import Foundation
import Hummingbird

/// `GET /v1/jobs/{id}/events` as Server-Sent Events: `state` on every state change, `log` per
/// engine stderr line, `round` and `property` per line of the engine's events file, all read from
/// the store (the worker may run on another node). Every event's id is the cursor after it
/// (`<state>.<log lines>.<event lines>`), so a client that reconnects with `Last-Event-ID`, to any
/// API node, continues where it stopped. The stream ends once the job is terminal.
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
            // Stored events already counted by the cursor are skipped once; after that only newer
            // sequences are read.
            var lastSequence: Int64 = 0
            var skipLog = start.logLines
            var skipEngine = start.eventLines
            while true {
                var chunk = ""
                // Log and engine events first, the state change after: a client that sees a
                // terminal state has seen everything before it.
                while true {
                    let events = try await service.events(current, after: lastSequence, limit: 500)
                    for event in events {
                        lastSequence = event.sequence
                        switch event.kind {
                        case .log:
                            if skipLog > 0 {
                                skipLog -= 1
                                continue
                            }
                            cursor.logLines += 1
                            chunk += Self.event("log", id: cursor.id, data: event.line)
                        case .engine:
                            if skipEngine > 0 {
                                skipEngine -= 1
                                continue
                            }
                            cursor.eventLines += 1
                            chunk += Self.event(Self.eventType(event.line), id: cursor.id, data: event.line)
                        }
                    }
                    if events.count < 500 { break }
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

}
