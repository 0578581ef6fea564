// Test rig: one VP's Hyper-V objects over 4 MiB of RAM, a recording delegate, and a guest runner.

import EmulatorCore
import Foundation
import HyperV
import TestSupport
import Testing
import X86

/// Records what the guest posts and signals, answering with preset statuses.
final class RecordingDelegate: HypercallDelegate {
    var posted: [PostedMessage] = []
    var signalled: [(connectionID: UInt32, flag: UInt16)] = []
    var postStatus: HypercallStatus = .success
    var knownConnections: Set<UInt32> = [4, 0x2_0001]

    func postMessage(_ message: PostedMessage) -> HypercallStatus {
        guard knownConnections.contains(message.connectionID) else { return .invalidConnectionID }
        posted.append(message)
        return postStatus
    }

    func signalEvent(connectionID: UInt32, flagNumber: UInt16) -> HypercallStatus {
        guard knownConnections.contains(connectionID) else { return .invalidConnectionID }
        signalled.append((connectionID, flagNumber))
        return .success
    }
}

/// The Hyper-V objects of a one-VP partition, wired the way the machine will wire them.
final class HyperVRig {
    let memory = PhysicalMemory(ramSize: 4 << 20)
    let ports = PortIOBus()
    let scheduler = Scheduler()
    let configuration: HyperVConfiguration
    let cpuid: HyperVCPUID
    let partition: HyperVPartition
    let synic: SynIC
    let msrs: SyntheticMSRs
    let hypercalls: Hypercalls
    let delegate = RecordingDelegate()
    /// (vector, autoEOI) of every interrupt the SynIC raised.
    var deliveries: [(vector: UInt8, autoEOI: Bool)] = []
    /// SINTs `onEndOfMessage` asked to retry.
    var retries: [Int] = []

    init(configuration: HyperVConfiguration = HyperVConfiguration()) {
        self.configuration = configuration
        cpuid = HyperVCPUID(configuration: configuration)
        partition = HyperVPartition(configuration: configuration, memory: memory, scheduler: scheduler)
        var deliver: (UInt8, Bool) -> Void = { _, _ in }
        synic = SynIC(vpIndex: 0, memory: memory, deliver: { deliver($0, $1) })
        msrs = SyntheticMSRs(partition: partition, synic: synic)
        hypercalls = Hypercalls(partition: partition, delegate: delegate)
        deliver = { [unowned self] in self.deliveries.append(($0, $1)) }
        synic.onEndOfMessage = { [unowned self] in self.retries.append($0) }
    }

    /// Linux's hyperv_init: VP index, VP assist page, guest OS ID, hypercall page at `hypercallPage`.
    func linuxHypervInit(hypercallPage: UInt32 = 0x5000) {
        _ = msrs.readMSR(HyperVMSR.vpIndex)
        #expect(msrs.writeMSR(HyperVMSR.vpAssistPage, value: 0x6001))
        #expect(msrs.writeMSR(HyperVMSR.guestOSID, value: 0x8100_0006_01AA_0000))
        let old = msrs.readMSR(HyperVMSR.hypercall) ?? 0
        #expect(msrs.writeMSR(HyperVMSR.hypercall, value: old | UInt64(hypercallPage) | 1))
    }

    /// Linux's hv_synic_enable_regs for SINT2 (vector 0xF3), message page `simp`, event page `siefp`.
    func linuxSynICEnable(simp: UInt32 = 0x10000, siefp: UInt32 = 0x11000, autoEOI: Bool = false) {
        #expect(msrs.writeMSR(HyperVMSR.simp, value: (msrs.readMSR(HyperVMSR.simp) ?? 0) | UInt64(simp) | 1))
        #expect(msrs.writeMSR(HyperVMSR.siefp, value: (msrs.readMSR(HyperVMSR.siefp) ?? 0) | UInt64(siefp) | 1))
        let sint2 = HyperVMSR.sint0 + 2
        var v = msrs.readMSR(sint2) ?? 0
        v = (v & ~0x3_00FF) | 0xF3 | (autoEOI ? 1 << 17 : 0)
        #expect(msrs.writeMSR(sint2, value: v))
        #expect(msrs.writeMSR(HyperVMSR.scontrol, value: (msrs.readMSR(HyperVMSR.scontrol) ?? 0) | 1))
    }

    func read32(_ a: UInt32) -> UInt32 { memory.read(GuestPhysicalAddress(a), width: .dword) }
    func read8(_ a: UInt32) -> UInt8 { UInt8(memory.read(GuestPhysicalAddress(a), width: .byte)) }
    func write32(_ a: UInt32, _ v: UInt32) { memory.write(GuestPhysicalAddress(a), width: .dword, value: v) }
    func write8(_ a: UInt32, _ v: UInt8) { memory.write(GuestPhysicalAddress(a), width: .byte, value: UInt32(v)) }

    /// Writes an hv_input_post_message at `gpa`.
    func writePostMessageInput(at gpa: UInt32, connectionID: UInt32, type: UInt32 = 1, payload: [UInt8]) {
        write32(gpa, connectionID)
        write32(gpa + 4, 0)
        write32(gpa + 8, type)
        write32(gpa + 12, UInt32(payload.count))
        memory.load(payload, at: gpa + 16)
    }
}

/// A CPU over the rig's memory with the Hyper-V hooks installed, running small 32-bit programs.
final class HyperVGuest {
    let rig: HyperVRig
    let cpu: CPU

    /// Results the guest stores: dword i at 0x7800 + 4i.
    static let results: UInt32 = 0x7800

    init(rig: HyperVRig, decodedBlocks: Bool = true) {
        self.rig = rig
        cpu = CPU(memory: rig.memory, ports: rig.ports)
        cpu.decodedBlocksEnabled = decodedBlocks
        cpu.cpuidProvider = rig.cpuid
        cpu.msrHandler = rig.msrs
        cpu.hypercallHandler = rig.hypercalls
        cpu.setSegmentReal(.cs, selector: 0)
        for s in [SegmentRegister.ds, .es, .ss, .fs, .gs] { cpu.setSegmentReal(s, selector: 0) }
        cpu.eip = 0x8000
        cpu[.esp] = 0x7000
    }

    /// Assembles `body` after a prelude that enters flat 32-bit protected mode at CPL 0
    /// (ESP = 0x7000) and loads it at 0x8000; `body` should end in HLT.
    func load(_ body: String) throws {
        let source = """
            bits 16
            org 0x8000
                cli
                xor ax, ax
                mov ds, ax
                o32 lgdt [gdtr]
                mov eax, cr0
                or al, 1
                mov cr0, eax
                jmp dword 0x08:pm
            align 8
            gdt:
                dq 0
                dq 0x00CF9A000000FFFF
                dq 0x00CF92000000FFFF
            gdtr:
                dw 23
                dd gdt
            bits 32
            pm:
                mov ax, 0x10
                mov ds, ax
                mov es, ax
                mov ss, ax
                mov esp, 0x7000
            RESULTS equ 0x7800

            """ + body
        rig.memory.load(try assemble(source), at: 0x8000)
    }

    func run(budget: Int = 100_000) -> CPUStopReason { cpu.run(budget: budget) }

    func result(_ i: Int) -> UInt32 { rig.read32(Self.results + UInt32(i) * 4) }
}
