/// The interface names a VirtualBox Linux guest gives lab NICs, from the PCI device numbers
/// VirtualBox puts its NICs at: NIC 1 at 3, NICs 2-4 at 8-10, NICs 5-8 at 16-19.
public enum GuestInterfaceName {
    /// The PCI device number of NIC `slot` (1...8).
    public static func pciDevice(forSlot slot: Int) -> Int {
        switch slot {
        case 1: return 3
        case 2...4: return slot + 6
        default: return slot + 11
        }
    }

    public static func forSlot(_ slot: Int) -> String { "enp0s\(pciDevice(forSlot: slot))" }
}
