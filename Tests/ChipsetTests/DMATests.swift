import Foundation
import Testing
import EmulatorCore
import TestSupport
@testable import Chipset

/// A device on one DMA channel that moves a prepared buffer each time it is granted.
private final class DMATestDevice: DMARequester {
    let dma: DMAController
    let channel: Int
    /// Bytes the device supplies (device → memory) or the room it offers (memory → device).
    var data: [UInt8]
    var toMemory = true
    private(set) var results: [DMATransferResult] = []
    private(set) var received: [UInt8] = []

    init(dma: DMAController, channel: Int, data: [UInt8]) {
        self.dma = dma
        self.channel = channel
        self.data = data
        dma.attach(self, channel: channel)
    }

    func dmaGranted(channel: Int) {
        let r: DMATransferResult
        if toMemory {
            r = data.withUnsafeBytes { dma.writeMemory(channel: channel, from: $0) }
        } else {
            var room = [UInt8](repeating: 0, count: data.count)
            r = room.withUnsafeMutableBytes { dma.readMemory(channel: channel, into: $0) }
            received += room[0..<r.bytes]
        }
        results.append(r)
        dma.setRequest(channel: channel, active: false)
    }

    func request() { dma.setRequest(channel: channel, active: true) }
}

/// The DMA pair on 2 MiB of RAM, programmed through ports like SeaBIOS and Linux's asm/dma.h.
private final class DMABench {
    let memory = PhysicalMemory(ramSize: 2 << 20)
    let dma: DMAController

    init(cascade: Bool = true) {
        dma = DMAController(memory: memory)
        dma.reset()
        if cascade {
            // SeaBIOS dma_setup: DMA2 channel 4 cascade mode, unmasked.
            outb(0xD6, 0xC0)
            outb(0xD4, 0x00)
        }
    }

    func outb(_ port: UInt16, _ value: UInt8) { dma.ioWrite(port: IOPort(port), width: .byte, value: UInt32(value)) }
    func inb(_ port: UInt16) -> UInt8 { UInt8(dma.ioRead(port: IOPort(port), width: .byte)) }

    /// Linux `disable_dma; clear_dma_ff; set_dma_mode; set_dma_addr; set_dma_count; enable_dma`
    /// for `channel`, with `address` a byte address (words on 4–7 as set_dma_addr shifts it)
    /// and `count` in bytes (words on 4–7).
    func program(channel: Int, mode: UInt8, address: UInt32, count: Int) {
        let wide = channel >= 4
        let local = UInt8(channel & 3)
        let maskPort: UInt16 = wide ? 0xD4 : 0x0A
        let flipPort: UInt16 = wide ? 0xD8 : 0x0C
        let modePort: UInt16 = wide ? 0xD6 : 0x0B
        let addrPort: UInt16 = wide ? 0xC0 + UInt16(local) * 4 : UInt16(local) * 2
        let countPort: UInt16 = addrPort + (wide ? 2 : 1)
        let pagePort: UInt16 = 0x80 + UInt16(DMAController.pagePortOffset[channel])
        outb(maskPort, 0x04 | local)
        outb(flipPort, 0)
        outb(modePort, mode | local)
        let registerAddress = wide ? (address >> 1) & 0xFFFF : address & 0xFFFF
        outb(addrPort, UInt8(registerAddress & 0xFF))
        outb(addrPort, UInt8(registerAddress >> 8))
        outb(pagePort, UInt8(truncatingIfNeeded: address >> 16))
        let c = wide ? (count >> 1) - 1 : count - 1
        outb(countPort, UInt8(c & 0xFF))
        outb(countPort, UInt8((c >> 8) & 0xFF))
        outb(maskPort, local)
    }

    func read16(_ port: UInt16) -> UInt16 {
        outb(port < 0x10 ? 0x0C : 0xD8, 0)
        let lo = UInt16(inb(port))
        return lo | UInt16(inb(port)) << 8
    }
}

@Suite("DMA (8237A pair)")
struct DMATests {
    @Test("a single-mode write transfer on channel 2 lands at page:address and reports TC in the status")
    func singleTransferWithPageAndTC() {
        let b = DMABench()
        let payload = (0..<16).map { UInt8($0 * 3 + 1) }
        let device = DMATestDevice(dma: b.dma, channel: 2, data: payload)
        b.program(channel: 2, mode: 0x44, address: 0x12_3456, count: 16)
        #expect(b.inb(0x81) == 0x12)
        device.request()
        #expect(device.results == [DMATransferResult(bytes: 16, terminalCount: true)])
        #expect(b.memory.bytes(at: 0x12_3456, count: 16) == payload)
        #expect(b.memory.bytes(at: 0x12_3455, count: 1) == [0] && b.memory.bytes(at: 0x12_3466, count: 1) == [0])
        // Status: TC bit 2; reading clears it.
        #expect(b.inb(0x08) & 0x0F == 0x04)
        #expect(b.inb(0x08) & 0x0F == 0)
        // Without autoinit the channel masks itself; current registers show the end.
        #expect(b.inb(0x0F) & 0x04 != 0)
        #expect(b.read16(0x04) == 0x3466)
        #expect(b.read16(0x05) == 0xFFFF)
    }

