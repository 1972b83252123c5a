import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL

/// Built-in HTTPS (`tls-certificate`, `tls-key`) for a lab without a reverse proxy; behind nginx
/// (deploy/nginx/stamina.conf) both stay empty and the server speaks plain HTTP on loopback.
/// Both files are read and checked against each other before anything else starts, so a wrong
/// path or a key that does not match fails `stamina serve` at once, naming the file.
enum BuiltInTLS {
    /// TLS 1.2 suites with forward secrecy and AEAD only (TLS 1.3 suites are all of that kind);
    /// the same list as the nginx site file.
    static let cipherSuites = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    /// `base` (the HTTP/1.1 channel) wrapped in TLS when `tls` is set (from `tlsConfiguration`).
    static func server(_ tls: TLSConfiguration?, wrapping base: HTTPServerBuilder) throws(TLSSetupError)
        -> HTTPServerBuilder
    {
        guard let tls else { return base }
        do {
            return try .tls(base, tlsConfiguration: tls)
        } catch {
            throw TLSSetupError(description: "TLS setup failed: \(error)")
        }
    }

    /// nil when both settings are empty (plain HTTP).
    static func tlsConfiguration(_ configuration: ServerConfiguration) throws(TLSSetupError) -> TLSConfiguration? {
        let certificatePath = configuration.tlsCertificate
        let keyPath = configuration.tlsKey
        switch (certificatePath.isEmpty, keyPath.isEmpty) {
        case (true, true): return nil
        case (false, true): throw TLSSetupError(description: "tls-certificate is set but tls-key is not: set both")
        case (true, false): throw TLSSetupError(description: "tls-key is set but tls-certificate is not: set both")
        case (false, false): break
        }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(try read(certificatePath, setting: "tls-certificate"))
        } catch let error as TLSSetupError {
            throw error
        } catch {
            throw TLSSetupError(
                description: "tls-certificate: '\(certificatePath)' is not a PEM certificate (\(error))")
        }
        guard !chain.isEmpty else {
            throw TLSSetupError(description: "tls-certificate: '\(certificatePath)' holds no PEM certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: try read(keyPath, setting: "tls-key"), format: .pem)
        } catch let error as TLSSetupError {
            throw error
        } catch {
            throw TLSSetupError(
                description: "tls-key: '\(keyPath)' is not an unencrypted PEM private key (\(error))")
        }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        tls.cipherSuites = cipherSuites
        // Building the context is where BoringSSL compares the key with the certificate.
        do {
            _ = try NIOSSLContext(configuration: tls)
        } catch {
            throw TLSSetupError(
                description:
                    "tls-key: '\(keyPath)' does not fit the certificate in '\(certificatePath)' (\(error))")
        }
        return tls
    }

    private static func read(_ path: String, setting: String) throws(TLSSetupError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TLSSetupError(description: "\(setting): '\(path)' does not exist")
        }
        guard !isDirectory.boolValue else {
            throw TLSSetupError(description: "\(setting): '\(path)' is a directory, not a PEM file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TLSSetupError(description: "\(setting): '\(path)' cannot be read by this user")
        }
        return [UInt8](data)
    }
}

/// A certificate or key that `stamina serve` cannot use; the text names the setting and the file.
public struct TLSSetupError: Error, CustomStringConvertible, Sendable {
    public var description: String
}
