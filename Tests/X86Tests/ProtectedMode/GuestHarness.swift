// A small bare-metal machine for CPU tests: RAM, a port bus, descriptor-table builders and a NASM
// prelude that takes the guest from real mode into 32-bit protected mode.

import EmulatorCore
import Foundation
import TestSupport
import Testing
import X86

/// Fixed guest-physical layout shared by the prelude and the Swift-side table builders.
enum GuestLayout {
    /// Pseudo-descriptors read by the prelude's LGDT / LIDT.
    static let gdtrPseudo: UInt32 = 0x0500
    static let idtrPseudo: UInt32 = 0x0508
    /// GDT: 256 descriptors.
    static let gdt: UInt32 = 0x1000
    /// Scratch LDT area for tests.
    static let ldt: UInt32 = 0x1800
    /// IDT: 256 gates.
    static let idt: UInt32 = 0x2000
    /// The TSS the prelude loads with LTR (selector 0x28); 0x2100 bytes are reserved for it so an
    /// I/O permission bitmap fits.
    static let tss0: UInt32 = 0x3000
    /// Where the assembled program starts (NASM `org`).
    static let code: UInt32 = 0x8000
    /// Page directory and the page table identity-mapping 0–4 MiB (built on request).
    static let pageDirectory: UInt32 = 0x20000
    static let pageTable0: UInt32 = 0x21000
    /// Free RAM for test data and result logs.
    static let data: UInt32 = 0x30000
    /// Result log written by guest handlers.
    static let log: UInt32 = 0x38000
    /// Ring-3 stack top, the prelude's ring-0 stack top, and TSS ESP0.
    static let stack3Top: UInt32 = 0x60000
    static let stack0Top: UInt32 = 0x70000
    static let tssStack0Top: UInt32 = 0x80000
}

/// Standard GDT selectors the harness installs.
enum Sel {
    static let code0: UInt16 = 0x08
    static let data0: UInt16 = 0x10
    static let code3: UInt16 = 0x1B
    static let data3: UInt16 = 0x23
    static let tss0: UInt16 = 0x28
}

/// Access bytes (P, DPL, S, type) for descriptors the tests build.
enum Access {
    static let code0: UInt8 = 0x9A       // present, DPL 0, execute/read, not yet accessed
    static let data0: UInt8 = 0x92       // present, DPL 0, read/write
    static let code3: UInt8 = 0xFA
    static let data3: UInt8 = 0xF2
    static let tss32: UInt8 = 0x89       // available 32-bit TSS
    static let ldt: UInt8 = 0x82
    static let interruptGate32: UInt8 = 0x8E
    static let trapGate32: UInt8 = 0x8F
    static let taskGate: UInt8 = 0x85
    static let callGate32: UInt8 = 0x8C
}

/// The fields of a 32-bit TSS (SDM Vol. 3 §7.2.1) that tests set.
struct TSS32 {
    var backLink: UInt16 = 0
    var esp0: UInt32 = GuestLayout.tssStack0Top, ss0: UInt16 = Sel.data0
    var esp1: UInt32 = 0, ss1: UInt16 = 0
    var esp2: UInt32 = 0, ss2: UInt16 = 0
    var cr3: UInt32 = 0
    var eip: UInt32 = 0
    var eflags: UInt32 = 0x2
    /// EAX ECX EDX EBX ESP EBP ESI EDI.
    var regs: [UInt32] = [0, 0, 0, 0, 0, 0, 0, 0]
    /// ES CS SS DS FS GS.
    var segs: [UInt16] = [Sel.data0, Sel.code0, Sel.data0, Sel.data0, 0, 0]
    var ldt: UInt16 = 0
    var ioMapBase: UInt16 = 0x68
}

/// A port device that records every access and answers reads with a fixed value.
final class RecordingPorts: PortIODevice {
    struct Access: Equatable { var port: UInt16; var width: Int; var write: Bool; var value: UInt32 }
    var accesses: [Access] = []
    var readValue: UInt32 = 0x5A5A_5A5A
    func ioRead(port: IOPort, width: AccessWidth) -> UInt32 {
        accesses.append(Access(port: port.value, width: width.rawValue, write: false, value: 0))
        return readValue
    }
    func ioWrite(port: IOPort, width: AccessWidth, value: UInt32) {
        accesses.append(Access(port: port.value, width: width.rawValue, write: true, value: value))
    }
}

