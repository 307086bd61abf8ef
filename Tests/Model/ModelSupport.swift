import Foundation

@testable import VBoxLabModel

// What every test target needs of the model alone: the package's bundled labs and a seeded
// generator. One file, linked into each target's directory (a test target cannot import
// another); it imports nothing but the model, so the model's own tests build without the rest.

/// The package root, found from this file, so tests read the real bundled labs
/// (`VBOXLAB_TEST_PACKAGE_ROOT` where a test runs the model's tests from a copy).
let packageRoot: String = {
    if let root = ProcessInfo.processInfo.environment["VBOXLAB_TEST_PACKAGE_ROOT"], !root.isEmpty { return root }
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

let bundledLabs = ["bridge-lab", "chain-lab", "hub-lab", "two-hosts-lab", "bridge-address-lab", "hub4-lab"]

func loadBundled(_ name: String) throws -> LabSpec {
    try LabLoader.load("\(packageRoot)/labs/\(name).json5")
}

func parseSpec(_ text: String, file: String = "t.json5") throws(VBoxLabError) -> LabSpec {
    try LabLoader.parse(Data(text.utf8), file: file)
}

/// SplitMix64: a tiny seeded generator, the same on every platform and run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform enough for tests, and independent of the standard library's algorithms.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    /// A number in 0..<n (n > 0); the modulo bias is immaterial here.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }

    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) { items.swapAt(i, int(0...i)) }
    }
}

/// Every ordered pair of endpoints whose addresses share a subnet, as `check` pings them.
func subnetPairs(_ state: LabState) -> [(EndpointRef, EndpointRef, IPv4CIDR)] {
    let addrs = state.addresses
    var out: [(EndpointRef, EndpointRef, IPv4CIDR)] = []
    for a in addrs {
        for b in addrs where a.owner != b.owner && a.address.sharesSubnet(with: b.address) {
            out.append((a.owner, b.owner, b.address))
        }
    }
    return out
}
