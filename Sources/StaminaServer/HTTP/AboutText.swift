/// The `/about` text of the legacy API.
enum AboutText {
    static func legacy(configuration: ServerConfiguration) -> String {
        """
        STAMINA: certified probability bounds for infinite-state CTMCs.
        STAMINA truncates the state space of a continuous-time Markov chain to the states that
        matter for a property, and bounds the probability it cannot see: Pmin <= P <= Pmax.

        Server: stamina-server \(ServerVersion.server) (API v\(ServerVersion.apiVersion))
        Engine: stamina check
        Limits: \(configuration.timeLimitSeconds) s and \(configuration.memoryLimitBytes) bytes per job, \
        \(configuration.activeJobsPerOwner) active jobs per client, \(configuration.jobsInSystem) in the system.
        Jobs are kept \(configuration.retentionSeconds) s after they finish.
        Modern API: /v1 (OpenAPI document at /v1/openapi.json).

        """
    }
}
