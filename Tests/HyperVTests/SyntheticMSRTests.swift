// The synthetic MSRs driven with hyperv_init's sequence, and their #GP rules.

import EmulatorCore
import HyperV
import Testing
import X86

@Suite("Synthetic MSRs")
struct SyntheticMSRTests {
    @Test("hyperv_init's sequence enables the hypercall page and reads back what it wrote")
    func hypervInit() {
        let rig = HyperVRig()
        #expect(rig.msrs.readMSR(HyperVMSR.vpIndex) == 0)
        #expect(rig.msrs.readMSR(HyperVMSR.hypercall) == 0)
        rig.linuxHypervInit(hypercallPage: 0x5000)
        #expect(rig.msrs.readMSR(HyperVMSR.guestOSID) == 0x8100_0006_01AA_0000)
        #expect(rig.msrs.readMSR(HyperVMSR.hypercall) == 0x5001)
        #expect(rig.msrs.readMSR(HyperVMSR.vpAssistPage) == 0x6001)
        #expect(rig.partition.hypercallsEnabled)
        #expect(rig.memory.bytes(at: 0x5000, count: 5) == [0x0F, 0x01, 0xC1, 0xC3, 0xCC])
        #expect(rig.read8(0x5FFF) == 0xCC)
    }

    @Test("the hypercall page stays disabled until the guest OS ID is set; clearing the ID disables it")
    func guestOSIDGatesHypercalls() {
        let rig = HyperVRig()
        #expect(rig.msrs.writeMSR(HyperVMSR.hypercall, value: 0x5001))
        #expect(!rig.partition.hypercallsEnabled)
        #expect(rig.read32(0x5000) == 0)
        rig.linuxHypervInit()
        #expect(rig.partition.hypercallsEnabled)
        #expect(rig.msrs.writeMSR(HyperVMSR.guestOSID, value: 0))
        #expect(!rig.partition.hypercallsEnabled)
    }

    @Test("a locked hypercall MSR ignores writes until reset; reserved bits #GP")
    func lockedAndReserved() {
        let rig = HyperVRig()
        rig.linuxHypervInit()
        #expect(!rig.msrs.writeMSR(HyperVMSR.hypercall, value: 0x5001 | 0x10))
        #expect(rig.msrs.writeMSR(HyperVMSR.hypercall, value: 0x5003))
        #expect(rig.msrs.writeMSR(HyperVMSR.hypercall, value: 0x7001))
        #expect(rig.msrs.readMSR(HyperVMSR.hypercall) == 0x5003)
        rig.partition.reset()
        rig.msrs.reset()
        #expect(rig.msrs.readMSR(HyperVMSR.hypercall) == 0)
        #expect(rig.msrs.readMSR(HyperVMSR.guestOSID) == 0)
    }

    @Test("moving the enabled hypercall page writes the stub at the new GPA through the code-page path")
    func moveInvalidatesCode() {
        let rig = HyperVRig()
        rig.linuxHypervInit(hypercallPage: 0x5000)
        rig.memory.markCodePage(7)
        let generation = rig.memory.codeGeneration[7]
        #expect(rig.msrs.writeMSR(HyperVMSR.hypercall, value: 0x7001))
        #expect(rig.memory.bytes(at: 0x7000, count: 4) == HyperVPartition.hypercallStub)
        #expect(rig.memory.codeGeneration[7] != generation)
    }

    @Test("read-only and unknown synthetic MSRs #GP; other MSRs go to the next handler")
    func gpRules() {
        final class Next: MSRHandler {
            var value: UInt64 = 0xFEE0_0900
            func readMSR(_ index: UInt32) -> UInt64? { index == 0x1B ? value : nil }
            func writeMSR(_ index: UInt32, value: UInt64) -> Bool {
                guard index == 0x1B else { return false }
                self.value = value
                return true
            }
        }
        let rig = HyperVRig()
        let next = Next()
        rig.msrs.next = next
        for ro in [HyperVMSR.vpIndex, HyperVMSR.timeReferenceCount, HyperVMSR.sversion] {
            #expect(!rig.msrs.writeMSR(ro, value: 1), "MSR \(String(ro, radix: 16))")
        }
        #expect(rig.msrs.readMSR(HyperVMSR.referenceTSC) == nil)
        #expect(rig.msrs.readMSR(HyperVMSR.tscFrequency) == nil)
        #expect(rig.msrs.readMSR(0x4000_00B0) == nil)
        #expect(rig.msrs.readMSR(0x1B) == 0xFEE0_0900)
        #expect(rig.msrs.writeMSR(0x1B, value: 0xFEE0_0800))
        #expect(next.value == 0xFEE0_0800)
        #expect(rig.msrs.readMSR(0x10) == nil)
    }

