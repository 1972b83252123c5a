// The pieces of the SSE stream and of what feeds it: the resume cursor (`Last-Event-ID`), the
// worker's tail of the engine's files (complete lines only: a half-written last line waits; each
// line once; a budget per job), the event name from the contract's
// `ProgressEvent`, and the SSE framing of multi-line data.

import EngineContract
import Foundation
import OrderedJSON
import Testing

@testable import StaminaServer

@Suite struct EventStreamParsingTests {
    @Test func cursorsRoundTripAndRefuseGarbage() {
        var cursor = EventStream.Cursor()
        cursor.state = "RUNNING"
        cursor.logLines = 12
        cursor.eventLines = 3
        #expect(cursor.id == "RUNNING.12.3")
        #expect(EventStream.Cursor(cursor.id) == cursor)
        #expect(EventStream.Cursor(".0.0") == EventStream.Cursor())
        for bad in [
            "", "RUNNING", "RUNNING.1", "RUNNING.1.2.3", "RUNNING.-1.0", "RUNNING.x.0", "A.1.99999999999999999999",
        ] {
            #expect(EventStream.Cursor(bad) == nil, "\(bad)")
        }
    }

    @Test func theWorkerStoresOnlyCompleteLinesEachOnceWithinItsBudget() throws {
        let directory = JobDirectory(dataDirectory: RunningServer.temporaryDirectory(), id: "j", attempt: 1)
        try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
        var tail = ProgressTail(budget: 40)
        #expect(tail.read(directory).isEmpty)  // no files yet
        try Data("one\ntwo\nthr".utf8).write(to: URL(fileURLWithPath: directory.events))
        try Data("[INFO]: a\n".utf8).write(to: URL(fileURLWithPath: directory.stderr))
        #expect(
            tail.read(directory)
                == [
                    .init(kind: .log, line: "[INFO]: a"), .init(kind: .engine, line: "one"),
                    .init(kind: .engine, line: "two"),
                ])
        try Data("one\ntwo\nthree\n".utf8).write(to: URL(fileURLWithPath: directory.events))
        #expect(tail.read(directory) == [.init(kind: .engine, line: "three")])
        // Past the budget (40 bytes of lines) the rest is dropped with one note.
        try Data("one\ntwo\nthree\n\(String(repeating: "x", count: 50))\nmore\n".utf8).write(
            to: URL(fileURLWithPath: directory.events))
        let over = tail.read(directory)
        #expect(over.count == 2 && over[0].line.count == 50 && over[1].line.contains("max-events"))
        #expect(tail.read(directory).isEmpty)
    }

    @Test func eventNamesComeFromTheContract() throws {
        let round = ProgressEvent.round(
            .init(
                property: 0,
                round: .init(
                    iteration: 1, kappa: 1, states: 10, transitions: 20, frontier: 3, pmin: 0, pmax: 1, seconds: 0.5)))
        let finished = ProgressEvent.property(.init(property: 0, pmin: 0.25, pmax: nil, windowReached: false))
        for event in [round, finished] {
            let line = try JSONTextEncoder().encode(event).rendered
            #expect(EventStream.eventType(line) == event.kind.rawValue)
            #expect(EngineOutputReader.event(line) == event)
        }
        #expect(EventStream.eventType(#"{"type":"other"}"#) == "engine")
        #expect(EventStream.eventType(#"{"type":"round"}"#) == "engine")  // not a whole round event
        #expect(EventStream.eventType("not json") == "engine")
    }

    @Test func multiLineDataIsFramedLineByLine() {
        #expect(EventStream.event("log", id: "R.1.0", data: "a") == "id: R.1.0\nevent: log\ndata: a\n\n")
        #expect(EventStream.event("log", id: "R.2.0", data: "a\nb") == "id: R.2.0\nevent: log\ndata: a\ndata: b\n\n")
    }
}
