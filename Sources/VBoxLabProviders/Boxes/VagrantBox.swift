import Foundation
import VBoxLabHost
import VBoxLabModel

/// A Vagrant box found on this host: the directory that holds its OVF, and the login it
/// comes with.
public struct VagrantBox: Sendable, Equatable {
    public var name: String
    public var version: String
    public var directory: String
    public var ovf: String
    /// The box's own private key (`vagrant_private_key`), when it ships one.
    public var privateKey: String?

    /// The base VM every lab on this box clones: imported once, then snapshotted.
    public var baseVM: String {
        let safe = String(name.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "-" })
        return "vboxlab-base-\(safe)-\(version)"
    }
    public static let baseGroup = "/vboxlab/bases"
}

/// Finds a box wherever a Vagrant user has it: installed by Vagrant under
/// `$VAGRANT_HOME/boxes` (newest version unless one is named; Vagrant 2.4 and later put an
/// architecture folder before `virtualbox/`), a `.box` file (a tar archive, maybe gzipped),
/// or a download from `url` (`file://` too). `.box` files are unpacked into vboxlab's cache.
public struct BoxResolver: Sendable {
    public let vagrantHome: String
    public let cache: String
    public let relativeTo: String
    public let runner: CommandRunner
    public let progress: ProgressHandler
    /// Removes a partial download or unpack, after a failure or an interrupt.
    public let safeguards: Safeguards

