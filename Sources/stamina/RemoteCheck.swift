// `stamina check MODEL PROPS --server URL`: the same check, run by a job server. The files and
// flags are checked as for a local run, submitted to `/v1/jobs`, and the job's event stream is
// followed so that the engine's lines appear as they happen; then the results block (or the
// `--json` document) is printed as a local run prints it, with the same exit codes (0, 1 input
// error, 2 engine error). Ctrl-C cancels the job on the server. A broken connection (the server
// restarting) is resumed from the last event seen.

import ArgumentParser
import Dispatch
import EngineContract
import Foundation
import OrderedJSON
import StaminaEngine
import StaminaServer

struct RemoteCheck {
    let command: CheckCommand
    let server: String

    /// How long the server may stay unreachable while a job is followed before giving up.
    static let reconnectSeconds = 300.0

    func run() async throws {
        do {
            try await execute()
        } catch let failure {
            if command.json { print(failure.json.rendered) }
            CheckReporter.standardError("[ERROR]: \(failure.message)\n")
            throw ExitCode(failure.exitCode)
        }
    }

    private func info(_ text: String) {
        if !command.quiet { CheckReporter.standardError("[INFO]: \(text)\n") }
    }

    /// A refusal or a lost connection, in `stamina check`'s terms: 4xx is the input's fault (exit 1).
    static func failure(_ error: RemoteError, model: String, properties: String?) -> CheckFailure {
        if error.slug == "invalid-model" {
            var failure = CheckFailure.input("PARSE_ERROR", error.diagnostics.first?.message ?? error.detail)
            failure.message = localNames(error.detail, model: model, properties: properties)
            failure.diagnostics = error.diagnostics.map {
                (localName($0.file, model: model, properties: properties), $0.line, $0.column, $0.message)
            }
            return failure
        }
        let code = error.slug.uppercased().replacingOccurrences(of: "-", with: "_")
        return CheckFailure(kind: error.isClientError ? .input : .engine, code: code, message: error.message)
    }

    /// The server knows the files by their base names; messages name them as the user did.
    static func localName(_ file: String, model: String, properties: String?) -> String {
        if file == baseName(model) { return model }
        if let properties, file == baseName(properties) { return properties }
        return file
    }

