import EngineContract

#if canImport(Glibc)
    import Glibc
#endif

/// The sandbox layers themselves, applied by the engine's launch stage to its own process just
/// before it becomes the engine (see `EngineLaunch`). Each returns what it achieved; none fails the
/// job, since a host without a layer (no namespaces in a container, an old kernel) must still run
/// jobs, only with the notice the operator sees.
enum Sandbox {
    /// A fresh, empty network namespace: only a loopback device that is down, so no connection to
    /// the host's sockets (127.0.0.1 included) or beyond. Needs CAP_SYS_ADMIN, so it comes first.
    static func isolateNetwork() -> SandboxLayers.Layer {
        if LinuxCalls.unshare(LinuxCalls.cloneNewNet) == 0 {
            return .init(active: true, detail: "fresh network namespace")
        }
        return .init(active: false, detail: "unshare(CLONE_NEWNET): \(LinuxCalls.errorText())")
    }

    /// Becomes `user` (and its group, no supplementary groups) when running as root, after handing
    /// it the job directory (the working directory) so the engine can write its outputs there.
    static func becomeUser(_ user: String?) -> SandboxLayers.Layer {
        guard geteuid() == 0 else {
            return .init(active: false, detail: "the server is not root: the engine runs as uid \(geteuid())")
        }
        guard let user, !user.isEmpty else { return .init(active: false, detail: "no sandbox user configured") }
        guard let entry = getpwnam(user) else { return .init(active: false, detail: "no user named \(user)") }
        let uid = entry.pointee.pw_uid
        let gid = entry.pointee.pw_gid
        guard chown(".", uid, gid) == 0 else {
            return .init(active: false, detail: "chown of the job directory: \(LinuxCalls.errorText())")
        }
        guard setgroups(0, nil) == 0, setgid(gid) == 0, setuid(uid) == 0 else {
            return .init(active: false, detail: "setuid(\(uid)): \(LinuxCalls.errorText())")
        }
        // setuid from root drops every capability: regaining root must now be impossible.
        guard getuid() == uid, geteuid() == uid, setuid(0) != 0 else {
            return .init(active: false, detail: "the uid change did not hold")
        }
        return .init(active: true, detail: "\(user) (uid \(uid), gid \(gid))")
    }

    // MARK: Landlock

    // Filesystem access rights (linux/landlock.h): every right that creates, changes or removes.
    private static let writeFile: UInt64 = 1 << 1
    private static let writeRightsABI1: UInt64 = (1 << 1) | (1 << 4) | (1 << 5) | (0x7f << 6)  // write, remove, make_*
    private static let refer: UInt64 = 1 << 13  // ABI 2
    private static let truncate: UInt64 = 1 << 14  // ABI 3
    // Network rights (ABI 4): no TCP bind or connect at all, a second wall behind the namespace.
    private static let tcpBindAndConnect: UInt64 = (1 << 0) | (1 << 1)
    // Scopes (ABI 6): no abstract unix sockets or signals outside the engine's own domain.
    private static let scopes: UInt64 = (1 << 0) | (1 << 1)

    /// The kernel's Landlock ABI version, or the reason it has none.
    static func landlockABI() -> Result<Int, LandlockError> {
        let version = LinuxCalls.syscall(LinuxCalls.landlockCreateRuleset, 0, 0, 1)
        if version < 0 { return .failure(LandlockError("Landlock unavailable: \(LinuxCalls.errorText())")) }
        return .success(version)
    }

    struct LandlockError: Error {
        var text: String
        init(_ text: String) { self.text = text }
    }

    /// A prepared Landlock ruleset: writes allowed beneath the working directory (and to
    /// /dev/null) only. Prepared while still root (opening the directory), enforced after the uid
    /// change by `restrict`.
    struct Ruleset {
        let descriptor: Int32
        let abi: Int
    }

    static func prepareRuleset() -> Result<Ruleset, LandlockError> {
        let abi: Int
        switch landlockABI() {
        case .success(let version): abi = version
        case .failure(let error): return .failure(error)
        }
        var handledFS = writeRightsABI1
        if abi >= 2 { handledFS |= refer }
        if abi >= 3 { handledFS |= truncate }
        // struct landlock_ruleset_attr { u64 handled_access_fs, handled_access_net, scoped; }
        var attributes: [UInt64] = [handledFS, abi >= 4 ? tcpBindAndConnect : 0, abi >= 6 ? scopes : 0]
        let size = abi >= 6 ? 24 : abi >= 4 ? 16 : 8
        let ruleset = attributes.withUnsafeMutableBytes { bytes in
            LinuxCalls.syscall(LinuxCalls.landlockCreateRuleset, Int(bitPattern: bytes.baseAddress), size, 0)
        }
        guard ruleset >= 0 else { return .failure(LandlockError("landlock_create_ruleset: \(LinuxCalls.errorText())")) }
        let descriptor = Int32(ruleset)
        let fileRights = writeFile | (abi >= 3 ? truncate : 0)
        for (path, rights) in [(".", handledFS), ("/dev/null", fileRights)] {
            let target = open(path, LinuxCalls.openPath | O_CLOEXEC)
            guard target >= 0 else {
                close(descriptor)
                return .failure(LandlockError("open \(path): \(LinuxCalls.errorText())"))
            }
            defer { close(target) }
            // struct landlock_path_beneath_attr { u64 allowed_access; s32 parent_fd; } __packed (12 bytes)
            var rule = [UInt8](repeating: 0, count: 12)
            withUnsafeBytes(of: rights.littleEndian) { rule.replaceSubrange(0..<8, with: $0) }
            withUnsafeBytes(of: target.littleEndian) { rule.replaceSubrange(8..<12, with: $0) }
            let added = rule.withUnsafeMutableBytes { bytes in
                LinuxCalls.syscall(
                    LinuxCalls.landlockAddRule, Int(descriptor), 1, Int(bitPattern: bytes.baseAddress), 0)
            }
            guard added == 0 else {
                close(descriptor)
                return .failure(LandlockError("landlock_add_rule \(path): \(LinuxCalls.errorText())"))
            }
        }
        return .success(Ruleset(descriptor: descriptor, abi: abi))
    }

    /// Enforces the ruleset on this thread, which is the one that execs the engine.
    /// `no_new_privs` is required for an unprivileged process, and wanted anyway.
    static func restrict(_ prepared: Result<Ruleset, LandlockError>) -> SandboxLayers.Layer {
        let ruleset: Ruleset
        switch prepared {
        case .success(let value): ruleset = value
        case .failure(let error): return .init(active: false, detail: error.text)
        }
        defer { close(ruleset.descriptor) }
        guard LinuxCalls.prctl(LinuxCalls.prSetNoNewPrivs, 1) == 0 else {
            return .init(active: false, detail: "no_new_privs: \(LinuxCalls.errorText())")
        }
        guard LinuxCalls.syscall(LinuxCalls.landlockRestrictSelf, Int(ruleset.descriptor), 0) == 0 else {
            return .init(active: false, detail: "landlock_restrict_self: \(LinuxCalls.errorText())")
        }
        let network = ruleset.abi >= 4 ? ", no TCP" : ""
        return .init(active: true, detail: "Landlock ABI \(ruleset.abi): writes only in the job directory\(network)")
    }
}
