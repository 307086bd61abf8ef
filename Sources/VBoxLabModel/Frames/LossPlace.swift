/// Where a frame is lost: inside an internal network's switch, or inside a VM.
public enum LossPlace: Sendable, Equatable, CustomStringConvertible {
    case network(String)
    case vm(String)
    public var description: String {
        switch self {
        case .network(let n): return "on \(n)"
        case .vm(let v): return "in \(v)"
        }
    }
    /// The network's or the VM's name.
    public var name: String {
        switch self {
        case .network(let n): return n
        case .vm(let v): return v
        }
    }
}
