// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "vboxlab",
    products: [
        .executable(name: "vboxlab", targets: ["vboxlab"]),
        .library(name: "VBoxLab", targets: ["VBoxLab"]),
    ],
    targets: [
        .target(name: "VBoxLab"),
        .executableTarget(name: "vboxlab", dependencies: ["VBoxLab"]),
        // Pure: no root, nothing of the host touched; runs anywhere.
        .testTarget(name: "VBoxLabTests", dependencies: ["VBoxLab"], exclude: ["Golden", "Fixtures"]),
        // Root, network namespaces, sshd, the VirtualBox chroot, the benchmark scripts.
        .testTarget(name: "VBoxLabHostTests", dependencies: ["VBoxLab"], exclude: ["Golden", "Shim"]),
    ],
    swiftLanguageModes: [.v6]
)
