// CPUID leaves 0x4000_00xx as Linux's detection reads them.

import HyperV
import Testing
import X86

@Suite("Hyper-V CPUID leaves")
struct HyperVCPUIDTests {
    @Test("leaf 0x40000000 names Microsoft Hv with a max leaf Linux accepts")
    func vendorLeaf() throws {
        let cpuid = HyperVCPUID()
        let (eax, ebx, ecx, edx) = try #require(cpuid.cpuid(leaf: 0x4000_0000, subleaf: 0))
        #expect((0x4000_0005...0x4000_FFFF).contains(eax))
        let bytes = [ebx, ecx, edx].flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
        #expect(String(decoding: bytes, as: UTF8.self) == "Microsoft Hv")
        let interface = try #require(cpuid.cpuid(leaf: 0x4000_0001, subleaf: 0))
        #expect(interface.0 == 0x3123_7648)  // "Hv#1"
    }

    @Test("features advertise what is implemented and never the bits Linux misuses")
    func features() throws {
        let (eax, ebx, ecx, edx) = try #require(HyperVCPUID().cpuid(leaf: 0x4000_0003, subleaf: 0))
        #expect(eax == 0x66)  // TIME_REF_COUNT, SYNIC, HYPERCALL, VP_INDEX
        #expect(ebx == 0x30)  // POST_MESSAGES, SIGNAL_EVENTS
        #expect(ecx == 0 && edx == 0)
        for bit in [3, 9, 13, 15] { #expect(eax & (1 << bit) == 0, "EAX bit \(bit)") }
        for bit in [1, 12, 20, 22] { #expect(ebx & (1 << bit) == 0, "EBX bit \(bit)") }
        let hints = try #require(HyperVCPUID().cpuid(leaf: 0x4000_0004, subleaf: 0))
        #expect(hints.0 == 0x200)  // DEPRECATING_AEOI only; no remote TLB flush hint
    }

    @Test("frequency MSRs are advertised only when both frequencies are configured")
    func frequencyBits() throws {
        let config = HyperVConfiguration(tscFrequencyHz: 100_000_000, apicFrequencyHz: 100_000_000)
        let r = try #require(HyperVCPUID(configuration: config).cpuid(leaf: 0x4000_0003, subleaf: 0))
        #expect(r.0 == 0x866 && r.3 == 0x100)
        let half = HyperVConfiguration(tscFrequencyHz: 100_000_000)
        #expect(try #require(HyperVCPUID(configuration: half).cpuid(leaf: 0x4000_0003, subleaf: 0)).0 == 0x66)
    }

    @Test("other hypervisor leaves read zero and basic leaves are left to the CPU")
    func otherLeaves() throws {
        let cpuid = HyperVCPUID(configuration: HyperVConfiguration(processorCount: 2))
        #expect(try #require(cpuid.cpuid(leaf: 0x4000_0005, subleaf: 0)).0 == 2)
        for leaf: UInt32 in [0x4000_0006, 0x4000_000A, 0x4000_0100, 0x4000_FF00] {
            let r = try #require(cpuid.cpuid(leaf: leaf, subleaf: 0))
            #expect(r.0 == 0 && r.1 == 0 && r.2 == 0 && r.3 == 0, "leaf \(String(leaf, radix: 16))")
        }
        #expect(cpuid.cpuid(leaf: 1, subleaf: 0) == nil)
        #expect(cpuid.cpuid(leaf: 0x8000_0000, subleaf: 0) == nil)
    }

    @Test("a guest's CPUID reaches the provider")
    func throughCPU() throws {
        let guest = HyperVGuest(rig: HyperVRig())
        try guest.load("""
                mov eax, 0x40000000
                cpuid
                mov [RESULTS], eax
                mov [RESULTS+4], ebx
                mov eax, 0x40000003
                cpuid
                mov [RESULTS+8], eax
                hlt
            """)
        #expect(guest.run() == .halted)
        #expect(guest.result(0) == 0x4000_0006 && guest.result(1) == 0x7263_694D && guest.result(2) == 0x66)
    }
}
