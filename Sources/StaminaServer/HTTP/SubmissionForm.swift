import Foundation
import MultipartKit
import NIOCore

/// A submission body, whatever its encoding (multipart, URL-encoded or JSON): text fields and
/// uploaded files, before any meaning is given to them.
struct SubmissionForm: Sendable {
    struct File: Sendable {
        var fileName: String
        var text: String
    }

    var fields: [String: String] = [:]
    var files: [String: File] = [:]

    /// Field names that carry a file's text when the body is not multipart.
    static let fileFieldNames: Set<String> = ["model_file", "prop_file", "model", "properties"]

    func field(_ names: String...) -> String? {
        for name in names {
            if let value = fields[name] { return value }
        }
        return nil
    }

    func file(_ names: String...) -> File? {
        for name in names {
            if let file = files[name] { return file }
        }
        return nil
    }

    static func parse(body: ByteBuffer, contentType: String?, maxFileBytes: Int) throws(APIError) -> SubmissionForm {
        let type = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        var form: SubmissionForm
        switch type {
        case "multipart/form-data":
            // RFC 2046: 1 to 70 characters. MultipartKit fails on an empty one (found by fuzzing).
            guard let boundary = parameter("boundary", in: contentType ?? ""), (1...70).contains(boundary.utf8.count)
            else {
                throw APIError.badRequest("multipart/form-data needs a boundary parameter of 1 to 70 characters")
            }
            form = try multipart(body: body, boundary: boundary)
        case "application/x-www-form-urlencoded":
            form = urlEncoded(String(buffer: body))
        case "application/json":
            form = try json(body)
        default:
            throw APIError.unsupportedMediaType(
                "expected multipart/form-data, application/x-www-form-urlencoded or application/json, got '\(type)'")
        }
        for (name, value) in form.fields where fileFieldNames.contains(name) {
            form.files[name] = File(
                fileName: name == "prop_file" || name == "properties" ? "properties.csl" : "model.prism", text: value)
            form.fields[name] = nil
        }
        for (name, file) in form.files where file.text.utf8.count > maxFileBytes {
            throw APIError.payloadTooLarge(
                "file '\(name)' has \(file.text.utf8.count) bytes; the limit is \(maxFileBytes)")
        }
        return form
    }

    static func parameter(_ name: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let parts = piece.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            return parts[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(
                in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    private static func multipart(body: ByteBuffer, boundary: String) throws(APIError) -> SubmissionForm {
        final class Collector {
            var parts: [(headers: [String: String], body: ByteBuffer)] = []
            var headers: [String: String] = [:]
            var body = ByteBuffer()
        }
        if MultipartHeaderGuard.hasNonASCIIHeaderName(body, boundary: boundary) {
            throw APIError.badRequest(
                "malformed multipart body: a part header name is not ASCII, or its headers are too long")
        }
        let collector = Collector()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in collector.headers[name.lowercased()] = value }
        parser.onBody = { chunk in collector.body.writeBuffer(&chunk) }
        parser.onPartComplete = {
            collector.parts.append((collector.headers, collector.body))
            collector.headers = [:]
            collector.body = ByteBuffer()
        }
        do { try parser.execute(body) } catch {
            throw APIError.badRequest("malformed multipart body: \(error)")
        }
        if collector.parts.isEmpty { throw APIError.badRequest("malformed multipart body: no parts") }
        var form = SubmissionForm()
        for part in collector.parts {
            let disposition = part.headers["content-disposition"] ?? ""
            guard let name = parameter("name", in: disposition) else {
                throw APIError.badRequest("a multipart part has no name in its Content-Disposition")
            }
            let text = String(buffer: part.body)
            if let fileName = parameter("filename", in: disposition) {
                form.files[name] = File(fileName: displayName(fileName), text: text)
            } else {
                form.fields[name] = text
            }
        }
        return form
    }

    private static func urlEncoded(_ text: String) -> SubmissionForm {
        var form = SubmissionForm()
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            form.fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return form
    }

    private static func json(_ body: ByteBuffer) throws(APIError) -> SubmissionForm {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: Data(buffer: body)) } catch {
            throw APIError.badRequest("the body is not valid JSON")
        }
        guard var dictionary = object as? [String: Any] else {
            throw APIError.badRequest("the body must be a JSON object")
        }
        if let parameters = dictionary.removeValue(forKey: "parameters") as? [String: Any] {
            dictionary.merge(parameters) { outer, _ in outer }
        }
        var form = SubmissionForm()
        for (key, value) in dictionary {
            switch value {
            case let file as [String: Any] where fileFieldNames.contains(key):
                guard let content = file["content"] as? String else {
                    throw APIError.badRequest("'\(key)' needs a string 'content'")
                }
                form.files[key] = File(fileName: displayName(file["name"] as? String ?? key), text: content)
            case let text as String: form.fields[key] = text
            case let number as NSNumber: form.fields[key] = jsonScalar(number)
            case let flag as Bool: form.fields[key] = flag ? "true" : "false"
            case is NSNull: continue
            case let map as [String: Any] where key == "constants":
                form.fields[key] = map.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            default: throw APIError.badRequest("field '\(key)' has an unsupported JSON type")
            }
        }
        return form
    }

    private static func jsonScalar(_ number: NSNumber) -> String {
        let text = number.stringValue
        if text == "true" || text == "false" { return text }
        return text
    }

    /// The last path component only, at most 255 characters: a name is shown, never used as a path
    /// (control characters are refused later, by `JobService.checkName`).
    static func displayName(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(last.prefix(255))
        return cleaned.isEmpty || cleaned == "." || cleaned == ".." ? "upload" : cleaned
    }
}
