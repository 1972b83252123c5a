import EngineContract
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One job's process, from the side of the process that forks it: a worker's zygote, or a
/// one-shot `stamina worker-exec`. That process is single-threaded (fork copies only the calling
/// thread, so a lock another thread held would stay held in the child) and a child subreaper, so
/// anything a job leaves behind, even a daemon that left the job's process group, becomes its child
/// when the job ends and is killed and reaped before the next job starts: no process of a job
/// outlives its run. It follows the job with a pidfd (woken the moment it exits, no polling
/// interval), samples the job's peak address space meanwhile (`peakVirtualBytes`: under RLIMIT_AS
/// a stack that cannot grow ends the engine with SIGSEGV, not an allocation error), and reaps it
/// with `wait4` for its CPU time and peak memory.
struct ForkedJob {
    let pid: pid_t
    private let pidDescriptor: Int32
    private var report: Int32
    private var reportBytes: [UInt8] = []
    private var peakVirtualBytes = 0

    /// How often the peak address space is sampled while the job runs.
    static let sampleMilliseconds: Int32 = 20

    /// Forks the job. `network` is the namespace layer this process is in (see `JobChild`).
    static func start(
        _ request: JobLaunchRequest, network: SandboxLayers.Layer, inProcess: InProcessEngine?
    ) -> Result<ForkedJob, LaunchError> {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return .failure(LaunchError("pipe: \(LinuxCalls.errorText())")) }
        // Single-threaded: no fork elsewhere can catch these before they are close-on-exec.
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let parent = getpid()
        let pid = fork()
        if pid == 0 {
            close(ends[0])
            JobChild.become(request, report: ends[1], parent: parent, network: network, inProcess: inProcess)
        }
        close(ends[1])
        guard pid > 0 else {
            close(ends[0])
            return .failure(LaunchError("fork: \(LinuxCalls.errorText())"))
        }
        _ = fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK)
        return .success(ForkedJob(pid: pid, pidDescriptor: LinuxCalls.pidfdOpen(pid), report: ends[0]))
    }

    struct LaunchError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Waits for the job to end and reaps it. `serverGone` is asked between looks (at least every
    /// `sampleMilliseconds`); when it says yes the job is killed. `hangUp` is a descriptor whose
    /// hang-up means the same (the zygote's stdin: the server's end closed), or -1.
    mutating func wait(hangUp: Int32, serverGone: () -> Bool) -> ChildStatus {
        var killed = false
        while true {
            var descriptors = [
                pollfd(fd: pidDescriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: report, events: Int16(POLLIN), revents: 0),
                pollfd(fd: hangUp, events: 0, revents: 0),
            ]
            // Without a pidfd (a kernel before 5.3) the exit is seen at the next sample.
            let ready = poll(&descriptors, nfds_t(descriptors.count), Self.sampleMilliseconds)
            if ready < 0 && errno != EINTR { break }
            if descriptors[1].revents != 0 { readReport() }
            if !killed && (descriptors[2].revents != 0 || serverGone()) {
                killed = true
                kill(-pid, SIGKILL)
            }
            let exited = pidDescriptor >= 0 ? descriptors[0].revents != 0 : Self.isZombie(pid)
            if exited { break }
            if ready == 0, let sample = Self.vmPeak(pid) { peakVirtualBytes = max(peakVirtualBytes, sample) }
        }
        // Whatever is left of the group goes now, while the leader's pid still holds the group.
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        if pidDescriptor >= 0 { close(pidDescriptor) }
        while report >= 0 { readReport(blocking: true) }
        Self.reapOrphans()

        var sandbox: SandboxLayers?
        var startError: String?
        for line in String(decoding: reportBytes, as: UTF8.self).split(separator: "\n") {
            if line.hasPrefix("error ") {
                startError = String(line.dropFirst("error ".count))
            } else if sandbox == nil {
                sandbox = try? JSONDecoder().decode(SandboxLayers.self, from: Data(line.utf8))
            }
        }
        let signal = status & 0x7f
        let exited = signal == 0
        var child = ChildStatus(
            exitCode: exited ? (status >> 8) & 0xff : nil, signal: exited ? nil : signal,
            maxRSSBytes: usage.ru_maxrss * 1024,
            userSeconds: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
            systemSeconds: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6,
            sandbox: sandbox, startError: startError)
        child.peakVirtualBytes = peakVirtualBytes
        return child
    }

    /// The exit status worker-exec reports for a status: the engine's code, or 128 + its signal.
    static func exitCode(_ child: ChildStatus) -> Int32 {
        child.signal.map { 128 + $0 } ?? child.exitCode ?? LimitedExecution.exitCodeSpawnFailed
    }

    private mutating func readReport(blocking: Bool = false) {
        guard report >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(report, $0.baseAddress, $0.count) }
            if count > 0 {
                reportBytes += buffer[0..<count]
                continue
            }
            if count < 0 && errno == EINTR { continue }
            // EAGAIN: nothing more for now (the job has not started its engine yet). After the
            // job's end nothing can still hold the write end open, so at most one more look.
            if count < 0 && errno == EAGAIN && !blocking { return }
            close(report)
            report = -1
            return
        }
    }

    /// Kills and reaps every child this process still has: what the job left behind, handed to
    /// us as its subreaper (a killed orphan's own children come next, hence the loop).
    static func reapOrphans() {
        var status: Int32 = 0
        for _ in 0..<10_000 {
            let reaped = waitpid(-1, &status, WNOHANG)
            if reaped > 0 { continue }
            if reaped < 0 && errno == EINTR { continue }
            if reaped < 0 { return }  // ECHILD: no child at all
            for child in children() { kill(child, SIGKILL) }
            _ = waitpid(-1, &status, 0)
        }
    }

    /// This process's children, from /proc (`task/<tid>/children`, or a scan of every process).
    static func children() -> [pid_t] {
        let me = getpid()
        if let text = try? String(contentsOfFile: "/proc/\(me)/task/\(me)/children", encoding: .utf8) {
            return text.split(separator: " ").compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && pid_t(fields[2]) == me
        }
    }

    /// Exited but not reaped (the way to see an exit without a pidfd).
    static func isZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
    }

    static func vmPeak(_ pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmPeak:") }),
            let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kilobytes * 1024
    }
}
