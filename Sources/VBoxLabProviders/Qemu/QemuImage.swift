import Foundation
import VBoxLabHost
import VBoxLabModel

/// The disk a QEMU lab's VMs start from, each through an overlay of its own (VirtualBox's
/// linked clone). Either a folder that `scripts/guest-image` wrote (a disk, the kernel and
/// initramfs it boots directly, and the login it was built with), or a disk of the user's
/// own that boots through its own boot loader, logged into with the spec's `ssh`.
public struct QemuImage: Sendable, Equatable {
    public enum Boot: Sendable, Equatable {
        case kernel(kernel: String, initrd: String, append: String)
        case disk
    }

    public var disk: String
    public var boot: Boot
    /// The login the image was built with (root and its key), when it says.
    public var login: SSHLogin?
    /// The CPU model the image is built for under TCG (recipe 5 on: RDRAND), else QEMU's default.
    public var tcgCPU: String? = nil

    /// Where `scripts/guest-image` keeps its images: `VBOXLAB_IMAGES`, else /var/lib/vboxlab/images.
    public static func directory(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        environment["VBOXLAB_IMAGES"].flatMap { $0.isEmpty ? nil : $0 } ?? "/var/lib/vboxlab/images"
    }

    /// The recipe of `scripts/guest-image` this version boots: each change to what the script
    /// puts in the image is a new folder, so existing labs' overlays keep the disk they name.
    public static let recipe = 5

    /// The image built by default (`scripts/guest-image` with no options).
    public static let defaultVariant = "debian-12-networkd-r\(recipe)"

    /// The image for a VM: the spec's `base: { image }` (a disk, or a guest-image folder,
    /// relative to the spec's folder), else the default built image. A VirtualBox base
    /// (box, clone, import) means nothing to QEMU: the default image plays it.
    public static func resolve(
        _ base: BaseImage?, specFile: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(VBoxLabError) -> QemuImage {
        guard case .image(let file)? = base else {
            let folder = "\(directory(environment))/\(defaultVariant)"
            guard let image = fromFolder(folder) else {
                throw .missing(
                    what: "the guest image \(folder)",
                    fix:
                        "build it once (about 4 minutes, root, Debian packages only): scripts/guest-image, from "
                        + "vboxlab's source tree; or give base: { image: \"FILE.qcow2\" } in the spec"
                )
            }
            return image
        }
        let path =
            file.hasPrefix("/")
            ? file : ((specFile as NSString).deletingLastPathComponent as NSString).appendingPathComponent(file)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw .spec(
                .invalid([SpecDiagnostic(file: specFile, path: "base.image", message: "\(path) does not exist")]))
        }
        let folder = isFolder.boolValue ? path : (path as NSString).deletingLastPathComponent
        if let built = fromFolder(folder), isFolder.boolValue || built.disk == path { return built }
        guard !isFolder.boolValue else {
            throw .spec(
                .invalid([
                    SpecDiagnostic(
                        file: specFile, path: "base.image",
                        message: "\(path) is a folder without the image.json that scripts/guest-image writes")
                ]))
        }
        // A FIFO or a device would hang or feed qemu-img for ever, holding the lab's lock.
        guard isRegularFile(path) else {
            throw .spec(
                .invalid([
                    SpecDiagnostic(
                        file: specFile, path: "base.image",
                        message: "\(path) is not a regular file (a disk image is one)")
                ]))
        }
        return QemuImage(disk: path, boot: .disk, login: nil)
    }

    /// A regular file, through any symbolic link (an image may be a link to one).
    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// The image a VM's overlay was made from, when it is a folder `scripts/guest-image` built:
    /// the overlay names its base disk by path, and that disk boots only with its own kernel
    /// and initramfs and lets in only its own login, whatever image is the default now.
    static func madeFrom(overlay: String) -> QemuImage? {
        guard let disk = backingFile(ofOverlay: overlay) else { return nil }
        return fromFolder((disk as NSString).deletingLastPathComponent).flatMap { $0.disk == disk ? $0 : nil }
    }

    /// The backing file a qcow2 overlay names in its header (big-endian: the magic, the
    /// version, the name's offset at byte 8 and its length at byte 16), or nil.
    static func backingFile(ofOverlay path: String) -> String? {
        guard let file = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? file.close() }
        guard let header = try? file.read(upToCount: 20), header.count == 20,
            header.prefix(4).elementsEqual([0x51, 0x46, 0x49, 0xFB])
        else { return nil }
        let offset = header[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let length = header[16..<20].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        // qcow2 allows at most 1023 bytes of name.
        guard offset >= 20, (1...1023).contains(length), (try? file.seek(toOffset: offset)) != nil,
            let name = try? file.read(upToCount: Int(length)), name.count == Int(length)
        else { return nil }
        return String(data: name, encoding: .utf8)
    }

    /// A folder `scripts/guest-image` finished (it writes `image.json` last).
    static func fromFolder(_ folder: String) -> QemuImage? {
        guard isRegularFile("\(folder)/image.json"), isRegularFile("\(folder)/disk.qcow2"),
            let data = FileManager.default.contents(atPath: "\(folder)/image.json"),
            let meta = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { return nil }
        let append = meta["append"] as? String ?? "root=/dev/vda rw console=ttyS0 quiet"
        let key = (meta["key"] as? String).map { "\(folder)/\($0)" }
        // Recipe 3 on: the kernel and initramfs unpacked; before, as Debian ships them.
        let kernel = meta["kernel_file"] as? String ?? "vmlinuz"
        let initrd = meta["initrd_file"] as? String ?? "initrd.img"
        return QemuImage(
            disk: "\(folder)/disk.qcow2",
            boot: .kernel(kernel: "\(folder)/\(kernel)", initrd: "\(folder)/\(initrd)", append: append),
            login: SSHLogin(user: meta["user"] as? String ?? "root", key: key), tcgCPU: meta["tcg_cpu"] as? String)
    }

    /// The login for a VM: the image's, with the spec's `ssh` fields over it where the
    /// spec chose the image (a spec's login for a VirtualBox box means nothing here).
    public func login(for vm: VMSpec, spec: LabSpec) -> SSHLogin {
        let mine = login ?? SSHLogin(user: "root")
        guard case .image? = vm.base ?? spec.base, let given = vm.ssh ?? spec.ssh else { return mine }
        return SSHLogin(
            user: given.user ?? mine.user, key: given.key ?? mine.key, host: nil, port: nil, proxyCommand: nil)
    }
}
