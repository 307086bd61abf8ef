/// The interface names a VirtualBox Linux guest gives lab NICs (PCI slots of the E1000s).
public enum GuestInterfaceName {
    public static func forSlot(_ slot: Int) -> String {
        switch slot {
        case 1: return "enp0s3"
        case 2: return "enp0s8"
        case 3: return "enp0s9"
        case 4: return "enp0s10"
        default: return "enp0s\(slot + 11)"  // slots 5..8: enp0s16..enp0s19
        }
    }
}