/// An interrupt controller whose one pending vector is raised by reading its MMIO register, so
/// a guest can make an interrupt pending in the middle of a chosen instruction (MOV SS, [mmio]).
final class TestInterruptSource: InterruptController, MMIODevice {
    weak var cpu: CPU?
    var vector: UInt8 = 0x50
    /// Value an MMIO read returns (the selector `MOV SS, [mmio]` loads).
    var readValue: UInt32 = UInt32(Sel.data0)
    var acknowledged = 0
    func acknowledgeInterrupt() -> UInt8 {
        acknowledged += 1
        cpu?.intrLine = false
        return vector
    }
    func mmioRead(offset: UInt32, width: AccessWidth) -> UInt32 {
        cpu?.intrLine = true
        return readValue
    }
    func mmioWrite(offset: UInt32, width: AccessWidth, value: UInt32) {
        cpu?.intrLine = value != 0
    }
}

/// One guest machine: 4 MiB of RAM, a port bus and the CPU, with a flat GDT, an IDT whose every
/// exception vector leads to a reporting stub, and TSS0 (ESP0 = 0x80000).
final class GuestHarness {
    let memory: PhysicalMemory
    let ports: PortIOBus
    let cpu: CPU
    /// Label addresses exported from the assembled program.
    private(set) var symbols: [String: UInt32] = [:]

    /// Whether guests run through the decoded-block cache unless a test says otherwise.
    /// `PARTITA_DECODED_BLOCKS=0` runs the whole suite on the plain interpreter.
    static let defaultDecodedBlocks = ProcessInfo.processInfo.environment["PARTITA_DECODED_BLOCKS"] != "0"

    init(decodedBlocks: Bool = GuestHarness.defaultDecodedBlocks) {
        memory = PhysicalMemory(ramSize: 4 << 20)
        ports = PortIOBus()
        cpu = CPU(memory: memory, ports: ports)
        cpu.decodedBlocksEnabled = decodedBlocks
        // Standard GDT.
        setDescriptor(1, base: 0, limit: 0xFFFFF, access: Access.code0, flags: 0xC)
        setDescriptor(2, base: 0, limit: 0xFFFFF, access: Access.data0, flags: 0xC)
        setDescriptor(3, base: 0, limit: 0xFFFFF, access: Access.code3, flags: 0xC)
        setDescriptor(4, base: 0, limit: 0xFFFFF, access: Access.data3, flags: 0xC)
        setDescriptor(5, base: GuestLayout.tss0, limit: 0x67, access: Access.tss32, flags: 0)
        writeTSS32(at: GuestLayout.tss0, TSS32())
        setPseudoDescriptor(at: GuestLayout.gdtrPseudo, base: GuestLayout.gdt, limit: 0x7FF)
        setPseudoDescriptor(at: GuestLayout.idtrPseudo, base: GuestLayout.idt, limit: 0x7FF)
        // Real mode at 0000:8000.
        cpu.setSegmentReal(.cs, selector: 0)
        for s in [SegmentRegister.ds, .es, .ss, .fs, .gs] { cpu.setSegmentReal(s, selector: 0) }
        cpu.eip = GuestLayout.code
        cpu[.esp] = 0x7000
    }

    // MARK: Program

