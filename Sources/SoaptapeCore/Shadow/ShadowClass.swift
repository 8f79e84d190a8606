/// How a candidate's difference from the primary is classed, as `compare` and contract replay class changes.
public enum ShadowClass: String, Codable, Sendable, CaseIterable {
    /// Something a client of the primary's contract cannot read: a missing element, another namespace, a fault or
    /// HTTP status on one side only, a value the primary's schema or type refuses.
    case breaking
    /// Something the candidate adds (an element, an attribute): existing clients ignore it.
    case additive
    /// A value that differs where the primary's own second answer agreed with the first.
    case value

    /// What to do about a difference of this class, in one sentence.
    public var hint: String {
        switch self {
        case .breaking:
            "A client built against the primary's contract cannot read this answer: fix the candidate, or treat the "
                + "version change as breaking for this operation."
        case .additive:
            "The candidate adds this and clients of the primary's contract ignore it; it fails only under "
                + "--fail-on any."
        case .value:
            "The candidate answers another value than the primary for the same request while the primary's second "
                + "answer agreed with its first: a regression unless the change is intended (--ignore PATH if it "
                + "changes from call to call)."
        }
    }
}
