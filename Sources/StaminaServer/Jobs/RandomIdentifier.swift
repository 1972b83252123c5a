import Crypto

/// Unguessable identifiers: job ids (128 random bits) and bearer tokens (256 bits), lower-case
/// base32 so they are safe in paths, file names and HTML.
enum RandomIdentifier {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")

    static func jobID() -> String { base32(randomBytes(16)) }
    static func token() -> String { "stm_" + base32(randomBytes(32)) }
    static func owner() -> String { "owner:" + base32(randomBytes(10)) }

    /// Job ids as the server makes them; anything else in a path is not a job id.
    static func isJobID(_ text: Substring) -> Bool {
        let letters = UInt8(ascii: "a")...UInt8(ascii: "z")
        let digits = UInt8(ascii: "2")...UInt8(ascii: "7")
        return text.utf8.count == 26 && text.utf8.allSatisfy { letters.contains($0) || digits.contains($0) }
    }

    static func sha256Hex(_ text: String) -> String {
        var text = text
        let digest = text.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        return String(unsafeUninitializedCapacity: 2 * SHA256.byteCount) { hex in
            var next = 0
            for byte in digest {
                hex[next] = hexDigit(byte >> 4)
                hex[next + 1] = hexDigit(byte & 15)
                next += 2
            }
            return next
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    private static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    private static func base32(_ bytes: [UInt8]) -> String {
        var output = ""
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return output
    }
}
