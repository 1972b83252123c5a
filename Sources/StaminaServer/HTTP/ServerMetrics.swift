import Foundation
import Prometheus

/// The Prometheus metrics of one server, in its own registry (so tests can run several servers in
/// one process); `/metrics` renders it after refreshing the job-count gauges from the store.
public final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let requests: Counter
    private let requestErrors: Counter
    private let requestSeconds: DurationHistogram
    private let submitted: Counter
    private let refused: Counter
    private let dispatchSeconds: DurationHistogram
    private let runSeconds: DurationHistogram
    private let stateGauges: [JobState: Gauge]
    private let finishedCounters: [String: Counter]

    /// `stamina_<name>_<unit>` with its help text.
    private static func name(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "stamina", metricName: name, unitName: unit, helpText: help)
    }

    init() {
        requests = registry.makeCounter(descriptor: Self.name("http_requests", "total", "HTTP requests answered"))
        requestErrors = registry.makeCounter(
            descriptor: Self.name("http_errors", "total", "HTTP requests answered with 4xx or 5xx"))
        requestSeconds = registry.makeDurationHistogram(
            descriptor: Self.name("http_request_duration", "seconds", "time to answer an HTTP request"),
            buckets: [
                .microseconds(500), .milliseconds(1), .milliseconds(5), .milliseconds(20), .milliseconds(100),
                .seconds(1),
            ])
        submitted = registry.makeCounter(descriptor: Self.name("jobs_submitted", "total", "jobs accepted"))
        refused = registry.makeCounter(
            descriptor: Self.name("jobs_refused", "total", "submissions refused (input, quota)"))
        dispatchSeconds = registry.makeDurationHistogram(
            descriptor: Self.name("job_dispatch", "seconds", "time from submission to the start of the run"),
            buckets: [.milliseconds(5), .milliseconds(20), .milliseconds(100), .seconds(1), .seconds(10), .seconds(60)])
        runSeconds = registry.makeDurationHistogram(
            descriptor: Self.name("job_run", "seconds", "wall-clock time of a run"),
            buckets: [.milliseconds(100), .seconds(1), .seconds(10), .seconds(60), .seconds(300), .seconds(3600)])
        var gauges: [JobState: Gauge] = [:]
        for state in JobState.allCases {
            gauges[state] = registry.makeGauge(
                descriptor: Self.name("jobs", "", "jobs in the store by state"), labels: [("state", state.rawValue)])
        }
        stateGauges = gauges
        var counters: [String: Counter] = [:]
        for outcome in ["SUCCEEDED", "CANCELLED"] + FailureReason.allCases.map(\.rawValue) {
            counters[outcome] = registry.makeCounter(
                descriptor: Self.name("jobs_finished", "total", "runs that ended, by outcome"),
                labels: [("outcome", outcome)])
        }
        finishedCounters = counters
    }

    func request(status: Int, duration: Duration) {
        requests.increment()
        if status >= 400 { requestErrors.increment() }
        requestSeconds.record(duration)
    }

    func jobSubmitted() { submitted.increment() }
    func submissionRefused() { refused.increment() }
    func jobStarted(waited: Double) { dispatchSeconds.record(.nanoseconds(Int64(max(0, waited) * 1e9))) }

    func jobFinished(_ outcome: JobOutcome, wallSeconds: Double) {
        finishedCounters[outcome.reason?.rawValue ?? outcome.state.rawValue]?.increment()
        runSeconds.record(.nanoseconds(Int64(wallSeconds * 1e9)))
    }

    func render(counts: [JobState: Int]) -> String {
        for (state, gauge) in stateGauges { gauge.set(Double(counts[state] ?? 0)) }
        return registry.emitToString()
    }
}
