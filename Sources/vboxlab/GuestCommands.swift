import Foundation
import VBoxLab

/// `ssh-setup` and `ssh`: one VM, through its provider's transport.
struct GuestCommands {
    let base: LabCommands
    var args: ParsedArguments { base.args }

    func run() throws(VBoxLabError) -> Int32 {
        let vm = args.positionals[0]
        let found = try base.finder.find(vm: vm, lab: args.value("lab"))
        let spec = try found.requireSpec()
        guard spec.vm(named: vm) != nil else {
            var message = "lab \(found.name) has no VM named \(vm)"
            if let near = suggestion(for: vm, among: spec.vms.map(\.name)) { message += "; did you mean '\(near)'?" }
            throw .failed(message + " (its VMs: \(spec.vms.map(\.name).joined(separator: ", ")))")
        }
        let provider = try base.provider(base.choose(found))
        try provider.checkPrerequisites(pinging: false)
        guard let transport = try provider.transports(spec: spec, record: found.record)[vm] else { throw .failed("no way into \(vm)") }
        defer { transport.close() }
        if base.command == .ssh {
            return try ProcessRunner().runAttached(try transport.interactive(Array(args.positionals.dropFirst())))
        }
        let plan = try Solver.plan(spec, strategy: nil)
        let script = GuestScript(plan: plan, vm: vm, persist: args.flag("persist"))
        if args.flag("dry-run") {
            print(transport.command(["sh", "-s"], input: script.text))
            return 0
        }
        let held = try base.lock(found.name)
        defer { withExtendedLifetime(held) {} }
        guard let wait = Double(args.value("wait") ?? "60"), wait >= 0 else { throw base.usage("--wait takes a number of seconds") }
        try transport.waitUntilReachable(wait: wait, progress: progressToStderr)
        progressToStderr("pushing the guest setup of \(vm) through \(transport.summary)")
        let changes = try GuestSetup.run(script, through: transport)
        if changes.isEmpty { print("\(vm): already set up; nothing changed") }
        else { changes.forEach { print("\(vm): \($0)") }; print("\(vm): \(changes.count) change\(changes.count == 1 ? "" : "s")") }
        return 0
    }
}