    public init(
        vagrantHome: String? = nil, cache: String, relativeTo: String, runner: CommandRunner,
        progress: @escaping ProgressHandler, safeguards: Safeguards = .standalone
    ) {
        self.safeguards = safeguards
        let env = ProcessInfo.processInfo.environment
        self.vagrantHome =
            vagrantHome ?? env["VAGRANT_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.vagrant.d"
        self.cache = cache
        self.relativeTo = relativeTo
        self.runner = runner
        self.progress = progress
    }

    public func resolve(name: String, version: String?, url: String?) throws(VBoxLabError) -> VagrantBox {
        if let installed = try installed(name, version: version) { return installed }
        let path = name.hasPrefix("/") ? name : "\(relativeTo)/\(name)"
        if name.hasSuffix(".box"), FileManager.default.fileExists(atPath: path) {
            return try unpack(path, name: String((name as NSString).lastPathComponent.dropLast(4)), version: version)
        }
        if let url { return try unpack(try download(url, name: name), name: name, version: version ?? "0") }
        var add = "vagrant box add \(shellQuote(name)) --provider virtualbox"
        if let version { add += " --box-version \(shellQuote(version))" }
        // Three ways, for a user who may have no Vagrant at all.
        throw .missing(
            what: "the Vagrant box \(name)\(version.map { " \($0)" } ?? "") (looked in \(vagrantHome)/boxes)",
            fix:
                "any one of: (1) with Vagrant, \(add); (2) a box file or its address: base: { box: \"FILE.box\" } or "
                + "base: { box: \"\(name)\", url: \"https://...\" }; (3) a VM you already have in VirtualBox, with a "
                + "snapshot: base: { clone: \"VM\" } (vboxlab then logs in as the spec's ssh.user, root unless it says "
                + "otherwise)"
        )
    }

    /// `boxes/NAME-with-VAGRANTSLASH/VERSION/[ARCH/]virtualbox/`.
    func installed(_ name: String, version wanted: String?) throws(VBoxLabError) -> VagrantBox? {
        let root = "\(vagrantHome)/boxes/\(name.replacingOccurrences(of: "/", with: "-VAGRANTSLASH-"))"
        let fm = FileManager.default
        let versions = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") }
        let ordered = versions.sorted { Self.precedes($0, $1) }
        guard let version = wanted.map({ w in versions.contains(w) ? w : "" }) ?? ordered.last, !version.isEmpty else {
            return nil
        }
        let base = "\(root)/\(version)"
        var dirs = ["\(base)/virtualbox"]
        dirs += ((try? fm.contentsOfDirectory(atPath: base)) ?? []).sorted().map { "\(base)/\($0)/virtualbox" }
        guard let dir = dirs.first(where: { ovf(in: $0) != nil }) else { return nil }
        return box(name: name, version: version, directory: dir)
    }

    func box(name: String, version: String, directory: String) -> VagrantBox {
        let key = "\(directory)/vagrant_private_key"
        return VagrantBox(
            name: name, version: version, directory: directory, ovf: ovf(in: directory)!,
            privateKey: FileManager.default.fileExists(atPath: key) ? key : nil)
    }

    func ovf(in dir: String) -> String? {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return (files.contains("box.ovf") ? "box.ovf" : files.sorted().first { $0.hasSuffix(".ovf") }).map {
            "\(dir)/\($0)"
        }
    }

    /// Version strings as Vagrant orders them: by their numbers, then as text.
    static func precedes(_ a: String, _ b: String) -> Bool {
        let x = a.split(separator: ".").map { Int($0) ?? -1 }
        let y = b.split(separator: ".").map { Int($0) ?? -1 }
        return x == y ? a < b : x.lexicographicallyPrecedes(y)
    }

    /// Unpacks a `.box` once: the cache is keyed by the file's path, size and time.
    func unpack(_ file: String, name: String, version: String?) throws(VBoxLabError) -> VagrantBox {
        let attrs = try? FileManager.default.attributesOfItem(atPath: file)
        let size = (attrs?[.size] as? Int) ?? 0
        let modified = ((attrs?[.modificationDate] as? Date) ?? .distantPast).timeIntervalSince1970
        let stamp = "\(file)|\(size)|\(modified)"
        let id = String(fnv1a(stamp) & 0xFFFF_FFFF, radix: 16)
        let dir = "\(cache)/\(name.replacingOccurrences(of: "/", with: "-"))-\(id)"
        if !FileManager.default.fileExists(atPath: dir) {
            progress("unpacking \(file)")
            // Without it the unpack below fails, naming the folder.
            try? FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
            try BoxArchive(file: file, runner: runner, safeguards: safeguards).unpack(into: dir)
        }
        guard let ovf = ovf(in: dir) else {
            throw .lab(.unusableBase("\(file) holds no .ovf: it is not a VirtualBox box"))
        }
        try BoxArchive.checkReferences(ovf: ovf)
        return box(name: name, version: version ?? id, directory: dir)
    }

    func download(_ url: String, name: String) throws(VBoxLabError) -> String {
        let target = "\(cache)/downloads/\(String(fnv1a(url) & 0xFFFF_FFFF, radix: 16)).box"
        if FileManager.default.fileExists(atPath: target) { return target }
        guard let source = URL(string: url), source.scheme != nil else {
            throw .system(.download(url: url, reason: "it is not a URL"))
        }
        progress("downloading the box \(name) from \(url)")
        let started = Date()
        // Without it the download below fails, naming the file.
        try? FileManager.default.createDirectory(atPath: "\(cache)/downloads", withIntermediateDirectories: true)
        // Streamed to a partial file, renamed when whole: a failed download is never taken for a box.
        let partial = target + ".partial"
        try safeguards.scratch(partial) { () throws(VBoxLabError) in
            try fetch(source, url: url, to: partial)
            guard rename(partial, target) == 0 else {
                throw .system(.cannotWrite(path: target, reason: String(cString: strerror(errno))))
            }
        }
        let size = ((try? FileManager.default.attributesOfItem(atPath: target))?[.size] as? Int) ?? 0
        progress(
            String(format: "downloaded %.1f MB in %.1f s", Double(size) / 1_000_000, Date().timeIntervalSince(started)))
        return target
    }

    private func fetch(_ source: URL, url: String, to partial: String) throws(VBoxLabError) {
        if source.isFileURL { return try copyStreaming(source.path, to: partial, url: url) }
        guard ProcessRunner.resolve("curl") != nil else {
            throw .missing(what: "'curl' (to download \(url))", fix: ProcessRunner.installHint("curl"))
        }
        let r = try runner.run(Command("curl", ["-fsSL", "--output", partial, "--", url], timeout: 3600))
        guard r.succeeded else {
            throw .system(.download(url: url, reason: r.stderr.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
    }

    /// A local file copied a chunk at a time, never held whole in memory.
    func copyStreaming(_ from: String, to: String, url: String) throws(VBoxLabError) {
        guard let input = FileHandle(forReadingAtPath: from) else {
            throw .system(.download(url: url, reason: "no file \(from)"))
        }
        defer { try? input.close() }
        guard FileManager.default.createFile(atPath: to, contents: nil), let output = FileHandle(forWritingAtPath: to)
        else {
            throw .system(.cannotWrite(path: to, reason: String(cString: strerror(errno))))
        }
        defer { try? output.close() }
        do {
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty { try output.write(contentsOf: chunk) }
        } catch { throw .system(.download(url: url, reason: error.localizedDescription)) }
    }

    /// The insecure key of the local Vagrant installation (vboxlab ships no copy of it).
    public static func insecureKey(_ env: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let k = env["VBOXLAB_VAGRANT_INSECURE_KEY"], FileManager.default.fileExists(atPath: k) { return k }
        let roots = [
            "/opt/vagrant/embedded/gems/gems", "/usr/share/rubygems-integration/all/gems", "/usr/lib/ruby/vendor_ruby",
        ]
        for root in roots {
            let entries = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter {
                $0.hasPrefix("vagrant")
            }.sorted().reversed()
            for e in entries where FileManager.default.fileExists(atPath: "\(root)/\(e)/keys/vagrant") {
                return "\(root)/\(e)/keys/vagrant"
            }
        }
        return nil
    }
}
