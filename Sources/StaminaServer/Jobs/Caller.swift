/// Who asks for a job, as far as ownership goes: a legacy client known by its address, a `/v1`
/// token holder, or the admin. Every endpoint of both APIs finds jobs through
/// `JobService.visibleJob(id:caller:)`, so one rule decides what a caller may see or touch.
enum Caller: Sendable, Equatable {
    /// A legacy client: owns the jobs stored under `ip:<address>` (the address through trusted proxies).
    case address(String)
    /// A bearer-token holder: owns the jobs of the token's owner.
    case token(owner: String)
    /// The admin token: sees every job.
    case admin

    init(_ principal: Principal) {
        self = principal.isAdmin ? .admin : .token(owner: principal.owner)
    }

    /// The owner whose jobs this caller lists; nil for the admin (all jobs).
    var owner: String? {
        switch self {
        case .address(let address): return Self.addressOwner(address)
        case .token(let owner): return owner
        case .admin: return nil
        }
    }

    func canSee(_ job: JobRecord) -> Bool {
        guard let owner else { return true }
        return job.owner == owner
    }

    static func addressOwner(_ address: String) -> String { "ip:" + address }
}
