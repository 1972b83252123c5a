import EngineContract
import Foundation
import OrderedJSON

#if canImport(Glibc)
    import Glibc
#endif

/// `stamina worker-exec -- COMMAND` (one run, outside a zygote): the sandbox probe's way to launch
/// a command exactly as a job's engine is launched, and the tests' way to launch one alone. It forks
/// the run (`ForkedJob`; the run becomes COMMAND through `JobChild`), waits for it, writes the
/// status file and exits with the run's code (128 + signal after a signal). As a zygote does, it is
/// a child subreaper and moves into an empty network namespace first where it may; and it kills the
/// run if the server that started it (`serverPID`, or the parent at start) goes away.
public enum LimitedExecution {
    public static let exitCodeSpawnFailed: Int32 = 127
    /// The engine ended but its status could not be written (the data directory is unwritable).
    public static let exitCodeNoStatus: Int32 = 125

    public static func run(
        memoryBytes: Int, cpuSeconds: Int, statusFile: String, serverPID: Int32, sandboxUser: String?,
        arguments: [String]
    ) -> Int32 {
        guard !arguments.isEmpty else { return exitCodeSpawnFailed }
        // The server's pid comes as an argument: if the server died before this line, getppid()
        // would already name init and the orphan would never be noticed.
        let parent = serverPID > 0 ? serverPID : getppid()
        _ = LinuxCalls.prctl(LinuxCalls.prSetChildSubreaper, 1)
        let request = JobLaunchRequest(
            directory: FileManager.default.currentDirectoryPath, stdout: nil, stderr: nil, status: statusFile,
            memoryBytes: memoryBytes, cpuSeconds: cpuSeconds, sandboxUser: sandboxUser, arguments: arguments)
        var job: ForkedJob
        switch ForkedJob.start(request, network: Sandbox.isolateNetwork(), inProcess: nil) {
        case .success(let started): job = started
        case .failure(let error): return fail("cannot start the engine: \(error)")
        }
        let child = job.wait(hangUp: -1) { getppid() != parent }
        do {
            try JobDirectory.writeFile(JSONTextEncoder().encode(child).bytes, to: statusFile)
        } catch {
            return exitCodeNoStatus
        }
        return ForkedJob.exitCode(child)
    }

    private static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("[ERROR]: \(message)\n".utf8))
        return exitCodeSpawnFailed
    }
}
