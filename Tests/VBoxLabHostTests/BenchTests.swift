import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// Every `scripts/bench-*` at its smallest size, timing the vboxlab built for the tests: a
/// benchmark that breaks fails the suite instead of waiting for someone to run it.
@Suite(.serialized) struct BenchTests {
    /// Runs a script with the built vboxlab (no release build), returns its stdout.
    static func bench(_ script: String, _ args: [String], env: [String: String] = [:], timeout: Double = 120) throws
        -> String
    {
        let binary = try #require(CLI.executable, "no built vboxlab")
        let command = Command(
            "\(packageRoot)/scripts/\(script)", args, environment: env.merging(["VBOXLAB": binary]) { $1 },
            timeout: timeout)
        let r = try ProcessRunner().run(command)
        #expect(r.status == 0, "\(script) \(args.joined(separator: " ")): exit \(r.status)\n\(r.stdout)\(r.stderr)")
        return r.stdout
    }

    static func lines(_ out: String) -> [String] { out.split(separator: "\n").map(String.init) }

    @Test func benchPlan() throws {
        let out = Self.lines(try Self.bench("bench-plan", ["10"]))
        #expect(out.first?.contains("validate µs/VM") == true, "\(out)")
        for shape in ["chain", "star"] {
            let row = out.first { $0.split(separator: " ").prefix(2) == ["10", Substring(shape)] }
            let cells = row?.split(separator: " ") ?? []
            // VMs, shape, validate s, plan s, their µs per VM, MB: all numbers.
            #expect(
                cells.count == 7 && cells.dropFirst(2).allSatisfy { Double($0) != nil }, "\(shape): \(row ?? "no row")")
        }
    }

    @Test(.enabled(if: NetnsGate.available, "needs root and network namespaces")) func benchNetns() throws {
        let out = Self.lines(try Self.bench("bench-netns", ["2"], env: ["BENCH_SETTLE": "0", "BENCH_HALF": "1"]))
        for shape in ["star", "chain"] {
            let row = out.first { $0.hasPrefix(shape.padding(toLength: 6, withPad: " ", startingAt: 0) + "    2 |") }
            #expect(row?.contains(" 2/2 |") == true, "\(shape): \(row ?? "no row")\n\(out.joined(separator: "\n"))")
        }
        #expect(
            out.contains {
                $0.hasPrefix("check of 2 endpoints: all pass 2/2 in ") && $0.contains("; half fail 0/2 in ")
            }, "\(out)")
    }

    @Test(.enabled(if: SSHGate.available, "needs root, network namespaces and openssh-server")) func benchSSH() throws {
        let out = Self.lines(try Self.bench("bench-ssh", ["2", "1"]))
        #expect(out.count == 2, "\(out)")
        for share in ["on", "off"] {
            #expect(
                out.contains {
                    $0.hasPrefix("check of 2 VMs (2 pairs) over ssh, connection sharing \(share): ")
                        && $0.hasSuffix(" s)")
                }, "\(out)")
        }
    }
}

/// bench-qemu boots real guests: it runs with the QEMU tests, one set of VMs at a time.
extension QemuGuestTests {
    @Test func benchQemu() throws {
        let out = BenchTests.lines(try BenchTests.bench("bench-qemu", ["2"], timeout: 1500))
        #expect(
            out.first
                == "| VMs | all answer ssh | check passes | MB per VM (resident) | stop --save | start, check passes "
                + "| accel |", "\(out)")
        let cells = out.last?.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        // 2 VMs, seconds to ssh and to the check, MB per VM, the saved stop and start, the accelerator.
        #expect(
            cells.count == 7 && cells[0] == "2" && Double(cells[1].dropLast(2)) != nil
                && Double(cells[2].dropLast(2)) != nil && (Int(cells[3]) ?? 0) > 50
                && Double(cells[4].dropLast(2)) != nil && Double(cells[5].dropLast(2)) != nil
                && ["tcg", "kvm"].contains(cells[6]), "\(out)")
    }
}

/// bench-vbox runs with the VirtualBox tests, one at a time: each removes, when it ends, every
/// VM that appeared while it ran, so neither may run beside the other.
extension VirtualBoxTests {
    @Test func benchVBox() throws {
        let out = BenchTests.lines(try BenchTests.bench("bench-vbox", ["2"], env: ["BENCH_LABS": "bridge-lab"]))
        #expect(out.first?.hasPrefix("| lab | VMs | create: writes / reads per VM |") == true, "\(out)")
        #expect(out.contains { $0.hasPrefix("| bv-bridge-lab | 3 | ") && $0.hasSuffix(" s |") }, "\(out)")
        #expect(out.contains { $0.hasPrefix("| bv-star2 | 2 | ") && $0.hasSuffix(" s |") }, "\(out)")
        // The star's 6 writes again, one after another by hand: the time create is compared with.
        #expect(
            out.contains {
                $0.hasPrefix("bv-star2: vboxlab create --no-setup ")
                    && $0.contains(" s; the same 6 writes one after another by hand ")
                    && $0.hasSuffix("x the serial time)")
            }, "\(out)")
        #expect(!out.contains { $0.contains("FAILED") }, "\(out)")
    }
}
