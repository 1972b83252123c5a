import Foundation
import NIOCore
import Testing

@testable import StaminaServer

/// `SubmissionForm.parse` on each encoding it reads (multipart, URL-encoded, JSON), its limits and
/// its refusals, without a server: every refusal is an `APIError` with the status a client gets.
@Suite struct SubmissionFormTests {
    static func parse(_ body: String, _ contentType: String?, maxFileBytes: Int = 1 << 20) throws(APIError)
        -> SubmissionForm
    {
        try SubmissionForm.parse(body: ByteBuffer(string: body), contentType: contentType, maxFileBytes: maxFileBytes)
    }

    /// The refusal `body` gets: its status code and detail (nil when it parses).
    static func refusal(_ body: String, _ contentType: String?, maxFileBytes: Int = 1 << 20) -> (Int, String)? {
        do {
            _ = try parse(body, contentType, maxFileBytes: maxFileBytes)
            return nil
        } catch { return (Int(error.status.code), error.detail) }
    }

    static func multipartBody(_ parts: [(disposition: String, text: String)], boundary: String = "XyZ") -> String {
        parts.map { "--\(boundary)\r\nContent-Disposition: form-data; \($0.disposition)\r\n\r\n\($0.text)\r\n" }
            .joined() + "--\(boundary)--\r\n"
    }

    // MARK: multipart

