import Foundation

/// `/readyz` proves the data directory writable the only honest way: by creating, writing, syncing
/// and removing a file in it (permissions, a read-only mount, a full disk or a directory replaced
/// by a file all fail here as a job's files would).
enum WriteProbe {
    static func succeeds(in directory: String) -> Bool {
        let path = directory + "/.ready-probe-\(UUID().uuidString)"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { return false }
        defer { unlink(path) }
        let written = "ready\n".withCString { write(descriptor, $0, 6) }
        let synced = fsync(descriptor)
        close(descriptor)
        return written == 6 && synced == 0
    }
}
