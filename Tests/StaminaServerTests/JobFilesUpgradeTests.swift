import Foundation
import Logging
import SQLiteNIO
import Testing

@testable import StaminaServer

/// A data directory of a release that kept job files beside the database (`jobs/<id>/`): its
/// store reads the inputs and artifacts in at the first open and removes the directories, so the
/// jobs it had queued still run and its finished jobs' downloads still answer.
struct JobFilesUpgradeTests {
    @Test func jobFilesBesideTheDatabaseAreReadInOnceAtOpen() async throws {
        let directory = RunningServer.temporaryDirectory()
        let path = directory + "/stamina.sqlite"
        let store = try await SQLiteJobStore.open(path: path, logger: Logger(label: "test"))
        let queued = try await store.insert(JobStoreConformanceTests.newJob(), ownerQuota: 10, systemQuota: 10)
        let finished = try await store.insert(JobStoreConformanceTests.newJob(), ownerQuota: 10, systemQuota: 10)
        await store.close()
        // As the earlier release left them: no inputs in the row, files in jobs/<id>/.
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: Logger(label: "test"))
        _ = try await connection.query("UPDATE jobs SET model_text = NULL, props_text = NULL", [])
        try await connection.close()
        for (job, files) in [
            (queued, ["model.prism": "ctmc // queued", "properties.csl": "P=? [F q]"]),
            (finished, ["model.prism": "ctmc // done", "properties.csl": "P=? [F d]", "model.drn": "@type: CTMC"]),
        ] {
            let jobDirectory = directory + "/jobs/" + job.id
            try FileManager.default.createDirectory(atPath: jobDirectory, withIntermediateDirectories: true)
            for (name, text) in files {
                try Data(text.utf8).write(to: URL(fileURLWithPath: jobDirectory + "/" + name))
            }
        }
        let reopened = try await SQLiteJobStore.open(path: path, logger: Logger(label: "test"))
        #expect(try await reopened.inputs(id: queued.id) == JobInputs(model: "ctmc // queued", properties: "P=? [F q]"))
        #expect(try await reopened.inputs(id: finished.id)?.model == "ctmc // done")
        #expect(try await reopened.artifact(id: finished.id, name: "model.drn") == Array("@type: CTMC".utf8))
        #expect(!FileManager.default.fileExists(atPath: directory + "/jobs/" + queued.id))
        #expect(!FileManager.default.fileExists(atPath: directory + "/jobs/" + finished.id))
        await reopened.close()
    }
}
