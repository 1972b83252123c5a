import Foundation
import Logging
import PRISM
import Subprocess
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The submission check `stamina serve` uses. A small submission (a few KB, a small node budget:
/// what nearly every real model is) is checked in the server's process, where it costs well
/// under a MB and a few milliseconds. Anything larger, or refused by the small budget, is checked
/// by `stamina validate-submission` in a child process with the front end's full budget, under an
/// address-space limit, a CPU limit and a wall-clock alarm, at most `concurrent` at a time (503
/// beyond). So no upload costs the server's process more than the in-process budget, whatever the
/// front end accepts; and a check the child cannot finish within its limits refuses the model
/// with a located diagnostic that says why.
public final class IsolatingValidator: ModelValidator {
    public struct Limits: Sendable {
        /// Model plus properties bytes checked in process at most.
        public var inProcessBytes = 32 * 1024
        /// The node budget of an in-process check (`FrontEndLimits.nodeBudget`).
        public var inProcessNodes = 20_000
        public var memoryBytes = 1 << 30
        public var cpuSeconds = 10
        public var wallSeconds = 20
        /// Child checks at once; more answer 503.
        public var concurrent = 2

        public init() {}

        public init(_ configuration: ServerConfiguration) {
            memoryBytes = configuration.checkMemoryLimitBytes
            cpuSeconds = configuration.checkTimeLimitSeconds
            wallSeconds = 2 * configuration.checkTimeLimitSeconds
            concurrent = configuration.checksAtOnce
        }
    }

    let executable: String
    let limits: Limits
    let logger: Logger
    private let running = Mutex<Int>(0)

    public init(executable: String, limits: Limits = Limits(), logger: Logger) {
        self.executable = executable
        self.limits = limits
        self.logger = logger
    }

    public func validate(model: SourceFile, properties: SourceFile, constants: String)
        async throws(ValidationUnavailable) -> [ModelDiagnostic]
    {
        if model.text.utf8.count + properties.text.utf8.count <= limits.inProcessBytes {
            let answer = FrontEndLimits.$nodeBudget.withValue(limits.inProcessNodes) {
                let found = FrontEndValidator().validate(model: model, properties: properties, constants: constants)
                return found.contains { FrontEndLimits.isNodeBudgetRefusal($0.message) } ? nil : found
            }
            if let answer { return answer }
        }
        let admitted = running.withLock { count in
            guard count < limits.concurrent else { return false }
            count += 1
            return true
        }
        guard admitted else {
            throw ValidationUnavailable(
                description: "the server is checking other large models; retry in a few seconds")
        }
        defer { running.withLock { $0 -= 1 } }
        return try await inChild(model: model, properties: properties, constants: constants)
    }

    private func inChild(model: SourceFile, properties: SourceFile, constants: String)
        async throws(ValidationUnavailable) -> [ModelDiagnostic]
    {
        let request = ValidationChild.Request(
            model: .init(name: model.name, text: model.text),
            properties: .init(name: properties.name, text: properties.text),
            constants: constants)
        // The input goes through an unlinked file, not a pipe: a child that ends before reading
        // all of it (killed at a limit) must not leave the server writing to a closed pipe
        // (SIGPIPE), and a killed server leaves no file behind.
        let input: Int32
        do { input = try Self.unlinkedFile(holding: try JSONEncoder().encode(request)) } catch {
            logger.error("cannot pass a model to its check", metadata: ["error": "\(error)"])
            throw ValidationUnavailable(description: "the model check could not run")
        }
        let arguments = [
            "validate-submission", "--memory-bytes", String(limits.memoryBytes), "--cpu-seconds",
            String(limits.cpuSeconds), "--wall-seconds", String(limits.wallSeconds), "--parent-pid", String(getpid()),
        ]
        let result: ExecutionResult<Void, StringOutput<Unicode.UTF8>, DiscardedOutput>
        do {
            result = try await Subprocess.run(
                .path(.init(executable)), arguments: Arguments(arguments),
                environment: .inherit.updating(["SWIFT_BACKTRACE": "enable=no"]),
                input: .fileDescriptor(.init(rawValue: input), closeAfterSpawningProcess: true),
                output: .string(limit: 16 << 20), error: .discarded)
        } catch {
            logger.error("the model check could not run", metadata: ["error": "\(error)"])
            throw ValidationUnavailable(description: "the model check could not run")
        }
        if case .exited(0) = result.terminationStatus,
            let diagnostics = try? JSONDecoder().decode([ModelDiagnostic].self, from: Data(result.standardOutput.utf8))
        {
            return diagnostics
        }
        logger.notice("a model check ended at its limits", metadata: ["status": "\(result.terminationStatus)"])
        let message =
            "checking this model needs more than the server allows (\(limits.memoryBytes >> 20) MB of memory, "
            + "\(limits.cpuSeconds) s of CPU, \(limits.wallSeconds) s): make it smaller"
        return [ModelDiagnostic(file: model.name, line: 1, column: 1, message: message)]
    }

    struct FileError: Error {
        var message: String
    }

    /// A descriptor of a file with `data`, read from its start, whose name is already gone.
    static func unlinkedFile(holding data: Data) throws -> Int32 {
        var template = Array((NSTemporaryDirectory() + "/stamina-check-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { name in
            name.baseAddress.map { mkstemp($0) } ?? -1
        }
        guard descriptor >= 0 else { throw FileError(message: LinuxCalls.errorText()) }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { name in _ = name.baseAddress.map { unlink($0) } }
        let written = data.withUnsafeBytes { bytes -> Bool in
            guard let base = bytes.baseAddress else { return true }
            var offset = 0
            while offset < bytes.count {
                let count = write(descriptor, base + offset, bytes.count - offset)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return false }
                offset += count
            }
            return true
        }
        guard written, lseek(descriptor, 0, SEEK_SET) == 0 else {
            let message = LinuxCalls.errorText()
            close(descriptor)
            throw FileError(message: message)
        }
        return descriptor
    }
}
