import Foundation
import VBoxLabHost
import VBoxLabModel

/// A provider ability: every VM of a lab saved at one moment and brought back to it, in the
/// provider's own snapshots (`LabSnapshot.vmSnapshotName` on each VM: never a base's, never
/// one the user made). Each call tries every VM and says which it could not do.
public protocol LabSnapshotting: LabProvider {
    /// Takes the snapshot on every VM of the record: with its running state on a running VM.
    func takeSnapshot(_ snapshot: LabSnapshot, of record: LabRecord) -> [VMFailure]
    /// Brings every VM back to the snapshot and leaves it off: a running VM is powered off
    /// first, and one that ran when it was taken is left to resume from that moment at its
    /// next start (the lifecycle starts the lab after).
    func restoreSnapshot(_ snapshot: LabSnapshot, of record: LabRecord) -> [VMFailure]
    /// Deletes the snapshot from every VM (one a VM lacks is not a failure).
    func deleteSnapshot(_ snapshot: LabSnapshot, of record: LabRecord) -> [VMFailure]
}
