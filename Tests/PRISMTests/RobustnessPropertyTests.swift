// Property-based robustness: whatever the text, the front end returns a program or diagnostics
// whose locations lie inside the file they name. Kept to a few hundred cases so `swift test`
// stays fast.
import PRISM
import PropertyBased
import Testing

@Suite struct RobustnessPropertyTests {
    static let validModel = """
        ctmc
        const int N = 4;
        const double r = 0.5;
        formula full = x=N;
        global g : bool init false;
        module queue
            x : [0..N] init 0;
            [arrive] x<N -> 2*r : (x'=x+1);
            [serve] x>0 -> 1 : (x'=x-1) & (g'=!g);
        endmodule
        module server = queue [x=y, arrive=a2, serve=s2] endmodule
        label "full" = full;
        rewards "time" true : 1; [serve] x>0 : 2; endrewards
        system queue || server endsystem
        """

    static let validProperties = """
        const double T = 2;
        "p1": P=? [ F<=T "full" ];
        P>=0.5 [ x<2 U[1,3] y=N ]
        S=? [ x>1 ]
        R{"time"}=? [ C<=T ]
        """

    static let vocabulary: [String] = [
        "ctmc", "module", "endmodule", "const", "int", "double", "bool", "formula", "label", "global", "init",
        "endinit", "rewards", "endrewards", "system", "endsystem", "true", "false", "min", "max", "func", "P", "S",
        "R", "F", "G", "X", "U", "W", "C", "I", "x", "y", "N", "x'", "y'", "foo", "\"a\"", "\"init\"", "0", "1",
        "2.5", "1e3", "99999999999999999999", "[", "]", "(", ")", "{", "}", "..", ":", ";", ",", "->", "=", "!=",
        "<", "<=", ">", ">=", "+", "-", "*", "/", "&", "|", "!", "=>", "<=>", "?", "'", "<-", "||", "|||", "|[",
        "]|", "/{", "=?", "\n", "//c\n", "\t", "\"", "#", "é", "\r\n",
    ]

    /// Every diagnostic names one of the files and points inside it.
    static func expectLocationsInside(_ result: Result<CheckedProgram, Diagnostics>, model: String, properties: String?)
    {
        guard case .failure(let diagnostics) = result else { return }
        #expect(!diagnostics.items.isEmpty)
        for item in diagnostics.items {
            let text: String
            switch item.location.file {
            case "m.prism": text = model
            case "p.csl": text = properties ?? ""
            default:
                Issue.record("diagnostic names an unknown file: \(item)")
                continue
            }
            let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            #expect(item.location.line >= 1 && item.location.line <= lines.count, "\(item)")
            guard item.location.line >= 1 && item.location.line <= lines.count else { continue }
            let length = String(decoding: lines[item.location.line - 1], as: UTF8.self).count
            #expect(item.location.column >= 1 && item.location.column <= length + 1, "\(item)")
            #expect(!item.message.isEmpty)
        }
    }

    static func checkBoth(model: String, properties: String?) {
        let result = check(model, properties: properties)
        expectLocationsInside(result, model: model, properties: properties)
    }

    @Test func theValidModelChecks() throws {
        let program = try checked(Self.validModel, properties: Self.validProperties)
        #expect(program.properties.count == 4)
    }

    @Test func tokenSoupNeverCrashes() async {
        let soup = Gen.element(of: Self.vocabulary).array(of: 0...60).map {
            $0.compactMap { $0 }.joined(separator: " ")
        }
        await propertyCheck(count: 300, input: soup) { text in
            Self.checkBoth(model: text, properties: nil)
            Self.checkBoth(model: Self.validModel, properties: text)
        }
    }

    @Test func tokenSoupAfterAValidPrefixNeverCrashes() async {
        let soup = Gen.element(of: Self.vocabulary).array(of: 1...30).map {
            $0.compactMap { $0 }.joined(separator: " ")
        }
        let prefix = "ctmc\nconst int N = 2;\nmodule m\n x : [0..N];\n"
        await propertyCheck(count: 200, input: soup) { text in
            Self.checkBoth(model: prefix + text, properties: nil)
        }
    }