    @Test("frequency MSRs answer when configured")
    func frequencies() {
        let rig = HyperVRig(configuration: HyperVConfiguration(tscFrequencyHz: 50_000_000, apicFrequencyHz: 100_000_000))
        #expect(rig.msrs.readMSR(HyperVMSR.tscFrequency) == 50_000_000)
        #expect(rig.msrs.readMSR(HyperVMSR.apicFrequency) == 100_000_000)
        #expect(!rig.msrs.writeMSR(HyperVMSR.tscFrequency, value: 1))
    }

    @Test("SynIC MSRs: SVERSION is 1, SINTs reset masked, reserved bits and low vectors #GP")
    func synicRegisters() {
        let rig = HyperVRig()
        #expect(rig.msrs.readMSR(HyperVMSR.sversion) == 1)
        for n in 0..<16 { #expect(rig.msrs.readMSR(HyperVMSR.sint0 + UInt32(n)) == 0x1_0000) }
        #expect(!rig.msrs.writeMSR(HyperVMSR.scontrol, value: 0x3))
        #expect(!rig.msrs.writeMSR(HyperVMSR.sint0 + 2, value: 0xF3 | 0x100))
        #expect(!rig.msrs.writeMSR(HyperVMSR.sint0 + 2, value: 0xF3 | 1 << 19))
        #expect(!rig.msrs.writeMSR(HyperVMSR.sint0 + 2, value: 0x0F))
        #expect(rig.msrs.writeMSR(HyperVMSR.sint0 + 2, value: 0x1_000F))  // masked: any vector
        #expect(rig.msrs.writeMSR(HyperVMSR.sint0 + 2, value: 0x2_00F3))
        #expect(rig.msrs.readMSR(HyperVMSR.sint0 + 2) == 0x2_00F3)
        #expect(rig.msrs.writeMSR(HyperVMSR.eom, value: 0))
        rig.linuxSynICEnable()
        #expect(rig.msrs.readMSR(HyperVMSR.simp) == 0x10001)
        #expect(rig.msrs.readMSR(HyperVMSR.siefp) == 0x11001)
        #expect(rig.msrs.readMSR(HyperVMSR.scontrol) == 1)
        rig.msrs.reset()
        #expect(rig.msrs.readMSR(HyperVMSR.scontrol) == 0 && rig.msrs.readMSR(HyperVMSR.sint0 + 2) == 0x1_0000)
    }

    @Test("TIME_REF_COUNT follows virtual time in 100 ns units and restarts at reset")
    func referenceCounter() {
        let rig = HyperVRig()
        #expect(rig.msrs.readMSR(HyperVMSR.timeReferenceCount) == 0)
        rig.scheduler.advance(to: VirtualTime(nanoseconds: 1_000_000))
        #expect(rig.msrs.readMSR(HyperVMSR.timeReferenceCount) == 10_000)
        rig.scheduler.advance(to: VirtualTime(nanoseconds: 1_000_099))
        #expect(rig.msrs.readMSR(HyperVMSR.timeReferenceCount) == 10_000)
        rig.partition.reset()
        rig.scheduler.advance(to: VirtualTime(nanoseconds: 1_500_099))
        #expect(rig.msrs.readMSR(HyperVMSR.timeReferenceCount) == 5_000)
    }

    @Test("a guest's RDMSR of TIME_REF_COUNT sees time move inside a slice; WRMSR to VP_INDEX faults")
    func referenceCounterFromGuest() throws {
        let rig = HyperVRig()
        let guest = HyperVGuest(rig: rig)
        rig.scheduler.attachInstructionClock(nanosecondsPerTick: 100) { [unowned cpu = guest.cpu] in
            cpu.instructionsRetired
        }
        try guest.load("""
                mov ecx, 0x40000020
                rdmsr
                mov [RESULTS], eax
                mov [RESULTS+4], edx
                mov ebx, 100
            spin:
                dec ebx
                jnz spin
                rdmsr
                mov [RESULTS+8], eax
                hlt
            """)
        #expect(guest.run() == .halted)
        // About 204 instructions (RDMSR, 3 MOVs, 100 × DEC/JNZ) at 100 ns, one count each.
        #expect((200...210).contains(guest.result(2) &- guest.result(0)), "\(guest.result(2) &- guest.result(0))")
        #expect(guest.result(1) == 0)
    }
}
