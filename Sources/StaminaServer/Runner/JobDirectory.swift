import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The scratch directory of one run, `<data-dir>/jobs/<id>.<attempt>/`: the worker writes the
/// stored inputs there, the engine its outputs, and the worker removes it once the outputs are in
/// the store (one per attempt, so a run that lost its lease never shares files with the next).
/// Before job data lived in the store, `<data-dir>/jobs/<id>/` held a job's files; the store reads
/// such directories in once. Uploaded files get fixed names on disk (the user's names are only
/// shown), so a name like `../../x` cannot reach outside the directory.
struct JobDirectory: Sendable {
    let path: String

    /// The directory of an earlier release's job.
    init(dataDirectory: String, id: String) {
        path = dataDirectory + "/jobs/" + id
    }

    init(dataDirectory: String, id: String, attempt: Int) {
        path = dataDirectory + "/jobs/" + id + "." + String(attempt)
    }

    /// The names the engine is run with (relative to the directory, its working directory).
    static let modelFile = "model.prism"
    static let propertiesFile = "properties.csl"
    static let eventsFile = "events.jsonl"
    static let transitionsFile = "transitions.txt"
    static let drnFile = "model.drn"

    var model: String { path + "/" + Self.modelFile }
    var properties: String { path + "/" + Self.propertiesFile }
    var stdout: String { path + "/stdout.json" }
    var stderr: String { path + "/stderr.log" }
    var events: String { path + "/" + Self.eventsFile }
    var status: String { path + "/status.json" }

    /// Artifacts a client may download, by public name -> file in the directory.
    static let artifacts = [transitionsFile: transitionsFile, drnFile: drnFile]

    func artifact(_ name: String) -> String? {
        Self.artifacts[name].map { path + "/" + $0 }
    }

    func create(model modelText: String, properties propertiesText: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Self.writeFile(Array(modelText.utf8), to: model)
        try Self.writeFile(Array(propertiesText.utf8), to: properties)
    }

    /// Writes a scratch file without `fsync` (which Foundation's `Data.write` does, costing a disk
    /// flush, about 8 ms here, per file): the store holds what must last, and the directory is
    /// removed after the run.
    static func writeFile(_ bytes: [UInt8], to file: String) throws {
        let descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw WriteError(file: file, code: errno) }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw WriteError(file: file, code: written < 0 ? errno : EIO) }
            offset += written
        }
    }

    struct WriteError: Error, CustomStringConvertible {
        var file: String
        var code: Int32
        var description: String { "cannot write \(file): \(String(cString: strerror(code)))" }
    }

    /// Why a new file cannot be made here (the errno text), or nil when it can: tells an
    /// unwritable data directory from a lost worker when a run left no status.
    func writeProblem() -> String? {
        let probe = path + "/.write-probe"
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor < 0 { return errno == EEXIST ? nil : String(cString: strerror(errno)) }
        close(descriptor)
        unlink(probe)
        return nil
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    static func read(_ file: String) -> String? {
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
