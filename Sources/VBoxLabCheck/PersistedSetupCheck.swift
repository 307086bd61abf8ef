import Foundation
import VBoxLabGuest
import VBoxLabHost
import VBoxLabModel
import VBoxLabProviders

/// A guest set up with `ssh-setup --persist` whose saved setup no longer says what the plan
/// says: after a reboot it would come back with an old setup, though it works now.
public struct StalePersistence: Sendable, Equatable {
    public let vm: String
    /// The files that are missing or differ, as the guest's script named them.
    public let files: [String]
}

/// `persist-stale`: each persisted guest compares its saved files with the ones the plan
/// writes (`GuestPersistence.staleCheck`), writing nothing. A guest that cannot be read is
/// left out here: the pairs already say it is unreachable.
enum PersistedSetupCheck {
    /// Lines a guest may send back: more is not a list of our files.
    static let lineLimit = 64

    static func stale(_ plan: RegistrationPlan, persisted: [String], transports: [String: GuestTransport])
        -> [StalePersistence]
    {
        let vms = plan.vmNames.filter { persisted.contains($0) && transports[$0] != nil }
        let found = parallelMap(vms, width: Parallelism.guests) { vm -> StalePersistence? in
            let script = GuestPersistence.staleCheck(plan: plan, vm: vm, interfaces: [:])
            guard let r = try? transports[vm]!.run(["sh", "-s"], input: script), r.succeeded else { return nil }
            let files = r.stdout.split(separator: "\n").prefix(lineLimit).compactMap { line -> String? in
                guard line.hasPrefix("stale ") else { return nil }
                // What the guest printed is the guest's: bounded and escaped before anyone shows it.
                return String(line.dropFirst("stale ".count).prefix(256)).escapedOnOneLine
            }
            return files.isEmpty ? nil : StalePersistence(vm: vm, files: files)
        }
        return found.compactMap { $0 }
    }
}
