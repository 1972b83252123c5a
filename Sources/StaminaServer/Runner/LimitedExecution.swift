import EngineContract
import Foundation
import OrderedJSON

#if canImport(Glibc)
    import Glibc
#endif

/// The body of `stamina worker-exec`, the small process between the server and the engine. It
/// spawns the launch stage (`EngineLaunch`), which sandboxes and limits itself and execs the
/// engine, so the engine dies with this process (`PR_SET_PDEATHSIG`). It waits for the engine with
/// `wait4` to learn its peak memory and CPU time and writes them, with the sandbox layers and any
/// start error, to the status file. It leads the engine's process group, so the server's group
/// kill stops both; and it kills that group if the server disappears (its parent changes), so no
/// engine, nor any child of one, outlives the server.
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
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return fail("cannot create a pipe: \(LinuxCalls.errorText())") }
        // The write end moves above the standard descriptors, so the stage's dup2 to 3 is a real
        // copy (which clears close-on-exec) whatever number pipe() chose.
        let reportWrite = fcntl(ends[1], F_DUPFD_CLOEXEC, 10)
        close(ends[1])
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        defer { close(ends[0]) }

        var stageArguments = [
            "stamina", "worker-exec", "--stage", "--parent-pid", String(getpid()), "--memory-bytes",
            String(memoryBytes), "--cpu-seconds", String(cpuSeconds),
        ]
        if let sandboxUser { stageArguments += ["--sandbox-user", sandboxUser] }
        stageArguments += ["--"] + arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = stageArguments.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, reportWrite, EngineLaunch.reportDescriptor)
        var pid: pid_t = 0
        let spawnError = posix_spawn(&pid, "/proc/self/exe", &actions, nil, &cArguments, environ)
        close(reportWrite)
        guard spawnError == 0 else { return fail("cannot start the launch stage: \(LinuxCalls.errorText(spawnError))") }

        let stage = pid
        let watcher = Thread {
            while true {
                if getppid() != parent {
                    if getpgrp() == getpid() { kill(0, SIGKILL) }
                    kill(stage, SIGKILL)
                    _exit(128 + SIGKILL)
                }
                usleep(200_000)
            }
        }
        watcher.start()
        let peak = PeakSampler(pid: stage)
        peak.start()

        let report = readAll(ends[0])
        var sandbox: SandboxLayers?
        var startError: String?
        for line in report.split(separator: "\n") {
            if line.hasPrefix("error ") {
                startError = String(line.dropFirst("error ".count))
            } else if sandbox == nil {
                sandbox = try? JSONDecoder().decode(SandboxLayers.self, from: Data(line.utf8))
            }
        }

        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        let exited = signal == 0
        var childStatus = ChildStatus(
            exitCode: exited ? (status >> 8) & 0xff : nil, signal: exited ? nil : signal,
            maxRSSBytes: usage.ru_maxrss * 1024,
            userSeconds: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
            systemSeconds: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6,
            sandbox: sandbox, startError: startError)
        childStatus.peakVirtualBytes = peak.bytes
        do {
            try Data(JSONTextEncoder().encode(childStatus).bytes).write(to: URL(fileURLWithPath: statusFile))
        } catch {
            return exitCodeNoStatus
        }
        return exited ? (status >> 8) & 0xff : 128 + signal
    }

    private static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("[ERROR]: \(message)\n".utf8))
        return exitCodeSpawnFailed
    }

    private static func readAll(_ descriptor: Int32) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Samples a process's VmPeak from /proc every 20 ms until it exits (VmPeak only grows, so the
/// last sample before the exit is the peak, give or take the final 20 ms).
final class PeakSampler: @unchecked Sendable {
    private let pid: pid_t
    private let lock = NSLock()
    private var peak = 0

    init(pid: pid_t) { self.pid = pid }

    var bytes: Int { lock.withLock { peak } }

    func start() {
        let thread = Thread { [self] in
            while let sample = Self.vmPeak(pid) {
                lock.withLock { peak = max(peak, sample) }
                usleep(20_000)
            }
        }
        thread.start()
    }

    static func vmPeak(_ pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmPeak:") }),
            let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kilobytes * 1024
    }
}
