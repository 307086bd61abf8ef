/// The names that pass the interface-name pattern and are still refused: by the kernel,
/// by `ip link` (which reads them as its own keywords), or by a clash with the names the
/// guest gives its NICs. Each was tried with iproute2 6.1 (`ip link add NAME type bridge`
/// in a fresh namespace): every one here fails or makes a device with another name.
enum InterfaceNameRule {
    /// Words `ip link add|set` takes as keywords wherever a device name may stand (iproute2's
    /// `iplink_parse`), at most 15 characters long as interface names are.
    static let ipLinkKeywords = Set(
        """
        up down name index link address broadcast brd txqueuelen qlen txqlen mtu
        xdp xdpgeneric xdpdrv xdpoffload netns link-netns link-netnsid multicast allmulticast
        promisc trailers arp carrier vf master vrf nomaster dynamic type alias group
        mode state numtxqueues numrxqueues addrgenmode protodown gso_max_size gso_max_segs
        gro_max_size parentdev help dev
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))

    /// The keywords `ip link` compares with `matches()`, which accepts any abbreviation
    /// (`br` is `broadcast`), in the order it tries them, so that an abbreviation is
    /// reported as the keyword `ip link` takes it for.
    static let abbreviatedKeywords = [
        "link", "address", "broadcast", "txqueuelen", "txqlen", "master", "nomaster", "dynamic", "type", "alias",
        "numtxqueues", "numrxqueues", "addrgenmode", "link-netnsid", "help",
    ]

    /// Why a name that matches the pattern cannot be an interface name, or nil.
    static func problem(_ name: String) -> String? {
        switch name {
        case "lo": return "\(quoted(name)) is the loopback interface, which every network namespace already has"
        case "all", "default":
            return
                "\(quoted(name)) is reserved by Linux (net.ipv4.conf.\(name) holds settings, not an interface), "
                + "which refuses it as an interface name"
        default: break
        }
        let misread = "which would read it as that keyword instead of an interface name"
        if ipLinkKeywords.contains(name) { return "\(quoted(name)) is a keyword of ip link, \(misread)" }
        if let keyword = abbreviatedKeywords.first(where: { $0.hasPrefix(name) }) {
            return "\(quoted(name)) abbreviates \"\(keyword)\", a keyword of ip link, \(misread)"
        }
        return nil
    }

    /// The slot whose NIC the guest names `name` (enp0s3, enp0s8, ...), if any: a bridge of
    /// that name would clash with the NIC, whether or not the VM uses the slot yet.
    static func guestNICSlot(_ name: String) -> Int? {
        (1...labSlots.upperBound).first { GuestInterfaceName.forSlot($0) == name }
    }
}
