import Hummingbird
import NIOCore

/// How many body bytes each endpoint reads, at most. Every body is read through `collect`, so a
/// body over its limit is refused with 413 before anything is parsed or stored; a limit is chosen
/// per endpoint so that a small request cannot make the server buffer an upload's worth of bytes.
enum BodyLimit {
    /// A job id (`/checkjob`, `/kill`, `DELETE /jobs`): 26 characters, quotes and blanks allowed.
    static let jobID = 512
    /// `{"id": ..., "name": ...}` or `{"name": ...}`: a name is at most 255 characters, but JSON
    /// escapes may make each of them 12 bytes.
    static let rename = 4096

    /// A submission: two files at most `max-upload` each, plus the form's fields and framing.
    static func submission(_ configuration: ServerConfiguration) -> Int {
        2 * configuration.maxUploadBytes + 65_536
    }

    static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        do { return try await request.body.collect(upTo: limit) } catch is NIOTooManyBytesError {
            throw APIError.payloadTooLarge("the request body is larger than \(limit) bytes")
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.payloadTooLarge("the request body is larger than \(limit) bytes")
        }
    }
}
