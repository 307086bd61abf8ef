import Foundation
import Testing

@testable import VBoxLabGuest
@testable import VBoxLabModel

/// A guest whose addresses the caller knows (a VM its provider made just now) is set up by a
/// script that starts no program to read them; any other guest's script reads them itself.
struct GuestScriptAddressTests {
    let plan: RegistrationPlan

    init() throws { plan = try Solver.plan(try loadBundled("bridge-lab"), strategy: nil) }

    @Test func knownAddressesAreWrittenInAndNotRead() {
        let read = GuestScript(plan: plan, vm: "centos-1").text
        #expect(read.contains("addrs=\" $(ip -o -4 addr show"))
        let none = GuestScript(plan: plan, vm: "centos-1", addresses: []).text
        #expect(none.contains("addrs=' '\n"))
        #expect(!none.contains("ip -o -4 addr"))
        // Only the one line differs: every step after it reads the same variable.
        let changed = zip(read.split(separator: "\n"), none.split(separator: "\n")).filter { $0 != $1 }
        #expect(changed.count == 1 && changed[0].0.hasPrefix("addrs="))
    }

    /// Each address keeps the `ADDRESS/PREFIX@DEVICE` form the reading loop makes, quoted
    /// as one shell word whatever a device is called.
    @Test func knownAddressesAreOneQuotedWord() {
        let text = GuestScript(plan: plan, vm: "centos-1", addresses: ["10.0.0.1/24@enp0s8", "10.0.0.2/24@it's"]).text
        #expect(text.contains(#"addrs=' 10.0.0.1/24@enp0s8 10.0.0.2/24@it'\''s '"#))
    }
}
