import EngineContract
import Foundation
import Subprocess

#if canImport(Glibc)
    import Glibc
#endif

/// The worker's end of its zygote's conversation (the lines `JobZygote` describes): requests go to
/// the zygote's stdin, replies come from its stdout.
struct ZygoteChannel {
    enum Reply: Equatable {
        /// With the network layer the zygote's jobs inherit.
        case ready(SandboxLayers.Layer?)
        case started(pid_t)
        case ended(Int32)
        /// The zygote could not take the request (the reason); it is still there for the next one.
        case refused(String)
    }

    private let writer: StandardInputWriter
    private var lines: SubprocessOutputSequence.StringSequence<UTF8>.AsyncIterator

    init(writer: StandardInputWriter, output: SubprocessOutputSequence) {
        self.writer = writer
        lines = output.strings().makeAsyncIterator()
    }

    /// The next reply; nil once the zygote has gone (its stdout ended).
    mutating func next() async -> Reply? {
        while true {
            guard let line = try? await lines.next() else { return nil }
            if line.hasPrefix("ready") {
                return .ready(try? JSONDecoder().decode(SandboxLayers.Layer.self, from: Data(line.dropFirst(5).utf8)))
            }
            if line.hasPrefix("started "), let pid = pid_t(line.dropFirst("started ".count)) { return .started(pid) }
            if line.hasPrefix("ended "), let code = Int32(line.dropFirst("ended ".count)) { return .ended(code) }
            if line.hasPrefix("refused: ") { return .refused(String(line.dropFirst("refused: ".count))) }
            // Nothing else is written to that stdout; an unknown line is skipped, not trusted.
        }
    }

    /// False when the zygote cannot be written to (it has gone).
    func send(_ request: JobLaunchRequest) async -> Bool {
        guard let json = try? JSONEncoder().encode(request) else { return false }
        return (try? await writer.write(Array(json) + [UInt8(ascii: "\n")])) != nil
    }
}
