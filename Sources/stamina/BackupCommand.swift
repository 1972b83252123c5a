import ArgumentParser
import Foundation
import Logging
import StaminaServer

/// `stamina backup DEST` and `stamina restore SRC`: a consistent copy of a server's store and job
/// files while it runs, and its return (with the server stopped). See README, "Backups".
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up a server's jobs into a new directory (safe while the server runs).",
        discussion: """
            Writes DEST/stamina.sqlite (an SQLite snapshot taken with VACUUM INTO: consistent, \
            write-ahead log included) and DEST/jobs (the files of every job in it). Copying \
            stamina.sqlite alone is not a backup: after a crash, recent changes live in stamina.sqlite-wal.
            """)

    @Argument(help: "The directory to create for the backup.") var destination: String
    @Option(name: .customLong("data-dir"), help: "The server's data directory.") var dataDirectory = "./stamina-data"

    func run() async throws {
        do {
            let result = try await StoreBackup.backup(
                dataDirectory: dataDirectory, to: destination, logger: Logger(label: "stamina.backup"))
            print("stamina backup: \(result.jobs) jobs, \(result.bytes) bytes of database, in \(destination)")
        } catch {
            FileHandle.standardError.write(Data("stamina: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
    }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup made by `stamina backup` into a data directory (stop the server first).",
        discussion: """
            The backup is checked (PRAGMA quick_check) before anything is touched; the replaced \
            database and job files are moved to DATA-DIR/before-restore-<time>, never deleted.
            """)

    @Argument(help: "A directory written by `stamina backup`.") var source: String
    @Option(name: .customLong("data-dir"), help: "The server's data directory.") var dataDirectory = "./stamina-data"

    func run() async throws {
        do {
            let result = try await StoreBackup.restore(
                dataDirectory: dataDirectory, from: source, logger: Logger(label: "stamina.restore"))
            print("stamina restore: \(result.jobs) jobs restored into \(dataDirectory)")
            if let keptAs = result.keptAs { print("the previous store was moved to \(keptAs)") }
        } catch {
            FileHandle.standardError.write(Data("stamina: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
    }
}
