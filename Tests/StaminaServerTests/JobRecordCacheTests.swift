import Foundation
import Testing

@testable import StaminaServer

/// The node's copies of job rows (`JobRecordCache`), driven by hand: kept only while listening,
/// dropped by an invalidation, never stored by a read that an invalidation overtook, emptied and
/// bypassed when listening stops, bounded.
struct JobRecordCacheTests {
    static func job(_ id: String, version: Int64 = 0, name: String = "job", log: String? = nil) -> JobRecord {
        var record = JobDocumentCacheTests.job(id, version: version, name: name)
        record.log = log
        return record
    }

    /// A read through the cache as `CachingJobStore` does it, with `fetch` standing for the query.
    static func read(_ cache: JobRecordCache, _ id: String, fetch: () -> JobRecord?) -> JobRecord? {
        let (cached, ticket) = cache.beginRead(id: id)
        if let cached { return cached }
        let record = fetch()
        if let ticket { cache.finishRead(ticket, record: record) }
        return record
    }

    @Test func nothingIsKeptUntilTheNodeListens() {
        let cache = JobRecordCache()
        let (cached, ticket) = cache.beginRead(id: "a")
        #expect(cached == nil && ticket == nil)
        cache.listeningStarted()
        var queries = 0
        for _ in 0..<3 {
            #expect(
                Self.read(cache, "a") {
                    queries += 1; return Self.job("a")
                }?.name == "job")
        }
        #expect(queries == 1)
        #expect(cache.statistics == (hits: 2, misses: 1))
    }

    @Test func anInvalidationDropsTheCopy() {
        let cache = JobRecordCache()
        cache.listeningStarted()
        _ = Self.read(cache, "a") { Self.job("a") }
        _ = Self.read(cache, "b") { Self.job("b") }
        cache.invalidate(id: "a")
        #expect(Self.read(cache, "a") { Self.job("a", version: 1, name: "new") }?.name == "new")
        #expect(
            Self.read(cache, "a") {
                Issue.record("queried a kept row"); return nil
            }?.name == "new")
        #expect(
            Self.read(cache, "b") {
                Issue.record("queried a kept row"); return nil
            }?.name == "job")
    }

    /// The race: the query returns the old row, the change's notification arrives, and only then
    /// would the read store the row; it must not, and the next read queries again.
    @Test func aReadOvertakenByAnInvalidationKeepsNothing() throws {
        let cache = JobRecordCache()
        cache.listeningStarted()
        let (_, slow) = cache.beginRead(id: "a")
        let (_, other) = cache.beginRead(id: "a")
        cache.invalidate(id: "a")
        let (_, late) = cache.beginRead(id: "a")
        cache.finishRead(try #require(slow), record: Self.job("a", version: 0, name: "stale"))
        cache.finishRead(try #require(other), record: Self.job("a", version: 0, name: "stale"))
        #expect(cache.count == 0)
        // A read that began after the invalidation stores what it read.
        cache.finishRead(try #require(late), record: Self.job("a", version: 1, name: "fresh"))
        #expect(
            Self.read(cache, "a") {
                Issue.record("queried a kept row"); return nil
            }?.name == "fresh")
    }

    @Test func anOlderVersionNeverReplacesANewerCopy() throws {
        let cache = JobRecordCache()
        cache.listeningStarted()
        let (_, older) = cache.beginRead(id: "a")
        _ = Self.read(cache, "a") { Self.job("a", version: 2, name: "newer") }
        cache.finishRead(try #require(older), record: Self.job("a", version: 1, name: "older"))
        #expect(Self.read(cache, "a") { nil }?.name == "newer")
    }

    /// Listening lost: everything goes, reads go to the store and keep nothing, and a read begun
    /// before the loss keeps nothing even once listening starts again.
    @Test func losingTheListenerEmptiesAndBypassesTheCache() throws {
        let cache = JobRecordCache()
        cache.listeningStarted()
        _ = Self.read(cache, "a") { Self.job("a") }
        let (_, inFlight) = cache.beginRead(id: "b")
        cache.listeningLost()
        #expect(cache.count == 0)
        var queries = 0
        for _ in 0..<2 {
            _ = Self.read(cache, "a") {
                queries += 1; return Self.job("a")
            }
        }
        #expect(queries == 2)
        cache.listeningStarted()
        cache.finishRead(try #require(inFlight), record: Self.job("b"))
        #expect(cache.count == 0)
        _ = Self.read(cache, "a") {
            queries += 1; return Self.job("a")
        }
        _ = Self.read(cache, "a") {
            queries += 1; return Self.job("a")
        }
        #expect(queries == 3)
    }

    @Test func invalidatingAllDropsEveryCopyAndEveryReadInFlight() throws {
        let cache = JobRecordCache()
        cache.listeningStarted()
        _ = Self.read(cache, "a") { Self.job("a") }
        let (_, inFlight) = cache.beginRead(id: "b")
        cache.invalidateAll()
        cache.finishRead(try #require(inFlight), record: Self.job("b"))
        #expect(cache.count == 0)
    }

    @Test func theCacheIsBoundedInRowsAndBytes() {
        let cache = JobRecordCache(capacity: 3, byteBudget: 10_000, largestRecord: 4_000)
        cache.listeningStarted()
        for index in 0..<10 { _ = Self.read(cache, "j\(index)") { Self.job("j\(index)") } }
        #expect(cache.count == 3)
        // Two rows of 3 KB fit the budget of 10 KB, a third does not; a 5 KB row is never kept.
        let wide = JobRecordCache(capacity: 100, byteBudget: 10_000, largestRecord: 4_000)
        wide.listeningStarted()
        let log = String(repeating: "x", count: 3_000)
        for index in 0..<4 { _ = Self.read(wide, "j\(index)") { Self.job("j\(index)", log: log) } }
        #expect(wide.count <= 3 && wide.bytes <= 10_000)
        _ = Self.read(wide, "huge") { Self.job("huge", log: String(repeating: "x", count: 5_000)) }
        #expect(Self.read(wide, "huge") { nil } == nil)
    }
}
