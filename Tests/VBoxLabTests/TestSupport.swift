import Foundation
@testable import VBoxLab

/// The package root, found from this file, so tests read the real bundled labs.
let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

let bundledLabs = ["bridge-lab", "chain-lab", "hub-lab", "two-hosts-lab", "bridge-address-lab", "hub4-lab"]

func loadBundled(_ name: String) throws -> LabSpec {
    try LabLoader.load(name, searchRoots: [packageRoot])
}

func parseSpec(_ text: String, file: String = "t.json5") throws(VBoxLabError) -> LabSpec {
    try LabLoader.parse(Data(text.utf8), file: file)
}

/// Every ordered pair of endpoints whose addresses share a subnet, as `check` pings them.
func subnetPairs(_ state: LabState) -> [(EndpointRef, EndpointRef, IPv4CIDR)] {
    let addrs = state.addresses
    var out: [(EndpointRef, EndpointRef, IPv4CIDR)] = []
    for a in addrs { for b in addrs where a.owner != b.owner && a.address.sharesSubnet(with: b.address) {
        out.append((a.owner, b.owner, b.address))
    } }
    return out
}
