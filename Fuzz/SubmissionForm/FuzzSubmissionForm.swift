// libFuzzer entry point for the server's submission body parser (`SubmissionForm.parse`:
// multipart, URL-encoded and JSON bodies).
//
// `scripts/ci/fuzz.sh` compiles `Sources/StaminaServer/HTTP/SubmissionForm.swift` with this file
// into an instrumented executable and links the package's ordinary debug objects for what it
// uses (`APIError` through an implicit `@testable import StaminaServer`, MultipartKit, NIOCore),
// so only the parser is instrumented and SwiftNIO is not rebuilt with the sanitizer. An input is
// `Content-Type line LF body`. Any crash or hang is a bug: every body gets a form or an `APIError`.

import NIOCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSubmissionForm(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let newline = bytes.firstIndex(of: 10) ?? size
    let contentType = String(decoding: bytes[..<newline], as: UTF8.self)
    var body = ByteBufferAllocator().buffer(capacity: size)
    if newline < size { body.writeBytes(bytes[(newline + 1)...]) }
    _ = try? SubmissionForm.parse(body: body, contentType: contentType, maxFileBytes: 1 << 20)
    return 0
}
