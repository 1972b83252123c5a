// `stamina jobs --server URL [list | show ID | cancel ID | delete ID]`: one's jobs on a server,
// through its `/v1` API with the same token as `stamina check --server` (never printed).
// Exit codes: 0 done, 1 refused (unknown job, bad token, bad URL), 2 server failed or unreachable.

import ArgumentParser
import Foundation
import OrderedJSON
import StaminaServer

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "List, show, cancel and delete your jobs on a STAMINA server.",
        subcommands: [List.self, Show.self, Cancel.self, Delete.self], defaultSubcommand: List.self)

    struct Connection: ParsableArguments {
        @Option(name: .customLong("server"), help: "The server's base URL, e.g. http://127.0.0.1:8080.")
        var server: String
        @Option(name: .customLong("token"), help: "Bearer token (default: STAMINA_TOKEN, then the client file).")
        var token: String?

        func client() throws(RemoteError) -> ServerClient {
            var client = try ServerClient(server: server, token: nil)
            client.token = try ClientTokenStore.resolve(flag: token, server: client.base).token
            guard client.token != nil else {
                throw .local(
                    "no-token", "No token",

                    "no token for \(client.base): pass --token or STAMINA_TOKEN, or submit a job with 'stamina check --server' first"
                )
            }
            return client
        }
    }

    /// Runs one call, reporting a refusal as `[ERROR]:` with exit code 1 (2 when the server failed or
    /// could not be reached).
    static func perform(_ work: () async throws(RemoteError) -> Void) async throws {
        do { try await work() } catch {
            CheckReporter.standardError("[ERROR]: \(error.message)\n")
            throw ExitCode(error.isClientError ? 1 : 2)
        }
    }

    static func jobPath(_ id: String) throws(RemoteError) -> String {
        guard !id.isEmpty, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw .local("bad-id", "Bad job id", "'\(id)' is not a job id")
        }
        return "/v1/jobs/\(id)"
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List your jobs, newest first.")
        @OptionGroup var connection: Connection
        @Option(help: "Only jobs in this state (QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, ...).")
        var state: String?
        @Flag(help: "Print the server's JSON.") var json = false

        func run() async throws {
            try await JobsCommand.perform { () throws(RemoteError) in
                let client = try connection.client()
                var path = "/v1/jobs?limit=500"
                if let state {
                    let cleaned = state.uppercased().filter { $0.isLetter }
                    path += "&state=\(cleaned)"
                }
                if json {
                    print(String(decoding: try await client.send("GET", path), as: UTF8.self))
                    return
                }
                let page = try await client.decode(RemoteJobPage.self, "GET", path)
                if page.jobs.isEmpty {
                    CheckReporter.standardError("[INFO]: No jobs\n")
                    return
                }
                print(JobsCommand.row("ID", "STATE", "CREATED", "NAME"))
                for job in page.jobs {
                    let state = job.failureReason.map { "\(job.state) (\($0))" } ?? job.state
                    print(JobsCommand.row(job.id, state, job.createdAt ?? "", job.name))
                }
            }
        }
    }

    static func row(_ id: String, _ state: String, _ created: String, _ name: String) -> String {
        func padded(_ text: String, _ width: Int) -> String {
            text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
        }
        return padded(id, 28) + padded(state, 24) + padded(created, 26) + name
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a job: its state and, once it succeeded, its results block.")
        @OptionGroup var connection: Connection
        @Argument(help: "The job id.") var id: String
        @Flag(help: "Print the server's JSON (the job, then its result when finished).") var json = false

        func run() async throws {
            try await JobsCommand.perform { () throws(RemoteError) in
                let client = try connection.client()
                let path = try JobsCommand.jobPath(id)
                let data = try await client.send("GET", path)
                let job: RemoteJob
                do { job = try JSONDecoder().decode(RemoteJob.self, from: data) } catch {
                    throw RemoteError(
                        status: nil, slug: "bad-reply", title: "Unreadable reply", detail: "the job could not be read")
                }
                if json { print(String(decoding: data, as: UTF8.self)) }
                if !json {
                    print("Job: \(job.id)")
                    print("Name: \(job.name)")
                    print("State: \(job.state)\(job.failureReason.map { " (\($0))" } ?? "")")
                    if let message = job.failureMessage { print("Message: \(message)") }
                    for (label, time) in [
                        ("Created", job.createdAt), ("Started", job.startedAt), ("Finished", job.finishedAt),
                    ] {
                        if let time { print("\(label): \(time)") }
                    }
                    print("")
                }
                guard job.state == "SUCCEEDED" || job.state == "FAILED" else { return }
                let result = try await client.send("GET", path + "/result")
                if json {
                    print(String(decoding: result, as: UTF8.self))
                } else if let document = try? JSONDecoder().decode(JobResultDocument.self, from: result) {
                    for block in RemoteResult(document: document).resultsBlocks { print(block) }
                }
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a queued or running job.")
        @OptionGroup var connection: Connection
        @Argument(help: "The job id.") var id: String

        func run() async throws {
            try await JobsCommand.perform { () throws(RemoteError) in
                let client = try connection.client()
                let job = try await client.decode(RemoteJob.self, "POST", try JobsCommand.jobPath(id) + "/cancel")
                print("Job \(job.id): \(job.state)")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a job and its files from the server.")
        @OptionGroup var connection: Connection
        @Argument(help: "The job id.") var id: String

        func run() async throws {
            try await JobsCommand.perform { () throws(RemoteError) in
                let client = try connection.client()
                _ = try await client.send("DELETE", try JobsCommand.jobPath(id))
                print("Job \(id): deleted")
            }
        }
    }
}
