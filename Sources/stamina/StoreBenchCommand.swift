import ArgumentParser
import Foundation
import Logging
import StaminaServer

/// `stamina store-bench`: measures the job store alone on an EMPTY database (PostgreSQL with
/// `--database`, else a new SQLite file in `--data-dir`); see BENCHMARKS.md and
/// Benchmarks/store-bench.sh, which runs it against both.
struct StoreBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store-bench", abstract: "Benchmark the job store (claims, reads) on an empty database.",
        shouldDisplay: false)

    @Option(help: "PostgreSQL URL of an empty database (default: SQLite in --data-dir).") var database: String?
    @Option(name: .customLong("data-dir"), help: "An empty directory for the SQLite file.") var dataDirectory: String?
    @Option(help: "Jobs queued before claims are timed.") var queued = 10_000
    @Option(help: "Claims timed, one at a time.") var claims = 1_000
    @Option(help: "Concurrent reading tasks.") var readers = 16
    @Option(name: .customLong("read-seconds"), help: "How long reads run.") var readSeconds = 5.0

    func run() async throws {
        var logger = Logger(label: "stamina.store-bench")
        logger.logLevel = .warning
        let store: any JobStore
        let name: String
        if let database {
            let url: DatabaseURL
            do { url = try DatabaseURL(parsing: database) } catch { throw ValidationError(error.description) }
            store = try await PostgresJobStore.open(url: url, logger: logger)
            name = "PostgreSQL"
        } else {
            let directory = dataDirectory ?? NSTemporaryDirectory() + "/stamina-store-bench-\(getpid())"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            guard !FileManager.default.fileExists(atPath: directory + "/stamina.sqlite") else {
                throw ValidationError("\(directory) already holds a database; give an empty --data-dir")
            }
            store = try await SQLiteJobStore.open(path: directory + "/stamina.sqlite", logger: logger)
            name = "SQLite"
        }
        let report = try await StoreBenchmark.run(
            store: store, name: name, queued: queued, claims: claims, readers: readers, readSeconds: readSeconds)
        await store.close()
        print(report.text)
    }
}
