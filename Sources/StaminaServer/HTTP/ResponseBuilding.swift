import Foundation
import Hummingbird
import OrderedJSON

/// Small constructors for the replies, so every handler sets content types the same way.
enum Reply {
    static func json(_ object: Any, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func json(_ value: JSONText, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        json(rendered: ByteBuffer(bytes: value.bytes), status: status, headers: headers)
    }

    /// A JSON document rendered earlier (see `JobDocumentCache`).
    static func json(rendered: ByteBuffer, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: rendered))
    }

    static func text(
        _ text: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8"
    ) -> Response {
        Response(
            status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        self.text(text, status: status, contentType: "text/html; charset=utf-8")
    }

    static func problem(_ error: APIError, instance: String) -> Response {
        var object: [String: Any] = [
            "type": APIError.problemTypeBase + error.slug, "title": error.title, "status": Int(error.status.code),
            "detail": error.detail, "instance": instance,
        ]
        if !error.diagnostics.isEmpty {
            object["diagnostics"] = error.diagnostics.map {
                ["file": $0.file, "line": $0.line, "column": $0.column, "message": $0.message] as [String: Any]
            }
        }
        var headers: HTTPFields = [:]
        if let retry = error.retryAfterSeconds { headers[.retryAfter] = String(retry) }
        var response = json(object, status: error.status, headers: headers)
        response.headers[.contentType] = "application/problem+json"
        return response
    }

    static func legacyError(_ error: APIError) -> Response {
        var headers: HTTPFields = [:]
        if let retry = error.retryAfterSeconds { headers[.retryAfter] = String(retry) }
        return json(["error": error.detail], status: error.status, headers: headers)
    }
}

/// Escapes text for HTML pages (the legacy `from_web` replies).
func htmlEscaped(_ text: String) -> String {
    var output = ""
    for character in text {
        switch character {
        case "&": output += "&amp;"
        case "<": output += "&lt;"
        case ">": output += "&gt;"
        case "\"": output += "&quot;"
        case "'": output += "&#39;"
        default: output.append(character)
        }
    }
    return output
}
