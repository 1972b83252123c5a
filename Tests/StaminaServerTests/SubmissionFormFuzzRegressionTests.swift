// Bugs the submission-parser fuzzer (Fuzz/SubmissionForm) found, each kept as a test named after it.

import Foundation
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

    /// Found by fuzzing in CI: a delimiter that MultipartKit takes for a part's start right after
    /// a stray `--boundary` the guard had read as one (and skipped past), with a non-ASCII byte in
    /// the header name that follows. The guard now examines every delimiter on its own.
    @Test func nonASCIIHeaderNameAfterAStrayDelimiterIsRefusedNotACrash() throws {
        let encoded =
            "bXVsdGlwYXJ0L2Zvcm0tZGF0YTsgYm91bmRhcnk9ZnV6emJvdW5kYXJ5Ci0tZnV6emJvdW5kYXJ5DQpDb250ZW50LURpc3Bvc2l0"
            + "aW9uOiBmb3JtLWRhdGE7IG5hbWU9Im1vZGVsX2ZpbGUiOyBmaWxlbmFtZT0ibW9kZWwucHJpc20iDQoNCi8vIGx0aXBhcnQvZm9y"
            + "bS1kYXRhOyBib3VuZGFyeT1mdXp6Ym91bmRhcnkKLS1mdXp6Ym91bmRhcnkNCkNvbnRlbnQtRGlzcG9zaXRpb246IGZvcm0tCgog"
            + "IFtdIHRydWUgLT4gbnUgKyBiaXJ0aCAqIHggOiAoeCcgPSB4ICsgMSk7CiAgW10geCA+IDAgLT4gZGVhdGggKiB4IDogKHgnID0g"
            + "eCAtIDEpOwplbmRtb2R1bGUKCmxhYmVsICJiaWciID0geCA+PSAxMDsKDQotLWZ1enpib3VuZGFyeQ0KQ29udGVudC1EaXNwb3Np"
            + "dGlvbsDFZm9ybS1kYXRhOyBuYW1lPSJwcm9wX2ZpbGUiO0RlY29kYWJsZT0icHJvcHMuY3NsIg0KDQpQYm91bmRhcnkNCkNvbnRl"
            + "bnQtRGlzcG9zaXRpb246IGZvcm0tZGF0YTsgbmFtZT11enpib3VuZGFyeQ0KQ29udGVudC1EaXNwb3NpdGlvbjogZm9ybS1kYXRh"
            + "OyBuYW1lPSJjb25zdGFudHMiDQoNCkEgYm91bmRlZCBnZW5lLWV4cHJlc3Npb24gbmV0d29yayAobVJOQSAtPiBwcm90ZWluLCBi"
            + "b3RoIGRlZ3JhZGVkKTogfjQwayBzdGF0ZXMgaW4gZnVsbC4KY3RtYwoKY29tdWx0aXBhcnQvZm9ybS1kYXRhOyBib3VuZGFyeT1m"
            + "dXp6Ym91bmRhcnkKLS1mdXp6Ym91bmRhcnkNCkNvbnRlbnQtRGlzcG9zaXRpb246IGZvcm0tZGF0YTsgbmFtZT0ibW9kZWxfZmls"
            + "ZSI7IGZpbGVuYW1lPSJtb2RlbC5wcmlzbSINCg0KLy8gQSBib3VuZGVkIGdlbmUtZXhwcmVzc2lvbiBuZXR3b3JrIChtUk5BIC0+"
            + "IHByb3RlaW4sIGJvdGggZGVncmFkZWQpOiB+MzlrIHN0YXRlcyBpbiBmdWxsLgpjdG1jCgpjb25zdCBpbnQgTUFYX00gPSAzOTsK"
            + "Y29uc3QgaW50IE1BWF9QID0gOTk5Owpjb25zdCBkb3VibGUga190eCA9IDIuMDsgICAgIC8vIHRyYW5zY3JpcHRpb24KY29uc3Qg"
            + "ZG91YmxlIGtfdGwgPSA1LjA7ICAgICAvLyB0cmFuc2xhdGlvbiBwZXIgbVJOQQpjb25zdCBkb3VibGUgZF9tID0gMC4yOwpjb25z"
            + "MWU5OTl0IGRvdWJsZSBkX3AgPSAwLjA1OwoKbW9kdWxlIGV4cHJlc3Npb24KICBtcm5hIDogWzAuLk1BWF9NXSBpbml0IDA7CiAg"
            + "cHJvdCA6IFswLi5NQVhfUF0gaW5pdCAwOwoKICBbXSBtcm5hIDwgTUFYX00gLT4ga190eCA6IChtWyBGPD01IG1ybmE+PTE1IF07"
            + "Cg0KLS1mdXp6Ym91bmRhcnkNCkNvbnRlbnQtRG5zdCBpbnQgTUFYX00gPSAzOTsKbnNsYXRpb24gcGVyIG1STkEKY29uc3QgZG91"
            + "YmxlIGRfbSA9IERpc3Bvc2l0aW9uOiBmb3JtLWRhdGE7IG5hbWU9ImNvbnN0YW50cyINCg0KTj0yDQotLWZ1LT4gZF9tICogbXJu"
            + "YSA6IChtcm5hJyA9aXNwb3NpdGlvbiBtcm4="
        let input = try #require(Data(base64Encoded: encoded))
        let newline = try #require(input.firstIndex(of: 10))
        let contentType = String(decoding: input[..<newline], as: UTF8.self)
        let body = ByteBuffer(bytes: input[(newline + 1)...])
        #expect {
            _ = try SubmissionForm.parse(body: body, contentType: contentType, maxFileBytes: 1 << 20)
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
