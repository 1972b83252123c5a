/// What `stamina worker-exec` writes after its engine child ends: how it ended and what it used
/// (from `wait4`), so the server can tell a memory or CPU limit from an engine error; which
/// sandbox layers were in force; and, when the engine never ran, why (`startError`).
public struct ChildStatus: Codable, Sendable, Equatable {
    public var exitCode: Int32?
    public var signal: Int32?
    public var maxRSSBytes: Int
    public var userSeconds: Double
    public var systemSeconds: Double
    public var sandbox: SandboxLayers?
    public var startError: String?
    /// The engine's peak address space (VmPeak, sampled by worker-exec while it ran): under
    /// RLIMIT_AS a stack that cannot grow ends the engine with SIGSEGV, not an allocation error.
    public var peakVirtualBytes: Int? = nil

    public init(
        exitCode: Int32?, signal: Int32?, maxRSSBytes: Int, userSeconds: Double, systemSeconds: Double,
        sandbox: SandboxLayers? = nil, startError: String? = nil
    ) {
        self.exitCode = exitCode
        self.signal = signal
        self.maxRSSBytes = maxRSSBytes
        self.userSeconds = userSeconds
        self.systemSeconds = systemSeconds
        self.sandbox = sandbox
        self.startError = startError
    }
}
