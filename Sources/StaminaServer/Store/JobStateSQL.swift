import Foundation

/// State names as SQL literals, derived from `JobState`, shared by the SQL stores: they are the only
/// places that write them, and a renamed state cannot leave a query behind.
extension JobState {
    var sql: String { "'\(rawValue)'" }
    static func sql(_ states: [JobState]) -> String { "(" + states.map(\.sql).joined(separator: ",") + ")" }
    /// Counted against quotas.
    static let activeSQL = sql(allCases.filter(\.isActive))
    /// Finished with files still kept: what retention prunes.
    static let finishedSQL = sql(allCases.filter { $0.isTerminal && $0 != .pruned })
}
