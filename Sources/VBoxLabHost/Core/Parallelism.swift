import VBoxLabModel

/// How many things run at once, by what they wait on. The work is mostly waiting on
/// child processes, so these are wider than the cores. A provider's own limits (how many of
/// its VMs at once) are its own, in its folder.
public enum Parallelism {
    /// Guests set up or read at once: each is one `ip netns exec` or one ssh session.
    public static let guests = 16
    /// Programs that only read or flush (neighbour tables, captures' helpers).
    public static let reads = 16
    /// Pings at once: each is one short `fping` or `ping` per source.
    public static let pings = 64
}
