// Where the command line finds the bearer token for a server: `--token`, then `STAMINA_TOKEN`,
// then the client file `$XDG_CONFIG_HOME/stamina/client.toml` (default `~/.config/...`), which
// keeps one token per server URL. The anonymous token a server issues is saved there for the next
// call, in a file only its owner can read (0600). Tokens are never printed.

import Foundation
import TOMLKit

struct ClientTokenStore {
    let path: String

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let configuration = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        path = configuration + "/stamina/client.toml"
    }

    /// The token to send to `server`, and where it came from (for messages; never the token).
    static func resolve(
        flag: String?, server: String, environment: [String: String] = ProcessInfo.processInfo.environment
    )
        throws(RemoteError) -> (token: String?, source: String)
    {
        if let flag, !flag.isEmpty { return (flag, "--token") }
        if let token = environment["STAMINA_TOKEN"], !token.isEmpty { return (token, "STAMINA_TOKEN") }
        let store = ClientTokenStore(environment: environment)
        return (try store.token(for: server), store.path)
    }

    private func table() throws(RemoteError) -> TOMLTable? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do { return try TOMLTable(string: String(decoding: data, as: UTF8.self)) } catch {
            throw .local("bad-config", "Bad client file", "\(path): \(error)")
        }
    }

    func token(for server: String) throws(RemoteError) -> String? {
        try table()?["servers"]?.table?[server]?.table?["token"]?.string
    }

    /// Saves `token` as the one for `server`, keeping the other servers' tokens. The file is written
    /// whole to a private temporary file and renamed over the old one, so a crash leaves either.
    func save(token: String, for server: String) throws(RemoteError) {
        let directory = (path as NSString).deletingLastPathComponent
        func failure(_ what: String) -> RemoteError {
            RemoteError.local("config-write", "Cannot save the token", "\(path): \(what)")
        }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch { throw failure(error.localizedDescription) }
        let root = try table() ?? TOMLTable()
        let servers = root["servers"]?.table ?? TOMLTable()
        servers[server] = TOMLTable(["token": token])
        root["servers"] = servers
        let text =
            "# Bearer tokens for STAMINA servers, written by `stamina check --server`. Keep this file private.\n"
            + root.convert() + "\n"
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure(String(cString: strerror(errno))) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw failure("cannot write the file")
        }
    }
}
