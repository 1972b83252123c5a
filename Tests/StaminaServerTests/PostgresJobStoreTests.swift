import Foundation
import Logging
import PostgresNIO
import Testing

@testable import StaminaServer

/// What only the PostgreSQL store must survive: several nodes (here: several connection pools on
/// one database) claiming, inserting and migrating at the same time. The contract itself is
/// checked by `JobStoreConformanceTests`, which runs on PostgreSQL as well.
@Suite(.enabled(if: PostgresTestDatabase.isConfigured, Comment(rawValue: PostgresTestDatabase.skipReason)))
struct PostgresJobStoreTests {
    static func newJob(owner: String = "owner:a", quotaKey: String? = nil) -> NewJob {
        JobStoreConformanceTests.newJob(owner: owner, quotaKey: quotaKey)
    }

    @Test func concurrentClaimsFromTwoNodesTakeEveryJobExactlyOnce() async throws {
        let (first, url) = try await PostgresTestDatabase.store()
        let second = try await PostgresJobStore.open(url: url, logger: Logger(label: "test"))
        var queued: Set<String> = []
        for _ in 0..<200 {
            queued.insert(try await first.insert(Self.newJob(), ownerQuota: 1000, systemQuota: 1000).id)
        }
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<8 {
                let store = worker % 2 == 0 ? first : second
                group.addTask {
                    var mine: [String] = []
                    while let job = try await store.claimNext(now: Date()) { mine.append(job.id) }
                    return mine
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(claimed.count == 200)
        #expect(Set(claimed) == queued)
        let running = try await first.jobs(owner: nil, state: .running, before: nil, limit: 1000)
        #expect(running.count == 200 && running.allSatisfy { $0.attempts == 1 })
        await first.close()
        await second.close()
        await PostgresTestDatabase.drop(url)
    }

    @Test func concurrentInsertsFromTwoNodesNeverExceedAQuota() async throws {
        let (first, url) = try await PostgresTestDatabase.store()
        let second = try await PostgresJobStore.open(url: url, logger: Logger(label: "test"))
        /// How many of `count` concurrent inserts (alternately through both stores) were accepted.
        func race(_ count: Int, owner: @escaping @Sendable (Int) -> String, ownerQuota: Int, systemQuota: Int)
            async -> Int
        {
            await withTaskGroup(of: Bool.self) { group in
                for index in 0..<count {
                    let store = index % 2 == 0 ? first : second
                    group.addTask {
                        (try? await store.insert(
                            Self.newJob(owner: owner(index)), ownerQuota: ownerQuota, queuedQuota: ownerQuota,
                            systemQuota: systemQuota)) != nil
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
        }
        // One owner: its quota is the limit.
        #expect(await race(40, owner: { _ in "owner:a" }, ownerQuota: 5, systemQuota: 1000) == 5)
        // Many owners: the system quota (5 active already) is.
        #expect(await race(40, owner: { "owner:\($0)" }, ownerQuota: 5, systemQuota: 12) == 7)
        let counts = try await first.countByState()
        #expect(counts[.queued] == 12)
        #expect(try await first.jobs(owner: "owner:a", state: nil, before: nil, limit: 100).count == 5)
        await first.close()
        await second.close()
        await PostgresTestDatabase.drop(url)
    }

    @Test func nodesStartingTogetherMigrateOnce() async throws {
        let url = try await PostgresTestDatabase.create()
        let stores = try await withThrowingTaskGroup(of: PostgresJobStore.self) { group in
            for _ in 0..<4 {
                group.addTask { try await PostgresJobStore.open(url: url, logger: Logger(label: "test")) }
            }
            return try await group.reduce(into: [PostgresJobStore]()) { $0.append($1) }
        }
        #expect(stores.count == 4)
        let versions = try await Self.schemaVersions(url)
        #expect(versions == PostgresMigrations.all.map(\.version))
        for store in stores { await store.close() }
        await PostgresTestDatabase.drop(url)
    }

    @Test func aDatabaseOfANewerReleaseIsRefused() async throws {
        let (store, url) = try await PostgresTestDatabase.store()
        let job = try await store.insert(Self.newJob(), ownerQuota: 9, systemQuota: 9)
        await store.close()
        let newer = PostgresMigrations.latest + 1
        try await Self.withDatabase(url) { client, logger in
            _ = try await client.query(
                "INSERT INTO schema_version (version, applied_at) VALUES (\(newer), 0)", logger: logger)
        }
        do throws(StoreError) {
            _ = try await PostgresJobStore.open(url: url, logger: Logger(label: "test"))
            Issue.record("a database of schema version \(newer) was opened")
        } catch {
            guard case .newerSchema(let database, let found, let supported) = error else {
                Issue.record("expected newerSchema, got \(error)")
                return
            }
            #expect(found == newer && supported == PostgresMigrations.latest)
            #expect(!database.contains(url.password ?? "no password"))
            #expect(error.description.contains("newer release"))
        }
        // Nothing was changed by the refused start.
        try await Self.withDatabase(url) { client, logger in
            let rows = try await client.query("SELECT COUNT(*) FROM jobs WHERE id = \(job.id)", logger: logger)
            for try await (count) in rows.decode(Int.self) { #expect(count == 1) }
        }
        await PostgresTestDatabase.drop(url)
    }

    /// The CI server offers no TLS: `require` must refuse to go on in plain text, `prefer` and
    /// `disable` connect.
    @Test func sslModesAreHonouredWhenConnecting() async throws {
        let url = try await PostgresTestDatabase.create()
        for mode in [DatabaseURL.SSLMode.disable, .prefer] {
            var plain = url
            plain.sslMode = mode
            let store = try await PostgresJobStore.open(url: plain, logger: Logger(label: "test"))
            #expect(try await store.countByState().isEmpty)
            await store.close()
        }
        for mode in [DatabaseURL.SSLMode.require, .verifyFull] {
            var secure = url
            secure.sslMode = mode
            await #expect(throws: StoreError.self) {
                try await PostgresJobStore.open(url: secure, logger: Logger(label: "test"))
            }
        }
        await PostgresTestDatabase.drop(url)
    }

    @Test func aWrongPasswordIsAClearErrorThatDoesNotShowIt() async throws {
        var url = try #require(PostgresTestDatabase.adminURL)
        url.password = "wrong-password-\(UInt32.random(in: 0...UInt32.max))"
        do throws(StoreError) {
            _ = try await PostgresJobStore.open(url: url, logger: Logger(label: "test"))
            Issue.record("a wrong password was accepted")
        } catch {
            #expect(!error.description.contains(url.password ?? ""))
            #expect(error.description.contains("password") || error.description.contains("authentication"))
        }
    }

    /// The whole server on PostgreSQL: a job submitted to one node is read from another, and the
    /// admin's `/v1/about` names the database without its password.
    @Test func twoServersOnOneDatabaseAnswerForTheSameJobs() async throws {
        let url = try await PostgresTestDatabase.create()
        let password = try #require(url.password)
        let settings = ["database=\(Self.plainURL(url))", "admin-token=admin-secret"]
        let submitted = try await InProcessServer(settings).test { client in
            let reply = try await client.submitV1(name: "on postgres")
            #expect(reply.code == 202)
            let about = try await client.send(.get, "/v1/about", headers: .bearer("admin-secret"))
            #expect(about.text.contains("***") && !about.text.contains(password))
            return (try #require(reply.object["id"] as? String), try #require(reply.object["token"] as? String))
        }
        try await InProcessServer(settings).test { client in
            let read = try await client.send(.get, "/v1/jobs/\(submitted.0)", headers: .bearer(submitted.1))
            #expect(read.code == 200)
            #expect(read.object["name"] as? String == "on postgres")
        }
        await PostgresTestDatabase.drop(url)
    }

    /// The URL as an operator would write it (the password in clear).
    static func plainURL(_ url: DatabaseURL) -> String {
        "postgres://\(url.user):\(url.password ?? "")@\(url.host):\(url.port)/\(url.database)?sslmode=\(url.sslMode.rawValue)"
    }

    static func schemaVersions(_ url: DatabaseURL) async throws -> [Int] {
        var versions: [Int] = []
        try await withDatabase(url) { client, logger in
            let rows = try await client.query("SELECT version FROM schema_version ORDER BY version", logger: logger)
            for try await (version) in rows.decode(Int.self) { versions.append(version) }
        }
        return versions
    }

    static func withDatabase(_ url: DatabaseURL, _ body: (PostgresConnection, Logger) async throws -> Void)
        async throws
    {
        try await PostgresTestDatabase.withConnection(url, body)
    }
}
