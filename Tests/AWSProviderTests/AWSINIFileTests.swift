@testable import AWSProvider
import BrokerCore
import Foundation
import Testing

@Suite struct AWSINIFileTests {
    /// Everything botocore would see in the document, as our model reads it.
    func model(_ file: AWSINIFile) -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        for section in file.sections {
            var values: [String: String] = [:]
            for key in file.keys(section: section) { values[key] = file.value(section: section, key: key) }
            result[section] = values
        }
        return result
    }

    static let tricky = [
        "[default]\naws_access_key_id=AKIA1\n",
        "# top comment\n; another\n\n[default]\n  region :  eu-west-1   \nOutput = json # not a comment\n",
        "[a]\nkey = first\n  second\n\n    third\n# comment inside\n  fourth\n\n[b]\nx: y\n",
        "[a]\r\nk = v\r\n\r\n[b]\r\nk2 = v2",
        "[a]\n  x = 1\n  [b]\n  y = 2\n",
        "[a]\nx = 1\n  [not a header]\n",
        "[profile dev]\ns3 =\n  addressing_style = path\n  max_concurrent_requests = 10\nregion=us-east-1\n",
        "[a]\nk = v\n\t# indented comment\n\tmore\n",
        "[weird]]\nk=a=b:c\nq:r=s\n",
        "[a]\nempty =\nalso:\n",
        "\n\n[a]\nk=v\n\n\n",
        "[a]\nk=v\rl=w\r",
    ]

    @Test(arguments: tricky)
    func readsWhatConfigParserReads(_ text: String) throws {
        let file = try AWSINIFile(text: text, path: "t")
        #expect(try readTextWithConfigParser(text) == .sections(model(file)))
    }

    @Test(arguments: tricky)
    func roundTripsByteForByte(_ text: String) throws {
        #expect(try AWSINIFile(text: text, path: "t").text == text)
    }

    @Test func valuesFollowBotocoreRules() throws {
        let file = try AWSINIFile(text: """
            [default]
            AWS_Access_Key_ID : AKIAEXAMPLE
            region=eu-west-1 # staging
            ; region = us-east-1
            multi = one
              two
            """, path: "t")
        #expect(file.value(section: "default", key: "aws_access_key_id") == "AKIAEXAMPLE")
        #expect(file.value(section: "default", key: "AWS_ACCESS_KEY_ID") == "AKIAEXAMPLE")
        #expect(file.value(section: "default", key: "region") == "eu-west-1 # staging")
        #expect(file.value(section: "default", key: "multi") == "one\ntwo")
        #expect(file.value(section: "default", key: "missing") == nil)
        #expect(file.value(section: "Default", key: "region") == nil)
        #expect(file.keys(section: "default") == ["aws_access_key_id", "region", "multi"])
    }

    @Test func updatesAKeyInPlaceKeepingItsSpellingAndSeparator() throws {
        var file = try AWSINIFile(text: "[a]\nAWS_Session_Token :  old\nother=1\n", path: "t")
        try file.set(section: "a", values: [("aws_session_token", "new")])
        #expect(file.text == "[a]\nAWS_Session_Token :  new\nother=1\n")
        try file.set(section: "a", values: [("other", "2")])
        #expect(file.text == "[a]\nAWS_Session_Token :  new\nother=2\n")
    }

    @Test func replacingAMultiLineValueDropsItsContinuationLines() throws {
        var file = try AWSINIFile(text: "[a]\nk = one\n  two\n# keep me\n  three\nz = 1\n", path: "t")
        try file.set(section: "a", values: [("k", "single")])
        #expect(file.text == "[a]\nk = single\n# keep me\nz = 1\n")
    }

    @Test func appendsNewKeysAfterTheLastKeyBeforeTrailingBlankLinesAndComments() throws {
        var file = try AWSINIFile(text: "[a]\nx = 1\n\n# about b\n[b]\ny = 2\n", path: "t")
        try file.set(section: "a", values: [("new1", "v1"), ("new2", "v2")])
        #expect(file.text == "[a]\nx = 1\nnew1 = v1\nnew2 = v2\n\n# about b\n[b]\ny = 2\n")
    }

    @Test func appendsAfterAMultiLineValue() throws {
        var file = try AWSINIFile(text: "[a]\ns3 =\n  addressing_style = path\n\n[b]\n", path: "t")
        try file.set(section: "a", values: [("region", "eu-west-1")])
        #expect(file.text == "[a]\ns3 =\n  addressing_style = path\nregion = eu-west-1\n\n[b]\n")
        #expect(file.value(section: "a", key: "s3") == "\naddressing_style = path")
    }

    @Test func newKeysKeepTheIndentSoAnIndentedHeaderStaysAHeader() throws {
        var file = try AWSINIFile(text: "[a]\n  x = 1\n  [b]\n  y = 2\n", path: "t")
        try file.set(section: "a", values: [("z", "3")])
        #expect(file.text == "[a]\n  x = 1\n  z = 3\n  [b]\n  y = 2\n")
        #expect(try readTextWithConfigParser(file.text) == .sections(["a": ["x": "1", "z": "3"], "b": ["y": "2"]]))
    }

    @Test func aKeyAddedToAnEmptySectionMatchesADeeperNextHeader() throws {
        var file = try AWSINIFile(text: "[a]\n\n  [b]\nk=1\n", path: "t")
        try file.set(section: "a", values: [("k", "new")])
        #expect(file.text == "[a]\n  k = new\n\n  [b]\nk=1\n")
        #expect(try readTextWithConfigParser(file.text) == .sections(["a": ["k": "new"], "b": ["k": "1"]]))
    }

    @Test func removingASectionNeverTurnsTheNextHeaderIntoAContinuation() throws {
        var file = try AWSINIFile(text: "[p]\ny = 1\n[a]\n  [b]\nz=2\n", path: "t")
        file.removeSection("a")
        #expect(file.text == "[p]\ny = 1\n[b]\nz=2\n")
        #expect(try readTextWithConfigParser(file.text) == .sections(["p": ["y": "1"], "b": ["z": "2"]]))
    }

    @Test func createsAMissingSectionAtTheEndAfterOneBlankLine() throws {
        var file = try AWSINIFile(text: "[a]\nx = 1\n", path: "t")
        try file.set(section: "new", values: [("k", "v")])
        #expect(file.text == "[a]\nx = 1\n\n[new]\nk = v\n")

        // Always exactly one separator, even after a blank line, so that removing the section
        // again (logout) gives back the file byte for byte.
        var spaced = try AWSINIFile(text: "[a]\nx = 1\n\n", path: "t")
        try spaced.set(section: "new", values: [("k", "v")])
        #expect(spaced.text == "[a]\nx = 1\n\n\n[new]\nk = v\n")
        spaced.removeSection("new")
        #expect(spaced.text == "[a]\nx = 1\n\n")

        var empty = try AWSINIFile(text: "", path: "t")
        try empty.set(section: "default", values: [("k", "v"), ("empty", "")])
        #expect(empty.text == "[default]\nk = v\nempty =\n")
    }

    @Test func keepsCRLFAndAMissingFinalNewline() throws {
        var file = try AWSINIFile(text: "[a]\r\nx = 1", path: "t")
        try file.set(section: "a", values: [("y", "2")])
        #expect(file.text == "[a]\r\nx = 1\r\ny = 2")
        try file.set(section: "b", values: [("z", "3")])
        #expect(file.text == "[a]\r\nx = 1\r\ny = 2\r\n\r\n[b]\r\nz = 3")
        file.removeSection("b")
        #expect(file.text == "[a]\r\nx = 1\r\ny = 2")
    }

    @Test func removesKeysWithTheirContinuationLines() throws {
        var file = try AWSINIFile(text: "[a]\nk = one\n  two\nKeep = 1\nx=2\n", path: "t")
        file.remove(section: "a", keys: ["K", "x", "absent"])
        #expect(file.text == "[a]\nKeep = 1\n")
        file.remove(section: "nope", keys: ["keep"])
        #expect(file.text == "[a]\nKeep = 1\n")
        file.remove(section: "a", keys: ["keep"])
        #expect(file.text == "[a]\n")
        #expect(file.isBare(section: "a"))
    }

    @Test func removesASectionButKeepsTheCommentsThatIntroduceTheNextOne() throws {
        var file = try AWSINIFile(text: "[p]\ny=2\n\n[a]\n# mine\nx=1\n\n# work account\n[work]\nz=3\n", path: "t")
        file.removeSection("a")
        #expect(file.text == "[p]\ny=2\n\n# work account\n[work]\nz=3\n")

        var last = try AWSINIFile(text: "[p]\ny=2\n\n[a]\nx=1\n\n", path: "t")
        last.removeSection("a")
        #expect(last.text == "[p]\ny=2\n")

        var middle = try AWSINIFile(text: "[p]\ny=2\n\n[a]\nx=1\n\n[b]\n", path: "t")
        middle.removeSection("a")
        #expect(middle.text == "[p]\ny=2\n\n[b]\n")
    }

    @Test func isBareOnlyWithoutKeysAndComments() throws {
        let file = try AWSINIFile(text: "[a]\n\n[b]\n# note\n[c]\nk=v\n", path: "t")
        #expect(file.isBare(section: "a"))
        #expect(!file.isBare(section: "b"))
        #expect(!file.isBare(section: "c"))
        #expect(!file.isBare(section: "missing"))
    }

    @Test func aDuplicateKeyIsAUsageErrorNamingFileSectionAndKey() throws {
        let text = "[other]\nregion = x\n[dev]\naws_access_key_id = A\nAWS_ACCESS_KEY_ID = B\n"
        #expect(try readTextWithConfigParser(text) == .error("DuplicateOptionError"))
        let error = try #require(throws: BrokerError.self) { try AWSINIFile(text: text, path: "/home/u/.aws/credentials") }
        #expect(error.kind == .usage)
        #expect(error.message.contains("/home/u/.aws/credentials"))
        #expect(error.message.contains("line 5"))
        #expect(error.message.contains("[dev]"))
        #expect(error.message.contains("aws_access_key_id"))
    }

    @Test(arguments: [
        ("[a]\n[a]\n", "DuplicateSectionError"),
        ("k = v\n[a]\n", "MissingSectionHeaderError"),
        ("[a]\nSECRETVALUE\n", "ParsingError"),
        ("[a]\n= SECRETVALUE\n", "ParsingError"),
    ])
    func whatConfigParserRefusesIsRefused(_ text: String, _ pythonError: String) throws {
        #expect(try readTextWithConfigParser(text) == .error(pythonError))
        let error = try #require(throws: BrokerError.self) { try AWSINIFile(text: text, path: "f") }
        #expect(error.kind == .usage)
        #expect(!error.description.contains("SECRETVALUE"))
    }

    @Test func rejectsKeysAndValuesThatWouldReadBackDifferently() throws {
        var file = try AWSINIFile(text: "", path: "t")
        for key in ["", "a=b", "a:b", "#x", ";x", "[x", " x", "a\nb"] {
            #expect(throws: BrokerError.self) { try file.set(section: "s", values: [(key, "v")]) }
        }
        for value in ["a\nb", " padded", "padded ", "a\rb"] {
            let error = try #require(throws: BrokerError.self) { try file.set(section: "s", values: [("k", value)]) }
            #expect(!error.description.contains("padded"))
        }
        #expect(throws: BrokerError.self) { try file.set(section: "a\nb", values: []) }
        #expect(file.text == "")
    }

    @Test func rejectsBytesThatAreNotUTF8() throws {
        #expect(throws: BrokerError.self) { try AWSINIFile(contents: Data([0x5B, 0xFF, 0x5D]), path: "f") }
        #expect(try AWSINIFile(contents: nil, path: "f").text == "")
        // configparser does not skip a BOM, so botocore refuses such a file: say why.
        let bom = Data([0xEF, 0xBB, 0xBF]) + Data("[a]\nk = v\n".utf8)
        let error = try #require(throws: BrokerError.self) { try AWSINIFile(contents: bom, path: "f") }
        #expect(error.message.contains("byte order mark"))
        let path = temporaryDirectory() + "/bom"
        try bom.write(to: URL(fileURLWithPath: path))
        #expect(try readWithConfigParser(path) == .error("MissingSectionHeaderError"))
    }

    @Test func configSectionNamesFollowBotocore() throws {
        #expect(AWSINIFile.configSectionName(profile: "default") == "default")
        #expect(AWSINIFile.configSectionName(profile: "dev") == "profile dev")
        let file = try AWSINIFile(text: """
            [default]
            [profile  dev]
            [profile "qa"]
            [profilex]
            [prod]
            [profile prod extra]
            """, path: "t")
        #expect(file.configSection(profile: "default") == "default")
        #expect(file.configSection(profile: "dev") == "profile  dev")
        #expect(file.configSection(profile: "qa") == "profile \"qa\"")
        #expect(file.configSection(profile: "prod") == nil)
        #expect(file.configSection(profile: "x") == nil)
        // botocore keeps the last section that names the profile.
        let both = try AWSINIFile(text: "[profile default]\n[default]\n[profile a]\n[profile  a]\n", path: "t")
        #expect(both.configSection(profile: "default") == "default")
        #expect(both.configSection(profile: "a") == "profile  a")
    }

    @Test func editedDocumentsStillReadTheSameInConfigParser() throws {
        var file = try AWSINIFile(text: Self.tricky[2] + Self.tricky[6], path: "t")
        try file.set(section: "a", values: [("key", "replaced"), ("added", "yes")])
        try file.set(section: "profile dev", values: [("region", "eu-central-1"), ("output", "text")])
        file.remove(section: "b", keys: ["x"])
        try file.set(section: "c", values: [("k", "v # hash kept")])
        let reparsed = try AWSINIFile(text: file.text, path: "t")
        #expect(try readTextWithConfigParser(file.text) == .sections(model(reparsed)))
        #expect(reparsed.value(section: "a", key: "key") == "replaced")
        #expect(reparsed.value(section: "c", key: "k") == "v # hash kept")
        #expect(reparsed.value(section: "profile dev", key: "region") == "eu-central-1")
    }

    /// Random documents built from the awkward parts of the format: our reading, our errors and
    /// our edits must agree with configparser's on every one of them.
    @Test func randomDocumentsAgreeWithConfigParser() throws {
        let parts = ["[a]", "[b]", "  [a]", "  [b]", "[profile d]", "k = v", "K: w", "  k = x", "k2=y # h", "\tcont",
                     "    deeper", "# c", "  ; c", "", "   ", "z", "= y", "[]", "[x]y]", "k3 :", "b = a=b", "    [b]", "  [profile d]"]
        let endings = ["\n", "\n", "\n", "\r\n", "\r"]
        var random = SeededGenerator(state: 2026)
        let root = temporaryDirectory()
        var texts: [String] = []
        for _ in 0 ..< 1500 {
            let ending = endings.randomElement(using: &random)!
            let count = Int.random(in: 0 ... 9, using: &random)
            var text = (0 ..< count).map { _ in parts.randomElement(using: &random)! + ending }.joined()
            if Bool.random(using: &random) && text.hasSuffix(ending) { text.removeLast(ending.count) }
            texts.append(text)
        }
        var paths: [String] = []
        var edited: [(index: Int, file: AWSINIFile, expected: [String: [String: String]])] = []
        for (index, text) in texts.enumerated() {
            paths.append(root + "/\(index).ini")
            try writeText(text, to: paths.last!)
            guard var file = try? AWSINIFile(text: text, path: "t") else { continue }
            var expected = model(file)
            try file.set(section: "a", values: [("k", "new"), ("z", "1")])
            file.remove(section: "b", keys: ["k"])
            file.removeSection("profile d")
            expected["profile d"] = nil
            expected["a", default: [:]]["k"] = "new"
            expected["a"]!["z"] = "1"
            expected["b"]?["k"] = nil
            edited.append((index, file, expected))
        }
        for (index, file) in edited.map({ ($0.index, $0.file) }) {
            paths.append(root + "/\(index).edited.ini")
            try writeText(file.text, to: paths.last!)
        }
        let answers = try readAllWithConfigParser(paths)
        for (index, text) in texts.enumerated() {
            let ours = try? AWSINIFile(text: text, path: "t")
            switch answers[index] {
            case .error(let name):
                #expect(ours == nil, "configparser raised \(name) on \(text.debugDescription)")
            case .sections(let sections):
                #expect(ours.map(model) == sections, "\(text.debugDescription)")
                #expect(ours?.text == text)
            }
        }
        for (offset, edit) in edited.enumerated() {
            #expect(answers[texts.count + offset] == .sections(edit.expected),
                    "editing \(texts[edit.index].debugDescription) gave \(edit.file.text.debugDescription)")
        }
    }
}
