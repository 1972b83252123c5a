import Foundation
import Hummingbird
import Synchronization

/// Who is calling `/v1`: the owner a bearer token belongs to, and whether it is an admin.
struct Principal: Sendable, Equatable {
    var owner: String
    var isAdmin: Bool
    /// Issued to an anonymous submission: its jobs count against the client address, like those
    /// of a caller without a token (else each anonymous submission would buy a fresh quota).
    var isAnonymous = false
}

/// Resolves bearer tokens. Only SHA-256 hashes are stored; resolved tokens are cached in memory
/// (tokens are never edited, only created), so a read request costs one hash and no query.
final class TokenAuthority: Sendable {
    let store: any JobStore
    private let adminHash: String?
    private let cache = Mutex<[String: TokenRecord]>([:])

    init(store: any JobStore, adminToken: String?) {
        self.store = store
        adminHash = adminToken.map(RandomIdentifier.sha256Hex)
    }

    /// The token of `Authorization: Bearer <token>` (scheme in any case). Parsed on the bytes:
    /// Foundation's splitting and trimming were a twentieth of a polled read.
    static func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        return bearer(header)
    }

    static func bearer(_ header: String) -> String? {
        let bytes = header.utf8
        let scheme = "bearer".utf8
        guard bytes.count > scheme.count,
            zip(bytes, scheme).allSatisfy({ $0 | 0x20 == $1 }),
            bytes[bytes.index(bytes.startIndex, offsetBy: scheme.count)] == UInt8(ascii: " ")
        else { return nil }
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let rest = bytes.dropFirst(scheme.count + 1)
        guard let first = rest.firstIndex(where: { !isBlank($0) }), let last = rest.lastIndex(where: { !isBlank($0) })
        else { return nil }
        return String(Substring(bytes[first...last]))
    }

    /// nil when the request carries no token; throws 401 for a token nobody issued.
    func principal(_ request: Request) async throws(APIError) -> Principal? {
        guard let token = Self.bearer(request) else { return nil }
        let hash = RandomIdentifier.sha256Hex(token)
        if hash == adminHash { return Principal(owner: "admin", isAdmin: true) }
        if let cached = cache.withLock({ $0[hash] }) {
            return Principal(owner: cached.owner, isAdmin: cached.isAdmin, isAnonymous: cached.isAnonymous)
        }
        let record: TokenRecord?
        do { record = try await store.token(hash: hash) } catch { throw .from(error) }
        guard let record else { throw .unauthorized("the bearer token is not valid") }
        cache.withLock { cache in
            if cache.count > 100_000 { cache.removeAll() }
            cache[hash] = record
        }
        return Principal(owner: record.owner, isAdmin: record.isAdmin, isAnonymous: record.isAnonymous)
    }

    func require(_ request: Request) async throws(APIError) -> Principal {
        guard let principal = try await principal(request) else {
            throw .unauthorized("send 'Authorization: Bearer <token>'")
        }
        return principal
    }

    /// A new owner with a new token for an anonymous submission, not stored yet: `keep` stores it
    /// once the job is, so a refused submission leaves no token behind.
    func newAnonymous() -> (token: String, record: TokenRecord) {
        let token = RandomIdentifier.token()
        let record = TokenRecord(
            hash: RandomIdentifier.sha256Hex(token), owner: RandomIdentifier.owner(), isAdmin: false,
            isAnonymous: true)
        return (token, record)
    }

    func keep(_ record: TokenRecord) async throws(APIError) {
        do { try await store.insertToken(record, now: Date()) } catch { throw .from(error) }
    }

    /// Tokens the pruner deleted must stop working at once, not when the cache is next emptied.
    func forget(hashes: [String]) {
        guard !hashes.isEmpty else { return }
        cache.withLock { cache in
            for hash in hashes { cache[hash] = nil }
        }
    }
}
