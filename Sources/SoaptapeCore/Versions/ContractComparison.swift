import Foundation

/// What changed in one operation between two versions, and whether existing clients break.
public struct ContractChange: Codable, Equatable, Sendable {
    /// Whether existing clients keep working.
    public enum Impact: String, Codable, Sendable {
        /// Existing clients may fail: an operation or response element removed or retyped, a request element that
        /// becomes required, order changed, …
        case breaking
        /// Existing clients keep working: a new operation, a new optional request element, a new response element.
        case additive
    }

    /// `Favourite/ToggleFavourite`.
    public var operation: String
    /// What changed: `operation-added`, `element-removed`, `element-retyped`, …
    public var kind: String
    /// `request`, `response`, or nil for the operation as a whole.
    public var message: String?
    /// The element's path below the Body (`/GetSaleResponse/Response/Amount`), when an element changed.
    public var path: String?
    /// What the old version has.
    public var old: String?
    /// What the new version has.
    public var new: String?
    /// Breaking or additive.
    public var impact: Impact
    /// Why it is classed so, in a sentence.
    public var reason: String
}

/// Compares two contracts operation by operation, namespaces mapped across versions (operations match by agent and
/// name; elements by local name; actions with `ServicesNN` normalised).
public struct ContractComparison: Sendable {
    /// The old side.
    public var old: ServiceContract
    /// The new side.
    public var new: ServiceContract
    /// Every change, operations in name order.
    public var changes: [ContractChange]
    /// Operations present on both sides with no change.
    public var unchanged: [String]

    /// Compares `old` with `new`, limited to `operations` (`Agent/Operation` or `Operation`) when given.
    public init(old: ServiceContract, new: ServiceContract, operations: [String] = []) {
        self.old = old
        self.new = new
        func wanted(_ key: String) -> Bool {
            operations.isEmpty || operations.contains(key) || operations.contains(String(key.split(separator: "/").last ?? ""))
        }
        let keys = Set(old.operations.keys).union(new.operations.keys).filter(wanted).sorted()
        var changes: [ContractChange] = []
        var unchanged: [String] = []
        let occurrences = old.knowsOccurrences && new.knowsOccurrences
        for key in keys {
            switch (old.operations[key], new.operations[key]) {
            case (nil, .some):
                changes.append(ContractChange(operation: key, kind: "operation-added", impact: .additive,
                                              reason: "a new operation; existing clients do not call it"))
            case (.some, nil):
                changes.append(ContractChange(operation: key, kind: "operation-removed", impact: .breaking,
                                              reason: "clients that call it will get a fault"))
            case (.some(let before), .some(let after)):
                var found: [ContractChange] = []
                if let a = before.action, let b = after.action, Self.normalised(a) != Self.normalised(b) {
                    found.append(ContractChange(operation: key, kind: "action-changed", old: a, new: b, impact: .breaking,
                                                reason: "clients send the old SOAP action"))
                }
                for (message, a, b) in [("request", before.request, after.request), ("response", before.response, after.response)] {
                    guard let a, let b else { continue }
                    Self.compare(a, b, path: "", operation: key, message: message, occurrences: occurrences, into: &found)
                }
                if found.isEmpty { unchanged.append(key) } else { changes += found }
            case (nil, nil):
                break
            }
        }
        self.changes = changes
        self.unchanged = unchanged
    }

    /// True when any change breaks existing clients.
    public var hasBreakingChanges: Bool { changes.contains { $0.impact == .breaking } }

