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

    public var aboutDocument: [String: Any] {
        var document: [String: Any] = [:]
        for (name, layer) in named { document[name] = ["active": layer.active, "detail": layer.detail] }
        return document
    }
}