    static func localNames(_ text: String, model: String, properties: String?) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            for path in [model, properties].compactMap({ $0 }) where line.hasPrefix(baseName(path) + ":") {
                return path + line.dropFirst(baseName(path).count)
            }
            return String(line)
        }.joined(separator: "\n")
    }

    static func baseName(_ path: String) -> String { SubmittedName.of(path) }

    private func unsupported() -> String? {
        if command.exact { return "--exact" }
        if !command.propertyNames.isEmpty { return "--property" }
        if command.timeLimit != nil { return "--time-limit (the server sets the limits)" }
        if command.maxStates != nil { return "--max-states" }
        if command.exportDot != nil { return "--export (Graphviz)" }
        return nil
    }

    private func execute() async throws(CheckFailure) {
        let request = try command.request()
        if let flag = unsupported() { throw .input("BAD_FLAG", "\(flag) is not available with --server") }
        guard let propertiesPath = command.properties else {
            throw .input("BAD_FLAG", "--server needs a properties file")
        }
        let model = try read(command.model)
        let properties = try read(propertiesPath)
        let failure = { (error: RemoteError) in Self.failure(error, model: command.model, properties: propertiesPath) }
        var client: ServerClient
        do {
            client = try ServerClient(server: server, token: nil)
            client.token = try ClientTokenStore.resolve(flag: command.token, server: client.base).token
        } catch { throw failure(error) }
        // The `/v1` field names of the request's knobs (the contract's `CheckRequest.ranges` names).
        var fields: [(String, String)] = [
            ("method", request.method.rawValue), ("kappa", String(request.kappa)),
            ("rkappa", String(request.reduceKappa)), ("approxFactor", String(request.approxFactor)),
            ("window", String(request.window)), ("maxIterations", String(request.maxIterations)),
            ("propertyTruncation", request.propertyTruncation ? "true" : "false"),
        ]
        if !request.constants.isEmpty { fields.append(("constants", request.constants)) }
        let job: RemoteJob
        do {
            job = try await client.submit(
                files: [
                    ("model", Self.baseName(command.model), model),
                    ("properties", Self.baseName(propertiesPath), properties),
                ], fields: fields)
        } catch { throw failure(error) }
        if let issued = job.token, client.token == nil {
            client.token = issued
            do {
                let store = ClientTokenStore()
                try store.save(token: issued, for: client.base)
                info("The server issued a token for your jobs; saved in \(store.path)")
            } catch {
                CheckReporter.standardError("[WARNING]: \(error.detail); the job can only be followed now\n")
            }
        }
        info("Job \(job.id) submitted to \(client.base)")
        let interrupt = Self.cancelOnInterrupt(client: client, job: job.id)
        defer { interrupt.cancel() }
        let state: String
        do { state = try await follow(client: client, job: job.id, propertiesPath: propertiesPath) } catch {
            throw failure(error)
        }
        try await finish(client: client, job: job.id, state: state, propertiesPath: propertiesPath)
    }

    private func read(_ path: String) throws(CheckFailure) -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else { throw .input("FILE_NOT_FOUND", "cannot read '\(path)'") }
        return text
    }

    /// Ctrl-C: ask the server to cancel the job (waiting a few seconds for the answer), then exit 130.
    static func cancelOnInterrupt(client: ServerClient, job: String) -> any DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            CheckReporter.standardError("\n[INFO]: Cancelling job \(job) on the server\n")
            let done = DispatchSemaphore(value: 0)
            Task {
                do throws(RemoteError) { _ = try await client.send("POST", "/v1/jobs/\(job)/cancel") } catch {
                    CheckReporter.standardError("[WARNING]: the job may still run: \(error.message)\n")
                }
                done.signal()
            }
            _ = done.wait(timeout: .now() + 10)
            exit(130)
        }
        source.resume()
        return source
    }

    /// Prints the job's engine lines as they come and returns its final state.
    private func follow(client: ServerClient, job: String, propertiesPath: String) async throws(RemoteError) -> String {
        let events = try command.events.map { (path) throws(RemoteError) -> UnsafeMutablePointer<FILE> in
            guard let file = fopen(path, "a") else {
                throw .local("io-error", "I/O error", "cannot open events file '\(path)' for writing")
            }
            return file
        }
        defer { if let events { fclose(events) } }
        var lastID: String? = nil
        var inError = false
        var failingSince: ContinuousClock.Instant? = nil
        var delay = Duration.milliseconds(100)
        while true {
            do {
                for try await event in client.events(job: job, lastEventID: lastID) {
                    failingSince = nil
                    if !event.id.isEmpty { lastID = event.id }
                    switch event.type {
                    case "log":
                        // The engine's error line (and its continuation lines) is reported at the
                        // end from the result, once, as a local run reports it.
                        if event.data.hasPrefix("[ERROR]:") || (inError && !event.data.hasPrefix("[")) {
                            inError = true
                            continue
                        }
                        inError = false
                        show(event.data, propertiesPath: propertiesPath)
                    case "round", "property":
                        if let events {
                            fputs(event.data + "\n", events)
                            fflush(events)
                        }
                    case "state":
                        let state = (try? JSONDecoder().decode(RemoteJob.StateEvent.self, from: Data(event.data.utf8)))?
                            .state
                        if let state, RemoteJob.terminalStates.contains(state) { return state }
                    default: break
                    }
                }
                // The stream ended without a final state: one seen before a reconnect, or a cut.
                let current = try await client.decode(RemoteJob.self, "GET", "/v1/jobs/\(job)")
                if current.isTerminal { return current.state }
            } catch let error as RemoteError where error.isClientError {
                throw error
            } catch {
                let now = ContinuousClock.now
                let since = failingSince ?? now
                failingSince = since
                if now - since > .seconds(Self.reconnectSeconds) {
                    throw .unreachable(client.base, error)
                }
                if since == now { info("Lost the connection to the server; reconnecting") }
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(2))
        }
    }

    /// One engine line, as a local run shows it: the files under the user's names, without the
    /// server's own exports and the closing line (printed after the results, as locally).
    private func show(_ line: String, propertiesPath: String) {
        if line == "[MESSAGE]: Finished running!" { return }
        if line.hasPrefix("[INFO]: Wrote "), line.contains(" export to ") { return }
        if line.hasPrefix("[INFO]:") && command.quiet { return }
        var line = line
        if line.hasPrefix("[INFO]: Model: ") {
            line = "[INFO]: Model: \(command.model), properties: \(propertiesPath)"
        }
        CheckReporter.standardError(line + "\n")
    }

    private func finish(client: ServerClient, job: String, state: String, propertiesPath: String)
        async throws(CheckFailure)
    {
        let failure = { (error: RemoteError) in Self.failure(error, model: command.model, properties: propertiesPath) }
        if state == "CANCELLED" || state == "PRUNED" {
            throw CheckFailure(
                kind: .engine, code: state, message: "job \(job) was \(state.lowercased()) on the server")
        }
        let document: JobResultDocument
        do { document = try await client.decode(JobResultDocument.self, "GET", "/v1/jobs/\(job)/result") } catch {
            guard error.status == 409, state != "SUCCEEDED" else { throw failure(error) }
            // A job that failed before the engine wrote anything has no result; its resource says why.
            let resource = try? await client.decode(RemoteJob.self, "GET", "/v1/jobs/\(job)")
            throw CheckFailure(
                kind: .engine, code: resource?.failureReason ?? state,
                message: "job \(job) failed on the server: \(resource?.failureMessage ?? state)")
        }
        let result = RemoteResult(document: document)
        if state != "SUCCEEDED" {
            if let error = result.engineError {
                // The engine's own failure (its error line was held back): reported as locally.
                let name = { (file: String) in Self.localName(file, model: command.model, properties: propertiesPath) }
                var failure = CheckFailure(
                    kind: error.kind, code: error.code,
                    message: Self.localNames(error.message, model: command.model, properties: propertiesPath))
                failure.diagnostics = error.diagnostics.map { (name($0.file), $0.line, $0.column, $0.message) }
                throw failure
            }
            let run = document.run
            throw CheckFailure(
                kind: .engine, code: run?.failureReason ?? "FAILED",
                message: "job \(job) failed on the server: \(run?.message ?? state)")
        }
        if command.json {
            print(result.localJSON(model: command.model, properties: propertiesPath))
        } else {
            for block in result.resultsBlocks { print(block) }
        }
        for (path, artifact, format) in [
            (command.exportTrans, "transitions.txt", "transitions"), (command.exportDRN, "model.drn", "drn"),
        ] {
            guard let path else { continue }
            let data: Data
            do { data = try await client.send("GET", "/v1/jobs/\(job)/artifacts/\(artifact)") } catch {
                throw failure(error)
            }
            guard FileManager.default.createFile(atPath: path, contents: data) else {
                throw .input("IO_ERROR", "cannot write '\(path)'")
            }
            info("Wrote \(format) export to \(path)")
        }
        CheckReporter.standardError("[MESSAGE]: Finished running!\n")
    }
}

/// The file name a submission shows the server: the last path component.
enum SubmittedName {
    static func of(_ path: String) -> String {
        let last = path.split(separator: "/").last.map(String.init) ?? path
        return last.isEmpty ? "upload" : last
    }
}

extension RemoteJob {
    struct StateEvent: Decodable {
        var state: String
    }
}
