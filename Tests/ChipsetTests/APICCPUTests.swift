import EmulatorCore
import Testing
import TestSupport
import X86
@testable import Chipset

/// A bare machine for APIC guest programs: 1 MiB of RAM, a CPU wired to a local APIC (which maps
/// itself at 0xFEE0_0000), a PIC behind LINT0 and a PIT on IRQ0.
private final class APICMachine {
    let memory = PhysicalMemory(ramSize: 1 << 20)
    let ports = PortIOBus()
    let scheduler = Scheduler()
    let cpu: CPU
    let lapic: LocalAPIC
    let pic: PIC
    let pit: PIT

    init() {
        cpu = CPU(memory: memory, ports: ports)
        lapic = LocalAPIC(cpu: cpu, scheduler: scheduler, memory: memory)
        pic = PIC(setINTR: { [unowned lapic] in lapic.lint0.setLevel($0) })
        lapic.externalInterruptController = pic
        pit = PIT(scheduler: scheduler, irq0: pic.irq(0))
        for range in PIC.portRanges { ports.register(pic, ports: range) }
        for range in PIT.portRanges { ports.register(pit, ports: range) }
    }

    /// Loads a program assembled with `org 0x1000` and starts it in real mode.
    func load(_ code: [UInt8]) {
        memory.load(code, at: 0x1000)
        for s in [SegmentRegister.cs, .ds, .es, .ss] { cpu.setSegmentReal(s, selector: 0) }
        cpu[.esp] = 0x8000
        cpu.eip = 0x1000
    }

    /// A minimal run loop: 1 ns per instruction, halts skip to the next deadline.
    func run(until end: VirtualTime) {
        while scheduler.now < end {
            if cpu.run(budget: 100) == .halted {
                let next = scheduler.nextDeadline ?? end
                scheduler.advance(to: next < end ? next : end)
            } else {
                scheduler.advance(to: scheduler.now + 100)
            }
        }
    }

    func dword(at address: UInt32) -> UInt32 {
        memory.read(GuestPhysicalAddress(address), width: .dword)
    }
}

/// Real mode → flat 32-bit protected mode with an IDT at 0x4000 (gates installed by `GATE`).
private let protectedModePrelude = """
    bits 16
    org 0x1000
        cli
        lgdt [gdtr]
        lidt [idtr]
        mov eax, cr0
        or eax, 1
        mov cr0, eax
        jmp dword 0x08:pm
    align 8
    gdt:    dq 0, 0x00CF9A000000FFFF, 0x00CF92000000FFFF
    gdtr:   dw 23
            dd gdt
    idtr:   dw 0x7FF
            dd 0x4000
    %macro GATE 2                   ; vector, handler: a 32-bit interrupt gate
        mov eax, %2
        mov [0x4000 + %1 * 8], ax
        mov word [0x4000 + %1 * 8 + 2], 0x08
        mov word [0x4000 + %1 * 8 + 4], 0x8E00
        shr eax, 16
        mov [0x4000 + %1 * 8 + 6], ax
    %endmacro
    bits 32
    pm:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x9000

    """

@Suite("Local APIC driving a CPU")
struct APICCPUTests {
    @Test("a protected-mode guest reads IA32_APIC_BASE, enables the APIC and takes periodic APIC timer interrupts while halted")
    func guestTakesAPICTimerInterrupts() throws {
        let code = try assemble(protectedModePrelude + """
                GATE 0x40, timer_handler
                GATE 0xFF, spurious_handler
                mov ecx, 0x1B               ; IA32_APIC_BASE
                rdmsr
                mov [0x3000], eax
                mov eax, 1
                cpuid
                mov [0x3004], edx
                mov eax, [0xFEE00030]       ; version
                mov [0x3008], eax
                mov dword [0xFEE000F0], 0x1FF     ; SVR: enabled, spurious vector 0xFF
                mov dword [0xFEE00080], 0         ; TPR
                mov dword [0xFEE003E0], 0x3       ; divide by 16
                mov dword [0xFEE00320], 0x20040   ; periodic, vector 0x40
                mov dword [0xFEE00380], 62500     ; 62500 x 16 clocks of 100 MHz = 10 ms
                sti
            idle:
                hlt
                jmp idle
            timer_handler:
                inc dword [0x3010]
                mov eax, [0xFEE00390]
                mov [0x3018], eax           ; current count right after the reload
                mov dword [0xFEE000B0], 0   ; EOI
                iret
            spurious_handler:
                inc dword [0x3014]
                iret
            """)
        let m = APICMachine()
        m.load(code)
        m.run(until: VirtualTime(nanoseconds: 105_000_000))
        #expect(m.dword(at: 0x3000) == 0xFEE0_0900)
        #expect(m.dword(at: 0x3004) & (1 << 9) != 0)  // CPUID.1:EDX.APIC
        #expect(m.dword(at: 0x3008) == 0x0004_0011)
        #expect(m.dword(at: 0x3010) == 10)
        #expect(m.dword(at: 0x3014) == 0)
        let count = m.dword(at: 0x3018)
        #expect(count <= 62500 && count > 62_000)
        #expect(m.lapic.isr.isEmpty)
        #expect(!m.cpu.intrLine)
    }

    @Test("virtual wire mode: PIT interrupts go through the PIC and LINT0 (ExtINT) to a protected-mode guest")
    func guestTakesPITInterruptsThroughLINT0() throws {
        let code = try assemble(protectedModePrelude + """
                GATE 0x20, pit_handler
                mov dword [0xFEE000F0], 0x1FF     ; SVR: enabled
                mov dword [0xFEE00350], 0x700     ; LINT0: ExtINT
                mov dword [0xFEE00360], 0x400     ; LINT1: NMI
                ; init_8259A: ICW1-4, vectors 0x20/0x28
                \(GuestSnippets.initPICsOnlyIRQ0)
                mov al, 0x34                ; PIT counter 0, mode 2, 1 kHz
                out 0x43, al
                mov al, 0xA9
                out 0x40, al
                mov al, 0x04
                out 0x40, al
                sti
            idle:
                hlt
                jmp idle
            pit_handler:
                inc dword [0x3010]
                mov al, 0x20                ; non-specific EOI to the PIC (not the APIC)
                out 0x20, al
                iret
            """)
        let m = APICMachine()
        m.load(code)
        m.run(until: VirtualTime(nanoseconds: 10_500_000))
        // The mode 2 control word raises OUT0 (one interrupt), then one per 1193 clocks.
        #expect(m.dword(at: 0x3010) == 11)
        #expect(m.lapic.isr.isEmpty)
        #expect(!m.cpu.intrLine)
    }
}
