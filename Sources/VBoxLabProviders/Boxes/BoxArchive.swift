import Foundation
import VBoxLabHost
import VBoxLabModel

/// A `.box` file unpacked as data, never as an installer: only regular files and folders
/// (no links, devices or FIFOs), no name that leaves the folder, within a size limit, with
/// modes 0644 and 0755 and the caller as owner. It is unpacked into a temporary folder that
/// is renamed into place only when whole, so a failed unpack leaves nothing a later run
/// could take for a box. An OVF's disk references must name files inside the box.
struct BoxArchive: Sendable {
    let file: String
    let runner: CommandRunner
    /// Where the temporary folder registers its removal, for an interrupt.
    var safeguards = Safeguards.standalone
    /// A small box (an OVF and little else) compresses well: it may always unpack to this much.
    static let floor = 16 << 20
    /// Unpacked bytes allowed per archive byte (`VBOXLAB_BOX_EXPANSION`, default 4).
    var expansion = ProcessInfo.processInfo.environment["VBOXLAB_BOX_EXPANSION"].flatMap(Double.init) ?? 4

    /// Unpacks into `dir` (which must not exist yet).
    func unpack(into dir: String) throws(VBoxLabError) {
        try checkListing()
        let temp = "\(dir).partial-\(getpid())"
        // A leftover of an earlier unpack, if any; one that cannot go makes the createDirectory below fail, naming
        // it.
        try? FileManager.default.removeItem(atPath: temp)
        do {
            try FileManager.default.createDirectory(atPath: temp, withIntermediateDirectories: true)
        } catch { throw .system(.cannotWrite(path: temp, reason: error.localizedDescription)) }
        try safeguards.scratch(temp) { () throws(VBoxLabError) in
            try runner.check(
                Command(
                    "tar", ["-x", "--no-same-owner", "--no-same-permissions", "-f", file, "-C", temp], timeout: 3600))
            try normalize(temp)
            guard rename(temp, dir) == 0 else {
                throw .system(.cannotWrite(path: dir, reason: String(cString: strerror(errno))))
            }
        }
    }

    /// `tar -tv`: every entry a file or a folder, every name inside, the total within the limit.
    func checkListing() throws(VBoxLabError) {
        let listing = try runner.check(Command("tar", ["-tvf", file], environment: ["LC_ALL": "C"], timeout: 600))
            .stdout
        let size = ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int) ?? 0
        var total = 0
        for line in listing.split(separator: "\n") {
            // The type comes first: a device's size field reads "1,3", so a line that does not
            // parse as a file's is refused, never skipped.
            guard let type = line.first, type == "-" || type == "d" else {
                throw refuse("\(line) is not a plain file or folder")
            }
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6, let bytes = Int(fields[2]) else {
                throw refuse("tar lists \(line), which vboxlab cannot read as a file")
            }
            let name = String(fields[5])
            // GNU tar lists a hard link as a file "NAME link to TARGET".
            guard (type == "-" || type == "d"), !name.contains(" link to ") else {
                throw refuse("\(name) is not a plain file or folder (type \(type))")
            }
            guard Self.staysInside(name) else { throw refuse("\(name) would land outside the box's folder") }
            total += bytes
        }
        let limit = max(Int(Double(size) * expansion), Self.floor)
        if total > limit {
            throw refuse(
                "it unpacks to \(total) bytes, more than \(formatSeconds(expansion)) times its \(size) "
                    + "(VBOXLAB_BOX_EXPANSION raises the limit)"
            )
        }
    }

    /// Modes 0644 and 0755 throughout; anything but files and folders removed.
    func normalize(_ root: String) throws(VBoxLabError) {
        let fm = FileManager.default
        for entry in (fm.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []) {
            let path = "\(root)/\(entry)"
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFDIR: chmod(path, 0o755)
            case S_IFREG: chmod(path, 0o644)
            // The listing check refused every other kind already; this is belt and braces.
            default: try? fm.removeItem(atPath: path)
            }
        }
        chmod(root, 0o755)
    }

    /// A relative name with no `..` part.
    static func staysInside(_ name: String) -> Bool {
        !name.hasPrefix("/") && !name.split(separator: "/").contains("..")
    }

    func refuse(_ why: String) -> VBoxLabError { .lab(.unusableBase("\(file) is not unpacked: \(why)")) }

    /// The files an OVF names (`ovf:href`): each must be a file inside the box's folder. Read
    /// as XML reads it: either quote, spaces around `=`, and character references decoded, so
    /// `href='..'` or `&#46;&#46;/` cannot slip past.
    static func checkReferences(ovf: String) throws(VBoxLabError) {
        guard let text = try? String(contentsOfFile: ovf, encoding: .utf8) else { return }
        for href in hrefs(in: text) where href.contains("://") || !staysInside(href) {
            throw .lab(
                .unusableBase(
                    "\(ovf) names \(href), which is not a file inside the box; vboxlab imports only what the box holds")
            )
        }
    }

    static func hrefs(in text: String) -> [String] {
        guard let re = try? NSRegularExpression(pattern: #"href\s*=\s*(?:"([^"]*)"|'([^']*)')"#) else { return [] }
        let ns = text as NSString
        return re.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
            let r = m.range(at: 1).location != NSNotFound ? m.range(at: 1) : m.range(at: 2)
            return decodeEntities(ns.substring(with: r))
        }
    }

    /// XML's five named entities and numeric character references.
    static func decodeEntities(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else {
                out += rest[amp...]
                return out
            }
            let entity = rest[rest.index(after: amp)..<semi]
            let named = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"]
            if let n = named[String(entity)] {
                out += n
            } else if entity.hasPrefix("#x") || entity.hasPrefix("#X"), let v = UInt32(entity.dropFirst(2), radix: 16),
                let u = Unicode.Scalar(v)
            {
                out.unicodeScalars.append(u)
            } else if entity.hasPrefix("#"), let v = UInt32(entity.dropFirst()), let u = Unicode.Scalar(v) {
                out.unicodeScalars.append(u)
            } else {
                out += rest[amp...semi]
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}
