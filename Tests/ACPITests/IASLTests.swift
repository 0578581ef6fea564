// Cross-checks the tables with ACPICA's iasl (Debian acpica-tools), when it is installed.

import EmulatorCore
import Foundation
import Testing
@testable import ACPI

/// Runs `iasl` on tables written to a scratch directory.
private struct IASL {
    let executable: String
    let directory: URL

    /// nil (after printing why) when iasl is not installed.
    static func find() -> IASL? {
        guard let path = ["/usr/bin/iasl", "/usr/local/bin/iasl"].first(where: FileManager.default.isExecutableFile)
        else {
            print("skipped: iasl not found (apt-get install acpica-tools)")
            return nil
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("partita-acpi-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return IASL(executable: path, directory: dir)
    }

    func write(_ bytes: [UInt8], to name: String) throws {
        try Data(bytes).write(to: directory.appendingPathComponent(name))
    }

    func read(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    func readBytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// Runs iasl with `arguments` in the scratch directory; returns its exit status and output.
    func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// `text` with runs of spaces collapsed, so iasl's column padding does not matter.
private func squeezed(_ text: String) -> String {
    text.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        .joined(separator: "\n")
}

@Suite("iasl cross-check")
struct IASLTests {
    @Test("iasl disassembles the DSDT cleanly and finds every device, method and the S5 object",
          arguments: [PlatformLayout.PCIInterruptRouting.pirqLinks, .ioapicDirect])
    func disassembleDSDT(routing: PlatformLayout.PCIInterruptRouting) throws {
        guard let iasl = IASL.find() else { return }
        defer { iasl.cleanUp() }
        var layout = PlatformLayout(ramSize: 256 << 20, processorCount: 2)
        layout.ioapicID = 2
        layout.pciInterruptRouting = routing
        let tables = try ACPITables.build(layout: layout)
        try iasl.write(try #require(tables["DSDT"]).bytes, to: "dsdt.aml")
        let result = try iasl.run(["-d", "dsdt.aml"])
        #expect(result.status == 0, "\(result.output)")
        #expect(!result.output.contains("Error"), "\(result.output)")
        let asl = try iasl.read("dsdt.dsl")
        for expected in [
            "DefinitionBlock (\"\", \"DSDT\", 1, \"PARTIT\", \"PARTITA \", 0x00000001)",
            "Processor (CPU0, 0x00, 0x00000000, 0x00) {}", "Processor (CPU1, 0x01, 0x00000000, 0x00) {}",
            "Name (_S5, Package (0x04)", "Scope (\\_SB)", "Device (PCI0)", "EisaId (\"PNP0A03\")",
            "Name (_PRT, Package (0x7C)", "Device (ISA)", "Name (_ADR, 0x00010000)",
            "Device (PIC)", "EisaId (\"PNP0000\")", "Device (DMA)", "EisaId (\"PNP0200\")",
            "Device (TMR)", "EisaId (\"PNP0100\")", "Device (RTC)", "EisaId (\"PNP0B00\")",
            "Device (SPKR)", "EisaId (\"PNP0800\")", "Device (KBD)", "EisaId (\"PNP0303\")",
            "Device (MOU)", "EisaId (\"PNP0F13\")", "Device (COM1)", "EisaId (\"PNP0501\")",
            "Device (SYSR)", "EisaId (\"PNP0C02\")",
            "WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,",
            "0xFEBFFFFF,         // Range Maximum", "0x10000000,         // Range Minimum",
            "IRQNoFlags ()\n                            {4}",
        ] {
            #expect(asl.contains(expected), "missing \(expected)")
        }
        let links = ["Device (LNKA)", "Method (_SRS, 1, Serialized)", "Method (_CRS, 0, Serialized)",
                     "Interrupt (ResourceConsumer, Level, ActiveHigh, Shared, ,, )",
                     "OperationRegion (PIRQ, PCI_Config, 0x60, 0x04)", "LNKD, "]
        for expected in links {
            #expect(asl.contains(expected) == (routing == .pirqLinks), "\(expected)")
        }
    }

    @Test("iasl recompiles its own disassembly of the DSDT to exactly our AML",
          arguments: [PlatformLayout.PCIInterruptRouting.pirqLinks, .ioapicDirect])
    func roundTrip(routing: PlatformLayout.PCIInterruptRouting) throws {
        guard let iasl = IASL.find() else { return }
        defer { iasl.cleanUp() }
        var layout = PlatformLayout(ramSize: 512 << 20)
        layout.pciInterruptRouting = routing
        let ours = try #require(try ACPITables.build(layout: layout)["DSDT"]).bytes
        try iasl.write(ours, to: "dsdt.aml")
        #expect(try iasl.run(["-d", "dsdt.aml"]).status == 0)
        // -on: keep name paths as written (iasl would otherwise shorten \_PR to _PR_).
        let compile = try iasl.run(["-on", "-p", "recompiled", "dsdt.dsl"])
        #expect(compile.status == 0, "\(compile.output)")
        #expect(compile.output.contains("0 Errors"), "\(compile.output)")
        // Only the two warnings we accept knowingly: 3168, Processor () is legacy (kept for ACPI
        // 1.0/2.0 OSes); 3073, PCI0 has both _HID and _ADR (kept as older firmware did).
        let warnings = compile.output.split(separator: "\n").filter { $0.hasPrefix("Warning") }
        for warning in warnings {
            #expect(warning.contains("3168") || warning.contains("3073"), "\(warning)")
        }
        let recompiled = try iasl.readBytes("recompiled.aml")
        #expect(recompiled.count == ours.count)
        #expect(Array(recompiled.dropFirst(ACPITableHeader.size)) == Array(ours.dropFirst(ACPITableHeader.size)),
                "AML differs from iasl's")
    }

    @Test("iasl decodes FADT, MADT, RSDT and FACS fields as built")
    func staticTables() throws {
        guard let iasl = IASL.find() else { return }
        defer { iasl.cleanUp() }
        let layout = PlatformLayout(ramSize: 256 << 20)
        let tables = try ACPITables.build(layout: layout)
        let facs = try #require(tables["FACS"]).address.value
        let dsdt = try #require(tables["DSDT"]).address.value
        let fadtAddress = try #require(tables["FACP"]).address.value
        func hex8(_ v: UInt32) -> String {
            let digits = String(v, radix: 16, uppercase: true)
            return String(repeating: "0", count: 8 - digits.count) + digits
        }
        let expectations: [(String, [String])] = [
            ("FACP", [
                "Revision : 03", "FACS Address : \(hex8(facs))", "DSDT Address : \(hex8(dsdt))",
                "SCI Interrupt : 0009", "SMI Command Port : 000000B2", "ACPI Enable Value : F1",
                "ACPI Disable Value : F0", "PM1A Event Block Address : 00000600",
                "PM1A Control Block Address : 00000604", "PM Timer Block Address : 00000608",
                "GPE0 Block Address : 0000060C", "GPE0 Block Length : 04", "PM1 Event Block Length : 04", "PM1 Control Block Length : 02", "PM Timer Block Length : 04",
                "RTC Century Index : 32", "Legacy Devices Supported (V2) : 1", "8042 Present on ports 60/64 (V2) : 1",
                "WBINVD instruction is operational (V1) : 1", "All CPUs support C1 (V1) : 1",
                "Control Method Sleep Button (V1) : 1", "Reset Register Supported (V2) : 1",
                "Address : 0000000000000CF9", "Value to cause reset : 06",
                "FACS Address : 00000000\(hex8(facs))", "DSDT Address : 00000000\(hex8(dsdt))",
            ]),
            ("APIC", [
                "Local Apic Address : FEE00000", "PC-AT Compatibility : 1",
                "Subtable Type : 00 [Processor Local APIC]", "Processor Enabled : 1",
                "Subtable Type : 01 [I/O Apic]", "I/O Apic ID : 01", "Address : FEC00000",
                "Subtable Type : 02 [Interrupt Source Override]", "Source : 09", "Trigger Mode : 3",
                "Subtable Type : 04 [Local Apic NMI]", "Interrupt Input LINT : 01",
            ]),
            ("RSDT", ["ACPI Table Address 0 : \(hex8(fadtAddress))"]),
            ("FACS", ["Length : 00000040", "Version : 01"]),
        ]
        for (signature, fields) in expectations {
            let name = signature.lowercased()
            try iasl.write(try #require(tables[signature]).bytes, to: "\(name).dat")
            let result = try iasl.run(["-d", "\(name).dat"])
            #expect(result.status == 0, "\(signature): \(result.output)")
            let text = squeezed(try iasl.read("\(name).dsl")).lowercased()
            #expect(!text.contains("**** "), "\(signature) has iasl complaints")
            for field in fields {
                #expect(text.contains(squeezed(field).lowercased()), "\(signature) lacks \(field)")
            }
        }
    }
}
