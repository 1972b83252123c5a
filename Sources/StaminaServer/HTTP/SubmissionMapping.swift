import Foundation

/// Turns a parsed submission body (`SubmissionForm`: the legacy and `/v1` field names, in any
/// encoding) into the service's `JobSubmission`. Kept apart from `SubmissionForm.swift`, which the
/// fuzzer compiles on its own, so that the parser stays free of the service's types.
extension SubmissionForm {
    /// The files under their legacy or `/v1` names; a missing or blank one is refused here, before
    /// the parameters are read, so a client learns first that its upload did not arrive.
    func submittedFiles() throws(APIError) -> (model: JobSubmission.File, properties: JobSubmission.File) {
        guard let model = file("model_file", "model") else {
            throw .missingFile("the model file is missing (field 'model_file' or 'model')")
        }
        guard let properties = file("prop_file", "properties") else {
            throw .missingFile("the properties file is missing (field 'prop_file' or 'properties')")
        }
        if model.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw .missingFile("the model file '\(model.fileName)' is empty")
        }
        if properties.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw .missingFile("the properties file '\(properties.fileName)' is empty")
        }
        return (
            JobSubmission.File(name: model.fileName, text: model.text),
            JobSubmission.File(name: properties.fileName, text: properties.text)
        )
    }

    /// The job this form asks for. `readsName`: `/v1` takes the job's name from the `name` field;
    /// the legacy endpoint never had one (its jobs are named after the model file).
    func submission(owner: String, quotaKey: String? = nil, idempotencyKey: String? = nil, readsName: Bool)
        throws(APIError) -> JobSubmission
    {
        let files = try submittedFiles()
        let parameters = try JobService.parameters(from: self)
        return JobSubmission(
            owner: owner, quotaKey: quotaKey, name: readsName ? field("name") : nil, model: files.model,
            properties: files.properties, parameters: parameters, idempotencyKey: idempotencyKey)
    }
}
