import Foundation
import StaminaServer
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Built-in HTTPS (`tls-certificate`, `tls-key`) for a lab without a proxy, on a real `stamina
/// serve` with a self-signed certificate made by openssl, and openssl's client on the other end
/// (it can trust exactly that certificate). Skipped, saying so, where openssl is not installed.
@Suite("Built-in TLS", .serialized)
struct BuiltInTLSTests {
    @Test func servesHTTPSWithASelfSignedCertificate() async throws {
        guard let openssl = Self.openssl() else { return }
        let files = try Self.selfSignedCertificate(openssl)
        let server = try await RunningServer(["tls-certificate=\(files.certificate)", "tls-key=\(files.key)"])
        defer { server.stop() }

        let egg = try Self.httpsGet(openssl, port: server.port, path: "/egg", trusting: files.certificate)
        #expect(egg.status == 0)
        #expect(egg.output.hasPrefix("HTTP/1.1 200"))
        #expect(egg.output.contains("Egg! The STAMINA server is up."))
        let about = try Self.httpsGet(openssl, port: server.port, path: "/v1/about", trusting: files.certificate)
        #expect(about.output.hasPrefix("HTTP/1.1 200"))
        #expect(about.output.contains("application/json"))

        // The server itself refuses what the nginx site refuses: TLS 1.1 and TLS 1.2 without AEAD. The
        // client allows both (security level 0), so the handshake failure comes from the server's alert.
        let old = try Self.httpsGet(
            openssl, port: server.port, path: "/egg", trusting: files.certificate,
            options: ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"])
        #expect(old.status != 0)
        #expect(old.errors.contains("alert protocol version"))
        let cbc = try Self.httpsGet(
            openssl, port: server.port, path: "/egg", trusting: files.certificate,
            options: ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA@SECLEVEL=0"])
        #expect(cbc.status != 0)
        #expect(cbc.errors.contains("alert handshake failure"))
        let aead = try Self.httpsGet(
            openssl, port: server.port, path: "/egg", trusting: files.certificate,
            options: ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"])
        #expect(aead.output.hasPrefix("HTTP/1.1 200"))

        // Plain HTTP on the TLS port gets no HTTP answer.
        let plain = try await Self.plainHTTPStatus(port: server.port)
        #expect(plain == nil)
    }

    @Test func aMissingOrUnusableCertificateStopsTheServerNamingTheFile() async throws {
        guard let openssl = Self.openssl() else { return }
        let files = try Self.selfSignedCertificate(openssl)
        let other = try Self.selfSignedCertificate(openssl)
        let missing = files.directory + "/missing.pem"
        let cases: [(settings: [String], message: String)] = [
            (["--tls-certificate", missing, "--tls-key", files.key], "tls-certificate: '\(missing)' does not exist"),
            (["--tls-certificate", files.certificate], "tls-certificate is set but tls-key is not"),
            (["--tls-key", files.key], "tls-key is set but tls-certificate is not"),
            (["--tls-certificate", files.key, "--tls-key", files.key], "'\(files.key)' is not a PEM certificate"),
            (
                ["--tls-certificate", files.certificate, "--tls-key", files.certificate],
                "'\(files.certificate)' is not an unencrypted PEM private key"
            ),
            (
                ["--tls-certificate", files.certificate, "--tls-key", other.key],
                "tls-key: '\(other.key)' does not fit the certificate in '\(files.certificate)'"
            ),
            (["--tls-certificate", files.directory, "--tls-key", files.key], "is a directory, not a PEM file"),
        ]
        for (settings, message) in cases {
            let dataDirectory = files.directory + "/data-" + UUID().uuidString
            let run = try Self.run(
                RunningServer.staminaBinary,
                ["serve", "--listen", "127.0.0.1:0", "--data-dir", dataDirectory] + settings)
            #expect(run.status != 0, "\(settings)")
            #expect(run.errors.contains(message), "\(settings): \(run.errors)")
            // Refused before anything is created.
            #expect(!FileManager.default.fileExists(atPath: dataDirectory))
        }
    }

    @Test func theSettingsComeFromEveryConfigurationSource() throws {
        let file = RunningServer.temporaryDirectory() + "/server.toml"
        try Data("tls-certificate = \"/etc/stamina/cert.pem\"\n".utf8).write(to: URL(fileURLWithPath: file))
        let configuration = try ServerConfiguration.load(
            file: file, environment: ["STAMINA_TLS_KEY": "/etc/stamina/key.pem"], flags: [])
        #expect(configuration.tlsCertificate == "/etc/stamina/cert.pem")
        #expect(configuration.tlsKey == "/etc/stamina/key.pem")
        #expect(ServerConfiguration().tlsCertificate.isEmpty && ServerConfiguration().tlsKey.isEmpty)
    }

    // MARK: openssl

    static func openssl() -> String? {
        let found = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/bin/openssl"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        if found == nil { print("BuiltInTLSTests: skipped, openssl is not installed") }
        return found
    }

    static func selfSignedCertificate(_ openssl: String) throws -> (directory: String, certificate: String, key: String)
    {
        let directory = RunningServer.temporaryDirectory()
        let certificate = directory + "/cert.pem"
        let key = directory + "/key.pem"
        let made = try run(
            openssl,
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key,
                "-out", certificate,
            ])
        guard made.status == 0 else { throw TestFailure("openssl req failed: \(made.errors)") }
        return (directory, certificate, key)
    }

    /// One request over TLS with openssl's client, verifying the server against `trusting` only.
    static func httpsGet(
        _ openssl: String, port: Int, path: String, trusting certificate: String, options: [String] = []
    ) throws -> (status: Int32, output: String, errors: String) {
        let request = "GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        return try run(
            openssl,
            [
                "s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost", "-CAfile", certificate,
                "-verify_return_error", "-verify_ip", "127.0.0.1", "-quiet",
            ] + options, input: request)
    }

    static func plainHTTPStatus(port: Int) async throws -> Int? {
        guard let url = URL(string: "http://127.0.0.1:\(port)/egg") else { return nil }
        var request = URLRequest(url: url)
        request.timeoutInterval = 10
        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return nil }
        return (response as? HTTPURLResponse)?.statusCode
    }

    /// Runs a program to its end (at most 30 s); stdout as `output`, stderr as `errors`.
    static func run(_ executable: String, _ arguments: [String], input: String = "") throws -> (
        status: Int32, output: String, errors: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: killer)
        // stderr is drained on its own thread so that neither pipe can fill up and stall the program.
        let errorText = ErrorText()
        let reader = Thread { errorText.set(errors.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        killer.cancel()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self), errorText.wait())
    }
}

/// The stderr text of `BuiltInTLSTests.run`, handed from its reader thread.
private final class ErrorText: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    func set(_ data: Data) {
        self.data = data
        done.signal()
    }

    func wait() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
