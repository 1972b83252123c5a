import Foundation
import Hummingbird

/// `GET /v1/jobs/{id}/events` as Server-Sent Events: `state` on every state change, `log` per
/// engine stderr line, `round` and `property` per line of the engine's events file, all read from
/// the store (the worker may run on another node). Every event's id is the cursor after it
/// (`<state>.<log lines>.<event lines>`), so a client that reconnects with `Last-Event-ID`, to any
/// API node, continues where it stopped. The stream ends once the job is terminal.
///
/// Where the store reports changes (PostgreSQL: `JobChangeHub`), a stream reads the store only when
/// its job changed or got progress lines, so idle streams cost no query while the node listens;
/// otherwise (SQLite, or a node not listening at the moment) it polls every `pollInterval`.
struct EventStream: Sendable {
    let service: JobService
    static let pollInterval: Duration = .milliseconds(200)
    /// A comment line after this long without an event, so proxies keep the connection open.
    static let keepAliveInterval: Duration = .seconds(15)

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
            // Subscribed before the first read, so a change made while it reads wakes the next wait.
            let subscription = service.subscribeToChanges(of: job)
            defer { subscription?.cancel() }
            var cursor = start
            var lastWrite = ContinuousClock.now
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
                if chunk.isEmpty, lastWrite.duration(to: .now) >= Self.keepAliveInterval { chunk = Self.keepAlive }
                if !chunk.isEmpty {
                    try await writer.write(ByteBuffer(string: chunk))
                    lastWrite = .now
                }
                if current.state.isTerminal { break }
                try await Self.waitForChange(subscription, lastWrite: &lastWrite, writer: &writer)
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

    static let keepAlive = ": keep-alive\n\n"

    /// Returns when the job may have changed: at once on a notification, or after `pollInterval`
    /// while the node does not listen (or the store reports no changes). While it listens and
    /// nothing changes, it only writes the keep-alive.
    static func waitForChange(
        _ subscription: JobChangeSubscription?, lastWrite: inout ContinuousClock.Instant,
        writer: inout any ResponseBodyWriter
    ) async throws {
        if let subscription {
            while subscription.isListening {
                let quiet = keepAliveInterval - lastWrite.duration(to: .now)
                if quiet <= .zero {
                    try await writer.write(ByteBuffer(string: keepAlive))
                    lastWrite = .now
                    continue
                }
                if await subscription.next(timeout: quiet) == .changed { return }
            }
        }
        try await Task.sleep(for: pollInterval)
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
