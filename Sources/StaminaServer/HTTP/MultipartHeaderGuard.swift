// Refuses multipart bodies that would crash MultipartKit's parser.
//
// MultipartKit (4.x) looks each byte of a part's header name up in a 128-entry table, so a byte of
// 0x80 or more in a header name traps with an index out of range and takes the whole server down
// with one request (found by Fuzz/SubmissionForm). Header names are ASCII tokens (RFC 9110), so
// such a body is malformed: this scan finds it first and the caller answers 400.

import NIOCore

enum MultipartHeaderGuard {
    /// True when, after some `--boundary`, a byte of 0x80 or more sits where MultipartKit reads a
    /// header name. It follows the parser's own rules (a name runs to `:`, a value to CR, then LF,
    /// and an empty name ends the headers) but never stops at a syntax error, so it sees a superset
    /// of the bytes the parser takes for header names.
    static func hasNonASCIIHeaderName(_ body: ByteBuffer, boundary: String) -> Bool {
        let delimiter = Array(("--" + boundary).utf8)
        let (colon, cr, lf) = (UInt8(ascii: ":"), UInt8(13), UInt8(10))
        return body.withUnsafeReadableBytes { bytes in
            guard !delimiter.isEmpty else { return false }
            var index = 0
            while index + delimiter.count <= bytes.count {
                guard bytes[index] == delimiter[0], matches(bytes, at: index, delimiter) else {
                    index += 1
                    continue
                }
                // The boundary line ends at its LF; header names start after it.
                var position = index + delimiter.count
                while position < bytes.count, bytes[position] != lf { position += 1 }
                position += 1
                headers: while position < bytes.count {
                    if bytes[position] == cr { break headers }
                    // The name, up to the colon (a CR or LF there is a syntax error: stop).
                    while position < bytes.count, bytes[position] != colon {
                        if bytes[position] >= 0x80 { return true }
                        if bytes[position] == cr || bytes[position] == lf { break headers }
                        position += 1
                    }
                    // The value runs to CR (an LF inside does not end it), then LF.
                    while position < bytes.count, bytes[position] != cr { position += 1 }
                    position += 2
                }
                index = max(position, index + 1)
            }
            return false
        }
    }

    private static func matches(_ bytes: UnsafeRawBufferPointer, at index: Int, _ pattern: [UInt8]) -> Bool {
        guard index + pattern.count <= bytes.count else { return false }
        for offset in pattern.indices where bytes[index + offset] != pattern[offset] { return false }
        return true
    }
}
