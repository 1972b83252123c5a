import Crypto
import Foundation

/// The web app's files, embedded in the binary at build time (SwiftPM `.embedInCode`, see
/// Package.swift), so `stamina serve` needs no files beside it and fetches nothing from elsewhere.
/// Each file is served at one fixed path with its content type and an ETag of its bytes.
struct WebAsset: Sendable {
    let path: String
    let contentType: String
    let bytes: [UInt8]
    let eTag: String

    init(path: String, contentType: String, bytes: [UInt8]) {
        self.path = path
        self.contentType = contentType
        self.bytes = bytes
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        eTag = "\"" + digest.prefix(20) + "\""
    }
}

enum WebAssets {
    static let html = "text/html; charset=utf-8"
    static let javaScript = "text/javascript; charset=utf-8"
    static let css = "text/css; charset=utf-8"

    /// Every page and file of the app. The job page's path is the default `job-page-url`, where
    /// the legacy `from_web` redirect lands.
    static let all: [WebAsset] = [
        WebAsset(path: "/", contentType: html, bytes: PackageResources.index_html),
        WebAsset(path: "/index.html", contentType: html, bytes: PackageResources.index_html),
        WebAsset(path: "/job.html", contentType: html, bytes: PackageResources.job_html),
        WebAsset(path: "/app/app.css", contentType: css, bytes: PackageResources.app_css),
        WebAsset(path: "/app/api.js", contentType: javaScript, bytes: PackageResources.api_js),
        WebAsset(path: "/app/ansi.js", contentType: javaScript, bytes: PackageResources.ansi_js),
        WebAsset(path: "/app/plot.js", contentType: javaScript, bytes: PackageResources.plot_js),
        WebAsset(path: "/app/dom.js", contentType: javaScript, bytes: PackageResources.dom_js),
        WebAsset(path: "/app/index.js", contentType: javaScript, bytes: PackageResources.index_js),
        WebAsset(path: "/app/job.js", contentType: javaScript, bytes: PackageResources.job_js),
        WebAsset(path: "/app/favicon.svg", contentType: "image/svg+xml", bytes: PackageResources.favicon_svg),
    ]
}
