import ServiceLifecycle

/// Closes the store when the server stops. Listed first among the services, so the service group
/// (which stops services in reverse order) stops it last, after the HTTP server and the workers.
struct StoreClosing: Service {
    let store: any JobStore

    func run() async throws {
        try? await gracefulShutdown()
        await store.close()
    }
}
