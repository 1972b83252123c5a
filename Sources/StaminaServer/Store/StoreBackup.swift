import Foundation
import Logging
import SQLiteNIO

/// `stamina backup` and `stamina restore`. A backup is a directory holding `stamina.sqlite`, one
/// consistent snapshot of the store taken with `VACUUM INTO` while servers keep running (copying
/// `stamina.sqlite` alone misses whatever still sits in its write-ahead log). Job data (inputs,
/// events, artifacts) lives in the database, so the snapshot is the whole backup; a backup of an
/// earlier release also has `jobs/` (the files beside the database), which restore puts back for
/// the store to read in when it next opens.
public enum StoreBackup {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func backup(dataDirectory: String, to destination: String, logger: Logger) async throws(Failure)
        -> (jobs: Int, bytes: Int)
    {
        let manager = FileManager.default
        let database = dataDirectory + "/stamina.sqlite"
        guard manager.fileExists(atPath: database) else {
            throw Failure(description: "\(database) does not exist: is \(dataDirectory) the server's data directory?")
        }
        guard !manager.fileExists(atPath: destination) else {
            throw Failure(description: "\(destination) exists already; back up into a new directory")
        }
        do {
            try manager.createDirectory(atPath: destination, withIntermediateDirectories: true)
        } catch {
            throw Failure(description: "cannot create \(destination): \(error.localizedDescription)")
        }
        do {
            try await SQLiteJobStore.backup(path: database, to: destination + "/stamina.sqlite", logger: logger)
        } catch {
            throw Failure(description: error.description)
        }
        let ids = try await jobIDs(destination + "/stamina.sqlite", logger: logger)
        let size = (try? manager.attributesOfItem(atPath: destination + "/stamina.sqlite")[.size] as? Int) ?? 0
        return (ids.count, size)
    }

    /// Replaces the store of `dataDirectory` by the backup at `source`. The server must be stopped;
    /// the replaced store and job files are kept beside it (`*.before-restore-<time>`), never deleted.
    public static func restore(dataDirectory: String, from source: String, logger: Logger) async throws(Failure)
        -> (jobs: Int, keptAs: String?)
    {
        let manager = FileManager.default
        let backup = source + "/stamina.sqlite"
        do { try await SQLiteJobStore.verify(path: backup, logger: logger) } catch {
            throw Failure(description: "\(source) is not a usable backup: \(error.description)")
        }
        let database = dataDirectory + "/stamina.sqlite"
        if isInUse(database) {
            throw Failure(description: "a server is using \(database); stop it before restoring")
        }
        do { try manager.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true) } catch {
            throw Failure(description: "cannot create \(dataDirectory): \(error.localizedDescription)")
        }
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        var keptAs: String? = nil
        do {
            if manager.fileExists(atPath: database) {
                let aside = dataDirectory + "/before-restore-" + stamp
                try manager.createDirectory(atPath: aside, withIntermediateDirectories: true)
                for suffix in ["", "-wal", "-shm"] where manager.fileExists(atPath: database + suffix) {
                    try manager.moveItem(atPath: database + suffix, toPath: aside + "/stamina.sqlite" + suffix)
                }
                if manager.fileExists(atPath: dataDirectory + "/jobs") {
                    try manager.moveItem(atPath: dataDirectory + "/jobs", toPath: aside + "/jobs")
                }
                keptAs = aside
            }
            try manager.copyItem(atPath: backup, toPath: database + ".restoring")
            try manager.moveItem(atPath: database + ".restoring", toPath: database)
            if manager.fileExists(atPath: source + "/jobs") {
                try manager.copyItem(atPath: source + "/jobs", toPath: dataDirectory + "/jobs")
            }
        } catch {
            throw Failure(description: "restoring into \(dataDirectory) failed: \(error.localizedDescription)")
        }
        return (try await jobIDs(database, logger: logger).count, keptAs)
    }

    private static func jobIDs(_ path: String, logger: Logger) async throws(Failure) -> [String] {
        do {
            let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            let rows: [SQLiteRow]
            do { rows = try await connection.query("SELECT id FROM jobs", []) } catch {
                try? await connection.close()
                throw error
            }
            try await connection.close()
            return rows.compactMap { $0.column("id")?.string }.filter { RandomIdentifier.isJobID(Substring($0)) }
        } catch {
            throw Failure(description: "cannot read \(path): \(error)")
        }
    }

    /// Whether a process has the store open: every SQLite connection in WAL mode holds a read lock
    /// on byte 128 of the `-shm` file (the "DMS" lock) for as long as it is open. Asked as an
    /// open-file-description lock, which conflicts with SQLite's locks even in the same process.
    static func isInUse(_ database: String) -> Bool {
        let descriptor = open(database + "-shm", O_RDWR)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = 128
        lock.l_len = 1
        lock.l_pid = 0
        let openFileDescriptionGetLock: Int32 = 36  // F_OFD_GETLK (Linux 3.15+)
        guard fcntl(descriptor, openFileDescriptionGetLock, &lock) == 0 else { return false }
        return lock.l_type != Int16(F_UNLCK)
    }
}
