// libFuzzer entry point for the PRISM front end (model text, properties text, `--const` text).
//
// `scripts/ci/fuzz.sh` compiles this file together with every source of `Sources/PRISM` into one
// instrumented executable (`swiftc -sanitize=fuzzer,address`), so no package is rebuilt with the
// sanitizer. An input is `model NUL properties NUL constants`; missing parts are absent. Any crash,
// trap (overflow, out-of-range index), stack overflow or hang is a bug: the front end must answer
// every input with a checked program or located diagnostics.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPRISMFrontEnd(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let parts = bytes.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
    let model = parts.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
    let properties = parts.count > 1 ? String(decoding: parts[1], as: UTF8.self) : nil
    let constants = parts.count > 2 ? String(decoding: parts[2], as: UTF8.self) : ""
    let overrides = (try? ConstantOverrides(parsing: constants)) ?? .none
    let result = FrontEnd.check(
        model: SourceText(name: "fuzz.prism", text: model),
        properties: properties.map { SourceText(name: "fuzz.csl", text: $0) }, constants: overrides)
    if case .failure(let diagnostics) = result {
        // Rendering is part of the contract (the server shows it): it must not trap either.
        _ = diagnostics.description
    }
    return 0
}
