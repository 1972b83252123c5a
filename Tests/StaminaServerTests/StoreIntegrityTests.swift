import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing

@testable import StaminaServer

/// A damaged store is refused at start, `/readyz` proves the store and the data directory
/// writable, and `stamina backup`/`restore` round-trip the jobs of a running server.
@Suite("Store integrity")
struct StoreIntegrityTests {
    @Test func aDamagedDatabaseIsRefusedAtStartNamingTheFileAndTheWayBack() async throws {
        let directory = RunningServer.temporaryDirectory()
        let path = directory + "/stamina.sqlite"
        let store = try await SQLiteJobStore.open(path: path, logger: Logger(label: "test"))
        let longLog = String(repeating: "a log line of a finished job\n", count: 40)
        for _ in 0..<300 {
            let job = try await store.insert(StoreVersionTests.newJob(), ownerQuota: 1000, systemQuota: 1000)
            _ = try await store.claimNext(now: Date())
            _ = try await store.finish(
                id: job.id, attempt: 1, state: .succeeded, reason: nil, message: nil, resultJSON: "{}", log: longLog,
                now: Date())
        }
        await store.close()
        // Overwrite whole pages in the middle of the file (inner b-tree pages), as a bad disk would.
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        let size = try handle.seekToEnd()
        #expect(size > 64 * 4096)
        for page in stride(from: 8, to: 40, by: 3) {
            try handle.seek(toOffset: UInt64(page * 4096 + 100))
            handle.write(Data(repeating: 0xA5, count: 3000))
        }
        try handle.close()

        let server = try InProcessServer([], dataDirectory: directory)
        do {
            try await server.test { _ in }
            Issue.record("the server started on a damaged database")
        } catch let error as StoreError {
            #expect(error.description.contains(path))
            #expect(error.description.contains("stamina restore"))
            #expect(error.description.contains("damaged"))
        }
    }

    @Test func readyzIs503WhenTheDataDirectoryIsNotWritable() async throws {
        let server = try InProcessServer()
        try await server.test { client in
            #expect(try await client.send(.get, "/readyz").code == 200)
            // Where job files go is no longer a directory (as root, permissions would not stop us).
            let jobs = server.dataDirectory + "/jobs"
            try FileManager.default.moveItem(atPath: jobs, toPath: jobs + ".away")
            try Data("not a directory".utf8).write(to: URL(fileURLWithPath: jobs))
            let reply = try await client.send(.get, "/readyz")
            #expect(reply.code == 503)
            #expect(reply.headers[.contentType] == "application/problem+json")
            #expect((reply.object["detail"] as? String)?.contains("data directory") == true)
            try FileManager.default.removeItem(atPath: jobs)
            try FileManager.default.moveItem(atPath: jobs + ".away", toPath: jobs)
            #expect(try await client.send(.get, "/readyz").code == 200)
        }
    }

    @Test func aBackupTakenWhileServingRestoresEveryJob() async throws {
        let server = try InProcessServer()
        let backup = RunningServer.temporaryDirectory() + "/backup"
        let submitted: [(id: String, token: String)] = try await server.test { client in
            var jobs: [(String, String)] = []
            for name in ["one", "two"] {
                let reply = try await client.submitV1(name: name)
                jobs.append(
                    (try #require(reply.object["id"] as? String), try #require(reply.object["token"] as? String)))
            }
            let renamed = try await client.send(
                .patch, "/v1/jobs/\(jobs[0].0)", #"{"name": "renamed"}"#,
                headers: [.authorization: "Bearer \(jobs[0].1)", .contentType: "application/json"])
            #expect(renamed.code == 200)
            // The server is running: its last changes may sit in the write-ahead log only.
            let result = try await StoreBackup.backup(
                dataDirectory: server.dataDirectory, to: backup, logger: Logger(label: "test"))
            #expect(result.jobs == 2)
            return jobs
        }
        // The inputs are in the database: the snapshot is the whole backup.
        #expect(!FileManager.default.fileExists(atPath: backup + "/jobs"))

        let restoredDirectory = RunningServer.temporaryDirectory()
        let restored = try await StoreBackup.restore(
            dataDirectory: restoredDirectory, from: backup, logger: Logger(label: "test"))
        #expect(restored.jobs == 2)
        try await InProcessServer([], dataDirectory: restoredDirectory).test { client in
            for (index, job) in submitted.enumerated() {
                let reply = try await client.send(.get, "/v1/jobs/\(job.id)", headers: .bearer(job.token))
                #expect(reply.code == 200)
                #expect(reply.object["name"] as? String == (index == 0 ? "renamed" : "two"))
                #expect(reply.object["state"] as? String == "QUEUED")
            }
        }
        let store = try await SQLiteJobStore.open(
            path: restoredDirectory + "/stamina.sqlite", logger: Logger(label: "test"))
        #expect(try await store.inputs(id: submitted[0].id)?.model.isEmpty == false)
        await store.close()
    }

    @Test func restoreRefusesADamagedBackupAndAStoreInUse() async throws {
        let notABackup = RunningServer.temporaryDirectory()
        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: notABackup + "/stamina.sqlite"))
        let target = RunningServer.temporaryDirectory()
        await #expect(throws: StoreBackup.Failure.self) {
            _ = try await StoreBackup.restore(dataDirectory: target, from: notABackup, logger: Logger(label: "test"))
        }
        let server = try InProcessServer()
        let backup = RunningServer.temporaryDirectory() + "/backup"
        try await server.test { client in
            #expect(try await client.submitV1().code == 202)
            _ = try await StoreBackup.backup(
                dataDirectory: server.dataDirectory, to: backup, logger: Logger(label: "test"))
            do {
                _ = try await StoreBackup.restore(
                    dataDirectory: server.dataDirectory, from: backup, logger: Logger(label: "test"))
                Issue.record("restored under a running server")
            } catch let error as StoreBackup.Failure {
                #expect(error.description.contains("stop it before restoring"))
            }
        }
    }
}
