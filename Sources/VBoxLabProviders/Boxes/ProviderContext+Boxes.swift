import Foundation
import VBoxLabHost
import VBoxLabModel

/// Vagrant boxes and their logins, a part the providers share: VirtualBox builds VMs from a
/// box, and every provider logs in to a guest with the login its box implies.
extension ProviderContext {
    /// Finds the spec's Vagrant boxes; `.box` files are relative to the spec's folder.
    public func boxResolver(_ spec: LabSpec) -> BoxResolver {
        let dir = (spec.file as NSString).deletingLastPathComponent
        return BoxResolver(
            cache: store.boxCache,
            relativeTo: dir.isEmpty ? FileManager.default.currentDirectoryPath : dir, runner: reader,
            progress: progress,
            safeguards: safeguards)
    }

    /// The ssh transport to a VM: its login (the spec's, over its box's), a default host
    /// and port; a box's key is swapped for the lab's own on first contact.
    public func sshTransport(spec: LabSpec, vm: VMSpec, host: String, port: Int?) throws(VBoxLabError) -> GuestTransport
    {
        let resolver = boxResolver(spec)
        let (login, boxKey) = try BoxLogin.login(for: vm, spec: spec) { () throws(VBoxLabError) -> VagrantBox? in
            guard case .box(let name, let version, let url)? = vm.base ?? spec.base else { return nil }
            return try resolver.resolve(name: name, version: version, url: url)
        }
        guard boxKey != nil, var labLogin = login else {
            return ssh(lab: spec.name, vm: vm.name, login: login, host: host, port: port)
        }
        labLogin.key = try BoxLogin.labKey(spec.name, store: store, runner: reader)
        return KeyRotatingTransport(
            lab: ssh(lab: spec.name, vm: vm.name, login: labLogin, host: host, port: port),
            box: ssh(lab: spec.name, vm: vm.name, login: login, host: host, port: port), progress: progress)
    }
}
