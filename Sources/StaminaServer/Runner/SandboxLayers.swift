// `SandboxLayers` is part of the engine contract (worker-exec's status file reports it); the
// server adds its rendering for `/v1/about`.

import EngineContract

extension SandboxLayers {
    public var aboutDocument: [String: Any] {
        var document: [String: Any] = [:]
        for (name, layer) in named { document[name] = ["active": layer.active, "detail": layer.detail] }
        return document
    }
}
