/// What `stamina worker-exec` writes after its engine child ends: how it ended and what it used
/// (from `wait4`), so the server can tell a memory or CPU limit from an engine error.
public struct ChildStatus: Codable, Sendable, Equatable {
    public var exitCode: Int32?
    public var signal: Int32?
    public var maxRSSBytes: Int
    public var userSeconds: Double
    public var systemSeconds: Double

    public init(exitCode: Int32?, signal: Int32?, maxRSSBytes: Int, userSeconds: Double, systemSeconds: Double) {
        self.exitCode = exitCode
        self.signal = signal
        self.maxRSSBytes = maxRSSBytes
        self.userSeconds = userSeconds
        self.systemSeconds = systemSeconds
    }
}
