import Foundation
import VBoxLab
import VBoxLabCheck
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

struct SSHSetup: LabCommand {
    static let configuration = CommandSpec(
        name: "ssh-setup", summary: "Push one VM's guest setup (bridges, port MACs, addresses) into the VM.",
        arguments: ["VM"],
        options: [Options.vmLab, persist, wait, Options.dryRun, Options.provider],
        discussion:
            "Over ssh to the VM (the spec's ssh block, or the provider's forward); where the provider has its own "
            + "way in and the spec names no ssh host, through that. Running it twice changes nothing."
    )
    static let persist = OptionSpec(
        "persist",
        help: "Also write configuration that survives a reboot (NetworkManager, systemd-networkd or ifupdown).")
    static let wait = OptionSpec(
        "wait", value: "SECONDS",
        help: "How long to wait for the VM's ssh to answer (default: VBOXLAB_SSH_WAIT, else 180).")
    let vm: String, lab: String?, persist: Bool, wait: Double?, dryRun: Bool, provider: String?
    init(_ a: ParsedArguments) throws(VBoxLabError) {
        vm = a.positionals[0]
        lab = a.value(Options.vmLab)
        persist = a.flag(Self.persist)
        dryRun = a.flag(Options.dryRun)
        provider = a.value(Options.provider)
        if let text = a.value(Self.wait) {
            guard let wait = Double(text), wait >= 0 else { throw Self.usage("--wait takes a number of seconds") }
            self.wait = wait
        } else {
            wait = nil
        }
    }

    func run(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 {
        let found = try env.finder.find(vm: vm, lab: lab)
        let outcome = try LabLifecycle(found, environment: env, providerFlag: provider, dryRun: dryRun).setUpGuest(
            vm, persist: persist, wait: wait ?? env.guestWait)
        if let command = outcome.command {
            print(command)
            return 0
        }
        if outcome.changes.isEmpty {
            print("\(vm): already set up; nothing changed")
            return 0
        }
        outcome.changes.forEach { print("\(vm): \($0)") }
        print("\(vm): \(counted(outcome.changes.count, "change"))")
        return 0
    }
}

struct SSH: LabCommand {
    static let configuration = CommandSpec(
        name: "ssh", summary: "Open a shell in a VM, or run one command there.",
        arguments: ["VM", "COMMAND..."], options: [Options.vmLab, Options.provider],
        discussion:
            "vboxlab ssh centos-1 -- ping -c1 1.1.1.20 runs one command; without a command, an interactive shell. As "
            + "with ssh, the words after -- are joined with spaces for the guest's shell: vboxlab ssh centos-2 -- 'ip "
            + "-br link; bridge link' runs both."
    )
    let vm: String, argv: [String], lab: String?, provider: String?
    init(_ a: ParsedArguments) {
        vm = a.positionals[0]
        argv = Array(a.positionals.dropFirst())
        lab = a.value(Options.vmLab)
        provider = a.value(Options.provider)
    }

    func run(_ env: LabEnvironment) throws(VBoxLabError) -> Int32 {
        let found = try env.finder.find(vm: vm, lab: lab)
        let transport = try LabLifecycle(found, environment: env, providerFlag: provider).transport(to: vm)
        defer { transport.close() }
        // As ssh does: the words joined with spaces, for the guest's shell to read.
        let line = argv.isEmpty ? nil : argv.joined(separator: " ")
        return try ProcessRunner().runAttached(try transport.interactive(line: line))
    }
}