    @Test func randomCharactersNeverCrash() async {
        let characters = Gen<Character>.character(in: " "..."~").array(of: 0...80).map { String($0) }
        await propertyCheck(count: 200, input: characters) { text in
            Self.checkBoth(model: text, properties: text)
        }
    }

    /// One edit of a text: its kind and two positions (taken modulo the length).
    enum Edit: Int, CaseIterable {
        case deleteCharacter, insertCharacter, duplicateSlice, swapCharacters, deleteToken, duplicateToken, swapTokens
    }

    static func apply(_ edits: [(Int, Int, Int)], to text: String) -> String {
        var characters = Array(text)
        for (kindIndex, first, second) in edits {
            guard !characters.isEmpty else { break }
            let a = first % characters.count
            let b = second % characters.count
            switch Edit.allCases[kindIndex % Edit.allCases.count] {
            case .deleteCharacter:
                characters.remove(at: a)
            case .insertCharacter:
                let pool = Array("()[]{};:=<>!&|'\"-+*/?.,0123456789 \nxyzPFGU")
                characters.insert(pool[b % pool.count], at: a)
            case .duplicateSlice:
                let (low, high) = (min(a, b), min(max(a, b), min(a, b) + 40))
                characters.insert(contentsOf: characters[low..<high], at: high)
            case .swapCharacters:
                characters.swapAt(a, b)
            case .deleteToken, .duplicateToken, .swapTokens:
                var words = String(characters).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
                guard !words.isEmpty else { break }
                let i = a % words.count
                let j = b % words.count
                switch Edit.allCases[kindIndex % Edit.allCases.count] {
                case .deleteToken: words.remove(at: i)
                case .duplicateToken: words.insert(words[i], at: j)
                default: words.swapAt(i, j)
                }
                characters = Array(words.joined(separator: " "))
            }
        }
        return String(characters)
    }

    static let edits = zip(Gen.int(in: 0...6), Gen.int(in: 0...100_000), Gen.int(in: 0...100_000))
        .array(of: 1...6)

    @Test func mutatedModelsNeverCrash() async {
        await propertyCheck(count: 400, input: Self.edits) { edits in
            let mutated = Self.apply(edits, to: Self.validModel)
            Self.checkBoth(model: mutated, properties: Self.validProperties)
        }
    }

    @Test func mutatedPropertiesNeverCrash() async {
        await propertyCheck(count: 300, input: Self.edits) { edits in
            let mutated = Self.apply(edits, to: Self.validProperties)
            Self.checkBoth(model: Self.validModel, properties: mutated)
        }
    }

    /// Regression: a keyword followed by `:` in a module once made the parser loop forever.
    @Test func reservedNameBeforeColonTerminates() throws {
        let found = try diagnostics("ctmc\nmodule m\n module : x\nendmodule")
        #expect(found.first?.message == "expected a variable name, found the keyword 'module' (PRISM reserves it)")
    }

    /// Regression: after one "nested too deeply" error every later expression failed too.
    @Test func nestingLimitResetsAfterAnError() throws {
        let nested = String(repeating: "(", count: 2000) + "1" + String(repeating: ")", count: 2000)
        let found = try diagnostics("ctmc\nconst int N = \(nested);\nconst int M = 1 + ;\nmodule m x : bool; endmodule")
        #expect(summaries(found).count == 2)
        #expect(found.last?.message == "expected an expression, found ';'")
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let nested = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        let found = try diagnostics("ctmc\nconst int N = \(nested);\nmodule m x : bool; endmodule")
        #expect(found.first?.message.hasPrefix("expression nested too deeply: more than 100 levels") == true)
        let minus = String(repeating: "-", count: 5000) + "1"
        #expect(
            try diagnostics("ctmc\nconst int N = \(minus);").first?.message.hasPrefix("expression nested too deeply")
                == true)
    }
}