    @Test func multipartGivesFieldsAndFilesWithShownNamesOnly() throws {
        let body = Self.multipartBody([
            (#"name="create""#, "1"),
            (#"name="kappa""#, "2.5"),
            (#"name="model_file"; filename="../../etc/m.prism""#, "ctmc\nmodule m endmodule"),
            (#"name="prop_file"; filename="C:\\Users\\me\\p.csl""#, "P=? [ F<=1 true ]"),
            (#"name="extra"; filename="..""#, "x"),
        ])
        let form = try Self.parse(body, "Multipart/Form-Data; boundary=\"XyZ\"")
        #expect(form.fields == ["create": "1", "kappa": "2.5"])
        #expect(form.files["model_file"]?.fileName == "m.prism")
        #expect(form.files["model_file"]?.text == "ctmc\nmodule m endmodule")
        #expect(form.files["prop_file"]?.fileName == "p.csl")
        #expect(form.files["extra"]?.fileName == "upload")
        #expect(form.field("missing", "kappa") == "2.5")
        #expect(form.file("model", "model_file")?.fileName == "m.prism")
    }

    @Test func aFileFieldSentAsTextBecomesAFileWithTheDefaultName() throws {
        let body = Self.multipartBody([(#"name="model""#, "ctmc"), (#"name="properties""#, "P=? [ F<=1 true ]")])
        let form = try Self.parse(body, "multipart/form-data; boundary=XyZ")
        #expect(form.fields.isEmpty)
        #expect(form.files["model"]?.fileName == "model.prism")
        #expect(form.files["properties"]?.fileName == "properties.csl")
    }

    @Test(arguments: [
        ("multipart/form-data", "boundary parameter"),
        ("multipart/form-data; boundary=", "boundary parameter"),
        ("multipart/form-data; boundary=\(String(repeating: "b", count: 71))", "boundary parameter"),
    ])
    func aMissingOrOverlongBoundaryIsRefused(_ contentType: String, _ message: String) {
        let refusal = Self.refusal("--b\r\n\r\n--b--\r\n", contentType)
        #expect(refusal?.0 == 400)
        #expect(refusal?.1.contains(message) == true)
    }

    @Test func malformedMultipartBodiesAreRefused() {
        let type = "multipart/form-data; boundary=XyZ"
        #expect(Self.refusal("", type)?.0 == 400)
        #expect(Self.refusal("--XyZ\r\nnonsense", type)?.0 == 400)
        let nameless = Self.refusal(Self.multipartBody([(#"filename="m.prism""#, "ctmc")]), type)
        #expect(nameless?.0 == 400)
        #expect(nameless?.1 == "a multipart part has no name in its Content-Disposition")
    }

    // MARK: URL-encoded

    @Test func urlEncodedDecodesPlusAndPercentAndKeepsBareNames() throws {
        let form = try Self.parse(
            "create&name=my+job%21&const=N%3D10%2CM%3D2&model_file=ctmc%0Amodule&empty=",
            "application/x-www-form-urlencoded; charset=utf-8")
        #expect(form.fields == ["create": "", "name": "my job!", "const": "N=10,M=2", "empty": ""])
        #expect(form.files["model_file"]?.text == "ctmc\nmodule")
        #expect(form.files["model_file"]?.fileName == "model.prism")
    }

    // MARK: JSON

    @Test func jsonReadsScalarsFilesConstantsAndNestedParameters() throws {
        let body = """
            {"name": "sweep", "kappa": 0.5, "maxIterations": 10, "propertyTruncation": false, "window": null,
             "constants": {"N": 10, "M": 2}, "parameters": {"method": "priority", "kappa": 9},
             "model": {"name": "dir/bd.prism", "content": "ctmc"}, "properties": "P=? [ F<=1 true ]"}
            """
        let form = try Self.parse(body, "application/json")
        #expect(form.fields["name"] == "sweep")
        #expect(form.fields["kappa"] == "0.5")  // the outer value wins over `parameters`
        #expect(form.fields["method"] == "priority")
        #expect(form.fields["maxIterations"] == "10")
        #expect(form.fields["window"] == nil)
        #expect(form.fields["constants"] == "M=2,N=10")
        #expect(form.files["model"]?.fileName == "bd.prism")
        #expect(form.files["model"]?.text == "ctmc")
        #expect(form.files["properties"]?.fileName == "properties.csl")
        let parameters = try JobService.parameters(from: form)
        #expect(parameters.propertyTruncation == false)
        #expect(parameters.kappa == 0.5 && parameters.method == .priority && parameters.constants == "M=2,N=10")
    }

    @Test(arguments: [
        ("{", "the body is not valid JSON"),
        ("[1, 2]", "the body must be a JSON object"),
        (#""text""#, "the body is not valid JSON"),  // a fragment is not a document
        (#"{"kappa": [1]}"#, "field 'kappa' has an unsupported JSON type"),
        (#"{"model": {"name": "m.prism"}}"#, "'model' needs a string 'content'"),
        (#"{"model": {"content": 3}}"#, "'model' needs a string 'content'"),
    ])
    func badJSONIsRefusedWithTheReason(_ body: String, _ detail: String) {
        let refusal = Self.refusal(body, "application/json")
        #expect(refusal?.0 == 400)
        #expect(refusal?.1 == detail)
    }

    // MARK: types and limits

    @Test(arguments: [nil, "", "text/plain", "application/xml", "multipart/mixed; boundary=b"])
    func otherContentTypesAre415(_ contentType: String?) {
        let refusal = Self.refusal("create=1", contentType)
        #expect(refusal?.0 == 415)
        #expect(refusal?.1.hasPrefix("expected multipart/form-data, application/x-www-form-urlencoded") == true)
    }

    @Test func aFileOverTheLimitIs413AndOneAtTheLimitIsRead() throws {
        let atLimit = String(repeating: "a", count: 100)
        #expect(
            try Self.parse("model=\(atLimit)", "application/x-www-form-urlencoded", maxFileBytes: 100)
                .files["model"]?.text == atLimit)
        let over = Self.refusal(
            Self.multipartBody([(#"name="model_file"; filename="m.prism""#, atLimit + "é")]),
            "multipart/form-data; boundary=XyZ", maxFileBytes: 101)
        #expect(over?.0 == 413)
        #expect(over?.1 == "file 'model_file' has 102 bytes; the limit is 101")
        // A plain field is not a file: the body limit (`BodyLimit`) bounds it, not this one.
        #expect(
            try Self.parse("name=\(atLimit)", "application/x-www-form-urlencoded", maxFileBytes: 10).fields.count == 1)
    }
}

/// `SubmissionForm.submission`: a parsed form to the service's `JobSubmission`, and the one mapping
/// of the service's errors back to HTTP (`APIError.from`).
@Suite struct SubmissionMappingTests {
    static func form(_ fields: [String: String], model: String? = "ctmc", properties: String? = "P=? [ F<=1 true ]")
        -> SubmissionForm
    {
        var form = SubmissionForm()
        form.fields = fields
        if let model { form.files["model_file"] = .init(fileName: "m.prism", text: model) }
        if let properties { form.files["properties"] = .init(fileName: "p.csl", text: properties) }
        return form
    }

    static func refusal(_ form: SubmissionForm) -> APIError? {
        do {
            _ = try form.submission(owner: "o", readsName: true)
            return nil
        } catch { return error }
    }

    @Test func aFormBecomesASubmissionWithItsOwnerFilesParametersAndKeys() throws {
        let form = Self.form(["name": "job one", "k": "3", "r": "2", "w": "0.01", "method": "-P", "const": "N=2"])
        let submission = try form.submission(
            owner: "owner:x", quotaKey: "ip:10.0.0.1", idempotencyKey: "key-1", readsName: true)
        var parameters = JobParameters()
        parameters.kappa = 3
        parameters.reduceKappa = 2
        parameters.window = 0.01
        parameters.method = .priority
        parameters.constants = "N=2"
        #expect(
            submission
                == JobSubmission(
                    owner: "owner:x", quotaKey: "ip:10.0.0.1", name: "job one",
                    model: .init(name: "m.prism", text: "ctmc"),
                    properties: .init(name: "p.csl", text: "P=? [ F<=1 true ]"), parameters: parameters,
                    idempotencyKey: "key-1"))
        // The legacy endpoint has no name field: its jobs are named after the model file.
        #expect(try form.submission(owner: "ip:1.2.3.4", readsName: false).name == nil)
        #expect(try Self.form([:]).submission(owner: "o", readsName: true).parameters == JobParameters())
    }

    @Test func missingOrBlankFilesAreRefusedBeforeTheParameters() {
        let cases: [(SubmissionForm, String)] = [
            (Self.form(["kappa": "nan"], model: nil), "the model file is missing (field 'model_file' or 'model')"),
            (
                Self.form(["kappa": "nan"], properties: nil),
                "the properties file is missing (field 'prop_file' or 'properties')"
            ),
            (Self.form(["kappa": "nan"], model: " \n\t"), "the model file 'm.prism' is empty"),
            (Self.form(["kappa": "nan"], properties: "\n"), "the properties file 'p.csl' is empty"),
        ]
        for (form, detail) in cases {
            let error = Self.refusal(form)
            #expect(error?.status == .unprocessableContent)
            #expect(error?.slug == "missing-file")
            #expect(error?.detail == detail)
        }
    }

    @Test func badParametersAreOneRefusalNamingEach() {
        let error = Self.refusal(Self.form(["kappa": "nan", "window": "2", "maxIterations": "1.5"]))
        #expect(error?.status == .unprocessableContent)
        #expect(error?.slug == "invalid-parameters")
        #expect(error?.detail.contains("kappa must be a finite number, got 'nan'") == true)
        #expect(error?.detail.contains("maxIterations must be an integer") == true)
    }

    @Test func everyServiceErrorHasOneStatusAndProblemType() {
        let diagnostic = ModelDiagnostic(file: "m.prism", line: 2, column: 3, message: "unexpected x")
        let cases: [(JobServiceError, Int, String)] = [
            (.invalidModel([diagnostic]), 422, "invalid-model"),
            (.controlCharacter(what: "job name"), 400, "bad-request"),
            (.notFound, 404, "not-found"),
            (.storage("cannot store the job's files"), 500, "internal"),
            (.store(.ownerQuotaExceeded(limit: 2)), 429, "quota-exceeded"),
            (.store(.queuedQuotaExceeded(limit: 2)), 429, "quota-exceeded"),
            (.store(.systemQuotaExceeded(limit: 9)), 429, "quota-exceeded"),
            (.store(.database("disk I/O error")), 500, "internal"),
            (.store(.damaged(path: "/d/stamina.sqlite", problems: "x")), 503, "unavailable"),
        ]
        for (error, status, slug) in cases {
            let mapped = APIError.from(error)
            #expect(Int(mapped.status.code) == status, "\(error)")
            #expect(mapped.slug == slug, "\(error)")
        }
        #expect(APIError.from(.invalidModel([diagnostic])).diagnostics == [diagnostic])
        #expect(APIError.from(.store(.ownerQuotaExceeded(limit: 2))).retryAfterSeconds == 30)
        #expect(
            APIError.from(.controlCharacter(what: "job name")).detail
                == "the job name contains a control character; use printable characters only")
    }
}
