// The status file of `stamina worker-exec` (section 6 of the contract): how the engine child
// ended and what it used (from `wait4`), so a memory or CPU limit can be told from an engine
// error; which sandbox layers were in force; and, when the engine never ran, why.

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

    /// The engine's exit status as the contract names it (nil after a signal or an unknown code).
    public var engineExit: EngineExitCode? { exitCode.flatMap(EngineExitCode.init(rawValue:)) }
}

/// Which layers of the engine's sandbox were in force for a run, as BenchExec layers them: no
/// network (a fresh network namespace), an unprivileged user (when the server runs as root), and
/// writes only inside the job directory (Landlock). A layer the host lacks is off with the reason,
/// so the operator sees it (logged at start, and in `/v1/about` for admin) instead of assuming it.
public struct SandboxLayers: Codable, Sendable, Equatable {
    public struct Layer: Codable, Sendable, Equatable {
        public var active: Bool
        public var detail: String

        public init(active: Bool, detail: String) {
            self.active = active
            self.detail = detail
        }
    }

    public var network: Layer
    public var user: Layer
    public var filesystem: Layer

    public init(network: Layer, user: Layer, filesystem: Layer) {
        self.network = network
        self.user = user
        self.filesystem = filesystem
    }

    /// Before the first probe has answered.
    public static let unknown = SandboxLayers(
        network: Layer(active: false, detail: "not probed yet"), user: Layer(active: false, detail: "not probed yet"),
        filesystem: Layer(active: false, detail: "not probed yet"))

    /// The layers by name, for logging and the about document.
    public var named: [(name: String, layer: Layer)] {
        [("network", network), ("user", user), ("filesystem", filesystem)]
    }
}
