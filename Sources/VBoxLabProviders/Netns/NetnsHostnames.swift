import Foundation
import VBoxLabHost
import VBoxLabModel

/// Each VM namespace's own UTS namespace, so that a VM's shell, `hostname` and prompt say the
/// VM's name, as a real guest's do. A UTS namespace lives while a file is bind-mounted on it,
/// as `ip netns` keeps network namespaces: one file per VM namespace, named like it, made with
/// `unshare --uts=FILE hostname VM` and entered with `nsenter --uts=FILE`.
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
        if !dryRun { try PrivateDirectory.ensure(Self.directory) }
        let runner = self.runner
        let dryRun = self.dryRun
        // A dry run lists its commands in the plan's order.
        let failures = parallelMap(needed, width: dryRun ? 1 : Parallelism.reads) { vm, namespace -> VBoxLabError? in
            let file = Self.file(namespace)
            // The mount point must exist; a plain file left by a run stopped half-way is reused.
            if !dryRun && !FileManager.default.fileExists(atPath: file) {
                guard FileManager.default.createFile(atPath: file, contents: nil) else {
                    return .system(.cannotWrite(path: file, reason: String(cString: strerror(errno))))
                }
            }
            do throws(VBoxLabError) {
                try runner.check(Command("unshare", ["--uts=\(file)", "hostname", vm]))
                return nil
            } catch { return error }
        }
        if let failure = failures.compactMap({ $0 }).first { throw failure }
    }

    /// Lets the namespaces' UTS namespaces go: each file unmounted, then removed.
    func remove(_ namespaces: [String]) {
        let present = namespaces.filter { FileManager.default.fileExists(atPath: Self.file($0)) }
        guard !present.isEmpty else { return }
        let runner = self.runner
        let dryRun = self.dryRun
        _ = parallelMap(present, width: dryRun ? 1 : Parallelism.reads) { namespace in
            let file = Self.file(namespace)
            // Judged below by the file's device: a mount still held keeps its file, named by the next destroy.
            if Self.isHeld(namespace) { _ = try? runner.run(Command("umount", [file])) }
            // Not held any more (or never was): the file alone is left, and goes; one that cannot
            // go is an empty mount point, which the next create of that VM reuses.
            if !dryRun && !Self.isHeld(namespace) { try? FileManager.default.removeItem(atPath: file) }
        }
        // The folder goes with the last lab's VMs; anything else in it keeps it.
        if !dryRun { rmdir(Self.directory) }
    }

    /// The argv that runs `argv` in the VM's UTS namespace, when it has one.
    static func entering(_ namespace: String, _ argv: [String]) -> [String] {
        guard isHeld(namespace), ProcessRunner.resolve("nsenter") != nil else { return argv }
        return ["nsenter", "--uts=\(file(namespace))", "--"] + argv
    }
}
