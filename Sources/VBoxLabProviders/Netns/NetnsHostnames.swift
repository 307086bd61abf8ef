import Foundation
import VBoxLabHost
import VBoxLabModel

/// Each VM namespace's own UTS namespace, so that a VM's shell, `hostname` and prompt say the
/// VM's name, as a real guest's do. A UTS namespace lives while a file is bind-mounted on it,
/// as `ip netns` keeps network namespaces: one file per VM namespace, named like it, made as
/// `unshare --uts=FILE hostname VM` makes it (from this process: `UTSNamespaceFiles`, 50 VMs'
/// programs cost 0.1 s of a 0.5 s create) and entered with `nsenter --uts=FILE`.
struct NetnsHostnames: Sendable {
    static let directory = "\(NeighbourLimits.directory)/uts"
    /// The kernel's limit on a host name.
    static let longest = 64

    let runner: CommandRunner
    let dryRun: Bool

    static func file(_ namespace: String) -> String { "\(directory)/\(namespace)" }

    /// Whether the namespace's file holds a UTS namespace: a mount, so on another device than its folder.
    static func isHeld(_ namespace: String) -> Bool {
        let fm = FileManager.default
        guard let file = try? fm.attributesOfItem(atPath: file(namespace))[.systemNumber] as? NSNumber,
            let folder = try? fm.attributesOfItem(atPath: directory)[.systemNumber] as? NSNumber
        else { return false }
        return file != folder
    }

    /// Gives each VM that has none its UTS namespace named for it. A name the kernel would
    /// refuse (too long) keeps the host's name: the VM works the same, only its prompt differs.
    func give(_ vms: [(vm: String, namespace: String)]) throws(VBoxLabError) {
        let needed = vms.filter { $0.vm.utf8.count <= Self.longest && !Self.isHeld($0.namespace) }
        guard !needed.isEmpty else { return }
        guard !dryRun else {
            // A dry run says what `unshare` would do, in the plan's order.
            for (vm, namespace) in needed {
                try runner.check(Command("unshare", ["--uts=\(Self.file(namespace))", "hostname", vm]))
            }
            return
        }
        try PrivateDirectory.ensure(Self.directory)
        let files = needed.map { Self.file($0.namespace) }
        // The mount point must exist; a plain file left by a run stopped half-way is reused.
        for file in files where !FileManager.default.fileExists(atPath: file) {
            guard FileManager.default.createFile(atPath: file, contents: nil) else {
                throw .system(.cannotWrite(path: file, reason: String(cString: strerror(errno))))
            }
        }
        let failures = UTSNamespaceFiles.make(zip(files, needed).map { ($0, $1.vm) })
        if let i = failures.firstIndex(where: { $0 != nil }) {
            throw .system(.cannotWrite(path: files[i], reason: failures[i]!))
        }
    }

    /// Lets the namespaces' UTS namespaces go: each file unmounted, then removed.
    func remove(_ namespaces: [String]) {
        let present = namespaces.filter { FileManager.default.fileExists(atPath: Self.file($0)) }
        guard !present.isEmpty else { return }
        let runner = self.runner
        let dryRun = self.dryRun
        _ = parallelMap(present, width: dryRun ? 1 : Parallelism.reads) { namespace in
            let file = Self.file(namespace)
            if Self.isHeld(namespace) {
                if dryRun {
                    // Recorded only: a dry run unmounts nothing.
                    _ = try? runner.run(Command("umount", [file]))
                } else {
                    // A failure is judged below by the file's device: a mount still held keeps
                    // its file, named by the next destroy.
                    _ = UTSNamespaceFiles.release(file)
                }
            }
            // Not held any more (or never was): the file alone is left, and goes; one that cannot
            // go is an empty mount point, which the next create of that VM reuses.
            if !dryRun && !Self.isHeld(namespace) { try? FileManager.default.removeItem(atPath: file) }
        }
        // The folder goes with the last lab's VMs; anything else in it keeps it.
        if !dryRun { rmdir(Self.directory) }
    }

    /// The argv that runs `argv` in the VM's UTS namespace, when it has one.
    static func entering(_ namespace: String, _ argv: [String]) -> [String] {
        guard let held = heldFile(namespace), ProcessRunner.resolve("nsenter") != nil else { return argv }
        return ["nsenter", "--uts=\(held)", "--"] + argv
    }

    /// The file of the namespace's UTS namespace, when one is held there.
    static func heldFile(_ namespace: String) -> String? { isHeld(namespace) ? file(namespace) : nil }
}
