import Foundation
import Testing

import OrderedJSON

/// The hand-written JSON renderer against Foundation's parser.
struct JSONTextTests {
    @Test func stringsAreEscapedAndParseBack() throws {
        let texts = [
            "plain", "quote \" backslash \\ slash /", "lines\n\r\ttab", "bell \u{07} esc \u{1b} nul \u{00}",
            "π ≈ 3.14, 漢字, 😀", "",
        ]
        for text in texts {
            let rendered = JSONText.array([.string(text)]).rendered
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(rendered.utf8)) as? [String])
            #expect(parsed == [text])
        }
        #expect(JSONText.string("a\u{1b}\"").rendered == #""a\u001b\"""#)
    }

    @Test func documentsKeepMemberOrderAndValueTypes() throws {
        let document = JSONText.object([
            ("b", .integer(-12)), ("a", .number(0.5)), ("n", .null), ("t", .bool(true)), ("f", .bool(false)),
            ("inf", .number(.infinity)), ("list", .array([.integer(1), .object([])])), ("small", .number(1e-6)),
        ])
        let rendered = document.rendered
        #expect(rendered.hasPrefix(#"{"b":-12,"a":0.5,"n":null,"t":true,"f":false,"inf":null,"list":[1,{}]"#))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(rendered.utf8)) as? [String: Any])
        #expect(parsed["small"] as? Double == 1e-6)
    }

    @Test func timesAreRFC3339WithMilliseconds() {
        #expect(JSONText.time(Date(timeIntervalSince1970: 0)).rendered == #""1970-01-01T00:00:00.000Z""#)
        #expect(
            JSONText.time(Date(timeIntervalSince1970: 1_795_974_300.123_4)).rendered == #""2026-11-29T17:45:00.123Z""#)
        #expect(JSONText.time(nil).rendered == "null")
    }
}
