import Testing
import EmulatorCore
import TestSupport
import X86
@testable import Chipset

/// A fw_cfg device on its own I/O bus over 2 MiB of RAM, driven the way SeaBIOS and Linux's
/// qemu_fw_cfg driver drive it.
final class FwCfgBench {
    let memory = PhysicalMemory(ramSize: 2 << 20)
    let ports = PortIOBus()
    let device: FwCfg

    static let e820: [UInt8] = (0..<40).map { UInt8($0) }

    static func configuration() throws -> FwCfgConfiguration {
        var c = FwCfgConfiguration(ramSize: 2 << 20, cpuCount: 1)
        c.maxCPUs = 4
        c.commandLine = "console=ttyS0"
        c.kernel = .init(address: 0x10_0000, data: [0xF4, 0x90, 0x90])
        c.kernelEntry = 0x10_0000
        c.initrd = .init(address: 0x80_0000, data: [1, 2, 3, 4, 5])
        try c.addFile("etc/e820", contents: e820)
        try c.addFile("bootorder", contents: Array("/pci@i0cf8/ide@1,1/drive@0/disk@0\n".utf8) + [0])
        try c.addFile("etc/boot-fail-wait", contents: [0x10, 0x27, 0, 0])
        return c
    }

    init(_ configuration: FwCfgConfiguration? = nil) throws {
        device = try FwCfg(configuration ?? Self.configuration(), memory: memory)
        for r in FwCfg.portRanges { ports.register(device, ports: r) }
    }

    func select(_ key: UInt16) { ports.write(IOPort(0x510), width: .word, value: UInt32(key)) }
    func readByte() -> UInt8 { UInt8(ports.read(IOPort(0x511), width: .byte)) }
    func read(_ count: Int) -> [UInt8] { (0..<count).map { _ in readByte() } }
    func readLE(_ count: Int) -> UInt64 {
        read(count).enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }
    func readBE32() -> UInt32 { read(4).reduce(0) { $0 << 8 | UInt32($1) } }

    /// Writes an FWCfgDmaAccess at `request` and starts it as Linux does: the high half of the
    /// address, then the low half, each byte-swapped into the big-endian register.
    func dma(control: UInt32, length: UInt32, address: UInt64, request: UInt64 = 0x1000) {
        if request < UInt64(memory.ramSize) - 16 {
            memory.load(be32(control) + be32(length) + be32(UInt32(address >> 32)) + be32(UInt32(truncatingIfNeeded: address)),
                        at: UInt32(request))
        }
        ports.write(IOPort(0x514), width: .dword, value: UInt32(request >> 32).byteSwapped)
        ports.write(IOPort(0x518), width: .dword, value: UInt32(truncatingIfNeeded: request).byteSwapped)
    }

    func controlWord(at request: UInt32 = 0x1000) -> UInt32 {
        memory.bytes(at: request, count: 4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    func be32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32($0))) } }

    /// Walks the file directory for `name`: (selector, size).
    func findFile(_ name: String) -> (UInt16, UInt32)? {
        select(FwCfgKey.fileDirectory)
        let count = readBE32()
        for _ in 0..<count {
            let size = readBE32()
            let key = UInt16(readByte()) << 8 | UInt16(readByte())
            _ = read(2)
            let raw = read(56)
            let entryName = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            if entryName == name { return (key, size) }
        }
        return nil
    }
}

@Suite("fw_cfg")
struct FwCfgTests {
    static let read: UInt32 = 1 << 1, skip: UInt32 = 1 << 2, select: UInt32 = 1 << 3, write: UInt32 = 1 << 4

    @Test("the signature reads \"QEMU\" byte by byte and zeros past its end; a selector write rewinds")
    func signature() throws {
        let b = try FwCfgBench()
        b.select(FwCfgKey.signature)
        #expect(b.read(4) == Array("QEMU".utf8))
        #expect(b.read(3) == [0, 0, 0])
        b.select(FwCfgKey.signature)
        #expect(UInt8(b.ports.read(IOPort(0x510), width: .byte)) == UInt8(ascii: "Q"), "byte reads of 0x510 are data reads too")
        #expect(b.readByte() == UInt8(ascii: "E"))
        b.select(FwCfgKey.signature | FwCfgKey.writeChannel)
        #expect(b.read(4) == Array("QEMU".utf8), "the write-channel bit selects the same item")
    }

