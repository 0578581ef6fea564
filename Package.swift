// swift-tools-version:6.0
import PackageDescription

let optimize: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"])]

let package = Package(
    name: "Partita",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "partita", targets: ["partita"]),
        // For the libFuzzer package in Fuzz/ (scripts/fuzz.sh): the parsers and the guest-side models.
        .library(name: "PartitaFuzzing", targets: ["EmulatorCore", "HyperV", "VMBus", "VMBusDevices", "Storage",
                                                   "Snapshot", "TestSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CSDL2", path: "Sources/CSDL2", pkgConfig: "sdl2",
                       providers: [.apt(["libsdl2-dev"])]),
        .target(name: "CX87", path: "Sources/CX87"),
        .target(name: "EmulatorCore", swiftSettings: optimize),
        .target(name: "X86", dependencies: ["EmulatorCore", "CX87"], swiftSettings: optimize),
        .target(name: "Conformance", dependencies: ["X86", "EmulatorCore", "CZlib"], swiftSettings: optimize),
        .target(name: "Chipset", dependencies: ["EmulatorCore", "X86", "Storage"], swiftSettings: optimize),
        .target(name: "ACPI", dependencies: ["EmulatorCore"], swiftSettings: optimize),
        .target(name: "Firmware", dependencies: ["EmulatorCore", "X86", "ACPI", "Storage"], swiftSettings: optimize),
        .target(name: "GuestKit"),
        .target(name: "Snapshot", dependencies: ["EmulatorCore", "CZstd"], swiftSettings: optimize),
        .target(name: "Machine", dependencies: ["EmulatorCore", "X86", "Chipset", "ACPI", "Firmware", "Snapshot", "CZlib", "HyperV", "VMBus", "Storage", "VMBusDevices", "Graphics"], swiftSettings: optimize),
        .target(name: "HyperV", dependencies: ["EmulatorCore", "X86", "ACPI"], swiftSettings: optimize),
        .target(name: "VMBus", dependencies: ["EmulatorCore", "HyperV"], swiftSettings: optimize),
        .target(name: "TestSupport", dependencies: ["X86", "EmulatorCore", "HyperV", "VMBus"]),
        .target(name: "Storage", dependencies: ["EmulatorCore"], swiftSettings: optimize),
        .target(name: "VMBusDevices", dependencies: ["VMBus", "Storage", "EmulatorCore"], swiftSettings: optimize),
        .target(name: "Graphics", dependencies: ["EmulatorCore", "Chipset", "CZlib"], swiftSettings: optimize),
        // The SDL2 window; the only target that imports CSDL2.
        .target(name: "FrontendSDL", dependencies: ["CSDL2", "Machine", "Chipset", "EmulatorCore", "Graphics"]),
        .executableTarget(name: "partita", dependencies: [
            "X86", "EmulatorCore", "Conformance", "Machine", "Chipset", "GuestKit", "Firmware", "Snapshot", "CZlib", "Graphics",
            "FrontendSDL",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: optimize),
        .testTarget(name: "EmulatorCoreTests", dependencies: ["EmulatorCore"]),
        .testTarget(name: "X86Tests", dependencies: ["X86", "EmulatorCore", "Conformance", "TestSupport", "CZlib", "CX87"]),
        .testTarget(name: "ChipsetTests", dependencies: ["Chipset", "EmulatorCore", "X86", "TestSupport", "Storage"]),
        .testTarget(name: "MachineTests", dependencies: ["Machine", "Chipset", "EmulatorCore", "X86", "TestSupport", "Snapshot", "Firmware", "Storage", "Graphics"]),
        .testTarget(name: "PartitaCLITests", dependencies: ["TestSupport"]),
        .testTarget(name: "ACPITests", dependencies: ["ACPI", "EmulatorCore"]),
        .testTarget(name: "GuestKitTests", dependencies: ["GuestKit"]),
        .testTarget(name: "FirmwareTests", dependencies: ["Firmware", "EmulatorCore", "X86", "TestSupport"]),
        .testTarget(name: "SnapshotTests", dependencies: ["Snapshot", "TestSupport"]),
        .testTarget(name: "HyperVTests", dependencies: ["HyperV", "ACPI", "Chipset", "EmulatorCore", "X86", "TestSupport"]),
        .testTarget(name: "VMBusTests", dependencies: ["VMBus", "HyperV", "EmulatorCore", "TestSupport"]),
        .testTarget(name: "ConformanceTests", dependencies: ["Conformance", "X86", "EmulatorCore"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "EmulatorCore", "TestSupport"]),
        .testTarget(name: "FrontendSDLTests", dependencies: ["FrontendSDL", "CSDL2", "Chipset", "Machine", "EmulatorCore"]),
        .testTarget(name: "GraphicsTests", dependencies: ["Graphics", "Chipset", "EmulatorCore", "CZlib"]),
        .testTarget(name: "VMBusDevicesTests", dependencies: ["VMBusDevices", "Storage", "VMBus", "HyperV", "EmulatorCore", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
