// The bytes of one source text and its line table, so that tokens and AST nodes can carry a plain
// byte offset and be turned into line, column and snippet only when a diagnostic is made.

struct SourceFile: Sendable {
    let name: String
    let bytes: [UInt8]
    /// Byte offset where each line starts; `lineStarts[0] == 0`.
    let lineStarts: [Int]

    init(_ source: SourceText) {
        name = source.name
        bytes = Array(source.text.utf8)
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(index + 1)
        }
        lineStarts = starts
    }

    /// 0-based line index containing `offset`.
    private func lineIndex(of offset: Int) -> Int {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return low
    }

    private func lineEnd(_ line: Int) -> Int {
        var end = line + 1 < lineStarts.count ? lineStarts[line + 1] - 1 : bytes.count
        if end > lineStarts[line], end <= bytes.count, end - 1 >= 0, bytes[end - 1] == UInt8(ascii: "\r") {
            end -= 1
        }
        return max(end, lineStarts[line])
    }

    /// The 1-based line and column (in characters) of a byte offset, clamped into the file.
    func location(of offset: Int) -> SourceLocation {
        let clamped = min(max(offset, 0), bytes.count)
        let line = lineIndex(of: clamped)
        let prefix = bytes[lineStarts[line]..<clamped]
        let column = String(decoding: prefix, as: UTF8.self).count + 1
        return SourceLocation(file: name, line: line + 1, column: column)
    }

    /// Bytes of context shown on each side of the caret: a diagnostic on a megabyte-long line
    /// must not carry the whole line.
    static let snippetContext = 80

    /// The source line holding `offset` (cut to a window around it) and a caret under it.
    func snippet(at offset: Int) -> String {
        let clamped = min(max(offset, 0), bytes.count)
        let line = lineIndex(of: clamped)
        var start = lineStarts[line]
        var end = lineEnd(line)
        let position = min(clamped, end)
        var (before, after) = ("", "")
        if position - start > Self.snippetContext {
            start = position - Self.snippetContext
            // Start on a character boundary (not a UTF-8 continuation byte).
            while start < position, bytes[start] & 0xC0 == 0x80 { start += 1 }
            before = "..."
        }
        if end - position > Self.snippetContext {
            end = position + Self.snippetContext
            while end > position, end < bytes.count, bytes[end] & 0xC0 == 0x80 { end -= 1 }
            after = "..."
        }
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        let prefix = before + String(decoding: bytes[start..<position], as: UTF8.self)
        // Keep tabs so the caret lines up whatever the terminal's tab width.
        let padding = String(prefix.map { $0 == "\t" ? "\t" : " " })
        return "  \(before)\(text)\(after)\n  \(padding)^"
    }

    func diagnostic(at offset: Int, _ message: String) -> Diagnostic {
        Diagnostic(location: location(of: offset), message: message, snippet: snippet(at: offset))
    }

    func text(from start: Int, to end: Int) -> String {
        let low = min(max(start, 0), bytes.count)
        let high = min(max(end, low), bytes.count)
        return String(decoding: bytes[low..<high], as: UTF8.self)
    }
}