    static func normalised(_ action: String) -> String {
        action.replacingOccurrences(of: #"Services\d+"#, with: "ServicesNN", options: .regularExpression)
    }

    /// How a facet's change moves the value space: narrowed (fewer values allowed), widened, or just changed.
    private enum Direction { case narrowed, widened, changed }

    /// Changes between two value spaces of one element, classed by direction: in a request a narrower space
    /// refuses what existing clients send; in a response a wider one sends what they cannot read.
    private static func compareValues(
        _ a: ValueSpace, _ b: ValueSpace, request: Bool, what: String,
        add: (String, String?, String?, ContractChange.Impact, String) -> Void
    ) {
        func impact(_ direction: Direction) -> ContractChange.Impact {
            switch direction {
            case .changed: .breaking
            case .narrowed: request ? .breaking : .additive
            case .widened: request ? .additive : .breaking
            }
        }
        func reason(_ direction: Direction) -> String {
            switch (direction, request) {
            case (.changed, _): "values valid before may be refused now, and the reverse"
            case (.narrowed, true): "the server may refuse values existing clients send"
            case (.narrowed, false): "existing clients still read every value the server sends"
            case (.widened, true): "existing clients' values stay valid"
            case (.widened, false): "existing clients may receive values they do not accept"
            }
        }
        guard a.variety == b.variety else {
            add("value-type-changed", what + a.variety.rawValue, what + b.variety.rawValue, .breaking,
                "the value's form changed (\(a.variety.rawValue) → \(b.variety.rawValue)); existing messages have the old one")
            return
        }
        switch a.variety {
        case .list:
            if let x = a.members.first, let y = b.members.first {
                compareValues(x, y, request: request, what: what + "list item ", add: add)
            }
            return
        case .union:
            for (x, y) in zip(a.members, b.members) { compareValues(x, y, request: request, what: what + "union member ", add: add) }
            if a.members.count != b.members.count {
                let direction: Direction = b.members.count > a.members.count ? .widened : .narrowed
                add("union-members-changed", "\(a.members.count) member types", "\(b.members.count) member types",
                    impact(direction), reason(direction))
            }
            return
        case .atomic:
            break
        }
        if let x = a.base, let y = b.base, x != y {
            add("value-base-changed", what + x, what + y, .breaking, "the value's base type changed")
        }
        switch (a.enumerations, b.enumerations) {
        case (let old?, let new?):
            let added = new.filter { !old.contains($0) }
            let removed = old.filter { !new.contains($0) }
            if !added.isEmpty {
                add("enumeration-values-added", nil, what + added.joined(separator: ", "), request ? .additive : .breaking,
                    request ? "existing clients never send the new values"
                        : "existing clients may receive a value they do not know (.NET's DataContractSerializer refuses "
                        + "an unknown enumeration value)")
            }
            if !removed.isEmpty {
                add("enumeration-values-removed", what + removed.joined(separator: ", "), nil,
                    request ? .breaking : .additive,
                    request ? "existing clients may still send them and the server refuses them"
                        : "existing clients no longer receive them")
            }
        case (nil, let new?):
            add("enumeration-added", nil, what + new.joined(separator: ", "), impact(.narrowed), reason(.narrowed))
        case (let old?, nil):
            add("enumeration-removed", what + old.joined(separator: ", "), nil, impact(.widened), reason(.widened))
        case (nil, nil):
            break
        }
        for name in Set(a.facets.keys).union(b.facets.keys).sorted() {
            let old = a.facets[name]
            let new = b.facets[name]
            guard old != new else { continue }
            let direction: Direction
            switch (old, new) {
            case (nil, _): direction = .narrowed
            case (_, nil): direction = .widened
            case (let x?, let y?):
                if let x = Double(x), let y = Double(y), !["length", "pattern", "whiteSpace"].contains(name) {
                    let upper = name.hasPrefix("max") || name == "totalDigits" || name == "fractionDigits"
                    direction = (upper ? y < x : y > x) ? .narrowed : .widened
                } else {
                    direction = .changed
                }
            }
            let kind = direction == .narrowed ? "facet-narrowed" : direction == .widened ? "facet-widened" : "facet-changed"
            add(kind, old.map { "\(what)\(name) \($0)" }, new.map { "\(what)\(name) \($0)" }, impact(direction),
                reason(direction))
        }
    }

    private static func compare(_ a: ElementShape, _ b: ElementShape, path: String, operation: String, message: String,
                                occurrences: Bool, into changes: inout [ContractChange]) {
        let here = path + "/" + a.name
        let request = message == "request"
        func add(_ kind: String, _ old: String?, _ new: String?, _ impact: ContractChange.Impact, _ reason: String,
                 at where: String? = nil) {
            changes.append(ContractChange(operation: operation, kind: kind, message: message, path: `where` ?? here,
                                          old: old, new: new, impact: impact, reason: reason))
        }
        if let old = a.type, let new = b.type, old != new {
            add("element-retyped", old, new, .breaking, request
                ? "the server expects another type than existing clients send"
                : "existing clients read the old type")
        }
        // The values of one type (a retyped element is reported as such): a restriction added to or dropped from
        // an inline type reads as a bare one on the other side.
        if a.type == b.type, a.values != nil || b.values != nil {
            compareValues(a.values ?? ValueSpace(variety: .atomic), b.values ?? ValueSpace(variety: .atomic),
                          request: request, what: "", add: { add($0, $1, $2, $3, $4) })
        }
        if occurrences {
            if a.minOccurs == 0 && b.minOccurs > 0 {
                add("element-made-required", "optional", "required", request ? .breaking : .additive, request
                    ? "existing clients may leave it out" : "it is now always present")
            } else if a.minOccurs > 0 && b.minOccurs == 0 {
                add("element-made-optional", "required", "optional", request ? .additive : .breaking, request
                    ? "existing clients still send it" : "existing clients may expect it always")
            }
            if !a.repeating && b.repeating {
                add("element-made-repeating", "single", "repeating", request ? .additive : .breaking, request
                    ? "one is still accepted" : "existing clients read one value where several may come")
            } else if a.repeating && !b.repeating {
                add("element-made-single", "repeating", "single", request ? .breaking : .additive, request
                    ? "existing clients may send several" : "one still reads as a list")
            }
            if a.nillable == false && b.nillable == true && !request {
                add("element-made-nillable", "not nillable", "nillable", .breaking, "existing clients may not expect nil")
            }
        }
        // Children: by name; the order of those on both sides must hold.
        let oldNames = a.children.map(\.name)
        let newNames = b.children.map(\.name)
        for child in a.children where !newNames.contains(child.name) {
            add("element-removed", child.type ?? "element", nil, .breaking, request
                ? "existing clients still send it and the server no longer accepts it"
                : "existing clients read it", at: here + "/" + child.name)
        }
        for child in b.children where !oldNames.contains(child.name) {
            let required = request && occurrences && child.minOccurs > 0
            let reason = !request ? "a new element existing clients can ignore"
                : required ? "a new required element existing clients do not send"
                : occurrences ? "a new optional element"
                : "a new element; specs do not say whether it is required (compare the WSDLs to know)"
            add("element-added", nil, child.type ?? "element", required ? .breaking : .additive, reason,
                at: here + "/" + child.name)
        }
        let common = oldNames.filter(newNames.contains)
        let commonNew = newNames.filter(oldNames.contains)
        if common != commonNew {
            add("elements-reordered", common.joined(separator: ", "), commonNew.joined(separator: ", "), .breaking,
                "a schema sequence fixes the order; existing messages have the old one")
        }
        for child in a.children {
            if let match = b.children.first(where: { $0.name == child.name }) {
                compare(child, match, path: here, operation: operation, message: message, occurrences: occurrences,
                        into: &changes)
            }
        }
    }
}
