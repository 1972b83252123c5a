import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The body of `stamina validate-submission` (internal): the submission check run in a child of
/// the server, so that the cost of a large upload (up to the front end's full node budget, tens of
/// MB and seconds) is paid by a process that the kernel limits and that ends with the request. It
/// limits itself before it reads anything (address space, CPU seconds, a wall-clock alarm), asks
/// to die with the server (`PR_SET_PDEATHSIG`), checks the submission with the same
/// `FrontEndValidator` the server runs in process, and prints the diagnostics as JSON.
public enum ValidationChild {
    /// What the server sends on the child's standard input.
    public struct Request: Codable, Sendable {
        var model: File
        var properties: File
        var constants: String

        struct File: Codable, Sendable {
            var name: String
            var text: String
        }
    }

    public static func run(memoryBytes: Int, cpuSeconds: Int, wallSeconds: Int, parentPID: Int32) -> Int32 {
        // The alarm's default action ends the process: the wall deadline needs nobody watching.
        if wallSeconds > 0 { alarm(UInt32(wallSeconds)) }
        if cpuSeconds > 0 { setLimit(RLIMIT_CPU, soft: cpuSeconds, hard: cpuSeconds + 1) }
        if memoryBytes > 0 { setLimit(RLIMIT_AS, soft: memoryBytes, hard: memoryBytes) }
        _ = LinuxCalls.prctl(LinuxCalls.prSetPdeathsig, UInt(SIGKILL))
        if parentPID > 0 && getppid() != parentPID { return 128 + SIGKILL }

        let input = FileHandle.standardInput.readDataToEndOfFile()
        guard let request = try? JSONDecoder().decode(Request.self, from: input) else {
            FileHandle.standardError.write(Data("validate-submission: unreadable request\n".utf8))
            return 2
        }
        let diagnostics = FrontEndValidator().validate(
            model: SourceFile(name: request.model.name, text: request.model.text),
            properties: SourceFile(name: request.properties.name, text: request.properties.text),
            constants: request.constants)
        guard let output = try? JSONEncoder().encode(diagnostics) else { return 2 }
        FileHandle.standardOutput.write(output)
        return 0
    }

    private static func setLimit(_ resource: __rlimit_resource, soft: Int, hard: Int) {
        var limit = rlimit(rlim_cur: rlim_t(soft), rlim_max: rlim_t(hard))
        _ = setrlimit(__rlimit_resource_t(resource.rawValue), &limit)
    }
}
