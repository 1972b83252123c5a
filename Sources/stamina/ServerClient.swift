// The command line's HTTP client for a server's `/v1` API (`stamina check --server`, `stamina
// jobs`): bearer token, problem documents turned into `RemoteError`, and the job's event stream.
// URLSession from FoundationNetworking, so the CLI needs no extra package to build.

import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Why a call to the server failed: the server refused it (its problem document), or it could not
/// be reached at all (`status == nil`).
struct RemoteError: Error, Sendable {
    var status: Int?
    var slug: String
    var title: String
    var detail: String
    var diagnostics: [RemoteDiagnostic] = []
    /// Found before asking the server (a bad URL, an unreadable client file): the user's to fix.
    var local = false

    static func local(_ slug: String, _ title: String, _ detail: String) -> RemoteError {
        RemoteError(status: nil, slug: slug, title: title, detail: detail, local: true)
    }

    static func unreachable(_ server: String, _ error: any Error) -> RemoteError {
        RemoteError(
            status: nil, slug: "unreachable", title: "Server unreachable",
            detail: "cannot reach \(server): \(error.localizedDescription)")
    }

    /// The problem document of a refused request, or a minimal one when the body is not one.
    static func refused(status: Int, body: Data) -> RemoteError {
        let problem = (try? JSONDecoder().decode(Problem.self, from: body))
        let slug = problem?.type.flatMap { $0.split(separator: "/").last.map(String.init) } ?? "http-\(status)"
        let text = String(decoding: body.prefix(500), as: UTF8.self)
        return RemoteError(
            status: status, slug: slug, title: problem?.title ?? HTTPURLResponse.localizedString(forStatusCode: status),
            detail: problem?.detail ?? text, diagnostics: problem?.diagnostics ?? [])
    }

    /// 4xx: the request (files, flags, token) is at fault; anything else is the server's or the network's.
    var isClientError: Bool { local || ((status ?? 0) >= 400 && (status ?? 0) < 500) }

    var message: String {
        guard let status else { return detail }
        return "server answered \(status) \(title): \(detail)"
    }

    private struct Problem: Decodable {
        var type: String?
        var title: String?
        var detail: String?
        var diagnostics: [RemoteDiagnostic]?
    }
}

struct RemoteDiagnostic: Decodable, Sendable {
    var file: String
    var line: Int
    var column: Int
    var message: String
}

/// The job resource (`GET /v1/jobs/{id}`), with the token an anonymous submission is given.
struct RemoteJob: Decodable, Sendable {
    var id: String
    var name: String
    var state: String
    var failureReason: String?
    var failureMessage: String?
    var createdAt: String?
    var startedAt: String?
    var finishedAt: String?
    var attempts: Int?
    var token: String?

    static let terminalStates: Set<String> = ["SUCCEEDED", "FAILED", "CANCELLED", "PRUNED"]
    var isTerminal: Bool { Self.terminalStates.contains(state) }
}

struct RemoteJobPage: Decodable, Sendable {
    var jobs: [RemoteJob]
    var nextCursor: String?
}

/// One server-sent event: `state`, `log`, `round`, `property` or `engine`.
struct ServerEvent: Sendable, Equatable {
    var id: String
    var type: String
    var data: String
}

/// Cuts a `text/event-stream` into events; chunks may end anywhere, even inside a UTF-8 sequence.
struct ServerEventParser: Sendable {
    private var buffer: [UInt8] = []
    private var lastID = ""
    private var type = ""
    private var data: [String] = []

    mutating func feed(_ chunk: Data) -> [ServerEvent] {
        buffer += chunk
        var events: [ServerEvent] = []
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            var line = Array(buffer[..<newline])
            buffer.removeSubrange(...newline)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            let text = String(decoding: line, as: UTF8.self)
            if text.isEmpty {
                if !data.isEmpty || !type.isEmpty {
                    events.append(
                        ServerEvent(
                            id: lastID, type: type.isEmpty ? "message" : type, data: data.joined(separator: "\n")))
                }
                type = ""
                data = []
                continue
            }
            if text.hasPrefix(":") { continue }
            let name = text.prefix { $0 != ":" }
            var value = text.dropFirst(name.count).dropFirst()
            if value.hasPrefix(" ") { value = value.dropFirst() }
            switch name {
            case "data": data.append(String(value))
            case "event": type = String(value)
            case "id": lastID = String(value)
            default: break
            }
        }
        return events
    }
}

/// A server's base URL and the token to send.
struct ServerClient: Sendable {
    let base: String
    var token: String?

