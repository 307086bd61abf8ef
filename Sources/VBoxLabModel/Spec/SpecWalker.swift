/// Typed reads from a `JSONValue` that record a diagnostic (with the JSON path)
/// instead of stopping, so one run reports every problem of a file.
struct SpecWalker {
    let file: String
    private(set) var diagnostics: [SpecDiagnostic] = []

    init(file: String) { self.file = file }

    mutating func error(_ path: String, _ message: String) {
        diagnostics.append(SpecDiagnostic(file: file, path: path, message: message))
    }

    /// The object's members, after reporting keys not in `keys` with a "did you mean".
    mutating func object(_ value: JSONValue, at path: String, keys: [String]) -> [String: JSONValue]? {
        guard case .object(let members) = value else {
            error(path, "expected an object, found \(value.shortDescription)")
            return nil
        }
        for key in members.keys.sorted() where !keys.contains(key) {
            var message = "unknown key \(quoted(key))"
            if let near = suggestion(for: key, among: keys) { message += "; did you mean \"\(near)\"?" }
            message += " (valid keys: \(keys.joined(separator: ", ")))"
            error(join(path, key.escapedOnOneLine), message)
        }
        return members
    }

    mutating func string(_ members: [String: JSONValue], _ key: String, at path: String, required: String? = nil)
        -> String?
    {
        let p = join(path, key)
        guard let value = members[key] else {
            if let required { error(p, "missing: \(required)") }
            return nil
        }
        guard case .string(let s) = value else {
            error(p, "expected a string, found \(value.shortDescription)")
            return nil
        }
        return s
    }

    /// A string that ends up as one word of a command line (an ssh host or user): never
    /// empty, never read as an option (a leading `-`), no white space or control characters.
    mutating func commandWord(_ members: [String: JSONValue], _ key: String, at path: String, what: String) -> String? {
        guard let s = string(members, key, at: path) else { return nil }
        let p = join(path, key)
        if s.isEmpty {
            error(p, "the \(what) is empty")
        } else if s.hasPrefix("-") {
            error(p, "\(quoted(s)) is not a \(what): it begins with \"-\", which ssh would read as an option")
        } else if s.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }
        ) {
            error(p, "\(quoted(s)) is not a \(what): it holds white space or a control character")
        } else {
            return s
        }
        return nil
    }

    mutating func int(_ members: [String: JSONValue], _ key: String, at path: String, range: ClosedRange<Int>) -> Int? {
        guard let value = members[key] else { return nil }
        let p = join(path, key)
        guard case .number(let d) = value, d == d.rounded(), let n = Int(exactly: d), range.contains(n) else {
            error(p, "\(value.shortDescription) is not a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return n
    }

    mutating func bool(_ members: [String: JSONValue], _ key: String, at path: String) -> Bool? {
        guard let value = members[key] else { return nil }
        guard case .bool(let b) = value else {
            error(join(path, key), "expected true or false, found \(value.shortDescription)")
            return nil
        }
        return b
    }

    mutating func array(_ members: [String: JSONValue], _ key: String, at path: String) -> [JSONValue]? {
        guard let value = members[key] else { return nil }
        guard case .array(let items) = value else {
            error(join(path, key), "expected an array, found \(value.shortDescription)")
            return nil
        }
        return items
    }

    mutating func cidr(_ members: [String: JSONValue], _ key: String, at path: String) -> IPv4CIDR? {
        guard let text = string(members, key, at: path) else { return nil }
        guard let cidr = IPv4CIDR(text) else {
            error(join(path, key), "\(quoted(text)) is not an IPv4 address with prefix (like 1.1.1.10/24)")
            return nil
        }
        if let problem = cidr.endpointProblem {
            error(join(path, key), "\(quoted(text)) \(problem)")
            return nil
        }
        return cidr
    }

    mutating func mac(_ members: [String: JSONValue], _ key: String, at path: String) -> MACAddress? {
        guard let text = string(members, key, at: path) else { return nil }
        let p = join(path, key)
        guard let mac = MACAddress(text) else {
            error(p, "\(quoted(text)) is not a MAC address (like 080027AABBCC or 08:00:27:aa:bb:cc)")
            return nil
        }
        if mac.isZero {
            error(p, "\(quoted(text)) is all zeros; a NIC needs a real MAC")
            return nil
        }
        if mac.isMulticast {
            error(p, "\(quoted(text)) is a multicast MAC (bit 0 of the first octet is set); a NIC needs a unicast MAC")
            return nil
        }
        return mac
    }

    /// Checks `text` against a name pattern: first character from `first`, the rest from `rest`.
    mutating func name(
        _ text: String, at path: String, what: String, first: (Character) -> Bool,
        rest: (Character) -> Bool, pattern: String, maxLength: Int
    ) -> Bool {
        guard let head = text.first, first(head), text.dropFirst().allSatisfy(rest), text.utf8.count <= maxLength else {
            error(path, "\(quoted(text)) is not a \(what): use \(pattern), at most \(maxLength) characters")
            return false
        }
        return true
    }
}

func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

extension Character {
    var isLowerAlnum: Bool { isASCII && (isLowercase || isNumber) }
    var isAlnum: Bool { isASCII && (isLetter || isNumber) }
}
