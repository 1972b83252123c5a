import Foundation
import Testing

@testable import stamina

/// The CLI client's pieces that need no server: the event-stream reader and the token file.
@Suite("client pieces")
struct ClientPiecesTests {
    static let stream = Data(
        ("id: .1.0\nevent: log\ndata: [INFO]: caf\u{e9}\n\n: keep-alive\n\n"
            + "id: .1.1\nevent: round\ndata: {\"iteration\":1}\n\n"
            + "id: SUCCEEDED.1.1\r\nevent: state\r\ndata: a\r\ndata: b\r\n\r\nid: cut\nevent: log\ndata: never ended")
            .utf8)

    @Test(arguments: [1, 2, 7, 1000])
    func eventsSurviveAnyChunking(size: Int) {
        var parser = ServerEventParser()
        var events: [ServerEvent] = []
        var offset = 0
        while offset < Self.stream.count {
            let end = min(offset + size, Self.stream.count)
            events += parser.feed(Self.stream.subdata(in: offset..<end))
            offset = end
        }
        #expect(events.map(\.type) == ["log", "round", "state"])
        #expect(events.first?.data == "[INFO]: caf\u{e9}")
        #expect(events.last == ServerEvent(id: "SUCCEEDED.1.1", type: "state", data: "a\nb"))
    }

    @Test func theTokenFileKeepsOneTokenPerServerPrivately() throws {
        let home = RunningServer.temporaryDirectory()
        let store = ClientTokenStore(environment: ["XDG_CONFIG_HOME": home])
        #expect(try store.token(for: "http://a:1") == nil)
        try store.save(token: "stm_one", for: "http://a:1")
        try store.save(token: "stm_two", for: "https://b.example/stamina")
        try store.save(token: "stm_three", for: "http://a:1")
        #expect(try store.token(for: "http://a:1") == "stm_three")
        #expect(try store.token(for: "https://b.example/stamina") == "stm_two")
        let attributes = try FileManager.default.attributesOfItem(atPath: store.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let environment = ["XDG_CONFIG_HOME": home, "STAMINA_TOKEN": "stm_env"]
        #expect(
            try ClientTokenStore.resolve(flag: "stm_flag", server: "http://a:1", environment: environment).token
                == "stm_flag")
        #expect(
            try ClientTokenStore.resolve(flag: nil, server: "http://a:1", environment: environment).token == "stm_env")
        #expect(
            try ClientTokenStore.resolve(flag: nil, server: "http://a:1", environment: ["XDG_CONFIG_HOME": home]).token
                == "stm_three")

        try "not = [toml".write(toFile: store.path, atomically: true, encoding: .utf8)
        #expect(throws: RemoteError.self) { try store.save(token: "stm_x", for: "http://a:1") }
        #expect(
            try String(contentsOfFile: store.path, encoding: .utf8) == "not = [toml", "a broken file is not overwritten"
        )
    }
}