    init(server: String, token: String?) throws(RemoteError) {
        var base = server.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        guard base.hasPrefix("http://") || base.hasPrefix("https://"), URL(string: base)?.host != nil else {
            throw .local("bad-url", "Bad server URL", "--server expects http://HOST[:PORT][/PREFIX], got '\(server)'")
        }
        self.base = base
        self.token = token
    }

    private func request(_ method: String, _ path: String, timeout: TimeInterval = 60) -> URLRequest {
        // The path is built from the server's own ids and fixed names; the URL is checked in init.
        var request = URLRequest(url: URL(string: base + path) ?? URL(fileURLWithPath: "/"))
        request.httpMethod = method
        request.timeoutInterval = timeout
        request.setValue("stamina-cli/\(StaminaVersion.current)", forHTTPHeaderField: "User-Agent")
        request.setValue("application/json, application/problem+json", forHTTPHeaderField: "Accept")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        return request
    }

    /// One request; a 4xx/5xx reply becomes the server's problem.
    func send(_ method: String, _ path: String, body: Data? = nil, contentType: String? = nil) async throws(RemoteError)
        -> Data
    {
        var request = request(method, path)
        if let body {
            request.httpBody = body
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        let data: Data
        let response: URLResponse
        do { (data, response) = try await URLSession.shared.data(for: request) } catch {
            throw .unreachable(base, error)
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else { throw .refused(status: status, body: data) }
        return data
    }

    func decode<T: Decodable>(_ type: T.Type, _ method: String, _ path: String) async throws(RemoteError) -> T {
        let data = try await send(method, path)
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw RemoteError(
                status: nil, slug: "bad-reply", title: "Unreadable reply",
                detail: "the server's reply to \(method) \(path) is not what this client expects")
        }
    }

    /// `POST /v1/jobs` as multipart/form-data: the two files and the settings as fields.
    func submit(files: [(field: String, name: String, text: String)], fields: [(String, String)])
        async throws(RemoteError) -> RemoteJob
    {
        let boundary = "stamina-" + UUID().uuidString
        var body = Data()
        for (name, value) in fields {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        for file in files {
            let shown = file.name.replacingOccurrences(of: "\"", with: "_")
            body += Data(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(shown)\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                    .utf8)
            body += Data(file.text.utf8)
            body += Data("\r\n".utf8)
        }
        body += Data("--\(boundary)--\r\n".utf8)
        let data = try await send(
            "POST", "/v1/jobs", body: body, contentType: "multipart/form-data; boundary=\(boundary)")
        do { return try JSONDecoder().decode(RemoteJob.self, from: data) } catch {
            throw RemoteError(
                status: nil, slug: "bad-reply", title: "Unreadable reply", detail: "the job resource could not be read")
        }
    }

    /// The job's events from `lastEventID` on, as the server sends them. The stream ends when the
    /// server closes it (the job is finished) and throws when the connection breaks.
    func events(job: String, lastEventID: String?) -> AsyncThrowingStream<ServerEvent, any Error> {
        var request = request("GET", "/v1/jobs/\(job)/events", timeout: 45)  // heartbeats come every ~15 s
        request.setValue("text/event-stream", forHTTPHeaderField: "Accept")
        if let lastEventID { request.setValue(lastEventID, forHTTPHeaderField: "Last-Event-ID") }
        return AsyncThrowingStream { continuation in
            let delegate = EventStreamDelegate(continuation: continuation)
            let session = URLSession(configuration: .ephemeral, delegate: delegate, delegateQueue: nil)
            let task = session.dataTask(with: request)
            continuation.onTermination = { _ in
                task.cancel()
                session.invalidateAndCancel()
            }
            task.resume()
        }
    }
}

/// Receives the event stream's bytes as they arrive; the session calls it on its own serial queue.
private final class EventStreamDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let continuation: AsyncThrowingStream<ServerEvent, any Error>.Continuation
    private var parser = ServerEventParser()
    private var status = 0
    private var refusal = Data()

    init(continuation: AsyncThrowingStream<ServerEvent, any Error>.Continuation) {
        self.continuation = continuation
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        status = (response as? HTTPURLResponse)?.statusCode ?? 0
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard status == 200 else {
            refusal += data
            return
        }
        for event in parser.feed(data) { continuation.yield(event) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        if let error {
            continuation.finish(throwing: error)
        } else if status != 200 {
            continuation.finish(throwing: RemoteError.refused(status: status, body: refusal))
        } else {
            continuation.finish()
        }
        session.finishTasksAndInvalidate()
    }
}
