import EngineContract
import Foundation
import Subprocess

#if canImport(Glibc)
    import Glibc
#endif

/// Learns which sandbox layers this host gives by launching a probe through worker-exec exactly
/// as a job's engine is launched, in a directory beside the jobs' ones, so what `/v1/about` and
/// the start-up notices say is what the mechanism did, not a guess from capabilities. The probe
/// also writes a file by its absolute path, as the engine's exports do: a sandbox user that cannot
/// search the data directory's parents would make every job fail, so that layer is turned off
/// (with the reason) rather than the jobs.
enum SandboxProbe {
    static func run(in jobsDirectory: String, sandboxUser: String?) async -> SandboxLayers? {
        let directory = jobsDirectory + "/.sandbox-probe-" + UUID().uuidString
        guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil
        else { return nil }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let status = directory + "/status.json"
        let written = directory + "/written"
        var options = PlatformOptions()
        options.processGroupID = 0
        let user = sandboxUser.map { ["--sandbox-user", $0] } ?? []
        _ = try? await Subprocess.run(
            .path(.init(ServerConfiguration.currentExecutable)),
            arguments: Arguments(
                ["worker-exec", "--status", status] + user + ["--", "/bin/sh", "-c", "echo ok > '\(written)'"]),
            workingDirectory: .init(directory), platformOptions: options, input: .none, output: .discarded,
            error: .discarded)
        let child = EngineOutputReader.childStatus(JobDirectory.read(status))
        guard var layers = child?.sandbox else { return nil }
        if layers.user.active && !FileManager.default.fileExists(atPath: written) {
            layers.user = .init(
                active: false,
                detail:
                    "\(sandboxUser ?? "the sandbox user") cannot write a job directory by its path: give others search (x) permission on the data directory and its parents"
            )
        }
        return layers
    }

    /// Adds search (not read) permission for others on the data directory and its `jobs`, so the
    /// sandbox user can reach its own job directory by path; a 0700 data directory is common.
    static func letOthersSearch(_ dataDirectory: String) {
        for path in [dataDirectory, dataDirectory + "/jobs"] {
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            if info.st_mode & S_IXOTH == 0 { chmod(path, (info.st_mode & 0o7777) | S_IXOTH) }
        }
    }
}
