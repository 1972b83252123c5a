import Foundation
import Testing

/// The engine's sandbox, tested through the mechanism itself: `worker-exec` runs a small probe
/// command in place of the engine, exactly as it launches the engine. Each test also shows the
/// probe succeeds without the sandbox, so a failure inside it is the sandbox's doing.
@Suite("Engine sandbox", .serialized)
struct SandboxTests {
    @Test func theEngineCannotConnectToALoopbackListener() async throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        let connect = ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/\(listener.port)"]
        #expect(ProcessTable.run(connect[0], Array(connect.dropFirst())) == 0, "the listener must be reachable")

        let (code, status) = try WorkerExecRun.finish(in: RunningServer.temporaryDirectory(), command: connect)
        let sandbox = try #require(status["sandbox"] as? [String: Any])
        guard Self.isActive(sandbox, "network") || Self.isActive(sandbox, "filesystem") else {
            print("skipped: neither a network namespace nor Landlock on this host: \(sandbox)")
            return
        }
        #expect(code != 0, "the sandboxed probe connected")
    }

    @Test func theEngineWritesOnlyInItsJobDirectory() async throws {
        let job = RunningServer.temporaryDirectory()
        let outside = RunningServer.temporaryDirectory()
        chmod(outside, 0o777)  // so only the sandbox, not file permissions, stands in the way
        let script = "echo in > inside.txt; echo out > '\(outside)/outside.txt'; mkdir '\(outside)/dir'; true"
        let (code, status) = try WorkerExecRun.finish(in: job, command: ["/bin/sh", "-c", script])
        #expect(code == 0)
        #expect(FileManager.default.fileExists(atPath: job + "/inside.txt"))
        let sandbox = try #require(status["sandbox"] as? [String: Any])
        guard Self.isActive(sandbox, "filesystem") else {
            print("skipped: no Landlock on this host: \(sandbox)")
            return
        }
        #expect(!FileManager.default.fileExists(atPath: outside + "/outside.txt"))
        #expect(!FileManager.default.fileExists(atPath: outside + "/dir"))
    }

    @Test func theEngineRunsAsAnUnprivilegedUserUnderRoot() async throws {
        guard geteuid() == 0 else {
            print("skipped: the server is not root here, so there is no uid to drop")
            return
        }
        let job = RunningServer.temporaryDirectory()
        let (code, status) = try WorkerExecRun.finish(
            in: job, command: ["/bin/sh", "-c", "id -u > uid.txt; id -g >> uid.txt; id -G >> uid.txt"])
        #expect(code == 0)
        let ids = try String(contentsOfFile: job + "/uid.txt", encoding: .utf8).split(separator: "\n")
        let nobody = try #require(getpwnam("nobody"))
        #expect(ids == ["\(nobody.pointee.pw_uid)", "\(nobody.pointee.pw_gid)", "\(nobody.pointee.pw_gid)"])
        let sandbox = try #require(status["sandbox"] as? [String: Any])
        #expect(Self.isActive(sandbox, "user"))
    }

    @Test func aboutSaysWhichLayersAreActive() async throws {
        let server = try await RunningServer(["admin-token=sandbox-admin"])
        let sandbox = try await server.waitFor("the sandbox probe", timeout: 30) { () -> [String: Any]? in
            let about = try await server.get("/v1/about", token: "sandbox-admin").object
            guard let sandbox = about["sandbox"] as? [String: Any],
                let network = sandbox["network"] as? [String: Any],
                network["detail"] as? String != "not probed yet"
            else { return nil }
            return sandbox
        }
        for layer in ["network", "user", "filesystem"] {
            let entry = try #require(sandbox[layer] as? [String: Any])
            #expect(entry["active"] is Bool)
            #expect(!(entry["detail"] as? String ?? "").isEmpty)
        }
        // On a root host with Landlock, as here and in CI, every layer is on.
        if geteuid() == 0 { #expect(Self.isActive(sandbox, "user")) }
    }

    /// A data directory below a parent the sandbox user cannot search: the probe finds it, the
    /// user layer goes off with the reason, and jobs still run instead of failing to write.
    @Test func anUnreachableDataDirectoryTurnsTheUserLayerOffNotTheJobs() async throws {
        guard geteuid() == 0 else {
            print("skipped: the server is not root here, so there is no sandbox user")
            return
        }
        let parent = RunningServer.temporaryDirectory()
        chmod(parent, 0o700)
        let engineDirectory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(
            try TestModels.misbehavingEngineSettings(engineDirectory) + ["admin-token=sandbox-admin"],
            dataDirectory: parent + "/data")
        let user = try await server.waitFor("the sandbox probe", timeout: 30) { () -> [String: Any]? in
            let about = try await server.get("/v1/about", token: "sandbox-admin").object
            let user = (about["sandbox"] as? [String: Any])?["user"] as? [String: Any]
            return user?["detail"] as? String == "not probed yet" ? nil : user
        }
        #expect(user["active"] as? Bool == false)
        #expect((user["detail"] as? String ?? "").contains("search"), "\(user)")
        let reply = try await server.v1Submit(model: TestModels.marked("QUICK"))
        let id = try #require(reply.object["id"] as? String)
        let token = try #require(reply.object["token"] as? String)
        #expect(try await server.waitForV1State(id, token: token, ["SUCCEEDED", "FAILED"]) == "SUCCEEDED")
    }

    static func isActive(_ sandbox: [String: Any], _ layer: String) -> Bool {
        (sandbox[layer] as? [String: Any])?["active"] as? Bool == true
    }
}

/// A TCP socket listening on 127.0.0.1 at a free port.
struct LoopbackListener {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && listen(descriptor, 8) == 0
                    && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard descriptor >= 0, bound else { throw TestFailure("cannot listen on 127.0.0.1") }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }
}
