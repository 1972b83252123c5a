import Foundation
import HTTPTypes
import HummingbirdTesting
import StaminaServer
import Testing

/// `nosniff` on every reply, a strict CSP on HTML, control characters refused in names, and paths
/// and configuration shown to the admin only.
@Suite("Headers and exposure")
struct ExposureTests {
    @Test func everyReplyIsNosniffAndHTMLHasAStrictPolicy() async throws {
        try await InProcessServer().test { client in
            var replies = [
                try await client.send(.get, "/healthz"), try await client.send(.get, "/no/such/path"),
                try await client.send(.post, "/checkjob", "nonsense"), try await client.send(.options, "/jobs"),
                try await client.send(.get, "/v1/jobs"), try await client.send(.get, "/about"),
            ]
            let page = try await client.send(
                .post, "/jobs",
                "create=1&from_web=1&model_file=\(TestModels.birthDeath.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&prop_file=x",
                headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(page.code == 201)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            let policy = try #require(page.headers[.contentSecurityPolicy])
            #expect(policy.contains("default-src 'none'"))
            #expect(policy.contains("frame-ancestors 'none'"))
            replies.append(page)
            for reply in replies { #expect(reply.headers[.xContentTypeOptions] == "nosniff") }
        }
    }

    @Test func namesWithControlCharactersAreRefusedOnBothAPIs() async throws {
        try await InProcessServer(["admin-token=the-admin"]).test { client in
            let nul = try await client.submitV1(name: "before\u{0}after")
            #expect(nul.code == 400)
            #expect(nul.headers[.contentType] == "application/problem+json")
            let escape = try await client.submitV1(name: "red\u{1b}[31m")
            #expect(escape.code == 400)

            let fine = try await client.submitV1(name: "fine")
            let id = try #require(fine.object["id"] as? String)
            let token = try #require(fine.object["token"] as? String)
            var headers = HTTPFields.bearer(token)
            headers[.contentType] = "application/json"
            #expect(
                try await client.send(.patch, "/v1/jobs/\(id)", #"{"name": "a\u0000b"}"#, headers: headers).code == 400)
            #expect(
                try await client.send(.patch, "/v1/jobs/\(id)", #"{"name": "line\nbreak"}"#, headers: headers).code
                    == 400)

            let legacy = try await client.submitLegacy()
            let legacyID = try #require(legacy.object["id"] as? String)
            let rename = try await client.send(.post, "/rename", #"{"id": "\#(legacyID)", "name": "x\u0000y"}"#)
            #expect(rename.code == 400)
            #expect(rename.object["error"] != nil)
            let boundary = "b0undary"
            let multipart =
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"create\"\r\n\r\n1\r\n"
                + "--\(boundary)\r\nContent-Disposition: form-data; name=\"model_file\"; filename=\"m\u{0}.prism\"\r\n\r\n\(TestModels.birthDeath)\r\n"
                + "--\(boundary)\r\nContent-Disposition: form-data; name=\"prop_file\"; filename=\"p.csl\"\r\n\r\nP=? [ F<=1 true ]\r\n"
                + "--\(boundary)--\r\n"
            let upload = try await client.send(
                .post, "/jobs", multipart, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"])
            #expect(upload.code == 400)
            // Nothing renamed, nothing more stored.
            let all = try await client.send(.get, "/v1/jobs", headers: .bearer("the-admin"))
            let names = (all.object["jobs"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
            #expect(Set(names ?? []) == ["fine", "model.prism"])
        }
    }

    @Test func pathsAndConfigurationAreForTheAdminOnly() async throws {
        let server = try InProcessServer(["admin-token=the-admin", "metrics-token=scrape"])
        try await server.test { client in
            let anyone = try await client.send(.get, "/v1/about")
            #expect(anyone.code == 200)
            #expect(anyone.object["configuration"] == nil)
            #expect(anyone.object["engine"] == nil)
            #expect(!anyone.text.contains(server.dataDirectory))
            #expect(anyone.object["version"] != nil)
            let admin = try await client.send(.get, "/v1/about", headers: .bearer("the-admin"))
            #expect((admin.object["configuration"] as? [String: Any])?["data-dir"] as? String != nil)
            let legacyAbout = try await client.send(.get, "/about").text
            #expect(legacyAbout.contains("stamina-server"))
            #expect(!legacyAbout.contains(ServerConfiguration.currentExecutable))
            #expect(!anyone.text.contains(ServerConfiguration.currentExecutable))

            #expect(try await client.send(.get, "/metrics").code == 401)
            let stranger = try await client.submitV1()
            let token = try #require(stranger.object["token"] as? String)
            #expect(try await client.send(.get, "/metrics", headers: .bearer(token)).code == 403)
            #expect(try await client.send(.get, "/metrics", headers: .bearer("the-admin")).code == 200)
            let scraped = try await client.send(.get, "/metrics", headers: .bearer("scrape"))
            #expect(scraped.code == 200)
            #expect(scraped.text.contains("stamina_jobs"))
        }
    }
}

/// State-changing legacy requests from a page of another origin are refused; the public web
/// client's origins, the server's own and requests without `Origin` work as before.
@Suite("Browser origins")
struct OriginTests {
    @Test func crossSiteLegacyWritesAreRefusedAndAllowedOriginsWork() async throws {
        try await InProcessServer().test { client in
            let created = try await client.submitLegacy()
            let id = try #require(created.object["id"] as? String)
            let evil: HTTPFields = [.origin: "https://evil.example"]
            for (method, path, body) in [
                (HTTPRequest.Method.post, "/kill", id), (.delete, "/jobs", id), (.delete, "/myjobs", ""),
                (.post, "/rename", #"{"id": "\#(id)", "name": "x"}"#), (.post, "/stamina/kill", id),
            ] {
                let reply = try await client.send(method, path, body, headers: evil)
                #expect(reply.code == 403, "\(method) \(path)")
                #expect(reply.object["error"] != nil, "\(method) \(path)")
                #expect(reply.headers[.accessControlAllowOrigin] == nil)
            }
            #expect(try await client.submitLegacy(headers: evil).code == 403)
            // Reads are not refused (the browser keeps their answer from the page anyway).
            #expect(try await client.send(.get, "/myjobs", headers: evil).code == 200)

            // The public web client: preflight, then the request, with CORS headers.
            let web: HTTPFields = [
                .origin: "https://staminachecker.org", .accessControlRequestMethod: "DELETE",
            ]
            let preflight = try await client.send(.options, "/myjobs", headers: web)
            #expect(preflight.code == 204)
            #expect(preflight.headers[.accessControlAllowOrigin] == "https://staminachecker.org")
            #expect(preflight.headers[.accessControlAllowMethods]?.contains("DELETE") == true)
            let renamed = try await client.send(
                .post, "/rename", #"{"id": "\#(id)", "name": "from the web"}"#,
                headers: [.origin: "https://www.staminachecker.org"])
            #expect(renamed.code == 200)
            #expect(renamed.headers[.accessControlAllowOrigin] == "https://www.staminachecker.org")
            // The server's own origin (scheme and Host), and no Origin at all (curl, scripts).
            #expect(try await client.send(.post, "/kill", id, headers: [.origin: "http://localhost"]).text == "Success")
            #expect(try await client.send(.delete, "/jobs", id).text == "Success")
        }
    }

    @Test func aStarAllowsEveryOrigin() async throws {
        try await InProcessServer(["cors-origins=*"]).test { client in
            let reply = try await client.submitLegacy(headers: [.origin: "https://anywhere.example"])
            #expect(reply.code == 201)
            #expect(reply.headers[.accessControlAllowOrigin] == "*")
        }
    }
}
