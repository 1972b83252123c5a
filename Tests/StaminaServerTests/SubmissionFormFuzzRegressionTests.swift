// Bugs the submission-parser fuzzer (Fuzz/SubmissionForm) found, each kept as a test named after it.

import NIOCore
import Testing

@testable import StaminaServer

@Suite struct SubmissionFormFuzzRegressionTests {
    static func multipart(_ parts: String) -> ByteBuffer {
        ByteBuffer(string: parts)
    }

    /// Found by fuzzing: MultipartKit indexes a 128-entry table with each header-name byte, so a
    /// non-ASCII byte in a part's header name trapped and killed the server with one request.
    @Test func nonASCIIHeaderNameIsRefusedNotACrash() throws {
        var body = ByteBuffer(string: "--B\r\nC")
        body.writeBytes([0xB6, 0xB6])
        body.writeString(": form-data; name=\"model_file\"\r\n\r\nctmc\r\n--B--\r\n")
        #expect {
            _ = try SubmissionForm.parse(
                body: body, contentType: "multipart/form-data; boundary=B", maxFileBytes: 1 << 20)
        } throws: { error in
            (error as? APIError)?.status == .badRequest
        }
    }

    /// Found by fuzzing, past the first guard: a bare LF does not end a header value for
    /// MultipartKit (only CR does), so the next "line" was still read as a header name.
    @Test func nonASCIIHeaderNameAfterABareLineFeedIsRefusedNotACrash() throws {
        var body = ByteBuffer(string: "--B\r\nContent-Disposition: form-data; name=\"p\";\n\r\n--x")
        body.writeBytes([0xBA, 0xBA])
        body.writeString(": y\r\n\r\nctmc\r\n--B--\r\n")
        #expect {
            _ = try SubmissionForm.parse(
                body: body, contentType: "multipart/form-data; boundary=B", maxFileBytes: 1 << 20)
        } throws: { error in
            (error as? APIError)?.status == .badRequest
        }
    }

    /// Found by fuzzing: `boundary="` is an empty boundary once its quotes are trimmed, which
    /// MultipartKit does not survive.
    @Test func emptyMultipartBoundaryIsRefusedNotACrash() throws {
        let body = ByteBuffer(string: "--\r\nContent-Disposition: form-data; name=\"m\"\r\n\r\nctmc\r\n----\r\n")
        #expect {
            _ = try SubmissionForm.parse(
                body: body, contentType: "multipart/form-data; boundary=\"", maxFileBytes: 1 << 20)
        } throws: { error in
            (error as? APIError)?.status == .badRequest
        }
    }

    /// The guard looks at header names only: UTF-8 in a file name or in a file's text still works.
    @Test func nonASCIIFileNameAndContentStillParse() throws {
        let body = ByteBuffer(
            string:
                "--B\r\nContent-Disposition: form-data; name=\"model_file\"; filename=\"modèle.prism\"\r\n\r\n// café\nctmc\r\n--B--\r\n"
        )
        let form = try SubmissionForm.parse(
            body: body, contentType: "multipart/form-data; boundary=B", maxFileBytes: 1 << 20)
        #expect(form.files["model_file"]?.fileName == "modèle.prism")
        #expect(form.files["model_file"]?.text == "// café\nctmc")
    }
}
