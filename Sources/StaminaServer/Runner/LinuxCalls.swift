#if canImport(Glibc)
    import Glibc
#endif

/// The Linux calls the engine's launch needs that Swift's Glibc module hides: those declared only
/// under `_GNU_SOURCE` (`unshare`), those glibc has no wrapper for in every version (`pidfd_open`,
/// `close_range`, through `syscall`), and the variadic ones (`prctl`, `syscall`, which
/// Swift cannot import). Each is looked up once with `dlsym`; on x86_64 and aarch64 a variadic
/// function called with integer arguments takes them in the same registers as a fixed one.
enum LinuxCalls {
    static let cloneNewNet: Int32 = 0x4000_0000
    static let openPath: Int32 = 0o10_000_000
    static let prSetPdeathsig: Int32 = 1
    static let prSetNoNewPrivs: Int32 = 38
    static let prSetChildSubreaper: Int32 = 36

    static let pidfdOpenCall = 434
    static let closeRangeCall = 436

    static let landlockCreateRuleset = 444
    static let landlockAddRule = 445
    static let landlockRestrictSelf = 446

    private typealias UnshareFunction = @convention(c) (Int32) -> Int32
    private typealias PrctlFunction = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
    private typealias SyscallFunction = @convention(c) (Int, Int, Int, Int, Int) -> Int

    private static func function<T>(_ name: String, as type: T.Type) -> T? {
        guard let symbol = dlsym(nil, name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }

    /// Returns 0 or -1 with errno set, like the C functions.
    static func unshare(_ flags: Int32) -> Int32 {
        guard let call = function("unshare", as: UnshareFunction.self) else { return fail(ENOSYS) }
        return call(flags)
    }

    static func prctl(_ option: Int32, _ argument: UInt) -> Int32 {
        guard let call = function("prctl", as: PrctlFunction.self) else { return fail(ENOSYS) }
        return call(option, argument, 0, 0, 0)
    }

    static func syscall(_ number: Int, _ a: Int = 0, _ b: Int = 0, _ c: Int = 0, _ d: Int = 0) -> Int {
        guard let call = function("syscall", as: SyscallFunction.self) else { return Int(fail(ENOSYS)) }
        return call(number, a, b, c, d)
    }

    /// A descriptor that becomes readable when the process exits, or -1 (a kernel before 5.3).
    static func pidfdOpen(_ pid: pid_t) -> Int32 {
        let descriptor = syscall(pidfdOpenCall, Int(pid), 0)
        guard descriptor >= 0 else { return -1 }
        _ = fcntl(Int32(descriptor), F_SETFD, FD_CLOEXEC)
        return Int32(descriptor)
    }

    /// Closes every descriptor from `lowest` up (close_range, or one by one where it is missing).
    static func closeDescriptors(from lowest: Int32) {
        if syscall(closeRangeCall, Int(lowest), Int(UInt32.max), 0) == 0 { return }
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        let highest = Int32(clamping: min(limit.rlim_cur, 65_536))
        var descriptor = lowest
        while descriptor < highest {
            close(descriptor)
            descriptor += 1
        }
    }

    private static func fail(_ code: Int32) -> Int32 {
        errno = code
        return -1
    }

    static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }
}
