import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import StaminaServer

/// The web app's pages and files, served in process from the binary: content types, the CSP that
/// forbids inline code (so the pages must not contain any), `nosniff`, ETag revalidation, and the
/// legacy `from_web` redirect landing on a page that exists. scripts/browser tests them in Chromium.
@Suite("web app")
struct WebAppTests {
    static func application() async throws -> some ApplicationProtocol {
        var configuration = ServerConfiguration()
        configuration.dataDirectory = RunningServer.temporaryDirectory()
        configuration.port = 0
        configuration.rateLimit = 0
        configuration.workers = 1
        // Never this test binary: a job the redirect test submits must not start the tests again.
        configuration.enginePath = "/bin/false"
        return try await buildApplication(
            configuration: configuration, validator: AcceptingValidator(), logger: Logger(label: "web-app-test"))
    }

    @Test func everyPageAndFileIsServedWithItsTypeAndSecurityHeaders() async throws {
        try await Self.application().test(.router) { client in
            for asset in WebAssets.all {
                try await client.execute(uri: asset.path, method: .get) { response in
                    #expect(response.status == .ok, "\(asset.path)")
                    #expect(response.headers[.contentType] == asset.contentType, "\(asset.path)")
                    #expect(response.headers[.xContentTypeOptions] == "nosniff")
                    let policy = response.headers[.contentSecurityPolicy] ?? ""
                    #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'"))
                    #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"))
                    #expect(response.headers[.cacheControl] == "no-cache")
                    #expect(response.headers[.eTag] == asset.eTag)
                    #expect(Array(response.body.readableBytesView) == asset.bytes)
                }
            }
            try await client.execute(uri: "/app/missing.js", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func anUnchangedFileIsRevalidatedWithA304() async throws {
        let asset = try #require(WebAssets.all.first { $0.path == "/app/job.js" })
        try await Self.application().test(.router) { client in
            try await client.execute(uri: asset.path, method: .get, headers: [.ifNoneMatch: asset.eTag]) { response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: asset.path, method: .get, headers: [.ifNoneMatch: "\"stale\""]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    /// The CSP forbids inline scripts and styles, so a page that had any would break silently.
    @Test func thePagesLoadOnlyTheirOwnFilesAndHaveNoInlineCode() throws {
        let served = Set(WebAssets.all.map(\.path))
        for asset in WebAssets.all where asset.contentType.hasPrefix("text/html") {
            let page = String(decoding: asset.bytes, as: UTF8.self)
            #expect(!page.contains("<style"), "\(asset.path)")
            #expect(!page.contains(" style="), "\(asset.path)")
            #expect(page.range(of: #" on[a-z]+="#, options: .regularExpression) == nil, "\(asset.path)")
            let scripts = page.components(separatedBy: "<script").dropFirst()
            #expect(!scripts.isEmpty)
            for script in scripts {
                #expect(script.contains(" src=\""), "inline script in \(asset.path)")
            }
            for reference in Self.references(in: page) {
                #expect(served.contains("/" + reference), "\(asset.path) refers to \(reference), which is not served")
            }
        }
        for asset in WebAssets.all where asset.contentType.hasPrefix("text/javascript") {
            let code = String(decoding: asset.bytes, as: UTF8.self)
            #expect(!code.contains("innerHTML"), "\(asset.path) builds markup from text")
            #expect(!code.contains("eval("), "\(asset.path)")
            // The SVG namespace is a name, not a place anything is fetched from.
            let urls = code.replacingOccurrences(of: "'http://www.w3.org/2000/svg'", with: "")
            #expect(!urls.contains("http://") && !urls.contains("https://"), "\(asset.path) names another origin")
            for module in code.components(separatedBy: "from './").dropFirst() {
                let name = module.prefix { $0 != "'" }
                #expect(served.contains("/app/" + name), "\(asset.path) imports \(name), which is not served")
            }
        }
    }

    /// `src="app/..."` and `href="app/..."`: every file a page loads.
    static func references(in page: String) -> [String] {
        var found: [String] = []
        for attribute in ["src=\"app/", "href=\"app/"] {
            for part in page.components(separatedBy: attribute).dropFirst() {
                found.append("app/" + part.prefix { $0 != "\"" })
            }
        }
        return found
    }

    @Test func theLegacyFromWebRedirectLandsOnTheJobPage() async throws {
        try await Self.application().test(.router) { client in
            let body = [
                "create=1", "from_web=1",
                "model_file="
                    + (TestModels.birthDeath.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""),
                "prop_file="
                    + (TestModels.birthDeathProperties.addingPercentEncoding(withAllowedCharacters: .alphanumerics)
                        ?? ""),
            ].joined(separator: "&")
            let target = try await client.execute(
                uri: "/jobs", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .created)
                let page = String(buffer: response.body)
                let url = try #require(page.components(separatedBy: "url=").dropFirst().first?.prefix { $0 != "\"" })
                return String(url)
            }
            #expect(target.hasPrefix("/job.html?id="))
            try await client.execute(uri: target, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == WebAssets.html)
                #expect(String(buffer: response.body).contains("app/job.js"))
            }
        }
    }

    /// Behind a proxy that keeps `path-prefix` (`/stamina` by default), the pages, every file they
    /// load, the `/v1` calls their scripts make and the legacy redirect all stay below it.
    @Test func theWebAppWorksBelowThePathPrefix() async throws {
        try await Self.application().test(.router) { client in
            try await client.execute(uri: "/stamina", method: .get) { response in
                #expect(response.status == .movedPermanently)
                #expect(response.headers[.location] == "/stamina/")
            }
            for page in ["/stamina/", "/stamina/index.html", "/stamina/job.html"] {
                let html = try await client.execute(uri: page, method: .get) { response in
                    #expect(response.status == .ok, "\(page)")
                    #expect(response.headers[.contentType] == WebAssets.html)
                    return String(buffer: response.body)
                }
                // Relative links only: resolved against the page they land below the prefix.
                for reference in Self.references(in: html) {
                    try await client.execute(uri: "/stamina/" + reference, method: .get) { response in
                        #expect(response.status == .ok, "\(page) loads \(reference)")
                    }
                }
                #expect(!html.contains("href=\"/") && !html.contains("src=\"/"), "\(page) has a root-relative link")
            }
            for asset in WebAssets.all where asset.path.hasPrefix("/app/") {
                try await client.execute(uri: "/stamina" + asset.path, method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(Array(response.body.readableBytesView) == asset.bytes)
                }
                // A script that named a root path ('/v1/...') would leave the prefix.
                let code = String(decoding: asset.bytes, as: UTF8.self)
                for quote in ["'/", "\"/", "`/"] {
                    #expect(!code.contains(quote + "v1") && !code.contains(quote + "app"), "\(asset.path)")
                }
            }
            // The API the pages call, with problem+json errors as at the root.
            try await client.execute(uri: "/stamina/v1/about", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"parameterDefaults\""))
            }
            let submitted = try await client.execute(
                uri: "/stamina/v1/jobs", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(
                    string: #"{"model": {"name": "m.prism", "content": "ctmc"}, "properties": "P=? [ F<=1 true ]"}"#)
            ) { response in
                #expect(response.status == .accepted)
                return String(buffer: response.body)
            }
            let object = try JSONSerialization.jsonObject(with: Data(submitted.utf8)) as? [String: Any]
            let id = try #require(object?["id"] as? String)
            let token = try #require(object?["token"] as? String)
            try await client.execute(
                uri: "/stamina/v1/jobs/\(id)", method: .get, headers: [.authorization: "Bearer \(token)"]
            ) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/stamina/v1/jobs/nope", method: .get) { response in
                #expect(response.status == .unauthorized || response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            // A legacy from_web submission through the prefix lands on the job page below it.
            let body = "create=1&from_web=1&model_file=ctmc&prop_file=P%3D%3F%20%5B%20F%3C%3D1%20true%20%5D"
            let page = try await client.execute(
                uri: "/stamina/jobs", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .created)
                return String(buffer: response.body)
            }
            #expect(page.contains("url=/stamina/job.html?id="))
        }
    }
}
