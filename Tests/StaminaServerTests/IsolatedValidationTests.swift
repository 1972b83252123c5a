// The submission check's isolation (issue 8): small submissions are checked in the server's
// process under a small node budget, everything larger in a limited `stamina validate-submission`
// child with the same answer; a child past its limits refuses the model with a diagnostic, and
// past `checks-at-once` the check answers "unavailable" (503). The process-level test shows the
// largest upload the front end accepts leaves the server's memory bounded and its other requests
// answered.

import Foundation
import Logging
import Synchronization
import Testing

@testable import StaminaServer

@Suite("isolated validation")
struct IsolatedValidationTests {
    /// The largest upload the front-end budgets accept: 350 labels of 999 nodes (357 KB).
    static let worstModel: String = {
        let sum = Array(repeating: "x", count: 500).joined(separator: "+")
        var lines = ["ctmc", "module m x : [0..1]; endmodule"]
        for index in 0..<350 { lines.append("label \"l\(index)\" = \(sum) > 3;") }
        return lines.joined(separator: "\n") + "\n"
    }()
    static let worstProperties = "P=? [ F<=1 \"l0\" ]\n"

    /// 5 KB whose renamed copies make 40,000 typed nodes: small text, over the in-process budget.
    static let renamedModel: String = {
        let guardSum = Array(repeating: "x", count: 50).joined(separator: "+")
        var lines = ["ctmc", "module m x : [0..1];"]
        for _ in 0..<20 { lines.append("  [] \(guardSum) > 0 -> 1 : (x'=0);") }
        lines.append("endmodule")
        for index in 0..<20 { lines.append("module c\(index) = m [x=x\(index)] endmodule") }
        return lines.joined(separator: "\n") + "\n"
    }()

    static func file(_ name: String, _ text: String) -> SourceFile { SourceFile(name: name, text: text) }

    static func validator(_ executable: String, _ change: (inout IsolatingValidator.Limits) -> Void = { _ in })
        -> IsolatingValidator
    {
        var limits = IsolatingValidator.Limits()
        change(&limits)
        return IsolatingValidator(executable: executable, limits: limits, logger: Logger(label: "validation-test"))
    }

    /// A stand-in for the child: reads its input, then does what `body` says.
    static func script(_ body: String) throws -> String {
        let path = RunningServer.temporaryDirectory() + "/child.sh"
        try Data("#!/bin/sh\ncat >/dev/null\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o755)
        return path
    }

    @Test func smallSubmissionsAreCheckedInProcess() async throws {
        // A child that always fails: any answer that went through it would be the limits' refusal.
        let isolating = Self.validator("/bin/false")
        let broken = "ctmc\nmodule m x : [0..1]; [] x=0 -> (x'=2) endmodule\n"
        let found = try await isolating.validate(
            model: Self.file("b.prism", broken), properties: Self.file("p.csl", "P=? [ F<=1 x=1 ]"), constants: "")
        let expected = FrontEndValidator().validate(
            model: Self.file("b.prism", broken), properties: Self.file("p.csl", "P=? [ F<=1 x=1 ]"), constants: "")
        #expect(!found.isEmpty)
        #expect(found == expected)
        let fine = try await isolating.validate(
            model: Self.file("m.prism", TestModels.birthDeath),
            properties: Self.file("p.csl", TestModels.birthDeathProperties), constants: "")
        #expect(fine.isEmpty)
    }

    @Test func largeSubmissionsAreCheckedInAChildWithTheSameAnswer() async throws {
        let isolating = Self.validator(RunningServer.staminaBinary)
        let worst = try await isolating.validate(
            model: Self.file("worst.prism", Self.worstModel), properties: Self.file("p.csl", Self.worstProperties),
            constants: "")
        #expect(worst.isEmpty)
        // An error far down a large file: located exactly as the in-process front end locates it.
        let broken = Self.worstModel + "label \"bad\" = y > 3;\n"
        let found = try await isolating.validate(
            model: Self.file("big.prism", broken), properties: Self.file("p.csl", Self.worstProperties), constants: "")
        let expected = FrontEndValidator().validate(
            model: Self.file("big.prism", broken), properties: Self.file("p.csl", Self.worstProperties), constants: "")
        #expect(found.count == 1 && found.first?.line == 353)
        #expect(found == expected)
        // Small text over the in-process node budget goes to the child too, which accepts it...
        let renamed = try await isolating.validate(
            model: Self.file("r.prism", Self.renamedModel), properties: Self.file("p.csl", "P=? [ F<=1 x=1 ]"),
            constants: "")
        #expect(renamed.isEmpty)
        // ...and only the child: one that cannot run makes it a refusal.
        let refused = try await Self.validator("/bin/false").validate(
            model: Self.file("r.prism", Self.renamedModel), properties: Self.file("p.csl", "P=? [ F<=1 x=1 ]"),
            constants: "")
        #expect(refused.first?.message.hasPrefix("checking this model needs more than the server allows") == true)
    }

    @Test func aChildPastItsLimitsRefusesTheModelWithADiagnostic() async throws {
        // One CPU second: less than the worst upload's check takes in a debug build.
        let limited = Self.validator(RunningServer.staminaBinary) { $0.cpuSeconds = 1 }
        let found = try await limited.validate(
            model: Self.file("worst.prism", Self.worstModel), properties: Self.file("p.csl", Self.worstProperties),
            constants: "")
        #expect(found.count == 1)
        #expect(found.first?.file == "worst.prism" && found.first?.line == 1)
        #expect(found.first?.message.contains("1 s of CPU") == true)
        // A child killed by a signal (as the CPU limit or the wall-clock alarm would) says the same.
        let killed = try await Self.validator(try Self.script("kill -9 $$")).validate(
            model: Self.file("worst.prism", Self.worstModel), properties: Self.file("p.csl", Self.worstProperties),
            constants: "")
        #expect(killed.first?.message.hasPrefix("checking this model needs more than the server allows") == true)
    }

    @Test func checksPastTheBoundAreUnavailableUntilASlotFrees() async throws {
        let directory = RunningServer.temporaryDirectory()
        let child = try Self.script(
            "touch \(directory)/started\nfor i in $(seq 600); do [ -e \(directory)/release ] && break; sleep 0.05; done\necho '[]'"
        )
        let isolating = Self.validator(child) { $0.concurrent = 1 }
        let model = Self.file("worst.prism", Self.worstModel)
        let properties = Self.file("p.csl", Self.worstProperties)
        let first = Task { try await isolating.validate(model: model, properties: properties, constants: "") }
        let deadline = ContinuousClock.now + .seconds(30)
        while !FileManager.default.fileExists(atPath: directory + "/started") && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(FileManager.default.fileExists(atPath: directory + "/started"))
        await #expect(throws: ValidationUnavailable.self) {
            _ = try await isolating.validate(model: model, properties: properties, constants: "")
        }
        FileManager.default.createFile(atPath: directory + "/release", contents: nil)
        #expect(try await first.value.isEmpty)
        #expect(try await isolating.validate(model: model, properties: properties, constants: "").isEmpty)
    }

