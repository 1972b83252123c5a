import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real `stamina serve` process on a free loopback port with a temporary data directory, started
/// by a test and stopped (SIGTERM, then SIGKILL) when the test ends.
final class RunningServer: @unchecked Sendable {
    let process: Process
    let port: Int
    let dataDirectory: String
    let settings: [String]
    var baseURL: String { "http://127.0.0.1:\(port)" }
    /// Every test server has this admin token (a test's own `admin-token` setting wins): the
    /// legacy endpoints show `/v1` jobs to the admin only.
    static let adminToken = "running-server-admin"

    /// The `stamina` binary built next to the test bundle.
    static var staminaBinary: String {
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("stamina").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return ".build/debug/stamina"
    }

    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "stamina-server-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Starts a server; `settings` are `KEY=VALUE` pairs for `--set`. Defaults for tests: no rate
    /// limit, quick pruning pass, one worker per test server.
    /// `launcher` runs before the binary (e.g. `unshare --mount`), and must exec it in place.
    init(_ settings: [String] = [], dataDirectory: String? = nil, port: Int = 0, launcher: [String] = []) async throws {
        self.dataDirectory = dataDirectory ?? Self.temporaryDirectory()
        self.settings = settings
        let process = Process()
        process.executableURL = URL(fileURLWithPath: launcher.first ?? Self.staminaBinary)
        var arguments = launcher.isEmpty ? [] : Array(launcher.dropFirst()) + [Self.staminaBinary]
        arguments += [
            "serve", "--listen", "127.0.0.1:\(port)", "--data-dir", self.dataDirectory, "--set", "rate-limit=0",
            "--set", "admin-token=\(Self.adminToken)",
        ]
        for setting in settings { arguments += ["--set", setting] }
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        self.process = process
        // The first stdout line names the port: "stamina serve: listening on http://127.0.0.1:PORT".
        let line = try await Self.firstLine(of: output.fileHandleForReading, deadline: .now + .seconds(30))
        guard let portText = line.split(separator: ":").last,
            let actual = Int(portText.trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            process.terminate()
            throw TestFailure("server did not start: '\(line)'")
        }
        self.port = actual
    }

    private static func firstLine(of handle: FileHandle, deadline: ContinuousClock.Instant) async throws -> String {
        try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                var bytes: [UInt8] = []
                while true {
                    let chunk = handle.readData(ofLength: 1)
                    if chunk.isEmpty || chunk.first == UInt8(ascii: "\n") { break }
                    bytes += chunk
                }
                return String(decoding: bytes, as: UTF8.self)
            }
            group.addTask {
                try await Task.sleep(until: deadline)
                throw TestFailure("server did not print its port in time")
            }
            let line = try await group.next() ?? ""
            group.cancelAll()
            return line
        }
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    func crash() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }

    // MARK: HTTP

    struct Reply: Sendable {
        var status: Int
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: Any? { try? JSONSerialization.jsonObject(with: body) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    func request(
        _ method: String, _ path: String, body: Data? = nil, contentType: String? = nil, headers: [String: String] = [:]
    ) async throws -> Reply {
        guard let url = URL(string: baseURL + path) else { throw TestFailure("bad path \(path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 60
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw TestFailure("no HTTP response") }
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields["\(name)"] = "\(value)" }
        return Reply(status: http.statusCode, headers: fields, body: data)
    }

    func get(_ path: String, token: String? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var all = headers
        if let token { all["Authorization"] = "Bearer \(token)" }
        return try await request("GET", path, headers: all)
    }

    func text(
        _ method: String, _ path: String, _ text: String, contentType: String = "text/plain", token: String? = nil
    ) async throws -> Reply {
        try await request(
            method, path, body: Data(text.utf8), contentType: contentType,
            headers: token.map { ["Authorization": "Bearer \($0)"] } ?? [:])
    }

    func json(_ method: String, _ path: String, _ object: Any, token: String? = nil, headers: [String: String] = [:])
        async throws
        -> Reply
    {
        var all = headers
        if let token { all["Authorization"] = "Bearer \(token)" }
        return try await request(
            method, path, body: try JSONSerialization.data(withJSONObject: object), contentType: "application/json",
            headers: all)
    }

    /// Posts a multipart/form-data body: `fields` as text parts, `files` as (field, filename, text).
    func multipart(
        _ path: String, fields: [(String, String)], files: [(String, String, String)], token: String? = nil,
        headers: [String: String] = [:]
    ) async throws -> Reply {
        let boundary = "----stamina-test-\(UUID().uuidString)"
        var body = ""
        for (name, value) in fields {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        for (name, fileName, text) in files {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(fileName)\"\r\n"
            body += "Content-Type: application/octet-stream\r\n\r\n\(text)\r\n"
        }
        body += "--\(boundary)--\r\n"
        var all = headers
        if let token { all["Authorization"] = "Bearer \(token)" }
        return try await request(
            "POST", path, body: Data(body.utf8), contentType: "multipart/form-data; boundary=\(boundary)", headers: all)
    }

    /// Polls until `condition` holds, failing after `timeout` seconds (never sleep-and-hope).
    func waitFor<T>(
        _ what: String, timeout: Double = 60, _ condition: () async throws -> T?
    ) async throws -> T {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let value = try await condition() { return value }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("timed out waiting for \(what)")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
