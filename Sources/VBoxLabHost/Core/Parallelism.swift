import VBoxLabModel

/// How many things run at once, by what they wait on. The work is mostly waiting on
/// child processes, so these are wider than the cores.
public enum Parallelism {
    /// Guests set up or read at once: each is one `ip netns exec` or one ssh session.
    public static let guests = 16
    /// Programs that only read or flush (neighbour tables, captures' helpers).
    public static let reads = 16
    /// Pings at once: each is one short `fping` or `ping` per source.
    public static let pings = 64
    /// VirtualBox VMs worked on at once: VBoxSVC serializes much of it anyway.
    public static let virtualBoxVMs = 4
    /// Clones and deletes: one at a time, since VBoxSVC stalled when they overlapped.
    public static let virtualBoxDisks = 1
}
