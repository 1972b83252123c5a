import Foundation
import Logging

/// `stamina store-bench`: the store alone, without HTTP, so PostgreSQL and SQLite compare on what
/// the targets name: claim latency with a deep queue and `job(id:)` reads per second.
public enum StoreBenchmark {
    public struct Report: Sendable {
        public var store: String
        public var queued: Int
        public var insertsPerSecond: Double
        public var claimP50Milliseconds: Double
        public var claimP99Milliseconds: Double
        public var readsPerSecond: Double
        public var readers: Int

        public var text: String {
            func f(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
            return "\(store): \(queued) queued (inserted at \(f(insertsPerSecond, 0))/s); claim p50 "
                + "\(f(claimP50Milliseconds, 2)) ms, p99 \(f(claimP99Milliseconds, 2)) ms; job(id:) "
                + "\(f(readsPerSecond, 0)) reads/s with \(readers) tasks"
        }
    }

    /// Fills an empty store with `queued` jobs (8 concurrent inserters), claims `claims` of them one
    /// at a time (the queue stays deeper than `queued - claims`), then reads random jobs by id from
    /// `readers` tasks for `readSeconds`.
    public static func run(
        store: any JobStore, name: String, queued: Int, claims: Int, readers: Int, readSeconds: Double
    ) async throws -> Report {
        let clock = ContinuousClock()
        let insertStart = clock.now
        let ids = try await withThrowingTaskGroup(of: [String].self) { group in
            for part in 0..<8 {
                group.addTask {
                    var ids: [String] = []
                    for index in stride(from: part, to: queued, by: 8) {
                        let job = NewJob(
                            id: RandomIdentifier.jobID(), owner: "owner:\(index % 100)", name: "bench \(index)",
                            parameters: JobParameters(), modelFileName: "m.prism", propertiesFileName: "p.csl",
                            createdAt: Date())
                        ids.append(try await store.insert(job, ownerQuota: queued, systemQuota: queued).id)
                    }
                    return ids
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        let insertSeconds = seconds(clock.now - insertStart)

        var latencies: [Double] = []
        for _ in 0..<min(claims, queued) {
            let start = clock.now
            let now = Date()
            guard
                try await store.claimNext(now: now, worker: "store-bench", leaseUntil: now.addingTimeInterval(3600))
                    != nil
            else { break }
            latencies.append(seconds(clock.now - start) * 1000)
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
        }

        let deadline = clock.now + .milliseconds(Int(readSeconds * 1000))
        let readStart = clock.now
        let reads = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<readers {
                group.addTask {
                    var count = 0
                    while clock.now < deadline {
                        guard let id = ids.randomElement(), try await store.job(id: id) != nil else { continue }
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let readElapsed = seconds(clock.now - readStart)
        return Report(
            store: name, queued: ids.count, insertsPerSecond: Double(ids.count) / insertSeconds,
            claimP50Milliseconds: percentile(0.5), claimP99Milliseconds: percentile(0.99),
            readsPerSecond: Double(reads) / readElapsed, readers: readers)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
