// swift-tools-version:6.0
import PackageDescription

/// The layers under the lifecycle, lowest first: each depends only on those before it.
let layers: [Target.Dependency] = ["VBoxLabModel", "VBoxLabHost", "VBoxLabProviders", "VBoxLabGuest", "VBoxLabCheck"]

let package = Package(
    name: "vboxlab",
    products: [
        .executable(name: "vboxlab", targets: ["vboxlab"]),
        .library(name: "VBoxLab", targets: ["VBoxLab"]),
    ],
    targets: [
        // The pure model: the spec, topology, solver, frame model and errors, as values. No
        // process, no file system beyond reading a spec; builds and tests anywhere, as anyone.
        .target(name: "VBoxLabModel"),
        // The host: processes (one runner, argv only), the platform's calls, the lab records
        // and locks, and the undo log a signal runs.
        .target(name: "VBoxLabHost", dependencies: ["VBoxLabModel"]),
        // The seam and what plays a lab: the provider protocol and its abilities, the ways into
        // a guest, the registering switch, and each provider in its own folder.
        .target(name: "VBoxLabProviders", dependencies: ["VBoxLabModel", "VBoxLabHost"]),
        // Guest setup as a script each guest runs (found by MAC, idempotent), and reading a guest back.
        .target(name: "VBoxLabGuest", dependencies: ["VBoxLabModel", "VBoxLabHost", "VBoxLabProviders"]),
        // check: every pair pinged, the lab read back, each failure diagnosed by the frame model.
        .target(
            name: "VBoxLabCheck", dependencies: ["VBoxLabModel", "VBoxLabHost", "VBoxLabProviders", "VBoxLabGuest"]),
        // The lab's lifecycle: lock first, record before make, undo on failure, record last to go.
        .target(name: "VBoxLab", dependencies: layers),
        // Parses, validates, calls the lifecycle, prints.
        .executableTarget(name: "vboxlab", dependencies: ["VBoxLab"] + layers),
        // The model's own tests: nothing but the model, so they build and run anywhere, as anyone.
        .testTarget(name: "VBoxLabModelTests", dependencies: ["VBoxLabModel"]),
        // Pure: no root, nothing of the host touched; runs anywhere.
        .testTarget(name: "VBoxLabTests", dependencies: ["VBoxLab"] + layers, exclude: ["Golden", "Fixtures"]),
        // Root, network namespaces, sshd, the VirtualBox chroot, the benchmark scripts.
        .testTarget(name: "VBoxLabHostTests", dependencies: ["VBoxLab"] + layers, exclude: ["Golden", "Shim"]),
    ],
    swiftLanguageModes: [.v6]
)
