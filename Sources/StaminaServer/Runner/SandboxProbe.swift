import Foundation
import Subprocess

#if canImport(Glibc)
    import Glibc
#endif

/// Learns which sandbox layers this host gives by launching a harmless command (`stamina
/// --version`) through worker-exec exactly as a job's engine is launched, so what `/v1/about`
/// and the start-up notices say is what the mechanism did, not a guess from capabilities.
enum SandboxProbe {
    static func run(sandboxArguments: [String]) async -> SandboxLayers? {
        let directory = NSTemporaryDirectory() + "stamina-sandbox-probe-" + UUID().uuidString
        guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil
        else { return nil }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let status = directory + "/status.json"
        let executable = ServerConfiguration.currentExecutable
        var options = PlatformOptions()
        options.processGroupID = 0
        _ = try? await Subprocess.run(
            .path(.init(executable)),
            arguments: Arguments(
                ["worker-exec", "--status", status] + sandboxArguments + ["--", executable, "--version"]),
            workingDirectory: .init(directory), platformOptions: options, input: .none, output: .discarded,
            error: .discarded)
        return JobDirectory.read(status).flatMap { try? JSONDecoder().decode(ChildStatus.self, from: Data($0.utf8)) }?
            .sandbox
    }
}
