import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The body of `stamina worker-exec`, the small process between the server and the engine.
/// Subprocess on Linux cannot run code in the child before exec, so this process sets the CPU
/// limit on itself (the engine inherits it), spawns the engine with the given argument vector,
/// gives it its address-space limit with prlimit, waits for it with `wait4` to learn its peak memory and CPU time, and writes them to the
/// status file. It shares the engine's process group, so the server's group kill stops both; and
/// it kills that group if the server disappears (its parent changes), so no engine outlives it.
public enum LimitedExecution {
    public static let exitCodeSpawnFailed: Int32 = 127

    public static func run(
        memoryBytes: Int, cpuSeconds: Int, statusFile: String, serverPID: Int32, arguments: [String]
    ) -> Int32 {
        guard let executable = arguments.first else { return exitCodeSpawnFailed }
        if cpuSeconds > 0 { setLimit(Int32(RLIMIT_CPU.rawValue), soft: cpuSeconds, hard: cpuSeconds + 2) }

        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let spawnError = posix_spawn(&pid, executable, nil, nil, &cArguments, environ)
        guard spawnError == 0 else {
            FileHandle.standardError.write(
                Data("[ERROR]: cannot start \(executable): \(String(cString: strerror(spawnError)))\n".utf8))
            return exitCodeSpawnFailed
        }

        // The address-space limit goes on the engine only: this process carries the Swift runtime's
        // reservations (thread arenas), which alone come near a few hundred MB. posix_spawn returns
        // once the engine has exec'd, so it gets the limit before it has allocated anything large.
        if memoryBytes > 0 {
            var limit = rlimit(rlim_cur: rlim_t(memoryBytes), rlim_max: rlim_t(memoryBytes))
            if Self.setLimit(of: pid, Int32(RLIMIT_AS.rawValue), &limit) != 0 {
                kill(pid, SIGKILL)
                FileHandle.standardError.write(
                    Data("[ERROR]: cannot set the memory limit: \(String(cString: strerror(errno)))\n".utf8))
            }
        }
        // The server's pid comes as an argument: if the server died before this line, getppid()
        // would already name init and the orphan would never be noticed.
        let parent = serverPID > 0 ? serverPID : getppid()
        let watcher = Thread {
            while true {
                if getppid() != parent { kill(0, SIGKILL) }
                usleep(200_000)
            }
        }
        watcher.start()

        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        let exited = signal == 0
        let childStatus = ChildStatus(
            exitCode: exited ? (status >> 8) & 0xff : nil, signal: exited ? nil : signal,
            maxRSSBytes: usage.ru_maxrss * 1024,
            userSeconds: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
            systemSeconds: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6)
        if let data = try? JSONEncoder().encode(childStatus) {
            try? data.write(to: URL(fileURLWithPath: statusFile))
        }
        return exited ? (status >> 8) & 0xff : 128 + signal
    }

    private typealias PrlimitFunction =
        @convention(c) (
            pid_t, Int32, UnsafePointer<rlimit>?, UnsafeMutablePointer<rlimit>?
        ) -> Int32

    /// glibc's `prlimit` (hidden from Swift behind _GNU_SOURCE), looked up once.
    private static func setLimit(of pid: pid_t, _ resource: Int32, _ limit: inout rlimit) -> Int32 {
        guard let symbol = dlsym(nil, "prlimit") else {
            errno = ENOSYS
            return -1
        }
        return unsafeBitCast(symbol, to: PrlimitFunction.self)(pid, resource, &limit, nil)
    }

    private static func setLimit(_ resource: Int32, soft: Int, hard: Int) {
        var limit = rlimit(rlim_cur: rlim_t(soft), rlim_max: rlim_t(hard))
        _ = setrlimit(__rlimit_resource_t(resource), &limit)
    }
}
