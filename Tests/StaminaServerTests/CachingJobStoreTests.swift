import Foundation
import HummingbirdTesting
import Testing

@testable import StaminaServer

/// `CachingJobStore` over an in-memory store, with the change feed played by the test: a read of an
/// unchanged job costs no query (a change made behind the cache's back stays unseen until its
/// notification), this node's writes are read at once, a lost feed empties and bypasses the cache,
/// and event streams wake on notifications instead of polling.
struct CachingJobStoreTests {
    /// The store as another node's writes reach it (`inner`), and the feed.
    struct Node {
        let inner = InMemoryJobStore()
        let feed: AsyncStream<JobChange>.Continuation
        let store: CachingJobStore

        init() {
            let (stream, feed) = AsyncStream.makeStream(of: JobChange.self)
            self.feed = feed
            store = CachingJobStore(inner: inner, changes: stream)
        }

        func listen() async throws {
            feed.yield(.listening)
            _ = try await poll("listening", timeout: 60) { store.cache.isListening ? true : nil }
        }

        func newJob() async throws -> JobRecord {
            try await store.insert(JobStoreConformanceTests.newJob(), ownerQuota: 99, systemQuota: 99)
        }
    }

    @Test func anUnchangedJobIsReadFromTheCacheUntilItsNotification() async throws {
        let node = Node()
        try await node.listen()
        let job = try await node.newJob()
        #expect(try await node.store.job(id: job.id)?.name == job.name)
        // Another node renames it: this node does not query, so it does not see it yet...
        _ = try await node.inner.rename(id: job.id, name: "elsewhere")
        #expect(try await node.store.job(id: job.id)?.name == job.name)
        // ...until the notification arrives.
        node.feed.yield(.job(job.id))
        _ = try await poll("the renamed job", timeout: 60) {
            try await node.store.job(id: job.id)?.name == "elsewhere" ? true : nil
        }
        #expect(node.store.cache.statistics.hits >= 1)
    }

    @Test func thisNodesWritesAreReadAtOnce() async throws {
        let node = Node()
        try await node.listen()
        let job = try await node.newJob()
        _ = try await node.store.job(id: job.id)
        _ = try await node.store.rename(id: job.id, name: "renamed")
        #expect(try await node.store.job(id: job.id)?.name == "renamed")
        _ = try await node.store.requestCancel(id: job.id, now: Date())
        #expect(try await node.store.job(id: job.id)?.state == .cancelled)
        let other = try await node.newJob()
        _ = try await node.store.job(id: other.id)
        let claimed = try #require(try await node.store.claimNext(now: Date()))
        #expect(claimed.id == other.id)
        #expect(try await node.store.job(id: other.id)?.state == .running)
        #expect(
            try await node.store.finish(
                id: other.id, attempt: 1, state: .succeeded, reason: nil, message: nil, resultJSON: "{}", log: "",
                now: Date()))
        #expect(try await node.store.job(id: other.id)?.state == .succeeded)
        _ = try await node.store.delete(id: other.id)
        #expect(try await node.store.job(id: other.id) == nil)
    }

    @Test func aLostFeedEmptiesTheCacheAndReadsGoToTheStoreUntilItListensAgain() async throws {
        let node = Node()
        try await node.listen()
        let job = try await node.newJob()
        _ = try await node.store.job(id: job.id)
        node.feed.yield(.lost)
        _ = try await poll("not listening", timeout: 60) { node.store.cache.isListening ? nil : true }
        #expect(node.store.cache.count == 0)
        // Changes made now are not notified; reads see them because they query.
        _ = try await node.inner.rename(id: job.id, name: "while deaf")
        #expect(try await node.store.job(id: job.id)?.name == "while deaf")
        _ = try await node.inner.rename(id: job.id, name: "still deaf")
        #expect(try await node.store.job(id: job.id)?.name == "still deaf")
        #expect(node.store.cache.count == 0)
        try await node.listen()
        #expect(try await node.store.job(id: job.id)?.name == "still deaf")
        #expect(node.store.cache.count == 1)
    }

    /// The feed ending (the store closed, the listener gone) is a lost feed.
    @Test func anEndedFeedIsALostFeed() async throws {
        let node = Node()
        try await node.listen()
        node.feed.finish()
        _ = try await poll("not listening", timeout: 60) { node.store.cache.isListening ? nil : true }
    }

    @Test func aSubscriptionRemembersAChangeThatCameWhileItWasBusy() async throws {
        let hub = JobChangeHub()
        let subscription = hub.subscribe(id: "a")
        hub.apply(.job("b"))
        #expect(await subscription.next(timeout: .milliseconds(20)) == .timedOut)
        hub.apply(.events("a"))
        #expect(await subscription.next(timeout: .seconds(30)) == .changed)
        #expect(await subscription.next(timeout: .milliseconds(20)) == .timedOut)
        // A change during the wait ends it.
        let waiting = Task { await subscription.next(timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(50))
        hub.apply(.job("a"))
        #expect(await waiting.value == .changed)
        // Listening lost wakes everyone.
        hub.apply(.lost)
        #expect(await subscription.next(timeout: .seconds(30)) == .changed)
        subscription.cancel()
        #expect(hub.subscriberCount == 0)
    }

    /// While the node listens, an event stream reads the store only when notified: a job finished
    /// behind the cache's back ends the stream only once its notification arrives.
    @Test func anEventStreamWakesOnANotification() async throws {
        let node = Node()
        try await node.listen()
        let server = try InProcessServer(store: node.store)
        try await server.test { client in
            let reply = try await client.submitV1(name: "streamed")
            let id = try #require(reply.object["id"] as? String)
            let token = try #require(reply.object["token"] as? String)
            let claimed = try #require(try await node.inner.claimNext(now: Date()))
            node.feed.yield(.job(id))
            let stream = Task { try await client.send(.get, "/v1/jobs/\(id)/events", headers: .bearer(token)) }
            _ = try await poll("the stream is subscribed", timeout: 60) {
                node.store.hub.subscriberCount == 1 ? true : nil
            }
            #expect(
                try await node.inner.appendEvents(id: id, attempt: claimed.attempts, [.init(kind: .log, line: "hello")])
            )
            node.feed.yield(.events(id))
            #expect(
                try await node.inner.finish(
                    id: id, attempt: claimed.attempts, state: .succeeded, reason: nil, message: nil, resultJSON: "{}",
                    log: "hello\n", now: Date()))
            node.feed.yield(.job(id))
            let events = try await stream.value.text
            #expect(events.contains("event: log\ndata: hello"))
            #expect(events.contains(#""state":"SUCCEEDED""#))
        }
    }
}
