import Foundation

/// Follows the two files a running engine appends to in its scratch directory (stderr and the
/// events file) and hands over their new complete lines, so the worker can store them as job
/// events: any API node streams them from the store. A half-written last line waits for the next
/// read; the bytes kept per job are bounded (`max-events`), the rest is dropped with one note.
struct ProgressTail: Sendable {
    private var offsets: [String: UInt64] = [:]
    private var budget: Int
    private var overflowNoted = false
    /// One line longer than this is cut (a runaway engine line must not become one huge event).
    static let maxLineBytes = 64 * 1024

    init(budget: Int) {
        self.budget = budget
    }

    mutating func read(_ directory: JobDirectory) -> [NewJobEvent] {
        var events: [NewJobEvent] = []
        for (path, kind) in [(directory.stderr, JobEvent.Kind.log), (directory.events, .engine)] {
            for line in newLines(path) {
                guard budget > 0 else {
                    if !overflowNoted {
                        overflowNoted = true
                        events.append(
                            .init(
                                kind: .log,
                                line: "[WARNING]: more progress output than max-events; the rest is not kept"))
                    }
                    continue
                }
                let kept =
                    line.utf8.count > Self.maxLineBytes
                    ? String(decoding: line.utf8.prefix(Self.maxLineBytes), as: UTF8.self) : line
                budget -= kept.utf8.count + 1
                events.append(.init(kind: kind, line: kept))
            }
        }
        return events
    }

    private mutating func newLines(_ path: String) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        let offset = offsets[path] ?? 0
        guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.readToEnd(), !data.isEmpty,
            let lastNewline = data.lastIndex(of: UInt8(ascii: "\n"))
        else { return [] }
        let complete = data[data.startIndex...lastNewline]
        offsets[path] = offset + UInt64(complete.count)
        var lines = complete.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
        lines.removeLast()  // after the last newline: nothing
        return lines
    }
}
