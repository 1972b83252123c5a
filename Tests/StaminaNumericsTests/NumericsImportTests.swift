// The numerics are their own target so that nothing of PRISM or the engine can leak into them. A
// declared dependency is not the whole guard: SwiftPM puts every module of the package on the
// search path, so an `import PRISM` could compile by accident once PRISM happens to be built first.
// This test reads the target's sources and refuses any import but the system's.

import Foundation
import Testing

@Suite struct NumericsImportTests {
    static let allowed: Set<String> = ["Foundation", "Dispatch"]

    static var sourceDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()  // Tests/StaminaNumericsTests
            .deletingLastPathComponent().deletingLastPathComponent()  // the package
            .appendingPathComponent("Sources/Numerics")
    }

    @Test func theNumericsImportNothingButTheSystem() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.sourceDirectory.path)
            .filter { $0.hasSuffix(".swift") }
        #expect(files.count > 10, "the numerics sources were not found at \(Self.sourceDirectory.path)")
        for file in files {
            let text = try String(contentsOf: Self.sourceDirectory.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ").map(String.init)
                guard let position = words.firstIndex(of: "import"), position + 1 < words.count,
                    words[..<position].allSatisfy({
                        $0.hasPrefix("@") || ["public", "internal", "private"].contains($0)
                    })
                else { continue }
                let module = words[position + 1]
                #expect(Self.allowed.contains(module), "\(file) imports \(module)")
            }
        }
    }
}
