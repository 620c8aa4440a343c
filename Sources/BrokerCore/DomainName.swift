/// A DNS name of at least two labels (RFC 1123: letters, digits and inner hyphens, 1-63 per
/// label, 253 in all): a universe domain, a tenant's verified domain, an e-mail's host.
public enum DomainName {
    public static func isValid(_ name: String) -> Bool {
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        return name.count <= 253 && labels.count >= 2 && labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}
