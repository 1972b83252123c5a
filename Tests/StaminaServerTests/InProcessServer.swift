import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import StaminaServer
import Testing

/// The server built in this process by `buildApplication` (as `stamina serve` builds it) on a
/// temporary data directory, for tests through HummingbirdTesting (`.router`: no sockets; `.live`:
/// a real loopback listener). Defaults for tests: no workers (jobs stay QUEUED; a test that needs a
/// finished job finishes it in the store, as a worker would, with `finishNext`), no rate limit.
struct InProcessServer {
    var configuration: ServerConfiguration
    /// The store the server runs on (an `InMemoryJobStore` for the API tests); nil opens SQLite in
    /// the data directory, as `stamina serve` does.
    var store: (any JobStore)?
    /// The submission check: every model is accepted unless a test asks for the real front end
    /// (`FrontEndValidator`).
    var validator: any ModelValidator = AcceptingValidator()

    init(
        _ settings: [String] = [], dataDirectory: String = RunningServer.temporaryDirectory(),
        store: (any JobStore)? = nil
    ) throws {
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.dataDirectory = dataDirectory
        configuration.workers = 0
        configuration.rateLimit = 0
        configuration.logLevel = "error"
        for setting in settings {
            guard let equals = setting.firstIndex(of: "=") else { throw TestFailure("bad setting \(setting)") }
            try configuration.set(String(setting[..<equals]), String(setting[setting.index(after: equals)...]))
        }
        self.configuration = configuration
        self.store = store
    }

    var dataDirectory: String { configuration.dataDirectory }

    func test<Value>(_ setup: TestingSetup = .router, _ body: @Sendable (any TestClientProtocol) async throws -> Value)
        async throws -> Value
    {
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let app = try await buildApplication(
            configuration: configuration, validator: validator, logger: logger, store: store)
        return try await app.test(setup, body)
    }
}

/// Small request helpers so each test reads as what it sends and what it expects.
extension TestClientProtocol {
    func send(
        _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    /// `POST /v1/jobs` as JSON; returns the reply (202 with `id` and, when anonymous, `token`).
    func submitV1(name: String? = nil, token: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        var object: [String: Any] = [
            "model": ["name": "bd.prism", "content": TestModels.birthDeath],
            "properties": TestModels.birthDeathProperties,
        ]
        if let name { object["name"] = name }
        var fields = headers
        fields[.contentType] = "application/json"
        if let token { fields[.authorization] = "Bearer \(token)" }
        let body = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        return try await send(.post, "/v1/jobs", body, headers: fields)
    }

    /// Posts a multipart/form-data body: `fields` as text parts, `files` as (field, filename, text).
    func multipart(
        _ uri: String, fields: [(String, String)], files: [(String, String, String)] = [], headers: HTTPFields = [:]
    ) async throws -> TestResponse {
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
        var fields = headers
        fields[.contentType] = "multipart/form-data; boundary=\(boundary)"
        return try await send(.post, uri, body, headers: fields)
    }

    /// `POST /v1/jobs` with this JSON object.
    func postJSON(_ uri: String, _ object: [String: Any], headers: HTTPFields = [:]) async throws -> TestResponse {
        var fields = headers
        fields[.contentType] = "application/json"
        let body = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        return try await send(.post, uri, body, headers: fields)
    }

    /// `POST /jobs` (legacy, JSON form); returns the reply (201 with `id`).
    func submitLegacy(headers: HTTPFields = [:]) async throws -> TestResponse {
        let object: [String: Any] = [
            "create": "1", "model_file": TestModels.birthDeath, "prop_file": TestModels.birthDeathProperties,
        ]
        var fields = headers
        fields[.contentType] = "application/json"
        let body = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        return try await send(.post, "/jobs", body, headers: fields)
    }
}

/// Polls until `condition` gives a value, failing after `timeout` seconds (never sleep-and-hope).
func poll<T>(_ what: String, timeout: Double = 20, _ condition: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + .seconds(timeout)
    while ContinuousClock.now < deadline {
        if let value = try await condition() { return value }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TestFailure("timed out waiting for \(what)")
}

extension JobStore {
    /// Does to the oldest QUEUED job what a worker does, without an engine: claims it and stores
    /// its end (state, log, result JSON), so the HTTP layer can be tested on finished jobs.
    /// `events` and `artifacts` are stored while it runs, as a worker stores them.
    func finishNext(
        _ state: JobState = .succeeded, reason: FailureReason? = nil, log: String, resultJSON: String? = nil,
        events: [NewJobEvent] = [], artifacts: [String: [UInt8]] = [:]
    ) async throws -> JobRecord {
        guard let job = try await claimNext(now: Date()) else { throw TestFailure("no queued job to finish") }
        guard try await appendEvents(id: job.id, attempt: job.attempts, events) else {
            throw TestFailure("job \(job.id) took no events")
        }
        for (name, data) in artifacts {
            guard try await storeArtifact(id: job.id, attempt: job.attempts, name: name, data: data) else {
                throw TestFailure("job \(job.id) took no artifact")
            }
        }
        guard
            try await finish(
                id: job.id, attempt: job.attempts, state: state, reason: reason, message: nil, resultJSON: resultJSON,
                log: log, now: Date())
        else { throw TestFailure("job \(job.id) could not be finished") }
        guard let finished = try await self.job(id: job.id) else { throw TestFailure("job \(job.id) is gone") }
        return finished
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }
    var array: [[String: Any]]? { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] }
    var code: Int { Int(status.code) }
    func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }
}

extension HTTPFields {
    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }
    static func forwardedFor(_ address: String) -> HTTPFields {
        guard let name = HTTPField.Name("X-Forwarded-For") else { return [:] }
        return [name: address]
    }
}