    @Test("DMA1 channels stay idle until DMA2's cascade channel 4 is unmasked")
    func cascadeGatesDMA1() {
        let b = DMABench(cascade: false)
        let device = DMATestDevice(dma: b.dma, channel: 2, data: [1, 2, 3, 4])
        b.program(channel: 2, mode: 0x44, address: 0x1000, count: 4)
        device.request()
        #expect(device.results.isEmpty)
        #expect(b.inb(0x08) & 0x40 != 0, "the request shows in the status register")
        // The BIOS opens the cascade: the waiting request runs.
        b.outb(0xD6, 0xC0)
        b.outb(0xD4, 0x00)
        #expect(device.results == [DMATransferResult(bytes: 4, terminalCount: true)])
        #expect(b.memory.bytes(at: 0x1000, count: 4) == [1, 2, 3, 4])
    }

    @Test("a 16-bit channel counts words, addresses words and ignores page bit 0")
    func wordChannel() {
        let b = DMABench()
        let payload = (0..<8).map { UInt8(0xA0 + $0) }
        let device = DMATestDevice(dma: b.dma, channel: 5, data: payload)
        b.program(channel: 5, mode: 0x44, address: 0x13_0000, count: 8)
        // Page 0x13 with bit 0 dropped is 0x12; address register 0x8000 words = 0x1_0000 bytes.
        #expect(b.read16(0xC4) == 0x8000)
        #expect(b.read16(0xC6) == 3)
        device.request()
        #expect(device.results == [DMATransferResult(bytes: 8, terminalCount: true)])
        #expect(b.memory.bytes(at: 0x13_0000, count: 8) == payload)
        #expect(b.read16(0xC4) == 0x8004)
        #expect(b.inb(0xD0) & 0x02 != 0, "TC of channel 5 is DMA2 status bit 1")
    }

    @Test("an autoinitializing channel reloads its base registers at TC and stays unmasked")
    func autoinitialize() {
        let b = DMABench()
        let device = DMATestDevice(dma: b.dma, channel: 1, data: [9, 8, 7, 6])
        b.program(channel: 1, mode: 0x54, address: 0x2_0100, count: 4)
        device.request()
        #expect(b.read16(0x02) == 0x0100 && b.read16(0x03) == 3)
        #expect(b.inb(0x0F) & 0x02 == 0)
        device.data = [1, 1, 1, 1, 2, 2]
        device.request()
        // Six bytes offered, four fit before TC; the next burst starts over at the base.
        #expect(device.results.last == DMATransferResult(bytes: 4, terminalCount: true))
        #expect(b.memory.bytes(at: 0x2_0100, count: 4) == [1, 1, 1, 1])
        #expect(b.inb(0x08) & 0x02 != 0)
    }

    @Test("addresses wrap inside the 64 KiB page (8-bit) and the 128 KiB page (16-bit), also decrementing")
    func addressWrap() {
        let b = DMABench()
        let device = DMATestDevice(dma: b.dma, channel: 3, data: [0x11, 0x22, 0x33, 0x44])
        b.program(channel: 3, mode: 0x44, address: 0x5_FFFE, count: 4)
        device.request()
        #expect(b.memory.bytes(at: 0x5_FFFE, count: 2) == [0x11, 0x22])
        #expect(b.memory.bytes(at: 0x5_0000, count: 2) == [0x33, 0x44])
        #expect(b.memory.bytes(at: 0x6_0000, count: 1) == [0], "no carry into the page")

        let wide = DMATestDevice(dma: b.dma, channel: 6, data: [1, 2, 3, 4])
        b.program(channel: 6, mode: 0x44, address: 0x3_FFFE, count: 4)
        wide.request()
        #expect(b.memory.bytes(at: 0x3_FFFE, count: 2) == [1, 2])
        #expect(b.memory.bytes(at: 0x2_0000, count: 2) == [3, 4])

        let down = DMATestDevice(dma: b.dma, channel: 0, data: [0xA, 0xB, 0xC])
        b.program(channel: 0, mode: 0x64, address: 0x7_0001, count: 3)
        down.request()
        #expect(b.memory.bytes(at: 0x7_0000, count: 2) == [0xB, 0xA])
        #expect(b.memory.bytes(at: 0x7_FFFF, count: 1) == [0xC])
    }

