import EngineContract
import Foundation
import Logging
import ServiceLifecycle
import Subprocess
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The local worker pool: `workers` loops that claim the oldest queued job and run it. Each loop
/// (a worker slot) keeps a zygote, `stamina worker-exec --zygote`, started once and restarted when
/// it dies, which forks one process per job (`JobZygote`): that process leads its own process
/// group, sandboxes itself, takes the CPU and address-space limits and becomes the engine (the
/// server's own `check` runs in it without an exec), so a job costs a fork, not process starts. The
/// wall-clock limit is enforced here. The engine works in a scratch directory
/// (`<data-dir>/jobs/<id>.<attempt>`, written from the stored inputs, removed after); while
/// it runs, a watcher stores its new progress lines, renews the lease and polls for a cancel asked
/// on any node; at the end the outputs go to the store, and the loop claims the next job at once.
/// Every write carries the attempt number and
/// is refused for a stale attempt: a worker whose lease lapsed (its job requeued) kills its run and
/// records nothing. Cancel and timeout kill the whole group with SIGKILL; so does shutdown, which
/// leaves the job RUNNING under this node's id so the next start takes it back at once. A zygote
/// that dies under a job loses it (`WORKER_LOST`, as a killed worker); the job's group is killed.
public final class JobRunner: Service, Sendable {
    let store: any JobStore
    let configuration: ServerConfiguration
    let logger: Logger
    let metrics: ServerMetrics

    private struct RunningChild {
        var processGroup: pid_t?
        var intervention: JobOutcome.Intervention = .none
        /// The store refused this attempt (lease lapsed, job requeued or gone): nothing is recorded.
        var lost = false
    }

    private struct State {
        var running: [String: RunningChild] = [:]
        var doorbells: [AsyncStream<Void>.Continuation] = []
        /// Cancels that arrived between the claim and the registration of the child.
        var pendingCancels: Set<String> = []
        var stopping = false
        var cancelListener: Task<Void, Never>? = nil
        var queueListener: Task<Void, Never>? = nil
    }

    private let state = Mutex(State())
    private let sandbox = Mutex(SandboxLayers.unknown)

    /// The sandbox layers a job's engine gets on this host, as the start-up probe found them.
    public var sandboxLayers: SandboxLayers { sandbox.withLock { $0 } }