    /// Assembles `body` after the prelude (real mode → protected mode at CPL 0 with DS = ES = FS =
    /// GS = SS = 0x10, ESP = 0x70000, TR = 0x28) and loads it at 0x8000. Every label in
    /// `exporting` becomes available through `self[label]`. Exception vectors 0–31 are pointed at
    /// stubs that halt with EAX = 0xBADBAD00 | vector, unless the test installs its own gate.
    func load(_ body: String, exporting labels: [String] = []) throws {
        let all = labels + ["__stubs"]
        var source = GuestHarness.prelude + body + GuestHarness.postlude
        source += "\nbits 32\n__symtab:\n" + all.map { "    dd \($0)\n" }.joined()
        let bytes = try assemble(source)
        memory.load(bytes, at: GuestLayout.code)
        for (i, name) in all.enumerated() {
            let o = bytes.count - 4 * (all.count - i)
            symbols[name] = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
        }
        for v in 0..<32 where gateIsEmpty(v) {
            setInterruptGate(UInt8(v), offset: symbols["__stubs"]! + UInt32(v) * 16)
        }
    }

    /// Address of an exported label.
    subscript(_ label: String) -> UInt32 {
        guard let a = symbols[label] else {
            Issue.record("label \(label) was not exported")
            return 0
        }
        return a
    }

    /// Runs until HLT, shutdown or `budget` instructions.
    @discardableResult
    func run(budget: Int = 200_000) -> CPUStopReason {
        cpu.run(budget: budget)
    }

    /// The exception vector of an unexpected fault that reached a stub, if any.
    var unexpectedVector: Int? {
        cpu[.eax] & 0xFFFF_FF00 == 0xBADB_AD00 ? Int(cpu[.eax] & 0xFF) : nil
    }

    /// True when the CPU is halted on the HLT that follows `label` (EIP is past the HLT).
    func isHalted(at label: String) -> Bool {
        cpu.eip == self[label] &+ 1
    }

