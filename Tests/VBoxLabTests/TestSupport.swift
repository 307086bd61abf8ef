import Foundation
@testable import VBoxLab

/// Every ordered pair of endpoints whose addresses share a subnet, as `check` pings them.
func subnetPairs(_ state: LabState) -> [(EndpointRef, EndpointRef, IPv4CIDR)] {
    let addrs = state.addresses
    var out: [(EndpointRef, EndpointRef, IPv4CIDR)] = []
    for a in addrs { for b in addrs where a.owner != b.owner && a.address.sharesSubnet(with: b.address) {
        out.append((a.owner, b.owner, b.address))
    } }
    return out
}
