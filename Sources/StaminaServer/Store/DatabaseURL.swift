import Foundation
import NIOSSL
import PostgresNIO

/// The `database` setting: `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=...]`, parsed once
/// when the configuration is read, so a mistake stops the server at start and not at the first
/// job. The password is kept for connecting only: `redacted` is what logs and `/v1/about` show.
public struct DatabaseURL: Sendable, Equatable {
    /// libpq's `sslmode` values that postgres-nio can honour (`allow` cannot: it would retry in plain
    /// text after a failed TLS connection, which postgres-nio does not do).
    public enum SSLMode: String, Sendable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS if the server offers it, else plain (libpq's default, so also ours).
        case prefer
        /// TLS or no connection; the certificate is not checked (as libpq's `require`).
        case require
        /// TLS with a certificate chain checked against the system's trust roots, any host name.
        case verifyCA = "verify-ca"
        /// TLS with the chain and the host name checked.
        case verifyFull = "verify-full"
    }

    public var user: String
    public var password: String?
    /// A host name or address, or a directory holding the server's Unix socket (`?host=/dir`).
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode

    public init(parsing text: String) throws(ConfigurationError) {
        func fail(_ why: String) -> ConfigurationError {
            ConfigurationError(
                description: "database: \(why); expected postgres://USER[:PASSWORD]@HOST[:PORT]/DB"
                    + "[?sslmode=disable|prefer|require|verify-ca|verify-full], got '\(Self.redact(text))'")
        }
        guard let components = URLComponents(string: text) else { throw fail("not a URL") }
        guard let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw fail("only PostgreSQL URLs are supported (without the setting, SQLite in data-dir is used)")
        }
        guard let user = components.user?.removingPercentEncoding, !user.isEmpty else { throw fail("no user") }
        let database = String(components.path.dropFirst()).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else { throw fail("no database name") }
        // URLComponents keeps an IPv6 address's brackets; the address is without them.
        var host = (components.host?.removingPercentEncoding ?? "").trimmingCharacters(
            in: CharacterSet(charactersIn: "[]"))
        var sslMode = SSLMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(SSLMode.init(rawValue:)) else {
                    throw fail("sslmode '\(item.value ?? "")' is not supported")
                }
                sslMode = mode
            case "host":
                guard let directory = item.value, directory.hasPrefix("/") else {
                    throw fail("the host parameter must be a socket directory (an absolute path)")
                }
                host = directory
            default:
                throw fail("unknown parameter '\(item.name)'")
            }
        }
        guard !host.isEmpty else { throw fail("no host") }
        if let port = components.port, !(1...65535).contains(port) { throw fail("port out of range") }
        self.user = user
        self.password = components.password?.removingPercentEncoding
        self.host = host
        self.port = components.port ?? 5432
        self.database = database
        self.sslMode = sslMode
    }

    /// The URL as an operator may see it: the password, if any, replaced by `***`.
    public var redacted: String {
        let credentials = user + (password == nil ? "" : ":***")
        let address = host.hasPrefix("/") ? "" : (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
        var query = "sslmode=\(sslMode.rawValue)"
        if host.hasPrefix("/") { query = "host=\(host)&" + query }
        return "postgres://\(credentials)@\(address)/\(database)?\(query)"
    }

    /// For texts that did not parse: everything between `:` after the user and `@` is hidden.
    static func redact(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let schemeEnd = text.range(of: "://")?.upperBound,
            schemeEnd < at, let colon = text[schemeEnd..<at].firstIndex(of: ":")
        else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }

    /// The pool's connection settings, TLS included.
    func clientConfiguration() throws(ConfigurationError) -> PostgresClient.Configuration {
        let (policy, tls) = try tlsSettings()
        if host.hasPrefix("/") {
            return PostgresClient.Configuration(
                unixSocketPath: socketPath, username: user, password: password, database: database)
        }
        let mode: PostgresClient.Configuration.TLS =
            switch policy {
            case .disable: .disable
            case .prefer: .prefer(tls)
            case .require: .require(tls)
            }
        return PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: mode)
    }

    /// The same for one connection outside the pool (the pool retries a failing connection for
    /// ever; one connection made first fails at once, with the server's reason).
    func connectionConfiguration() throws(ConfigurationError) -> PostgresConnection.Configuration {
        let (policy, tls) = try tlsSettings()
        if host.hasPrefix("/") {
            return PostgresConnection.Configuration(
                unixSocketPath: socketPath, username: user, password: password, database: database)
        }
        let mode: PostgresConnection.Configuration.TLS
        do {
            switch policy {
            case .disable: mode = .disable
            case .prefer: mode = .prefer(try NIOSSLContext(configuration: tls))
            case .require: mode = .require(try NIOSSLContext(configuration: tls))
            }
        } catch {
            throw ConfigurationError(description: "database: TLS cannot be set up: \(error)")
        }
        return PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: mode)
    }

    private var socketPath: String { host + "/.s.PGSQL.\(port)" }

    private enum TLSPolicy { case disable, prefer, require }

    private func tlsSettings() throws(ConfigurationError) -> (TLSPolicy, TLSConfiguration) {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case .disable, .prefer, .require: tls.certificateVerification = .none
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        if host.hasPrefix("/"), sslMode != .disable, sslMode != .prefer {
            throw ConfigurationError(description: "database: sslmode=\(sslMode.rawValue) needs a TCP host")
        }
        switch sslMode {
        case .disable: return (.disable, tls)
        case .prefer: return (.prefer, tls)
        case .require, .verifyCA, .verifyFull: return (.require, tls)
        }
    }
}
