// Refuses multipart bodies that would crash MultipartKit's parser.
//
// MultipartKit (4.x) looks each byte of a part's header name up in a 128-entry table, so a byte of
// 0x80 or more in a header name traps with an index out of range and takes the whole server down
// with one request (found by Fuzz/SubmissionForm). Header names are ASCII tokens (RFC 9110), so
// such a body is malformed: this scan finds it first and the caller answers 400.

import NIOCore

enum MultipartHeaderGuard {
    /// How far after a delimiter the header lines are read. A browser's part headers are a few
    /// hundred bytes; a body whose headers run longer is refused too, which keeps the scan linear
    /// (each delimiter costs at most this much) however many delimiters a hostile body holds.
    static let headerScanLimit = 2048

    /// True when, after some `--boundary`, a byte of 0x80 or more sits where MultipartKit might
    /// read a header name, or the header lines run past `headerScanLimit`. Every occurrence of the
    /// delimiter is examined on its own (MultipartKit's own idea of which ones start a part depends
    /// on state this scan does not keep: a first version that skipped ahead missed one, found by
    /// fuzzing), and each one's header lines are read by the parser's rules (a name runs to `:`, a
    /// value to CR, then LF; an empty line ends them) without stopping at a syntax error, so the
    /// bytes checked are a superset of those the parser takes for header names.
    static func hasNonASCIIHeaderName(_ body: ByteBuffer, boundary: String) -> Bool {
        let delimiter = Array(("--" + boundary).utf8)
        let (colon, cr, lf) = (UInt8(ascii: ":"), UInt8(13), UInt8(10))
        return body.withUnsafeReadableBytes { bytes in
            guard !delimiter.isEmpty else { return false }
            var index = 0
            while index + delimiter.count <= bytes.count {
                defer { index += 1 }
                guard bytes[index] == delimiter[0], matches(bytes, at: index, delimiter) else { continue }
                let limit = min(bytes.count, index + delimiter.count + headerScanLimit)
                // The boundary line ends at its LF; header names start after it.
                var position = index + delimiter.count
                while position < limit, bytes[position] != lf { position += 1 }
                position += 1
                headers: while position < limit {
                    if bytes[position] == cr { break headers }
                    while position < limit, bytes[position] != colon {
                        if bytes[position] >= 0x80 { return true }
                        if bytes[position] == cr || bytes[position] == lf { break headers }
                        position += 1
                    }
                    // The value runs to CR (an LF inside does not end it), then LF.
                    while position < limit, bytes[position] != cr { position += 1 }
                    position += 2
                }
                if position >= limit && limit < bytes.count { return true }
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
