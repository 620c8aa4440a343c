import BrokerCore

/// What an audience may be: 1 to 256 characters, none of them a control character or an
/// invisible bidirectional override (which make one audience display as another in a log or
/// a trust policy). Checked for `idp token` and for every `/token` request.
public enum AudienceRule {
    public static let maxLength = 256

    /// nil when acceptable, else what is wrong (without echoing the value).
    public static func problem(_ audience: String) -> String? {
        if audience.isEmpty { return "is empty" }
        if audience.count > maxLength { return "is longer than \(maxLength) characters" }
        for scalar in audience.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .unassigned, .privateUse, .surrogate:
                return "contains the invisible or control character U+\(String(scalar.value, radix: 16, uppercase: true))"
            default: continue
            }
        }
        return nil
    }

    public static func check(_ audience: String, name: String = "--audience") throws {
        if let problem = problem(audience) {
            throw BrokerError.usage("\(name) \(problem)", hint: "an audience is a printable name such as sts.amazonaws.com")
        }
    }
}
