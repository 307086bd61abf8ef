/// A lab NIC: VM and VirtualBox slot (2..8).
public struct NICRef: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var vm: String
    public var slot: Int
    public init(vm: String, slot: Int) {
        self.vm = vm
        self.slot = slot
    }
    public static func < (a: NICRef, b: NICRef) -> Bool { (a.vm, a.slot) < (b.vm, b.slot) }
    public var description: String { "\(vm) slot \(slot)" }
}

/// A Linux bridge inside a guest.
public struct BridgeRef: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var vm: String
    public var name: String
    public init(vm: String, name: String) {
        self.vm = vm
        self.name = name
    }
    public static func < (a: BridgeRef, b: BridgeRef) -> Bool { (a.vm, a.name) < (b.vm, b.name) }
    public var description: String { "\(vm)/\(name)" }
}

/// Something that owns a lab address and so sends and receives frames: an endpoint NIC or a bridge with an `ip`.
public enum EndpointRef: Hashable, Sendable, Comparable, CustomStringConvertible {
    case nic(NICRef)
    case bridge(BridgeRef)

    public var vm: String {
        switch self {
        case .nic(let n): return n.vm
        case .bridge(let b): return b.vm
        }
    }
    public var description: String {
        switch self {
        case .nic(let n): return n.vm
        case .bridge(let b): return "\(b.vm) \(b.name)"
        }
    }
    public static func < (a: EndpointRef, b: EndpointRef) -> Bool { a.sortKey < b.sortKey }
    private var sortKey: (String, Int, String) {
        switch self {
        case .nic(let n): return (n.vm, n.slot, "")
        case .bridge(let b): return (b.vm, 99, b.name)
        }
    }
}

/// What lies behind a bridge port: how many endpoints, and the first few of them
/// (enough to register the single one, or to name some in an error). Merging is
/// associative, which is what the linear-time computation in `Topology` needs.
public struct EndpointSummary: Sendable, Equatable {
    public static let sampleLimit = 4
    public private(set) var count: Int = 0
    public private(set) var sample: [EndpointRef] = []

    public init() {}
    public init(_ endpoint: EndpointRef) {
        count = 1
        sample = [endpoint]
    }

    public static func + (a: EndpointSummary, b: EndpointSummary) -> EndpointSummary {
        var out = a
        out.count += b.count
        if out.sample.count < sampleLimit { out.sample += b.sample.prefix(sampleLimit - out.sample.count) }
        return out
    }

    public var single: EndpointRef? { count == 1 ? sample.first : nil }
}