    /// Expects the guest to have stopped on the HLT at `label`, explaining where it is otherwise.
    func expectHalted(at label: String, _ stop: CPUStopReason, sourceLocation: SourceLocation = #_sourceLocation) {
        let where_ = symbols.first(where: { $0.value == cpu.eip &- 1 })?.key ?? String(cpu.eip, radix: 16)
        #expect(stop == .halted && isHalted(at: label),
                "stopped with \(stop) at \(where_), unexpected vector \(unexpectedVector.map(String.init) ?? "none")",
                sourceLocation: sourceLocation)
    }

    // MARK: Memory

    func read32(_ a: UInt32) -> UInt32 { memory.read(GuestPhysicalAddress(a), width: .dword) }
    func read16(_ a: UInt32) -> UInt16 { UInt16(memory.read(GuestPhysicalAddress(a), width: .word)) }
    func read8(_ a: UInt32) -> UInt8 { UInt8(memory.read(GuestPhysicalAddress(a), width: .byte)) }
    func write32(_ a: UInt32, _ v: UInt32) { memory.write(GuestPhysicalAddress(a), width: .dword, value: v) }
    func write16(_ a: UInt32, _ v: UInt16) { memory.write(GuestPhysicalAddress(a), width: .word, value: UInt32(v)) }
    func write8(_ a: UInt32, _ v: UInt8) { memory.write(GuestPhysicalAddress(a), width: .byte, value: UInt32(v)) }

    /// Dword `i` of the result log at 0x38000.
    func log(_ i: Int) -> UInt32 { read32(GuestLayout.log + UInt32(i) * 4) }

    // MARK: Descriptor tables

    /// Writes a code/data/system descriptor. `limit` is the raw 20-bit field; `flags` is the
    /// G, D/B, -, AVL nibble.
    func setDescriptor(_ index: Int, base: UInt32, limit: UInt32, access: UInt8, flags: UInt8,
                       table: UInt32 = GuestLayout.gdt) {
        let lo = (limit & 0xFFFF) | (base & 0xFFFF) << 16
        let hi = (base >> 16) & 0xFF | UInt32(access) << 8 | (limit & 0xF_0000) | UInt32(flags & 0xF) << 20
            | (base & 0xFF00_0000)
        write32(table + UInt32(index) * 8, lo)
        write32(table + UInt32(index) * 8 + 4, hi)
    }

    /// Writes a gate descriptor (call, interrupt, trap or task gate).
    func setGate(_ index: Int, selector: UInt16, offset: UInt32, access: UInt8, paramCount: UInt8 = 0,
                 table: UInt32 = GuestLayout.gdt) {
        let lo = (offset & 0xFFFF) | UInt32(selector) << 16
        let hi = (offset & 0xFFFF_0000) | UInt32(access) << 8 | UInt32(paramCount & 0x1F)
        write32(table + UInt32(index) * 8, lo)
        write32(table + UInt32(index) * 8 + 4, hi)
    }

    /// The raw high dword of a GDT descriptor (type, busy and accessed bits live here).
    func descriptorHigh(_ selector: UInt16) -> UInt32 { read32(GuestLayout.gdt + UInt32(selector & 0xFFF8) + 4) }

    /// A 32-bit interrupt gate (or trap gate) in the IDT to ring-0 code at `offset`.
    func setInterruptGate(_ vector: UInt8, offset: UInt32, dpl: Int = 0, trap: Bool = false,
                          selector: UInt16 = Sel.code0) {
        let access = (trap ? Access.trapGate32 : Access.interruptGate32) | UInt8(dpl << 5)
        setGate(Int(vector), selector: selector, offset: offset, access: access, table: GuestLayout.idt)
    }

    /// Points IDT `vector` at an exported label.
    func setInterruptGate(_ vector: UInt8, _ label: String, dpl: Int = 0, trap: Bool = false) {
        setInterruptGate(vector, offset: self[label], dpl: dpl, trap: trap)
    }

    /// A task gate in the IDT.
    func setTaskGate(_ vector: UInt8, tss: UInt16, dpl: Int = 0) {
        setGate(Int(vector), selector: tss, offset: 0, access: Access.taskGate | UInt8(dpl << 5), table: GuestLayout.idt)
    }

    private func gateIsEmpty(_ vector: Int) -> Bool {
        read32(GuestLayout.idt + UInt32(vector) * 8 + 4) == 0
    }

    func setPseudoDescriptor(at a: UInt32, base: UInt32, limit: UInt16) {
        write16(a, limit)
        write32(a + 2, base)
    }

    /// Writes the 104-byte 32-bit TSS image.
    func writeTSS32(at b: UInt32, _ t: TSS32) {
        write32(b + 0x00, UInt32(t.backLink))
        write32(b + 0x04, t.esp0); write32(b + 0x08, UInt32(t.ss0))
        write32(b + 0x0C, t.esp1); write32(b + 0x10, UInt32(t.ss1))
        write32(b + 0x14, t.esp2); write32(b + 0x18, UInt32(t.ss2))
        write32(b + 0x1C, t.cr3)
        write32(b + 0x20, t.eip)
        write32(b + 0x24, t.eflags)
        for i in 0..<8 { write32(b + 0x28 + UInt32(i) * 4, t.regs[i]) }
        for i in 0..<6 { write32(b + 0x48 + UInt32(i) * 4, UInt32(t.segs[i])) }
        write32(b + 0x60, UInt32(t.ldt))
        write32(b + 0x64, UInt32(t.ioMapBase) << 16)
    }

    /// Field of a 32-bit TSS image: EIP (0x20), EFLAGS (0x24), general register `i` (0x28 + 4i)…
    func tssField(_ base: UInt32, _ offset: UInt32) -> UInt32 { read32(base + offset) }

    // MARK: Paging

    /// Builds a page directory at 0x20000 whose first entry points to a page table identity-mapping
    /// 0–4 MiB with 4 KiB pages, present + writable + user. The guest enables paging itself.
    func identityMapFirst4MiB(pteFlags: UInt32 = 0x7) {
        for i in 0..<1024 {
            write32(GuestLayout.pageDirectory + UInt32(i) * 4, 0)
            write32(GuestLayout.pageTable0 + UInt32(i) * 4, UInt32(i) << 12 | pteFlags)
        }
        write32(GuestLayout.pageDirectory, GuestLayout.pageTable0 | 0x7)
    }

    /// Physical address of the identity page table's entry for `linear` (below 4 MiB).
    func pteAddress(_ linear: UInt32) -> UInt32 { GuestLayout.pageTable0 + (linear >> 12) * 4 }

    func setPTE(_ linear: UInt32, _ value: UInt32) { write32(pteAddress(linear), value) }
    func pte(_ linear: UInt32) -> UInt32 { read32(pteAddress(linear)) }

    // MARK: Fault log

    /// One fault recorded by `recordingHandler`: the error code (0 when the vector has none) and
    /// the EIP pushed in the frame.
    struct LoggedFault: Equatable, CustomStringConvertible {
        var code: UInt32
        var eip: UInt32
        var description: String { "(code \(String(code, radix: 16)), eip \(String(eip, radix: 16)))" }
    }

    /// Faults logged by the guest's recording handlers, oldest first.
    var faultLog: [LoggedFault] {
        let n = Int(read32(GuestLayout.log))
        guard n < 64 else { return [] }
        return (0..<n).map { i in
            LoggedFault(code: read32(GuestLayout.log + 4 + UInt32(i) * 8), eip: read32(GuestLayout.log + 8 + UInt32(i) * 8))
        }
    }

    /// A ring-0 handler that appends (error code, faulting EIP) to the log at 0x38000 and resumes
    /// the interrupted code at the address held in ESI (all other registers preserved).
    static func recordingHandler(_ label: String, hasErrorCode: Bool = true) -> String {
        let errorOffset = hasErrorCode ? "mov eax, [esp+8]" : "xor eax, eax"
        let eipOffset = hasErrorCode ? 12 : 8
        return """

            \(label):
                push eax
                push ebx
                mov ebx, [ss:LOG]
                \(errorOffset)
                mov [ss:LOG+4+ebx*8], eax
                mov eax, [esp+\(eipOffset)]
                mov [ss:LOG+8+ebx*8], eax
                inc dword [ss:LOG]
                mov [esp+\(eipOffset)], esi
                pop ebx
                pop eax
                \(hasErrorCode ? "add esp, 4" : "")
                iretd

            """
    }

    // MARK: Guest source

    /// Real mode → protected mode, then the test body (32-bit, CPL 0).
    static let prelude = """
        CODE0 equ 0x08
        DATA0 equ 0x10
        CODE3 equ 0x1B
        DATA3 equ 0x23
        TSS0 equ 0x28
        GDT_BASE equ 0x1000
        LDT_BASE equ 0x1800
        IDT_BASE equ 0x2000
        TSS0_BASE equ 0x3000
        PAGE_DIR equ 0x20000
        PAGE_TABLE0 equ 0x21000
        DATA equ 0x30000
        LOG equ 0x38000
        STACK3_TOP equ 0x60000
        STACK0_TOP equ 0x70000
        TSS_STACK0_TOP equ 0x80000

        %macro ENABLE_PAGING 0
            mov eax, PAGE_DIR
            mov cr3, eax
            mov eax, cr0
            or eax, 0x80000000
            mov cr0, eax
        %endmacro

        ; Drops to ring 3 at %1 with SS:ESP = DATA3:STACK3_TOP and EFLAGS = %2 (default 0x202).
        %macro ENTER_RING3 1-2 0x202
            push dword DATA3
            push dword STACK3_TOP
            push dword %2
            push dword CODE3
            push dword %1
            iretd
        %endmacro

        bits 16
        org 0x8000
            cli
            o32 lgdt [0x500]
            o32 lidt [0x508]
            mov eax, cr0
            or al, 1
            mov cr0, eax
            jmp dword CODE0:__pm_entry
        bits 32
        __pm_entry:
            mov ax, DATA0
            mov ds, ax
            mov es, ax
            mov fs, ax
            mov gs, ax
            mov ss, ax
            mov esp, STACK0_TOP
            mov ax, TSS0
            ltr ax
        ; ---- test body ----

        """

    /// Exception stubs: vector v halts with EAX = 0xBADBAD00 | v (16 bytes each).
    static let postlude = """

        ; ---- harness stubs ----
        bits 32
        align 16
        __stubs:
        %assign __v 0
        %rep 32
            mov eax, 0xBADBAD00 + __v
            hlt
            jmp $-1
            align 16
        %assign __v __v + 1
        %endrep

        """
}
