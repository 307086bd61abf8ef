import Foundation
import Testing

@testable import VBoxLab
@testable import VBoxLabCheck
@testable import VBoxLabGuest
@testable import VBoxLabHost
@testable import VBoxLabModel
@testable import VBoxLabProviders

/// The platform seam: process groups, timeouts that stop what a child started, and the
/// runtime directory's default.
struct PlatformTests {
    /// A wrapper whose own child outlives it: the timeout stops the whole group, so the run
    /// ends soon after the limit instead of when the grandchild would have.
    @Test func timeoutStopsTheChildsGroup() throws {
        let started = Date()
        let r = try ProcessRunner().run(Command("sh", ["-c", "sleep 30 & wait"], timeout: 1))
        let took = Date().timeIntervalSince(started)
        #expect(r.status == 124)
        #expect(r.stderr.contains("stopped after 1 s (timeout)"))
        #expect(took < 5, "took \(took) s")
    }

    /// A grandchild that left the group (setsid) still holds the pipes: the run gives them up
    /// a few seconds past the limit rather than waiting for it.
    @Test func timeoutGivesUpPipesHeldOutsideTheGroup() throws {
        guard ProcessRunner.resolve("setsid") != nil else { return }
        let started = Date()
        let r = try ProcessRunner().run(Command("sh", ["-c", "setsid sleep 30 & echo $!; wait"], timeout: 1))
        let took = Date().timeIntervalSince(started)
        if let escaped = pid_t(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) { kill(escaped, SIGKILL) }
        #expect(r.status == 124)
        #expect(took < 10, "took \(took) s")
    }

    /// A child gets standard input, output and error and nothing else of this process: not a
    /// descriptor inherited without close-on-exec, which a daemon it starts would keep open.
    @Test func aChildGetsNoOtherDescriptor() throws {
        let null = open("/dev/null", O_RDONLY)
        try #require(null >= 0)
        // Well above what the test process holds, and not close-on-exec.
        let high: Int32 = 987
        try #require(dup2(null, high) == high)
        close(null)
        defer { close(high) }
        let r = try ProcessRunner().run(Command("sh", ["-c", "ls /proc/$$/fd"]))
        let fds = Set(r.stdout.split(whereSeparator: \.isWhitespace).map(String.init))
        #expect(fds.isSuperset(of: ["0", "1", "2"]), "\(r.stdout)\(r.stderr)")
        #expect(!fds.contains("\(high)"), "\(r.stdout)")
        #expect(fds.count <= 4, "\(fds.sorted())")
    }

    /// Each child leads a group of its own, apart from this process's.
    @Test func childLeadsItsOwnGroup() throws {
        let r = try ProcessRunner().run(Command("sh", ["-c", "ps -o pgid= -p $$; echo $$"]))
        let words = r.stdout.split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) }
        try #require(words.count == 2, "\(r.stdout) \(r.stderr)")
        #expect(words[0] == words[1])
        #expect(words[0] != getpgrp())
    }

    /// Variables given to a command reach it on top of this process's environment.
    @Test func extraEnvironmentReachesTheChild() throws {
        let r = try ProcessRunner().run(
            Command("sh", ["-c", "echo \"$VBOXLAB_T1:${PATH:+path}\""], environment: ["VBOXLAB_T1": "one"]))
        #expect(r.stdout == "one:path\n")
        let plain = try ProcessRunner().run(Command("sh", ["-c", "echo \"${HOME:+home}\""]))
        #expect(plain.stdout == (ProcessInfo.processInfo.environment["HOME"] == nil ? "\n" : "home\n"))
    }

    /// A program that cannot be run is `.missing`; an exit status and a signal read as a shell reads them.
    @Test func statusesReadAsAShellReadsThem() throws {
        #expect(try ProcessRunner().run(Command("sh", ["-c", "exit 7"])).status == 7)
        #expect(try ProcessRunner().run(Command("sh", ["-c", "kill -KILL $$"])).status == 137)
        #expect(throws: VBoxLabError.self) { try ProcessRunner().run(Command("/nonexistent/vboxlab-no-such", [])) }
        #expect(ExitStatus.shellStatus(3 << 8) == 3 && ExitStatus.shellStatus(15) == 143)
    }

    /// `$XDG_RUNTIME_DIR` wins; otherwise root uses /run and anyone else a directory named by uid.
    @Test func runtimeDirectoryDefault() {
        #expect(RuntimeDirectory.path(environment: ["XDG_RUNTIME_DIR": "/run/user/5"], uid: 5) == "/run/user/5/vboxlab")
        #expect(RuntimeDirectory.path(environment: ["XDG_RUNTIME_DIR": "relative"], uid: 0) != "relative/vboxlab")
        #if os(Linux)
            #expect(Platform.isLinux)
            #expect(RuntimeDirectory.path(environment: [:], uid: 0) == "/run/vboxlab")
            #expect(RuntimeDirectory.path(environment: [:], uid: 1000) == "/tmp/vboxlab-1000")
        #else
            #expect(!Platform.isLinux)
            #expect(
                RuntimeDirectory.path(environment: ["TMPDIR": "/var/folders/x/T/"], uid: 501)
                    == "/var/folders/x/T/vboxlab-501")
        #endif
        let env = ["XDG_STATE_HOME": "/s", "XDG_RUNTIME_DIR": "/r"]
        #expect(StatePaths.fromEnvironment(env) == StatePaths(state: "/s/vboxlab", runtime: "/r/vboxlab"))
    }
}
