import Foundation

/// `ip -j` output, as the guests' kernels print it.
package enum IPJSON {
    package static func array(_ text: String) -> [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] ?? []
    }
    package static func kind(_ link: [String: Any]) -> String? {
        (link["linkinfo"] as? [String: Any])?["info_kind"] as? String
    }
    package static func isUp(_ link: [String: Any]) -> Bool { (link["flags"] as? [String])?.contains("UP") ?? false }
    package static func addresses(_ link: [String: Any]) -> [IPv4CIDR] {
        ((link["addr_info"] as? [[String: Any]]) ?? []).compactMap { a in
            guard (a["family"] as? String) == "inet", let local = a["local"] as? String,
                let len = a["prefixlen"] as? Int,
                let address = IPv4CIDR.parseAddress(local), (0...32).contains(len)
            else { return nil }
            return IPv4CIDR(address: address, prefix: len)
        }
    }
}
