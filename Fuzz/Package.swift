// swift-tools-version:6.0
// libFuzzer targets for the parsers that read untrusted bytes: VMBus channel messages, storvsc
// packets, snapshot files. Build and run with scripts/fuzz.sh (not part of the default build:
// it needs the fuzzer and address sanitizers, i.e. a second full build of the emulator).
import PackageDescription

let asLibrary: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "PartitaFuzz",
    dependencies: [.package(name: "Partita", path: "..")],
    targets: [
        .executableTarget(name: "FuzzVMBusMessages",
                          dependencies: [.product(name: "PartitaFuzzing", package: "Partita")], swiftSettings: asLibrary),
        .executableTarget(name: "FuzzStorVSPPackets",
                          dependencies: [.product(name: "PartitaFuzzing", package: "Partita")], swiftSettings: asLibrary),
        .executableTarget(name: "FuzzSnapshotReader",
                          dependencies: [.product(name: "PartitaFuzzing", package: "Partita")], swiftSettings: asLibrary),
    ],
    swiftLanguageModes: [.v6]
)
