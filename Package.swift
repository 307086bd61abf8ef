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
        .testTarget(name: "VBoxLabTests", dependencies: ["VBoxLab"], exclude: ["Golden", "Shim"]),
    ],
    swiftLanguageModes: [.v6]
)
