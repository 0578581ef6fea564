// The VMBus DSDT device: its AML bytes, and iasl's reading of a DSDT that holds it.

import ACPI
import Foundation
import HyperV
import Testing

@Suite("VMBus ACPI device")
struct VMBusACPIDeviceTests {
    /// Device (VMBS) { Name (_HID, "VMBUS") Name (_CID, "VMBus") Name (_UID, Zero)
    ///                 Name (_STA, 0x0F) Name (_CRS, ResourceTemplate () {}) }
    @Test("without a window: VMBS in \\_SB with _HID VMBUS, _CID VMBus, _UID, _STA and an empty _CRS")
    func goldenBytes() {
        var b = AMLBuilder()
        VMBusACPIDevice().appendAML(into: &b)
        let body: [UInt8] = Array("VMBS".utf8)
            + [0x08] + Array("_HID".utf8) + [0x0D] + Array("VMBUS".utf8) + [0]
            + [0x08] + Array("_CID".utf8) + [0x0D] + Array("VMBus".utf8) + [0]
            + [0x08] + Array("_UID".utf8) + [0x00]
            + [0x08] + Array("_STA".utf8) + [0x0A, 0x0F]
            + [0x08] + Array("_CRS".utf8) + [0x11, 0x05, 0x0A, 0x02, 0x79, 0x00]
        #expect(b.bytes == [0x5B, 0x82, UInt8(body.count + 1)] + body)
    }

    @Test("with a window: VMOD (ACPI0004) owns a DWordMemory range and holds VMBS")
    func window() {
        var b = AMLBuilder()
        VMBusACPIDevice(mmioWindow: 0xF800_0000...0xF8FF_FFFF).appendAML(into: &b)
        let bytes = b.bytes
        #expect(bytes.starts(with: [0x5B, 0x82]))
        let text = String(decoding: bytes.map { (0x20...0x7E).contains($0) ? $0 : 0x2E }, as: UTF8.self)
        #expect(text.contains("VMOD") && text.contains("ACPI0004") && text.contains("VMBS") && text.contains("VMBUS"))
        // DWordMemory: tag 0x87, length 0x17, memory, producer MinFixed MaxFixed, cacheable RW.
        let descriptor: [UInt8] = [0x87, 0x17, 0x00, 0x00, 0x0C, 0x03, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0xF8,
                                   0xFF, 0xFF, 0xFF, 0xF8, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x01]
        #expect(bytes.indices.contains { bytes[$0...].starts(with: descriptor) })
    }

    @Test("iasl disassembles a DSDT holding the device and finds every object")
    func iasl() throws {
        guard let iasl = ["/usr/bin/iasl", "/usr/local/bin/iasl"].first(where: FileManager.default.isExecutableFile) else {
            print("skipped: iasl not found (apt-get install acpica-tools)")
            return
        }
        let device = VMBusACPIDevice(mmioWindow: 0xF800_0000...0xF8FF_FFFF, legacyIRQ: 5)
        let tables = try ACPITables.build(layout: PlatformLayout(ramSize: 256 << 20), devices: [device])
        let dsdt = try #require(tables["DSDT"]).bytes
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("partita-hv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(dsdt).write(to: dir.appendingPathComponent("dsdt.aml"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: iasl)
        process.arguments = ["-d", "dsdt.aml"]
        process.currentDirectoryURL = dir
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        let asl = try String(contentsOf: dir.appendingPathComponent("dsdt.dsl"), encoding: .utf8)
        let squeezed = asl.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }.joined(separator: "\n")
        for expected in ["Device (VMOD)", "Name (_HID, \"ACPI0004\"", "Device (VMBS)", "Name (_HID, \"VMBUS\")",
                         "Name (_CID, \"VMBus\")", "Name (_STA, 0x0F)",
                         "DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite,",
                         "0xF8000000, // Range Minimum", "0xF8FFFFFF, // Range Maximum", "IRQNoFlags ()\n{5}"] {
            #expect(squeezed.contains(expected), "missing \(expected)")
        }
    }
}
