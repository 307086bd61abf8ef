import Foundation
import VBoxLabModel

#if canImport(Glibc)
    import Glibc
#endif

/// A program started inside a network namespace as iproute2's namespace exec followed by
/// `nsenter --uts=FILE` starts it: the namespace's network, the host name of a UTS
/// namespace, and a mount namespace of its own whose `/sys` shows the namespace's devices
/// (a guest script reads `/sys/class/net`). Here the thread that spawns the program enters them itself, so two
/// programs fewer start for each command (5-6 ms of CPU each). The thread is
/// one of its own and ends with the command: nothing else runs in what it entered.
public enum NamespaceCommand {
    /// What `command` did, run by `runner` from inside the namespaces; nil when they could
    /// not be entered, before anything started (the caller runs it the usual way).
    public static func run(
        _ command: Command, runner: CommandRunner, network: String, uts: String?
    ) -> Result<CommandResult, VBoxLabError>? {
        let out = Locked<Result<CommandResult, VBoxLabError>?>(nil)
        NamespaceCalls.onOwnThread {
            guard enter(network: network, uts: uts) else { return }
            let result = Result { () throws(VBoxLabError) in try runner.run(command) }
            out.update { $0 = result }
        }
        return out.get()
    }

    /// Enters the namespaces on the calling thread, as iproute2's namespace exec does: the
    /// network, the host name, then a mount namespace of the thread's own (CLONE_NEWNS unshares the
    /// thread's file system state too), made a follower of the host's so that nothing mounted
    /// in it reaches the host, with a fresh sysfs on `/sys`.
    private static func enter(network: String, uts: String?) -> Bool {
        guard let unshare = NamespaceCalls.unshare, NamespaceCalls.enter(network, NamespaceCalls.newNet),
            uts.map({ NamespaceCalls.enter($0, NamespaceCalls.newUTS) }) ?? true,
            unshare(NamespaceCalls.newMount) == 0,
            mount("none", "/", nil, UInt(MS_SLAVE | MS_REC), nil) == 0
        else { return false }
        // The host's /sys, detached in this namespace only, gives way to one of the
        // namespace's network (sysfs shows the devices of the namespace that mounts it).
        _ = umount2("/sys", Int32(MNT_DETACH))
        return mount("sysfs", "/sys", "sysfs", 0, nil) == 0
    }
}
