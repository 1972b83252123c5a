// StaminaServer: the HTTP job server behind `stamina serve`.
//
// It accepts PRISM models over HTTP (the legacy endpoints of the first STAMINA server and the `/v1`
// API), stores jobs in a `JobStore` (SQLite here; all SQL stays inside the store), and runs each job
// as a child `stamina check --json` process in its own process group under time and memory limits.
//
// Only this target knows HTTP and SQL. It must not depend on StaminaEngine: jobs reach the engine
// through the `stamina` executable, so a crash or a state explosion takes down a job, never the
// server. It uses the PRISM front end only to refuse bad models at submission.

/// Versions reported by `/about` and `/v1/about`.
public enum ServerVersion {
    public static let server = "0.1.0"
    public static let apiVersion = "1"
}
