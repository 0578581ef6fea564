import Testing
import EmulatorCore
import TestSupport
import X86
import Chipset

@Suite("PIT and PIC driving a CPU")
struct TimerInterruptCPUTests {
    @Test("a real-mode guest programs the PIC and PIT and takes 1 kHz timer interrupts while halted")
    func guestTakesTimerInterrupts() throws {
        let code = try assemble("""
            bits 16
            org 0x1000
                mov al, 0xFF            ; Linux init_8259A: mask, ICW1-4 on both chips, masks
                out 0x21, al
                out 0xA1, al
                \(GuestSnippets.initPICsOnlyIRQ0)
                mov al, 0x34            ; PIT counter 0, mode 2, LATCH for HZ = 1000
                out 0x43, al
                mov al, 0xA9
                out 0x40, al
                mov al, 0x04
                out 0x40, al
                sti
            idle:
                hlt
                jmp idle
            times 0x100-($-$$) db 0
            handler:                    ; at 0x1100
                inc word [0x2000]
                mov al, 0x20            ; non-specific EOI
                out 0x20, al
                iret
            """)
        let memory = PhysicalMemory(ramSize: 1 << 20)
        let ports = PortIOBus()
        let cpu = CPU(memory: memory, ports: ports)
        let scheduler = Scheduler()
        let pic = PIC(setINTR: { [unowned cpu] in cpu.intrLine = $0 })
        let pit = PIT(scheduler: scheduler, irq0: pic.irq(0))
        for range in PIC.portRanges { ports.register(pic, ports: range) }
        for range in PIT.portRanges { ports.register(pit, ports: range) }
        cpu.interruptController = pic

        memory.load(code, at: 0x1000)
        memory.load([0x00, 0x11, 0x00, 0x00], at: 0x20 * 4)  // IVT[0x20] = 0000:1100
        for s in [SegmentRegister.cs, .ds, .es, .ss] { cpu.setSegmentReal(s, selector: 0) }
        cpu[.esp] = 0x8000
        cpu.eip = 0x1000

        // A minimal run loop: 1 ns per instruction, halts skip to the next deadline.
        let end = VirtualTime(nanoseconds: 10_500_000)
        while scheduler.now < end {
            if cpu.run(budget: 100) == .halted {
                let next = scheduler.nextDeadline ?? end
                scheduler.advance(to: next < end ? next : end)
            } else {
                scheduler.advance(to: scheduler.now + 100)
            }
        }
        let ticks = memory.bytes(at: 0x2000, count: 2)
        // The mode 2 control word raises OUT0 (one interrupt), then one per 1193 clocks.
        #expect(Int(ticks[0]) | Int(ticks[1]) << 8 == 11)
        #expect(!cpu.intrLine)
        #expect(pic.intrOutput == false)
    }
}