    /// Peak resident memory (VmHWM) of a process, in bytes.
    static func peakRSS(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    /// The server's children that are checking a submission.
    static func checkingChildren(of server: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")"),
                let command = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == server
                && String(decoding: command, as: UTF8.self).contains("validate-submission")
        }
    }

    @Test func theWorstAcceptedUploadLeavesTheServerSmallAndAnswering() async throws {
        let directory = RunningServer.temporaryDirectory()
        let server = try await RunningServer(try TestModels.misbehavingEngineSettings(directory) + ["owner-quota=10"])
        let pid = server.process.processIdentifier
        // Warm up the paths a submission takes, so the peak below is the upload's alone.
        let warm = try await server.v1Submit()
        #expect(warm.status == 202)
        let before = Self.peakRSS(pid)
        #expect(before > 0)

        // Two at once (the default `checks-at-once`): in process they took both cooperative threads
        // of a 2-core machine and /healthz waited for them (17-20 s in a debug build).
        let finished = Flag()
        let submissions = (0..<2).map { _ in
            Task {
                defer { finished.raise() }
                return try await server.v1Submit(model: Self.worstModel, extra: ["properties": Self.worstProperties])
            }
        }
        // Both checks run as children of the server, and a request sent meanwhile is answered
        // while both are still being checked.
        let deadline = ContinuousClock.now + .seconds(60)
        while Self.checkingChildren(of: pid).count < 2 && !finished.isRaised && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(Self.checkingChildren(of: pid).count == 2)
        let health = try await server.get("/healthz")
        #expect(health.status == 200)
        #expect(!finished.isRaised, "a submission finished before /healthz was answered")
        for submission in submissions {
            let reply = try await submission.value
            #expect(reply.status == 202, "\(reply.text)")
        }
        let growth = Self.peakRSS(pid) - before
        // In process the check took ~50 MB above the baseline; a few MB of request handling remain.
        #expect(growth < 16 << 20, "peak RSS grew by \(growth >> 20) MB")
        #expect(server.zombieChildren().isEmpty)
    }
}

/// Set once, read from any task.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func raise() { value.store(true, ordering: .releasing) }
    var isRaised: Bool { value.load(ordering: .acquiring) }
}
