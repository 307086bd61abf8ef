import Foundation
import VBoxLabHost
import VBoxLabModel

extension QemuProvider {
    /// Real guests on any Linux host: never chosen for a new lab unless asked for.
    public static let descriptor = ProviderDescriptor(
        name: "qemu", summary: "QEMU VMs with real guests, wired as VirtualBox wires them", noun: "VM", priority: 5,
        availability: {
            guard Privileges.isRoot else {
                return .unavailable(
                    reason: "not root", fix: "taps and the lab's switch namespace need root; run it as root")
            }
            guard ProcessRunner.resolve(programFromEnvironment()) != nil else {
                return .unavailable(
                    reason: "qemu-system-x86_64 not found", fix: "apt-get install qemu-system-x86 qemu-utils")
            }
            return .available
        },
        environment: [
            ("VBOXLAB_QEMU", "the QEMU program to run (default qemu-system-x86_64)"),
            ("VBOXLAB_QEMU_ACCEL", "kvm, tcg, or auto (default: KVM where a short boot shows it works)"),
            ("VBOXLAB_IMAGES", "where scripts/guest-image keeps its images (default /var/lib/vboxlab/images)"),
        ],
        make: { (c: ProviderContext) throws(VBoxLabError) -> LabProvider in QemuProvider(context: c) })

    public static func programFromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String
    {
        environment["VBOXLAB_QEMU"].flatMap { $0.isEmpty ? nil : $0 } ?? "qemu-system-x86_64"
    }

    /// The accelerator: `VBOXLAB_QEMU_ACCEL`, else KVM where it really runs a guest kernel.
    func accel(_ image: QemuImage) -> String {
        switch ProcessInfo.processInfo.environment["VBOXLAB_QEMU_ACCEL"] {
        case "kvm": return "kvm"
        case "tcg": return "tcg"
        default: return QemuAccel.choose(program: program, image: image, runner: reader)
        }
    }
}

/// Whether KVM runs a guest kernel here. `/dev/kvm` can exist and still run none (a
/// software hypervisor under a cloud VM), so it is asked with a short boot: the image's
/// kernel with no root disk must reach its panic within seconds. The answer is the host's,
/// kept in /run (beside the host-wide neighbour limits) until the host reboots.
enum QemuAccel {
    static let kept = "/run/vboxlab-host/qemu-accel"

    static func choose(program: String, image: QemuImage, runner: CommandRunner, kept: String = kept) -> String {
        if let answer = try? String(contentsOfFile: kept, encoding: .utf8), ["kvm", "tcg"].contains(answer) {
            return answer
        }
        // Only a probe's answer is kept: without /dev/kvm (a module loaded later adds it) or
        // without a kernel to boot (a disk image's own bootloader), TCG is this run's answer alone.
        guard FileManager.default.fileExists(atPath: "/dev/kvm"), case .kernel(let kernel, _, _) = image.boot else {
            return "tcg"
        }
        let probe = Command(
            program,
            [
                "-accel", "kvm", "-m", "128", "-nodefaults", "-display", "none", "-no-reboot", "-serial", "stdio",
                "-kernel", kernel, "-append", "console=ttyS0 panic=-1",
            ], timeout: 20)
        let answer = ((try? runner.run(probe))?.stdout.contains("Kernel panic") ?? false) ? "kvm" : "tcg"
        return keep(answer, in: kept)
    }

    /// Keeps the host's answer until it reboots; one that cannot be kept is asked again next time.
    private static func keep(_ answer: String, in kept: String) -> String {
        // Either failing only means asking again next time (above).
        try? FileManager.default.createDirectory(
            atPath: (kept as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? answer.write(toFile: kept, atomically: true, encoding: .utf8)  // as above
        return answer
    }
}
