import Foundation
import HTTPTypes
import Logging
import SQLiteNIO
import Testing

@testable import StaminaServer

/// `Idempotency-Key` on `POST /v1/jobs`: retries and concurrent first tries of one request make
/// one job, and keys written by older servers (a table of their own) survive the upgrade.
struct IdempotencyTests {
    @Test func concurrentSubmissionsWithOneKeyAreOneJob() async throws {
        try await InProcessServer(["owner-quota=50", "owner-queued-quota=50"]).test { client in
            let token = try #require(try await client.submitV1().object["token"] as? String)
            let key = try #require(HTTPField.Name("Idempotency-Key"))
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        let reply = try await client.submitV1(token: token, headers: [key: "one"])
                        #expect(reply.code == 202)
                        return reply.object["id"] as? String
                    }
                }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(ids.count == 12 && Set(ids).count == 1 && ids.first != nil)
            let listing = try await client.send(.get, "/v1/jobs", headers: .bearer(token))
            let jobs = try #require(listing.object["jobs"] as? [[String: Any]])
            #expect(jobs.count == 2)  // the anonymous submission that gave the token, and this one
            #expect(jobs.first?["id"] as? String == ids.first ?? nil)
        }
    }

    @Test func keysOfAnOlderStoreAreMigratedOntoTheirJobs() async throws {
        let path = RunningServer.temporaryDirectory() + "/stamina.sqlite"
        let store = try await SQLiteJobStore.open(path: path, logger: Logger(label: "test"))
        let job = try await store.insert(JobStoreConformanceTests.newJob(), ownerQuota: 9, systemQuota: 9)
        await store.close()
        // Back to a release before versioning: no schema version, the key in its old table.
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: Logger(label: "test"))
        for statement in [
            "DROP TABLE schema_version", "DROP INDEX jobs_idempotency", "ALTER TABLE jobs DROP COLUMN idempotency_key",
            """
            CREATE TABLE idempotency (owner TEXT NOT NULL, key TEXT NOT NULL, job_id TEXT NOT NULL,
              created_at REAL NOT NULL, PRIMARY KEY (owner, key))
            """,
            "INSERT INTO idempotency VALUES ('\(job.owner)', 'old-key', '\(job.id)', 0)",
        ] {
            _ = try await connection.query(statement, [])
        }
        try await connection.close()
        let reopened = try await SQLiteJobStore.open(path: path, logger: Logger(label: "test"))
        #expect(try await reopened.job(owner: job.owner, idempotencyKey: "old-key")?.id == job.id)
        let retry = try await reopened.insert(
            JobStoreConformanceTests.newJob(idempotencyKey: "old-key"), ownerQuota: 9, systemQuota: 9)
        #expect(retry.id == job.id)
        await reopened.close()
    }
}
