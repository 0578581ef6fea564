import Foundation
import Testing
import EmulatorCore
import TestSupport
@testable import Chipset

@Suite("PS2Controller save/restore")
struct PS2SavedStateTests {
    /// Services both controllers' interrupts in lockstep on their shared scheduler; the bytes each
    /// read, tagged with the port they came from.
    private func serviceBoth(_ a: PS2Bench, _ b: PS2Bench, for duration: UInt64) -> ([PS2Received], [PS2Received]) {
        var got: [[PS2Received]] = [[], []]
        let end = a.scheduler.now + duration
        while a.scheduler.now < end {
            for (i, bench) in [a, b].enumerated() where bench.irq1.level || bench.irq12.level {
                let line = bench.irq1.level ? 1 : 12
                let aux = bench.status & I8042.auxData != 0
                got[i].append(PS2Received(byte: bench.inb(0x60), fromAux: aux, irq: line))
            }
            a.advance(by: 10_000)
        }
        return (got[0], got[1])
    }

    /// A controller mid-conversation: keyboard bytes queued behind a disabled port, a mouse packet
    /// under way, a held key repeating, a controller command waiting for its data byte.
    private func busyBench(scheduler: Scheduler? = nil) -> PS2Bench {
        let b = PS2Bench(scheduler: scheduler ?? Scheduler())
        b.linuxProbe()
        for rate: UInt8 in [200, 100, 80] { _ = b.mouseCommand(0xF3, rate) }
        _ = b.mouseCommand(0xF4)
        _ = b.keyboardCommand(0xED, 0x02)
        _ = b.command(I8042.keyboardDisable)
        b.keyboard.press(.rightControl)
        b.keyboard.release(.rightControl)
        b.keyboard.press(.pause)
        b.keyboard.press(.k)  // repeats after 500 ms
        b.mouse.move(dx: 7, dy: -2)
        b.mouse.scroll(by: 1)
        b.advance(by: 30_000)  // the mouse's first byte is in the output buffer
        b.outb(0x64, 0x60)     // a command byte write, its data not yet sent
        return b
    }

    @Test("save → new controller → restore keeps queued bytes, transfers and timers, and both go on alike")
    func roundTrip() throws {
        let a = busyBench()
        let saved = a.controller.saveState()
        #expect(saved.outputBufferFull && saved.outputFromAux)
        #expect(saved.pendingCommand == 0x60)
        #expect(saved.keyboard.scanQueue.count == 14)  // E0 14 E0 F0 14, Pause's 8 bytes, 42
        #expect(saved.keyboard.typematicKey == PS2Key.k.rawValue && saved.keyboard.typematicDeadline != nil)
        #expect(saved.outputBuffer == 0x08)
        #expect(saved.mouse.packetQueue == [0x07, 0x02, 0x00] && saved.mouse.dz == -1)
        #expect(saved.keyboard.leds == 0x02 && saved.mouse.deviceID == 3)

        // Through JSON, as a snapshot file carries it.
        let data = try JSONEncoder().encode(saved)
        let decoded = try JSONDecoder().decode(PS2Controller.SavedState.self, from: data)
        #expect(decoded == saved)

        let b = PS2Bench(scheduler: a.scheduler)
        try b.controller.restoreState(decoded)
        #expect(b.controller.saveState() == saved)
        #expect(b.irq12.level && !b.irq1.level)

        // Both finish the command byte write, enable the keyboard port, and deliver the same bytes.
        for bench in [a, b] {
            bench.outb(0x60, I8042.xlate | I8042.auxInt | I8042.kbdInt)
        }
        let (gotA, gotB) = serviceBoth(a, b, for: 700_000_000)
        #expect(gotA == gotB)
        // The packet under way, then the wheel motion that waited for the next sample.
        #expect(gotA.filter(\.fromAux).map(\.byte) == [0x08, 0x07, 0x02, 0x00, 0x08, 0x00, 0x00, 0xFF])
        #expect(gotA.filter(\.fromAux).allSatisfy { $0.irq == 12 })
        // Right Ctrl down and up, Pause, K and its repeats (at 500, 591.7 and 683.5 ms), translated.
        #expect(gotA.filter { !$0.fromAux }.map(\.byte)
                == [0xE0, 0x1D, 0xE0, 0x9D, 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5, 0x25, 0x25, 0x25, 0x25])
        #expect(a.controller.saveState() == b.controller.saveState())
    }

    @Test("the A20 bit and SYS flag are restored without calling setA20")
    func restoresOutputPort() throws {
        let a = PS2Bench()
        a.outb(0x64, 0xDD)
        _ = a.command(I8042.selfTest)
        let b = PS2Bench()
        try b.controller.restoreState(a.controller.saveState())
        #expect(!b.controller.a20GateEnabled && b.a20Changes.isEmpty)
        #expect(b.status & I8042.sys != 0)
    }

    @Test("a corrupt saved state is refused and leaves the controller unchanged")
    func corruptStateRefused() {
        let a = busyBench()
        let good = a.controller.saveState()
        var shortRAM = good
        shortRAM.ram.removeLast()
        var auxWithoutData = good
        auxWithoutData.outputBufferFull = false
        var badCommand = good
        badCommand.pendingCommand = 0xAA
        var badOutputPort = good
        badOutputPort.outputPort = 0x02
        var transferNoDeadline = good
        transferNoDeadline.outputBufferFull = false
        transferNoDeadline.outputFromAux = false
        transferNoDeadline.transferSource = 0
        transferNoDeadline.transferDeadline = nil
        var badSource = good
        badSource.lastTransferSource = 2
        var set3 = good
        set3.keyboard.scanCodeSet = 3
        var overfull = good
        overfull.keyboard.scanQueue = [UInt8](repeating: 0x1C, count: 18)
        var unknownKey = good
        unknownKey.keyboard.pressedKeys.append(0x01)
        var repeatNotHeld = good
        repeatNotHeld.keyboard.pressedKeys.removeAll { $0 == PS2Key.k.rawValue }
        var badKeyboardCommand = good
        badKeyboardCommand.keyboard.pendingCommand = 0xF4
        var badRate = good
        badRate.mouse.sampleRate = 33
        var badID = good
        badID.mouse.deviceID = 2
        var twoPackets = good
        twoPackets.mouse.packetQueue = [UInt8](repeating: 0, count: 8)
        var badButtons = good
        badButtons.mouse.buttons = 0x20
        var hugeCounter = good
        hugeCounter.mouse.dx = 1 << 20
        let bad = [shortRAM, auxWithoutData, badCommand, badOutputPort, transferNoDeadline, badSource, set3,
                   overfull, unknownKey, repeatNotHeld, badKeyboardCommand, badRate, badID, twoPackets,
                   badButtons, hugeCounter]
        for state in bad {
            let b = PS2Bench(scheduler: a.scheduler)
            b.keyboard.press(.a)
            let before = b.controller.saveState()
            #expect(throws: SnapshotStateError.self) { try b.controller.restoreState(state) }
            #expect(b.controller.saveState() == before)
        }
        #expect(PS2Controller.savedStateVersion == 1)
    }
}