    @Test("byte writes to the selector or data port change nothing (no split selector writes, as in QEMU)")
    func byteWritesIgnored() throws {
        let b = try FwCfgBench()
        b.select(FwCfgKey.nbCPUs)
        b.ports.write(IOPort(0x510), width: .byte, value: 0x19)
        b.ports.write(IOPort(0x511), width: .byte, value: 0x00)
        b.ports.write(IOPort(0x510), width: .dword, value: 0)
        #expect(b.device.selector == FwCfgKey.nbCPUs)
        #expect(b.readLE(2) == 1)
    }

    @Test("the ID advertises DMA and the DMA register reads \"QEMU CFG\"")
    func idAndDMASignature() throws {
        let b = try FwCfgBench()
        b.select(FwCfgKey.id)
        #expect(b.readLE(4) == 3)
        let high = b.ports.read(IOPort(0x514), width: .dword), low = b.ports.read(IOPort(0x518), width: .dword)
        // A little-endian IN of a big-endian register: swap back to read the signature.
        #expect(UInt64(high.byteSwapped) << 32 | UInt64(low.byteSwapped) == 0x5145_4D55_2043_4647)
    }

    @Test("machine items: RAM size u64, CPU counts u16, command line, kernel and initrd")
    func numericItems() throws {
        let b = try FwCfgBench()
        b.select(FwCfgKey.ramSize); #expect(b.readLE(8) == 2 << 20)
        b.select(FwCfgKey.nbCPUs); #expect(b.readLE(2) == 1)
        b.select(FwCfgKey.maxCPUs); #expect(b.readLE(2) == 4)
        b.select(FwCfgKey.commandLineSize); #expect(b.readLE(4) == 14)
        b.select(FwCfgKey.commandLineData); #expect(b.read(14) == Array("console=ttyS0".utf8) + [0])
        b.select(FwCfgKey.kernelAddress); #expect(b.readLE(4) == 0x10_0000)
        b.select(FwCfgKey.kernelSize); #expect(b.readLE(4) == 3)
        b.select(FwCfgKey.kernelData); #expect(b.read(3) == [0xF4, 0x90, 0x90])
        b.select(FwCfgKey.kernelEntry); #expect(b.readLE(4) == 0x10_0000)
        b.select(FwCfgKey.initrdSize); #expect(b.readLE(4) == 5)
        b.select(FwCfgKey.initrdData); #expect(b.read(5) == [1, 2, 3, 4, 5])
        b.select(FwCfgKey.setupData); #expect(b.read(2) == [0, 0], "absent items read as zeros")
        b.select(0x7FFF); #expect(b.read(1) == [0])
    }

    @Test("the file directory lists files sorted by name with selectors from 0x20, and a file reads back")
    func fileDirectory() throws {
        let b = try FwCfgBench()
        b.select(FwCfgKey.fileDirectory)
        #expect(b.readBE32() == 3)
        var names: [String] = [], keys: [UInt16] = []
        for _ in 0..<3 {
            _ = b.readBE32()
            keys.append(UInt16(b.readByte()) << 8 | UInt16(b.readByte()))
            #expect(b.read(2) == [0, 0])
            names.append(String(decoding: b.read(56).prefix { $0 != 0 }, as: UTF8.self))
        }
        #expect(names == ["bootorder", "etc/boot-fail-wait", "etc/e820"])
        #expect(keys == [0x20, 0x21, 0x22])
        let found = try #require(b.findFile("etc/e820"))
        #expect(found.1 == 40)
        b.select(found.0)
        #expect(b.read(40) == FwCfgBench.e820)
        #expect(b.findFile("etc/missing") == nil)
    }

