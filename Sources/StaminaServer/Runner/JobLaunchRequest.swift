import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One run to start: what a worker sends its zygote (one JSON line on the zygote's stdin), and
/// what a one-shot `stamina worker-exec` builds from its options. The job's process is forked from
/// the zygote (`ForkedJob`) and becomes the engine (`JobChild`).
public struct JobLaunchRequest: Codable, Sendable, Equatable {
    /// The run's working directory (its scratch directory), where the sandbox lets it write.
    public var directory: String
    /// Files the engine's stdout and stderr go to; nil keeps the launcher's own.
    public var stdout: String?
    public var stderr: String?
    /// Where the run's `ChildStatus` is written when it ends.
    public var status: String
    public var memoryBytes: Int
    public var cpuSeconds: Int
    /// The user the engine runs as when the launcher is root (nil: stay root).
    public var sandboxUser: String?
    /// The engine command: an executable and its arguments.
    public var arguments: [String]

    public init(
        directory: String, stdout: String?, stderr: String?, status: String, memoryBytes: Int, cpuSeconds: Int,
        sandboxUser: String?, arguments: [String]
    ) {
        self.directory = directory
        self.stdout = stdout
        self.stderr = stderr
        self.status = status
        self.memoryBytes = memoryBytes
        self.cpuSeconds = cpuSeconds
        self.sandboxUser = sandboxUser
        self.arguments = arguments
    }
}

/// The engine run inside the forked job process instead of exec'ing it: when the engine command
/// is this very executable's `check`, the job's process already holds the engine's code (it is a
/// fork of `stamina`), so loading a second image would only cost time. `run` gets the arguments
/// after the executable (`check MODEL ...`), runs them as `stamina` would, and exits.
public struct InProcessEngine: Sendable {
    public let run: @Sendable ([String]) -> Never
    private let device: UInt64
    private let inode: UInt64

    /// nil when this executable cannot be identified (then every engine is exec'ed).
    public init?(run: @escaping @Sendable ([String]) -> Never) {
        var own = stat()
        guard stat("/proc/self/exe", &own) == 0 else { return nil }
        self.run = run
        device = UInt64(own.st_dev)
        inode = UInt64(own.st_ino)
    }

    /// True when `arguments` run this executable's `check` (the same file, whatever path names it).
    func runs(_ arguments: [String]) -> Bool {
        guard arguments.count >= 2, arguments[1] == "check" else { return false }
        var other = stat()
        guard stat(arguments[0], &other) == 0 else { return false }
        return UInt64(other.st_dev) == device && UInt64(other.st_ino) == inode
    }
}
