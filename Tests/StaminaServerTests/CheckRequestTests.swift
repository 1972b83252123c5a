// The request side of the engine contract: `CheckRequest.arguments` is what the CLI parses back to
// the same request (flag names from one place), and the one table of ranges refuses the same
// values in the CLI and in a job submission.

import EngineContract
import Foundation
import Testing

@testable import StaminaServer
@testable import stamina

@Suite struct CheckRequestTests {
    @Test func theArgumentVectorParsesBackToTheSameRequest() throws {
        var request = CheckRequest(model: "m.prism", properties: "p.csl")
        request.kappa = 0.25
        request.reduceKappa = 1.5
        request.approxFactor = 3
        request.window = 1e-6
        request.relativeWindow = true
        request.maxIterations = 7
        request.method = .priority
        request.propertyTruncation = false
        request.threads = 2
        request.maxStates = 1000
        request.timeLimit = 2.5
        request.constants = "N=1:2:9,x=0.5"
        request.propertyNames = ["a", "b"]
        request.json = true
        request.events = "e.jsonl"
        request.exportDot = "m.dot"
        request.exportTransitions = "t.txt"
        request.exportDRN = "m.drn"
        request.csv = "out.csv"
        request.quiet = true
        let parsed = try CheckCommand.parse(request.arguments).request()
        #expect(parsed == request)
        let defaults = CheckRequest(model: "m.prism", properties: nil)
        #expect(try CheckCommand.parse(defaults.arguments).request() == defaults)
        #expect(try CheckCommand.parse(["m.prism"]).request() == defaults)
        // The server's job request names the job directory's files and outputs.
        let job = JobParameters().engineRequest(threads: 3)
        #expect(try CheckCommand.parse(job.arguments).request() == job)
        #expect(job.json && job.events == JobDirectory.eventsFile && job.threads == 3)
    }

    @Test func theCLIAndASubmissionRefuseTheSameValues() throws {
        let cases: [(flag: String, field: String, value: String, accepted: Bool)] = [
            ("-w", "window", "5", false), ("-w", "window", "1", false), ("-w", "window", "0.5", true),
            ("-w", "window", "0", false), ("-k", "kappa", "-1", false), ("-k", "kappa", "2", true),
            ("-k", "kappa", "1e7", false), ("-r", "rkappa", "1", false), ("-r", "rkappa", "1.5", true),
            ("-f", "approxFactor", "0.5", true), ("-f", "approxFactor", "0", false),
            ("-n", "maxIterations", "0", false), ("-n", "maxIterations", "10000", true),
            ("-n", "maxIterations", "10001", false),
        ]
        for item in cases {
            let cli = Result { try CheckCommand.parse(["m.prism", item.flag, item.value]).request() }
            let fields = [item.field: item.value]
            let submission = Result { () throws(InvalidParameters) in try JobParameters(fields: { fields[$0] }) }
            #expect(((try? cli.get()) != nil) == item.accepted, "CLI \(item.flag) \(item.value)")
            #expect(((try? submission.get()) != nil) == item.accepted, "submission \(item.field)=\(item.value)")
            if case .failure(let refused) = submission {
                #expect(refused.problems.first?.parameter == item.field)
            }
        }
        // Every range names a field and a flag, and its bounds are as documented.
        let window = try #require(CheckRequest.ranges.first { $0.parameter == "window" })
        #expect(window.interval == "(0, 1)")
        #expect(window.option.flag == "--probWin")
        #expect(Set(CheckRequest.ranges.map(\.parameter)).count == CheckRequest.ranges.count)
    }

    /// The OpenAPI document states the contract's ranges (the third table there used to be).
    @Test func theOpenAPIDocumentStatesTheSameRanges() throws {
        func find(_ value: Any) -> [String: Any]? {
            if let object = value as? [String: Any] {
                if let properties = object["properties"] as? [String: Any],
                    (properties["window"] as? [String: Any])?["exclusiveMaximum"] != nil
                {
                    return properties
                }
                for member in object.values { if let found = find(member) { return found } }
            }
            return nil
        }
        let document = try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8))
        let submission = try #require(find(document))
        for (field, parameter) in [
            ("kappa", "kappa"), ("reduceKappa", "rkappa"), ("approxFactor", "approxFactor"), ("window", "window"),
            ("maxIterations", "maxIterations"),
        ] {
            let schema = try #require(submission[field] as? [String: Any], "\(field)")
            let range = try #require(CheckRequest.ranges.first { $0.parameter == parameter })
            let lower = (schema["exclusiveMinimum"] ?? schema["minimum"]) as? Double
            let upper = (schema["exclusiveMaximum"] ?? schema["maximum"]) as? Double
            #expect(lower == range.lower && (schema["minimum"] != nil) == range.lowerIncluded, "\(field)")
            #expect(upper == range.upper && (schema["maximum"] != nil) == range.upperIncluded, "\(field)")
        }
    }

    @Test func methodsReadSstaminasSpellings() {
        for (text, method) in [
            ("iterative", CheckRequest.Method.iterative), ("-I", .iterative), ("REEXPLORING", .reexploring),
            ("re-exploring", .reexploring), ("-J", .reexploring), (" priority ", .priority), ("-p", .priority),
        ] {
            #expect(CheckRequest.Method(parsing: text) == method, "\(text)")
        }
        #expect(CheckRequest.Method(parsing: "-X") == nil)
        #expect(CheckRequest.Method(parsing: "") == nil)
    }
}