    @Test("a DMA read with select copies the item into RAM, zero-fills past its end and reports success")
    func dmaRead() throws {
        let b = try FwCfgBench()
        let key = try #require(b.findFile("etc/e820")).0
        b.memory.load([UInt8](repeating: 0xAA, count: 64), at: 0x2000)
        b.dma(control: UInt32(key) << 16 | Self.select | Self.read, length: 44, address: 0x2000)
        #expect(b.controlWord() == 0)
        #expect(b.memory.bytes(at: 0x2000, count: 40) == FwCfgBench.e820)
        #expect(b.memory.bytes(at: 0x2028, count: 5) == [0, 0, 0, 0, 0xAA])
        #expect(b.device.dmaAddress == 0, "the address register clears after a request")
    }

    @Test("DMA skip advances the offset, and the I/O data port continues from it")
    func dmaSkip() throws {
        let b = try FwCfgBench()
        b.dma(control: UInt32(FwCfgKey.signature) << 16 | Self.select | Self.skip, length: 2, address: 0)
        #expect(b.controlWord() == 0)
        #expect(b.read(2) == Array("MU".utf8))
        b.dma(control: Self.skip, length: 0xFFFF_FFFF, address: 0)
        #expect(b.device.offset == 4, "skips stop at the end of the item")
        b.dma(control: UInt32(FwCfgKey.kernelData) << 16 | Self.select, length: 0, address: 0)
        #expect(b.controlWord() == 0 && b.device.selector == FwCfgKey.kernelData, "select alone")
    }

    @Test("hostile DMA requests set the error bit and write nothing: beyond RAM, huge, 64-bit, ROM, writes")
    func dmaErrors() throws {
        let b = try FwCfgBench()
        b.memory.mapROM([UInt8](repeating: 0x11, count: 4096), at: 0x10_0000 - 4096)
        let key = UInt32(FwCfgKey.signature) << 16 | Self.select | Self.read
        let cases: [(UInt32, UInt64)] = [
            (16, UInt64(2 << 20) - 8),          // crosses the end of RAM
            (0xFFFF_FFFF, 0x3000),              // longer than RAM
            (4, 0x1_0000_0000),                 // above 4 GiB
            (4, 0xFFFF_FFFF_FFFF_FFFE),         // wraps the 64-bit space
            (4, 0x10_0000 - 4096),              // ROM
        ]
        for (length, address) in cases {
            b.dma(control: key, length: length, address: address)
            #expect(b.controlWord() == 1, "length \(length) at \(address)")
            #expect(b.device.offset == 0, "nothing consumed for length \(length) at \(address)")
        }
        #expect(b.memory.bytes(at: UInt32(2 << 20) - 8, count: 8) == [0, 0, 0, 0, 0, 0, 0, 0])
        b.dma(control: UInt32(FwCfgKey.ramSize) << 16 | Self.select | Self.write, length: 8, address: 0x3000)
        #expect(b.controlWord() == 1, "every item is read-only")
        b.select(FwCfgKey.ramSize)
        #expect(b.readLE(8) == 2 << 20)
        // Requests that are not in RAM at all: nothing to report into, nothing crashes.
        b.dma(control: 0, length: 0, address: 0, request: 0xFFFF_FFF8)
        b.dma(control: 0, length: 0, address: 0, request: 0x7_0000_0000)
        b.dma(control: 0, length: 0, address: 0, request: UInt64(2 << 20) - 8)
        #expect(b.device.dmaAddress == 0)
    }

    @Test("random DMA requests from a hostile guest never crash and never touch memory outside RAM")
    func dmaFuzz() throws {
        let b = try FwCfgBench()
        var rng = SplitMix64(seed: 0xF00D)
        for _ in 0..<2000 {
            let control = UInt32(truncatingIfNeeded: rng.next())
            let length = rng.next() % 3 == 0 ? UInt32(truncatingIfNeeded: rng.next()) : UInt32(rng.next() % 300)
            let address = rng.next() % 2 == 0 ? rng.next() : rng.next() % UInt64(3 << 20)
            let request = rng.next() % 4 == 0 ? rng.next() : 0x1000
            b.dma(control: control, length: length, address: address, request: request)
            #expect(Int(b.device.offset) <= b.device.current.count)
        }
    }

