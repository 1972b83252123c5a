import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Serves the embedded web app (`WebAssets`) with the headers that keep it self-contained: a CSP
/// that allows only this origin and no inline script or style, `nosniff`, a referrer for this
/// origin only (job ids are in the URLs; `same-origin` rather than `no-referrer`, because under
/// `no-referrer` a browser sends `Origin: null` with a form POST, and the legacy endpoints refuse
/// state-changing requests from origins they do not know), and revalidation by ETag (the file names carry no version, so a cached copy
/// must be checked on every load; an unchanged file costs a 304).
struct WebAppController: Sendable {
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    func register(on router: some RouterMethods<StaminaRequestContext>) {
        for asset in WebAssets.all {
            router.get(RouterPath(asset.path)) { request, _ in Self.response(for: asset, request: request) }
        }
    }

    static func response(for asset: WebAsset, request: Request) -> Response {
        // `/stamina` must become `/stamina/`: the pages' relative links resolve against it.
        if asset.path == "/", !request.uri.path.hasSuffix("/") {
            let query = request.uri.query.map { "?" + $0 } ?? ""
            return Response(status: .movedPermanently, headers: [.location: request.uri.path + "/" + query])
        }
        var headers: HTTPFields = [
            .contentType: asset.contentType, .cacheControl: "no-cache", .eTag: asset.eTag,
            .xContentTypeOptions: "nosniff", .contentSecurityPolicy: contentSecurityPolicy,
            .referrerPolicy: "same-origin", .crossOriginResourcePolicy: "same-origin",
        ]
        let matches = request.headers[values: .ifNoneMatch].contains { value in
            value.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == asset.eTag }
        }
        if matches { return Response(status: .notModified, headers: headers) }
        headers[.contentLength] = String(asset.bytes.count)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }
}

extension HTTPField.Name {
    static let referrerPolicy: HTTPField.Name = {
        guard let name = HTTPField.Name("Referrer-Policy") else { fatalError("'Referrer-Policy' is not a header name") }
        return name
    }()
}
