import NIOCore
import Synchronization

/// The rendered `/v1/jobs/{id}` document of recently read jobs, so a client polling a job costs no
/// rendering until the job changes.
///
/// An entry is used only for the very row version it was rendered from. The store bumps a job's
/// version on every change (`JobRecord.version`), whichever path makes it: the runner, cancel,
/// rename, prune, recovery after a restart. So a changed job never matches an old rendering, and a
/// deleted job never gets here (the store finds no record). Nothing needs to invalidate entries.
final class JobDocumentCache: Sendable {
    private struct Entry {
        var version: Int64
        var document: ByteBuffer
    }

    /// Entries kept at most; past it the cache starts again empty, which costs one rendering per
    /// job read afterwards and bounds memory at roughly `capacity` documents of ~1 KB.
    let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    init(capacity: Int = 20_000) {
        self.capacity = capacity
    }

    /// The document of `job` as it is now: cached if rendered from this version, else rendered.
    func document(for job: JobRecord, render: (JobRecord) -> ByteBuffer) -> ByteBuffer {
        if let entry = entries.withLock({ $0[job.id] }), entry.version == job.version { return entry.document }
        let document = render(job)
        entries.withLock { entries in
            // A slower request may finish after a newer rendering was stored; keep the newer one.
            if let newer = entries[job.id], newer.version > job.version { return }
            if entries.count >= capacity, entries[job.id] == nil { entries.removeAll(keepingCapacity: true) }
            entries[job.id] = Entry(version: job.version, document: document)
        }
        return document
    }

    var count: Int { entries.withLock { $0.count } }
}