    @Test("a real-mode guest reads the signature with IN and fetches a file with a byte-swapped DMA request")
    func guestProgram() throws {
        let b = try FwCfgBench()
        let key = try #require(b.findFile("etc/e820")).0
        let code = try assemble("""
            bits 16
            org 0x7000
                mov dx, 0x510
                xor ax, ax
                out dx, ax              ; select the signature
                inc dx
                mov di, 0x5000
                mov cx, 4
                rep insb                ; "QEMU" at 0x5000
                ; FWCfgDmaAccess at 0x6000: select etc/e820 + read, 40 bytes to 0x5100
                mov eax, 0x\(String(UInt32(key) << 16 | Self.select | Self.read, radix: 16))
                bswap eax
                mov [0x6000], eax
                mov dword [0x6004], 0x28000000
                mov dword [0x6008], 0
                mov dword [0x600C], 0x00510000
                mov dx, 0x514
                xor eax, eax
                out dx, eax
                mov dx, 0x518
                mov eax, 0x6000
                bswap eax
                out dx, eax
                hlt
            """)
        let cpu = CPU(memory: b.memory, ports: b.ports)
        b.memory.load(code, at: 0x7000)
        for s in [SegmentRegister.cs, .ds, .es, .ss] { cpu.setSegmentReal(s, selector: 0) }
        cpu.eip = 0x7000
        #expect(cpu.run(budget: 1000) == .halted)
        #expect(b.memory.bytes(at: 0x5000, count: 4) == Array("QEMU".utf8))
        #expect(b.memory.bytes(at: 0x6000, count: 4) == [0, 0, 0, 0], "control word cleared: success")
        #expect(b.memory.bytes(at: 0x5100, count: 40) == FwCfgBench.e820)
    }

    @Test("selector, offset and the DMA latch survive save and restore into a new device")
    func saveRestore() throws {
        let b = try FwCfgBench()
        let key = try #require(b.findFile("bootorder")).0
        b.select(key)
        _ = b.read(5)
        b.ports.write(IOPort(0x514), width: .dword, value: UInt32(0x0000_0001).byteSwapped)
        let saved = b.device.saveState()
        #expect(saved == .init(selector: key, offset: 5, dmaAddress: 0x1_0000_0000))
        let c = try FwCfgBench()
        try c.device.restoreState(saved)
        #expect(c.device.saveState() == saved)
        #expect(c.read(4) == Array("i0cf".utf8), "/pci@ then i0cf")
        #expect(c.device.snapshotSection == "fw_cfg")
        #expect(throws: SnapshotStateError.self) {
            try c.device.restoreState(.init(selector: FwCfgKey.signature, offset: 5, dmaAddress: 0))
        }
        c.device.reset()
        #expect(c.device.saveState() == .init(selector: 0, offset: 0, dmaAddress: 0))
    }

    @Test("configuration errors name the problem: bad or duplicate file names")
    func configurationErrors() throws {
        var c = FwCfgConfiguration(ramSize: 1 << 20)
        #expect(throws: FwCfgError.badFileName("")) { try c.addFile("", contents: []) }
        let long = String(repeating: "x", count: 56)
        #expect(throws: FwCfgError.badFileName(long)) { try c.addFile(long, contents: []) }
        try c.addFile(String(repeating: "y", count: 55), contents: [])
        try c.addFile("etc/e820", contents: [])
        #expect(throws: FwCfgError.duplicateFileName("etc/e820")) { try c.addFile("etc/e820", contents: [1]) }
        #expect(c.selector(ofFile: "etc/e820") == 0x20)
        #expect(FwCfgError.duplicateFileName("etc/e820").description.contains("etc/e820"))
    }
}

