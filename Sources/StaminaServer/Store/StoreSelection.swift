import Foundation
import Logging

/// Which store a server uses: PostgreSQL when `database` is set (shared by several nodes), else
/// the embedded SQLite file in the data directory.
func openStore(configuration: ServerConfiguration, logger: Logger) async throws(StoreError) -> any JobStore {
    if let database = configuration.database {
        logger.info("job store: PostgreSQL", metadata: ["database": "\(database.redacted)"])
        // Nodes share it: each keeps copies of job rows, dropped on every change (`CachingJobStore`).
        return await CachingJobStore.wrapping(try await PostgresJobStore.open(url: database, logger: logger))
    }
    return try await SQLiteJobStore.open(path: configuration.dataDirectory + "/stamina.sqlite", logger: logger)
}
