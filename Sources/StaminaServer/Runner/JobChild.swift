import EngineContract
import Foundation
import OrderedJSON

#if canImport(Glibc)
    import Glibc
#endif

/// What a forked job process does before it is the engine; the code that must run in the engine's
/// own process between fork and the engine. It leads a new process group (so one kill stops the
/// engine and whatever it started), asks the kernel to kill it when its parent dies
/// (`PR_SET_PDEATHSIG`, then checks the parent is still there, closing the race with a death before
/// the request), takes the job's files as its standard descriptors and the job directory as its
/// working directory, closes every other descriptor it inherited, applies the sandbox layers and the
/// job's rlimits to itself, and becomes the engine: `fexecve` of the engine file, or the check run
/// in this very process when the engine is this executable (`InProcessEngine`). What it did goes
/// to its parent on descriptor 3: a `SandboxLayers` JSON line, then, only if the engine could not
/// start, a line starting `error `. The descriptor is closed when the engine starts (close-on-exec,
/// or closed by hand before an in-process run), so the parent reads to its end.
enum JobChild {
    static let reportDescriptor: Int32 = 3

    /// `network`: the layer of the namespace this process already is in (the zygote made it, once
    /// per worker slot). A job that will keep root's capabilities (no sandbox user) could change
    /// such a shared namespace, so it gets a fresh one of its own instead.
    static func become(
        _ request: JobLaunchRequest, report: Int32, parent: pid_t, network inherited: SandboxLayers.Layer,
        inProcess: InProcessEngine?
    ) -> Never {
        _ = setpgid(0, 0)
        _ = LinuxCalls.prctl(LinuxCalls.prSetPdeathsig, UInt(SIGKILL))
        if getppid() != parent { _exit(128 + SIGKILL) }
        // The zygote ignores SIGPIPE for itself; an ignored signal would stay ignored in the engine.
        signal(SIGPIPE, SIG_DFL)
        if report != reportDescriptor {
            _ = dup2(report, reportDescriptor)
            close(report)
        }
        _ = fcntl(reportDescriptor, F_SETFD, FD_CLOEXEC)
        standardDescriptors(request)
        LinuxCalls.closeDescriptors(from: reportDescriptor + 1)
        guard chdir(request.directory) == 0 else {
            fail("cannot enter the job directory \(request.directory): \(LinuxCalls.errorText())")
        }
        guard let executable = request.arguments.first else { fail("no engine command") }
        let inProcessRun = inProcess?.runs(request.arguments) == true
        // Opened while still privileged (the path may not be searchable by the sandbox user);
        // not close-on-exec, since a script engine's interpreter reads it through /dev/fd.
        var engine: Int32 = -1
        if !inProcessRun {
            engine = open(executable, LinuxCalls.openPath)
            guard engine >= 0 else { fail("cannot start \(executable): \(LinuxCalls.errorText())") }
        }

        var network = inherited
        let privileged = geteuid() == 0 && (request.sandboxUser ?? "").isEmpty
        if privileged { network = Sandbox.isolateNetwork() }
        let ruleset = Sandbox.prepareRuleset()
        let user = Sandbox.becomeUser(request.sandboxUser)
        // The user change failed and we are still root: root must not share a namespace either.
        if !privileged && !user.active && geteuid() == 0 { network = Sandbox.isolateNetwork() }
        // A change of uid clears the parent-death signal: ask again, and check again that the
        // parent is still there (it may have died in between).
        _ = LinuxCalls.prctl(LinuxCalls.prSetPdeathsig, UInt(SIGKILL))
        if getppid() != parent { _exit(128 + SIGKILL) }
        let filesystem = Sandbox.restrict(ruleset)
        let layers = SandboxLayers(network: network, user: user, filesystem: filesystem)
        let report = Data(((try? JSONTextEncoder().encode(layers)) ?? .object([])).bytes) + Data("\n".utf8)
        var cArguments: [UnsafeMutablePointer<CChar>?] = request.arguments.map { strdup($0) } + [nil]
        let failurePrefix = "error cannot start \(executable): "

        // No allocation of note from here on: the address-space limit may be below what this
        // process already holds (an exec'ed engine image starts fresh under it).
        if request.cpuSeconds > 0 { setLimit(RLIMIT_CPU, soft: request.cpuSeconds, hard: request.cpuSeconds + 2) }
        if request.memoryBytes > 0 { setLimit(RLIMIT_AS, soft: request.memoryBytes, hard: request.memoryBytes) }
        writeAll(report)
        if inProcessRun, let inProcess {
            close(reportDescriptor)
            inProcess.run(Array(request.arguments.dropFirst()))
        }
        fexecve(engine, &cArguments, environ)
        let code = errno
        writeAll(Data((failurePrefix + LinuxCalls.errorText(code) + "\n").utf8))
        _exit(LimitedExecution.exitCodeSpawnFailed)
    }

    /// stdin from /dev/null, stdout and stderr to the job's files (kept as they are when the
    /// request names none: a one-shot worker-exec passes its own on).
    private static func standardDescriptors(_ request: JobLaunchRequest) {
        let input = open("/dev/null", O_RDONLY)
        if input >= 0 && input != 0 {
            _ = dup2(input, 0)
            close(input)
        }
        for (path, target) in [(request.stdout, Int32(1)), (request.stderr, Int32(2))] {
            guard let path else { continue }
            let file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard file >= 0 else { fail("cannot create \(path): \(LinuxCalls.errorText())") }
            if file != target {
                _ = dup2(file, target)
                close(file)
            }
        }
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
