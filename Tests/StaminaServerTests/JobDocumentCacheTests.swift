import NIOCore
import Testing

@testable import StaminaServer

/// The rendered-document cache: used only for the row version it was rendered from.
struct JobDocumentCacheTests {
    static func job(_ id: String, version: Int64, name: String = "job") -> JobRecord {
        JobRecord(
            id: id, owner: "owner:a", name: name, state: .queued, failureReason: nil, failureMessage: nil,
            parameters: JobParameters(), modelFileName: "m.prism", propertiesFileName: "p.csl", resultJSON: nil,
            log: nil,
            attempts: 0, createdAt: .init(timeIntervalSince1970: 0), startedAt: nil, finishedAt: nil, sequence: 1,
            version: version)
    }

    /// Renders the name and counts renderings.
    final class CountingRenderer: @unchecked Sendable {
        var renderings = 0
        func render(_ job: JobRecord) -> ByteBuffer {
            renderings += 1
            return ByteBuffer(string: "\(job.name)@\(job.version)")
        }
    }

    @Test func theSameVersionIsRenderedOnceAndANewVersionAgain() {
        let cache = JobDocumentCache()
        let renderer = CountingRenderer()
        #expect(cache.document(for: Self.job("a", version: 0), render: renderer.render) == ByteBuffer(string: "job@0"))
        #expect(cache.document(for: Self.job("a", version: 0), render: renderer.render) == ByteBuffer(string: "job@0"))
        #expect(renderer.renderings == 1)
        let renamed = Self.job("a", version: 1, name: "renamed")
        #expect(cache.document(for: renamed, render: renderer.render) == ByteBuffer(string: "renamed@1"))
        #expect(renderer.renderings == 2)
    }

    @Test func anOlderVersionNeverReplacesANewerOne() {
        let cache = JobDocumentCache()
        let renderer = CountingRenderer()
        _ = cache.document(for: Self.job("a", version: 2, name: "new"), render: renderer.render)
        // A request that read the row before the change finishes late: it gets its own rendering...
        #expect(cache.document(for: Self.job("a", version: 1), render: renderer.render) == ByteBuffer(string: "job@1"))
        // ...and the next read of the current row is still a hit.
        #expect(
            cache.document(for: Self.job("a", version: 2, name: "new"), render: renderer.render)
                == ByteBuffer(string: "new@2"))
        #expect(renderer.renderings == 2)
    }

    @Test func theCacheIsBounded() {
        let cache = JobDocumentCache(capacity: 3)
        let renderer = CountingRenderer()
        for index in 0..<10 { _ = cache.document(for: Self.job("j\(index)", version: 0), render: renderer.render) }
        #expect(cache.count <= 3)
    }
}
