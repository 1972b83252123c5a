import EngineContract
import Foundation
import OrderedJSON

#if canImport(Glibc)
    import Glibc
#endif

/// The launch stage: the code that must run in the engine's own process between fork and exec,
/// which Swift's spawn APIs give no hook for. `worker-exec` spawns `stamina worker-exec --stage`,
/// which applies the sandbox layers and the job's rlimits to itself, asks the kernel to kill it
/// when worker-exec dies (`PR_SET_PDEATHSIG`, then checks that worker-exec is still its parent,
/// closing the race with a death before the request), and execs the engine in place. What it did
/// goes to worker-exec on descriptor 3 (close-on-exec, so an empty pipe means the engine runs):
/// first a `SandboxLayers` JSON line, then, only if the exec failed, a line starting `error `.
public enum EngineLaunch {
    public static let reportDescriptor: Int32 = 3

    public static func stage(
        memoryBytes: Int, cpuSeconds: Int, sandboxUser: String?, parentPID: pid_t, arguments: [String]
    ) -> Never {
        _ = fcntl(reportDescriptor, F_SETFD, FD_CLOEXEC)
        guard let executable = arguments.first else { fail("no engine command") }
        // Opened while still privileged (the path may not be searchable by the sandbox user);
        // not close-on-exec, since a script engine's interpreter reads it through /dev/fd.
        let engine = open(executable, LinuxCalls.openPath)
        guard engine >= 0 else { fail("cannot start \(executable): \(LinuxCalls.errorText())") }

        let network = Sandbox.isolateNetwork()
        let ruleset = Sandbox.prepareRuleset()
        let user = Sandbox.becomeUser(sandboxUser)
        let filesystem = Sandbox.restrict(ruleset)
        let layers = SandboxLayers(network: network, user: user, filesystem: filesystem)
        let report = Data(((try? JSONTextEncoder().encode(layers)) ?? .object([])).bytes) + Data("\n".utf8)
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let failurePrefix = "error cannot start \(executable): "

        // No allocation of note from here on: the address-space limit may be below what this
        // Swift process already holds; the engine image starts fresh under it.
        if cpuSeconds > 0 { setLimit(RLIMIT_CPU, soft: cpuSeconds, hard: cpuSeconds + 2) }
        if memoryBytes > 0 { setLimit(RLIMIT_AS, soft: memoryBytes, hard: memoryBytes) }
        _ = LinuxCalls.prctl(LinuxCalls.prSetPdeathsig, UInt(SIGKILL))
        if parentPID > 0 && getppid() != parentPID { _exit(128 + SIGKILL) }
        writeAll(report)
        fexecve(engine, &cArguments, environ)
        let code = errno
        writeAll(Data((failurePrefix + LinuxCalls.errorText(code) + "\n").utf8))
        _exit(LimitedExecution.exitCodeSpawnFailed)
    }

    private static func fail(_ message: String) -> Never {
        writeAll(Data("error \(message)\n".utf8))
        _exit(LimitedExecution.exitCodeSpawnFailed)
    }

    private static func writeAll(_ data: Data) {
        data.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let written = write(reportDescriptor, base + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }

    private static func setLimit(_ resource: __rlimit_resource, soft: Int, hard: Int) {
        var limit = rlimit(rlim_cur: rlim_t(soft), rlim_max: rlim_t(hard))
        _ = setrlimit(__rlimit_resource_t(resource.rawValue), &limit)
    }
}