    init(store: any JobStore, configuration: ServerConfiguration, logger: Logger, metrics: ServerMetrics) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
    }

    public func run() async throws {
        let recovered = try await store.recoverInterrupted(
            node: configuration.resolvedNodeID, maxAttempts: configuration.maxAttempts, now: Date())
        if recovered.requeued + recovered.failed > 0 {
            logger.notice(
                "recovered interrupted jobs",
                metadata: ["requeued": "\(recovered.requeued)", "failed": "\(recovered.failed)"])
        }
        // A zygote that died is a closed pipe: writing to it must be an error, not the server's death.
        signal(SIGPIPE, SIG_IGN)
        // Before any job: the workers launch engines with the layers the probe found usable.
        await probeSandbox()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for index in 0..<configuration.workers {
                    let (stream, continuation) = AsyncStream.makeStream(
                        of: Void.self, bufferingPolicy: .bufferingNewest(1))
                    let stopping = state.withLock { state in
                        state.doorbells.append(continuation)
                        return state.stopping
                    }
                    if stopping { continuation.finish() }
                    group.addTask { await self.workerLoop(index: index, doorbell: stream) }
                }
                // Cancels asked on other nodes, pushed by the store (polling stays the fallback).
                // The listening task is cancelled by `stop()` (its stream never ends by itself).
                if let cancels = await store.cancelRequests() {
                    let listener = Task {
                        for await id in cancels {
                            _ = self.kill(jobID: id, as: .cancel, onlyIfRunningHere: true)
                        }
                    }
                    let stopping = state.withLock { state in
                        state.cancelListener = listener
                        return state.stopping
                    }
                    if stopping { listener.cancel() }
                }
                // New jobs queued on other nodes, pushed by the store, ring the doorbells at once.
                if let queued = await store.queuedJobs() {
                    let listener = Task {
                        for await _ in queued { self.wake() }
                    }
                    let stopping = state.withLock { state in
                        state.queueListener = listener
                        return state.stopping
                    }
                    if stopping { listener.cancel() }
                }
                // A periodic ring: a missed wake-up costs at most this long.
                group.addTask {
                    while !self.isStopping {
                        try? await Task.sleep(for: .seconds(1))
                        self.wake()
                    }
                }
            }
        } onGracefulShutdown: {
            self.stop()
        }
    }

    private func probeSandbox() async {
        if geteuid() == 0 { SandboxProbe.letOthersSearch(configuration.dataDirectory) }
        let user = geteuid() == 0 && !configuration.sandboxUser.isEmpty ? configuration.sandboxUser : nil
        guard let layers = await SandboxProbe.run(in: configuration.dataDirectory + "/jobs", sandboxUser: user)
        else {
            logger.notice("the sandbox probe gave no answer: engines may run without some sandbox layers")
            return
        }
        sandbox.withLock { $0 = layers }
        for (name, layer) in layers.named where !layer.active {
            logger.notice("sandbox layer off", metadata: ["layer": "\(name)", "reason": "\(layer.detail)"])
        }
    }

    /// Called after a submission or a finished job so an idle worker claims at once.
    public func wake() {
        let doorbells = state.withLock { $0.doorbells }
        for doorbell in doorbells { doorbell.yield() }
    }

    /// Kills the job's process group if it runs here; true if it did.
    @discardableResult
    public func cancel(jobID: String) -> Bool {
        kill(jobID: jobID, as: .cancel)
    }

    var isStopping: Bool { state.withLock { $0.stopping } }

    /// Stops the loops and kills every child group; the jobs stay RUNNING for the next start.
    func stop() {
        let (groups, doorbells, listeners) = state.withLock { state in
            state.stopping = true
            return (
                state.running.values.compactMap(\.processGroup), state.doorbells,
                [state.cancelListener, state.queueListener]
            )
        }
        for listener in listeners { listener?.cancel() }
        for group in groups { Glibc.kill(-group, SIGKILL) }
        for doorbell in doorbells { doorbell.finish() }
    }

    /// The store no longer counts this run as the job's attempt: stop it, record nothing.
    private func lose(jobID: String) {
        let group: pid_t? = state.withLock { state in
            state.running[jobID]?.lost = true
            return state.running[jobID]?.processGroup
        }
        if let group { Glibc.kill(-group, SIGKILL) }
        logger.warning("lost the lease of a running job; its run is stopped", metadata: ["job": "\(jobID)"])
    }

    /// `onlyIfRunningHere`: a cancel heard from another node, for a job that may run elsewhere, is
    /// not remembered for a claim that has not registered its child yet (the watcher's poll is).
    private func kill(jobID: String, as intervention: JobOutcome.Intervention, onlyIfRunningHere: Bool = false)
        -> Bool
    {
        guard configuration.role.runsWorkers else { return false }  // an API node runs no job
        let group: pid_t? = state.withLock { state in
            guard var child = state.running[jobID] else {
                if intervention == .cancel && !onlyIfRunningHere { state.pendingCancels.insert(jobID) }
                return nil
            }
            if child.intervention == .none { child.intervention = intervention }
            state.running[jobID] = child
            return child.processGroup ?? 0
        }
        guard let group else { return false }
        if group > 0 { Glibc.kill(-group, SIGKILL) }
        return true
    }

    /// One worker slot: its zygote (started here, restarted when it dies) runs the jobs this loop
    /// claims, one at a time. A finished job is followed by the next claim at once; an empty queue
    /// waits for the doorbell (a submission, a finished job, a notification from the store, or
    /// the periodic ring).
    private func workerLoop(index: Int, doorbell: AsyncStream<Void>) async {
        var bell = doorbell.makeAsyncIterator()
        while !isStopping {
            let session = await zygoteSession(bell: &bell)
            if let lost = session.lost {
                // The zygote died under a run: its engine got the parent-death signal; whatever
                // else is left of the run's group goes now, and the run ends as its worker lost.
                if let group = state.withLock({ $0.running[lost.job.id]?.processGroup }) { Glibc.kill(-group, SIGKILL) }
                await conclude(lost, worker: session.end)
            }
            if session.bellEnded { return }
            if !isStopping {
                logger.warning(
                    "a worker's zygote ended; starting a new one",
                    metadata: ["worker": "\(index)", "zygote": "\(session.end)"])
            }
            // A zygote that cannot even start must not be restarted in a tight loop.
            if session.jobs == 0 && !isStopping { try? await Task.sleep(for: .seconds(1)) }
        }
    }

    private struct ZygoteSession {
        var jobs = 0
        /// The run the zygote was running when it went away.
        var lost: Run? = nil
        var end = WorkerEnd.notStarted("the zygote was not started")
        var bellEnded = false
    }

    /// Starts a zygote and runs claimed jobs through it until the worker stops or the zygote dies.
    private func zygoteSession(bell: inout AsyncStream<Void>.Iterator) async -> ZygoteSession {
        var session = ZygoteSession()
        var options = PlatformOptions()
        options.processGroupID = 0
        let jobs = configuration.dataDirectory + "/jobs"  // the zygote's working directory
        try? FileManager.default.createDirectory(atPath: jobs, withIntermediateDirectories: true)
        do {
            let result = try await Subprocess.run(
                .path(.init(ServerConfiguration.currentExecutable)),
                arguments: ["worker-exec", "--zygote", "--server-pid", String(getpid())],
                // A crash report would bury the job log (and takes seconds); the exit status says enough.
                environment: .inherit.updating(["SWIFT_BACKTRACE": "enable=no"]),
                workingDirectory: .init(jobs), platformOptions: options,
                input: .inputWriter, output: .sequence, error: .discarded
            ) { execution in
                var zygote = ZygoteChannel(writer: execution.standardInputWriter, output: execution.standardOutput)
                switch await zygote.next() {
                case .ready(let network):
                    // What `/v1/about` says of the network layer is what this slot's jobs get.
                    if let network { self.sandbox.withLock { $0.network = network } }
                case .refused(let why):
                    self.logger.error("a worker's zygote refused to start", metadata: ["reason": "\(why)"])
                    return
                case .started, .ended, nil: return
                }
                while !self.isStopping {
                    guard let job = await self.claim() else {
                        guard await bell.next(isolation: #isolation) != nil else {
                            session.bellEnded = true
                            return
                        }
                        continue
                    }
                    session.jobs += 1
                    let run = self.begin(job)
                    guard let end = await self.launch(run, through: &zygote) else {
                        session.lost = run
                        return
                    }
                    await self.conclude(run, worker: end)
                }
            }
            switch result.terminationStatus {
            case .exited(let code): session.end = .exited(code)
            case .signaled(let signal): session.end = .signalled(signal)
            }
        } catch {
            session.end = .notStarted("\(error)")
            logger.error("starting a worker's zygote failed", metadata: ["error": "\(error)"])
        }
        return session
    }

    private func claim() async -> JobRecord? {
        do {
            let now = Date()
            return try await store.claimNext(
                now: now, worker: configuration.resolvedNodeID,
                leaseUntil: now.addingTimeInterval(configuration.leaseSeconds))
        } catch {
            logger.error("claiming a job failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    // MARK: one job

    /// A claimed job on its way through this worker.
    private struct Run: Sendable {
        let job: JobRecord
        let directory: JobDirectory
        let started: ContinuousClock.Instant
        let watcher: Task<ProgressTail, Never>
    }

    private func begin(_ job: JobRecord) -> Run {
        let directory = JobDirectory(dataDirectory: configuration.dataDirectory, id: job.id, attempt: job.attempts)
        directory.remove()  // what a killed run of this node left
        metrics.jobStarted(waited: job.startedAt.map { $0.timeIntervalSince(job.createdAt) } ?? 0)
        state.withLock { state in
            let cancelled = state.pendingCancels.remove(job.id) != nil
            state.running[job.id] = RunningChild(processGroup: nil, intervention: cancelled ? .cancel : .none)
        }
        let watcher = Task { await self.watch(job, directory: directory) }
        return Run(job: job, directory: directory, started: .now, watcher: watcher)
    }

    /// Writes the run's inputs, has the zygote fork it, and waits for its end under the wall-clock
    /// limit. nil when the zygote went away under the run (it is then lost with it).
    private func launch(_ run: Run, through zygote: inout ZygoteChannel) async -> WorkerEnd? {
        let job = run.job
        do {
            guard let inputs = try await store.inputs(id: job.id) else { throw RunnerError.inputsGone }
            try run.directory.create(model: inputs.model, properties: inputs.properties)
        } catch {
            logger.error("running a job failed", metadata: ["job": "\(job.id)", "error": "\(error)"])
            return .notStarted("\(error)")
        }
        guard await zygote.send(request(for: job, in: run.directory)) else { return nil }
        let pid: pid_t
        switch await zygote.next() {
        case .started(let started): pid = started
        case .refused(let why): return .notStarted(why)
        case .ready, .ended, nil: return nil
        }
        let alreadyStopped = state.withLock { state in
            state.running[job.id]?.processGroup = pid
            return state.running[job.id]?.intervention != JobOutcome.Intervention.none
                || state.running[job.id]?.lost == true || state.stopping
        }
        if alreadyStopped { Glibc.kill(-pid, SIGKILL) }
        let timeLimit = configuration.timeLimitSeconds
        let timer = Task {
            try await Task.sleep(for: .seconds(timeLimit))
            _ = self.kill(jobID: job.id, as: .timeout)
        }
        defer { timer.cancel() }
        guard case .ended(let code) = await zygote.next() else { return nil }
        return .exited(code)
    }

    /// After the run: the last progress lines, the outputs and the finish, then the directory goes.
    private func conclude(_ run: Run, worker: WorkerEnd) async {
        let job = run.job
        let wallSeconds = (ContinuousClock.now - run.started).seconds
        run.watcher.cancel()
        var tail = await run.watcher.value
        defer { run.directory.remove() }
        let child = state.withLock { $0.running.removeValue(forKey: job.id) }
        if isStopping || child?.lost == true { return }
        // The lines written after the watcher's last look.
        _ = try? await store.appendEvents(id: job.id, attempt: job.attempts, tail.read(run.directory))
        await record(
            job, directory: run.directory, intervention: child?.intervention ?? .none, worker: worker,
            wallSeconds: wallSeconds)
        logger.info("job finished", metadata: ["job": "\(job.id)", "worker": "\(worker)"])
        wake()
    }

    /// While the engine runs: stores its new progress lines (every quarter second), renews the lease
    /// (every `heartbeat-interval`) and polls for a cancel asked on another node (every half
    /// second; the heartbeat reports one too). Returns the tail so the last lines are not read twice.
    private func watch(_ job: JobRecord, directory: JobDirectory) async -> ProgressTail {
        var tail = ProgressTail(budget: configuration.maxEventBytes)
        let heartbeat = Duration.seconds(configuration.heartbeatSeconds)
        var lastBeat = ContinuousClock.now
        var ticks = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(250))
            if Task.isCancelled { break }
            ticks += 1
            let events = tail.read(directory)
            if !events.isEmpty, (try? await store.appendEvents(id: job.id, attempt: job.attempts, events)) == false {
                lose(jobID: job.id)
                break
            }
            if ContinuousClock.now - lastBeat >= heartbeat {
                lastBeat = ContinuousClock.now
                let lease = Date().addingTimeInterval(configuration.leaseSeconds)
                switch try? await store.heartbeat(id: job.id, attempt: job.attempts, leaseUntil: lease) {
                case .lost:
                    lose(jobID: job.id)
                    return tail
                case .held(cancelRequested: true): cancel(jobID: job.id)
                default: break
                }
            } else if ticks % 2 == 0, (try? await store.job(id: job.id))?.state == .cancelling {
                cancel(jobID: job.id)
            }
        }
        return tail
    }

    private func request(for job: JobRecord, in directory: JobDirectory) -> JobLaunchRequest {
        JobLaunchRequest(
            directory: directory.path, stdout: directory.stdout, stderr: directory.stderr, status: directory.status,
            memoryBytes: configuration.memoryLimitBytes,
            cpuSeconds: Int(configuration.cpuLimitEffective.rounded(.up)), sandboxUser: sandboxUser,
            arguments: [configuration.resolvedEnginePath, "check"]
                + job.parameters.engineRequest(threads: configuration.engineThreads).arguments)
    }

    /// The user layer only where the probe showed the sandbox user can work in a job directory.
    private var sandboxUser: String? {
        geteuid() == 0 && sandboxLayers.user.active ? configuration.sandboxUser : nil
    }

    private func record(
        _ job: JobRecord, directory: JobDirectory, intervention: JobOutcome.Intervention, worker: WorkerEnd,
        wallSeconds: Double
    ) async {
        let stderr = JobDirectory.read(directory.stderr) ?? ""
        let child = EngineOutputReader.childStatus(JobDirectory.read(directory.status))
        let engine = EngineOutputReader.output(JobDirectory.read(directory.stdout) ?? "")
        let engineError = engine.failure.map { (code: $0.code, message: $0.message) }
        // Only when worker-exec left no status is the directory suspect; the probe names the errno.
        let directoryProblem = child == nil ? directory.writeProblem() : nil
        let outcome = JobOutcome.classify(
            intervention: intervention, worker: worker, child: child, directoryProblem: directoryProblem,
            engineError: engineError, stderr: stderr, limits: configuration)
        var log = JobLog.compose(
            stderr: stderr, result: outcome.state == .succeeded ? engine.result : nil, outcome: outcome)
        let resultJSON = ResultDocument.make(
            engine: engine, outcome: outcome, child: child, wallSeconds: wallSeconds, job: job)
        for (name, path) in JobDirectory.artifacts.sorted(by: { $0.key < $1.key }) {
            let file = directory.path + "/" + path
            guard let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int else { continue }
            guard size <= configuration.maxArtifactBytes else {
                log += "[WARNING]: \(name) (\(size) bytes) is larger than max-artifact; it was not kept\n"
                continue
            }
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            do {
                guard try await store.storeArtifact(id: job.id, attempt: job.attempts, name: name, data: Array(data))
                else { return }  // the attempt is no longer the job's: nothing of it is recorded
            } catch {
                logger.error("storing an artifact failed", metadata: ["job": "\(job.id)", "error": "\(error)"])
            }
        }
        do {
            let finished = try await store.finish(
                id: job.id, attempt: job.attempts, state: outcome.state, reason: outcome.reason,
                message: outcome.message,
                resultJSON: resultJSON, log: log, now: Date())
            if finished { metrics.jobFinished(outcome, wallSeconds: wallSeconds) }
        } catch {
            logger.error("recording a finished job failed", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
    }
}

enum RunnerError: Error, CustomStringConvertible {
    case inputsGone
    var description: String {
        switch self {
        case .inputsGone: return "the job's inputs are no longer in the store (deleted)"
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
