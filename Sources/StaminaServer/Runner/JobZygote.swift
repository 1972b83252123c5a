import EngineContract
import Foundation
import OrderedJSON

#if canImport(Glibc)
    import Glibc
#endif

/// `stamina worker-exec --zygote`: one per worker slot, started by the server's worker and kept for
/// as long as the server runs, so a job costs a fork instead of process starts. It is started
/// before any job and stays single-threaded (checked: it refuses to run with a second thread, since
/// fork copies only the calling thread); it holds no job data between jobs, and every job is a new
/// process forked from it (`ForkedJob`, `JobChild`): jobs never share an address space with each
/// other, with the zygote's later state, or with the server. Where it may (as root) it moves into an
/// empty network namespace of its own once, which its jobs inherit instead of each creating and
/// tearing down one; it is a child subreaper, so nothing a job leaves behind survives into the next
/// job's run (see `ForkedJob`).
///
/// The conversation, one line each way per step: the zygote says `ready` with its network layer
/// (a `SandboxLayers.Layer` JSON); the worker writes a
/// `JobLaunchRequest` as one JSON line; the zygote forks the job, says `started PID` (the job's pid,
/// which is also its process group), waits for it, writes the status file and says `ended CODE`.
/// A closed stdin (or a parent that is no longer `serverPID`) means the server is gone: the zygote
/// kills a running job's group and exits.
public enum JobZygote {
    public static func serve(serverPID: pid_t, inProcess: InProcessEngine?) -> Never {
        signal(SIGPIPE, SIG_IGN)  // a vanished server must be an error to see, not a silent death
        let threads = threadCount()
        guard threads == 1 else {
            say("refused: \(threads) threads (a zygote must be single-threaded)")
            exit(1)
        }
        _ = LinuxCalls.prctl(LinuxCalls.prSetChildSubreaper, 1)
        let network = slotNetwork()
        say("ready " + String(decoding: ((try? JSONTextEncoder().encode(network)) ?? .object([])).bytes, as: UTF8.self))
        var input = LineReader(descriptor: 0)
        let serverGone = { getppid() != serverPID }
        while let line = input.next(serverGone: serverGone) {
            guard let request = try? JSONDecoder().decode(JobLaunchRequest.self, from: Data(line.utf8)) else {
                say("refused: not a job request")
                continue
            }
            var job: ForkedJob
            switch ForkedJob.start(request, network: network, inProcess: inProcess) {
            case .success(let started): job = started
            case .failure(let error):
                say("refused: \(error)")
                continue
            }
            say("started \(job.pid)")
            let child = job.wait(hangUp: 0, serverGone: serverGone)
            var code = ForkedJob.exitCode(child)
            do {
                try JobDirectory.writeFile(JSONTextEncoder().encode(child).bytes, to: request.status)
            } catch {
                code = LimitedExecution.exitCodeNoStatus
            }
            say("ended \(code)")
        }
        ForkedJob.reapOrphans()
        exit(0)
    }

    /// The empty network namespace the slot's jobs inherit: made once, here, when this process may.
    static func slotNetwork() -> SandboxLayers.Layer {
        let layer = Sandbox.isolateNetwork()
        guard layer.active else { return layer }
        return .init(
            active: true,
            detail:
                "empty network namespace of the worker slot (loopback down), its jobs' one at a time; a job keeping root's capabilities gets a fresh one"
        )
    }

    static func threadCount() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Threads:") })
        else { return 0 }
        return Int(line.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces)) ?? 0
    }

    /// One line to the worker, written straight to descriptor 1 (never through stdio's buffer,
    /// which a forked job would inherit and flush into its own output).
    static func say(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}

/// Lines from a descriptor, waiting in `poll` so that a server gone away is noticed while idle.
struct LineReader {
    let descriptor: Int32
    private var buffer: [UInt8] = []
    private var ended = false

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// The next line, or nil at the end of input or when `serverGone` says so.
    mutating func next(serverGone: () -> Bool) -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            if ended || serverGone() { return nil }
            var descriptors = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&descriptors, 1, 200)
            if ready <= 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 {
                ended = true
                continue
            }
            buffer += chunk[0..<count]
        }
    }
}