    @Test("a read transfer brings RAM to the device; a direction mismatch runs verify cycles")
    func readTransferAndMismatch() {
        let b = DMABench()
        b.memory.load([5, 6, 7, 8], at: 0x4000)
        let device = DMATestDevice(dma: b.dma, channel: 2, data: [0, 0, 0, 0])
        device.toMemory = false
        b.program(channel: 2, mode: 0x48, address: 0x4000, count: 4)
        device.request()
        #expect(device.received == [5, 6, 7, 8])

        // The channel says "write to memory", the device wants data: nothing written, 0xFF read.
        b.program(channel: 2, mode: 0x44, address: 0x4000, count: 4)
        device.request()
        #expect(device.received.suffix(4) == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(b.memory.bytes(at: 0x4000, count: 4) == [5, 6, 7, 8])
        #expect(device.results.last == DMATransferResult(bytes: 4, terminalCount: true))
    }

    @Test("a transfer aimed past the end of RAM is dropped without harm and still reaches TC")
    func pastEndOfRAM() {
        let b = DMABench()
        let device = DMATestDevice(dma: b.dma, channel: 7, data: [UInt8](repeating: 0x5A, count: 64))
        b.program(channel: 7, mode: 0x44, address: 0xFE_0000, count: 64)
        device.request()
        #expect(device.results == [DMATransferResult(bytes: 64, terminalCount: true)])
        #expect(b.memory.bytes(at: 0, count: 64) == [UInt8](repeating: 0, count: 64))
    }

    @Test("memory-to-memory on channels 0→1 copies through the temporary register")
    func memoryToMemory() {
        let b = DMABench()
        b.memory.load([0x10, 0x20, 0x30], at: 0x8000)
        b.program(channel: 0, mode: 0x88, address: 0x8000, count: 3)
        b.program(channel: 1, mode: 0x84, address: 0x9000, count: 3)
        b.outb(0x08, 0x01)  // command: memory-to-memory enable
        b.outb(0x09, 0x04)  // software request, channel 0
        #expect(b.memory.bytes(at: 0x9000, count: 3) == [0x10, 0x20, 0x30])
        #expect(b.inb(0x0D) == 0x30)
        #expect(b.inb(0x08) & 0x03 == 0x03)
    }

    @Test("master clear sets every mask, clears the flip-flop and status; clear-mask unmasks all")
    func masterClear() {
        let b = DMABench()
        b.outb(0x0F, 0x00)
        b.outb(0x0C, 0)
        _ = b.inb(0x00)  // flip-flop now points at the high byte
        b.outb(0x0D, 0)
        #expect(b.inb(0x0F) & 0x0F == 0x0F)
        b.outb(0x00, 0x34)
        b.outb(0x00, 0x12)
        #expect(b.read16(0x00) == 0x1234)
        b.outb(0x0E, 0)
        #expect(b.inb(0x0F) & 0x0F == 0)
        #expect(b.inb(0xC1) == 0xFF, "odd DMA2 ports are not decoded")
    }

    @Test("save, restore into a new controller, and both continue identically")
    func savedState() throws {
        let b = DMABench()
        _ = DMATestDevice(dma: b.dma, channel: 2, data: [])
        b.program(channel: 2, mode: 0x54, address: 0x3_1234, count: 100)
        b.program(channel: 6, mode: 0x48, address: 0x4_0000, count: 20)
        b.outb(0x0A, 0x06)  // mask 2
        b.dma.setRequest(channel: 2, active: true)
        b.outb(0x0C, 0)
        _ = b.inb(0x04)  // leave the flip-flop on the high byte
        let saved = b.dma.saveState()
        let data = try JSONEncoder().encode(saved)
        let decoded = try JSONDecoder().decode(DMAController.SavedState.self, from: data)

        let c = DMABench(cascade: false)
        try c.dma.restoreState(decoded)
        #expect(c.dma.saveState() == saved)
        #expect(c.inb(0x04) == b.inb(0x04))
        #expect(c.inb(0x08) == b.inb(0x08))

        var bad = saved
        bad.chips[0].mask = 0x30
        #expect(throws: SnapshotStateError.self) { try c.dma.restoreState(bad) }
        bad = saved
        bad.deviceRequests = 0x10
        #expect(throws: SnapshotStateError.self) { try c.dma.restoreState(bad) }
    }
}
