/// The shapes of the AWS identifiers broker checks before calling STS. Hand-written rather
/// than regular expressions: NSRegularExpression compiles ICU's Unicode tables on first use,
/// a few milliseconds on every login, and STS's own rules are ASCII.
enum AWSIdentifiers {
    /// `arn:aws[a-z-]*:iam::<12 digits>:role/<[\w+=,.@/-]+>`
    static func isRoleARN(_ text: String) -> Bool {
        matchesIAM(text, resource: "role/", allowAWSAccount: false)
    }

    /// `arn:aws[a-z-]*:iam::(<12 digits>|aws):policy/<[\w+=,.@/-]+>`
    static func isPolicyARN(_ text: String) -> Bool {
        matchesIAM(text, resource: "policy/", allowAWSAccount: true)
    }

    /// `[a-z]{2}(-[a-z]+)+-\d+`, e.g. us-east-1, us-gov-west-1, cn-north-1.
    static func isRegion(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, let last = parts.last, !last.isEmpty, last.allSatisfy(\.isASCIIDigit) else { return false }
        guard parts[0].count == 2, parts[0].allSatisfy(\.isASCIILowercase) else { return false }
        return parts.dropFirst().dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCIILowercase) }
    }

    /// STS's role session name alphabet, `[\w+=,.@-]`.
    static func isSessionNameCharacter(_ character: Character) -> Bool {
        character.isASCIIWord || "+=,.@-".contains(character)
    }

    private static func matchesIAM(_ text: String, resource: String, allowAWSAccount: Bool) -> Bool {
        let fields = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "arn", fields[2] == "iam", fields[3].isEmpty else { return false }
        let partition = fields[1]
        guard partition.hasPrefix("aws"), partition.dropFirst(3).allSatisfy({ $0.isASCIILowercase || $0 == "-" }) else { return false }
        let account = fields[4]
        guard (account.count == 12 && account.allSatisfy(\.isASCIIDigit)) || (allowAWSAccount && account == "aws") else { return false }
        guard fields[5].hasPrefix(resource) else { return false }
        let path = fields[5].dropFirst(resource.count)
        return !path.isEmpty && path.allSatisfy { isSessionNameCharacter($0) || $0 == "/" }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIILowercase: Bool { ("a"..."z").contains(self) }
    /// `\w` in ASCII: letters, digits and underscore.
    var isASCIIWord: Bool { isASCII && (isLetter || isNumber || self == "_") }
}
