// SynIC message slots, event flags and interrupt delivery as Linux's vmbus_isr sees them.

import Chipset
import EmulatorCore
import HyperV
import Testing
import X86

@Suite("SynIC")
struct SynICTests {
    static let simp: UInt32 = 0x10000
    static let siefp: UInt32 = 0x11000
    static let slot2 = simp + 512

    @Test("a posted message lands in the SINT2 slot, type last, and raises the SINT vector")
    func postMessage() {
        let rig = HyperVRig()
        rig.linuxSynICEnable()
        let payload: [UInt8] = [0x01, 0, 0, 0] + [UInt8](repeating: 0x5A, count: 20)
        #expect(rig.synic.postMessage(sint: 2, message: HyperVMessage(payload: payload)))
        #expect(rig.read32(Self.slot2) == 1)
        #expect(rig.read8(Self.slot2 + 4) == 24)
        #expect(rig.read8(Self.slot2 + 5) == 0)
        #expect(rig.memory.bytes(at: Self.slot2 + 16, count: 24) == payload)
        #expect(rig.deliveries.count == 1 && rig.deliveries.first?.vector == 0xF3 && rig.deliveries.first?.autoEOI == false)
        #expect(rig.read32(Self.simp) == 0, "other slots untouched")
    }

    @Test("a busy slot gets msg_pending; the guest's EOM asks the host to retry, which then succeeds")
    func busySlotPendingEOMRetry() {
        let rig = HyperVRig()
        rig.linuxSynICEnable()
        #expect(rig.synic.postMessage(sint: 2, message: HyperVMessage(payload: [1])))
        #expect(!rig.synic.postMessage(sint: 2, message: HyperVMessage(payload: [2])))
        #expect(rig.read8(Self.slot2 + 5) & 1 == 1)
        #expect(rig.deliveries.count == 1)
        #expect(rig.retries.isEmpty)
        // The guest consumes: copies, sets message_type to 0, sees msg_pending, writes EOM.
        rig.synic.onEndOfMessage = { [unowned rig] sint in
            rig.retries.append(sint)
            #expect(rig.synic.postMessage(sint: sint, message: HyperVMessage(payload: [2])))
        }
        rig.write32(Self.slot2, 0)
        #expect(rig.msrs.writeMSR(HyperVMSR.eom, value: 0))
        #expect(rig.retries == [2])
        #expect(rig.read32(Self.slot2) == 1 && rig.read8(Self.slot2 + 16) == 2 && rig.read8(Self.slot2 + 5) == 0)
        #expect(rig.deliveries.count == 2)
        // Nothing owed any more: another EOM asks for nothing.
        #expect(rig.msrs.writeMSR(HyperVMSR.eom, value: 0))
        #expect(rig.retries == [2])
    }

    @Test("an EOM with the slot still full re-arms the retry")
    func eomWhileStillBusy() {
        let rig = HyperVRig()
        rig.linuxSynICEnable()
        rig.synic.postMessage(sint: 2, message: HyperVMessage(payload: [1]))
        rig.synic.onEndOfMessage = { [unowned rig] sint in
            rig.retries.append(sint)
            #expect(!rig.synic.postMessage(sint: sint, message: HyperVMessage(payload: [2])))
        }
        #expect(!rig.synic.postMessage(sint: 2, message: HyperVMessage(payload: [2])))
        _ = rig.msrs.writeMSR(HyperVMSR.eom, value: 0)
        #expect(rig.retries == [2])
        #expect(rig.synic.retryMask == 1 << 2)
    }

    @Test("a masked SINT, a disabled SynIC or message page delivers nothing; enabling asks for a retry")
    func maskedAndDisabled() {
        let rig = HyperVRig()
        // SCONTROL still off.
        #expect(rig.msrs.writeMSR(HyperVMSR.simp, value: UInt64(Self.simp) | 1))
        #expect(rig.msrs.writeMSR(HyperVMSR.siefp, value: UInt64(Self.siefp) | 1))
        #expect(rig.msrs.writeMSR(HyperVMSR.sint0 + 2, value: 0xF3))
        #expect(!rig.synic.postMessage(sint: 2, message: HyperVMessage(payload: [1])))
        #expect(!rig.synic.signalEvent(sint: 2, flag: 5))
        #expect(rig.read32(Self.slot2) == 0 && rig.deliveries.isEmpty)
        #expect(rig.msrs.writeMSR(HyperVMSR.scontrol, value: 1))
        #expect(rig.retries == [2])
        // Masked SINT.
        #expect(rig.msrs.writeMSR(HyperVMSR.sint0 + 2, value: 0x1_00F3))
        #expect(!rig.synic.postMessage(sint: 2, message: HyperVMessage(payload: [1])))
        #expect(!rig.synic.signalEvent(sint: 2, flag: 5))
        #expect(rig.read32(Self.slot2) == 0 && rig.read8(Self.siefp + 256 * 2) == 0 && rig.deliveries.isEmpty)
        #expect(rig.msrs.writeMSR(HyperVMSR.sint0 + 2, value: 0xF3))
        #expect(rig.retries == [2, 2])
        // Message page disabled.
        #expect(rig.msrs.writeMSR(HyperVMSR.simp, value: UInt64(Self.simp)))
        #expect(!rig.synic.postMessage(sint: 2, message: HyperVMessage(payload: [1])))
        #expect(rig.deliveries.isEmpty)
    }

    @Test("signalEvent sets the channel's bit in the SINT2 block and raises the vector once per set")
    func eventFlags() {
        let rig = HyperVRig()
        rig.linuxSynICEnable()
        #expect(rig.synic.signalEvent(sint: 2, flag: 13))
        #expect(rig.read8(Self.siefp + 512 + 1) == 1 << 5)
        #expect(rig.deliveries.count == 1)
        #expect(rig.synic.signalEvent(sint: 2, flag: 13))
        #expect(rig.deliveries.count == 1, "already set: the pending interrupt covers it")
        rig.write8(Self.siefp + 512 + 1, 0)  // the guest's lock btr
        #expect(rig.synic.signalEvent(sint: 2, flag: 2047))
        #expect(rig.synic.signalEvent(sint: 2, flag: 13))
        #expect(rig.read8(Self.siefp + 512 + 255) == 0x80)
        #expect(rig.deliveries.count == 3)
    }

    @Test("auto-EOI and polling bits reach the delivery closure")
    func autoEOIAndPolling() {
        let rig = HyperVRig()
        rig.linuxSynICEnable(autoEOI: true)
        rig.synic.signalEvent(sint: 2, flag: 1)
        #expect(rig.deliveries.last?.autoEOI == true)
        #expect(rig.msrs.writeMSR(HyperVMSR.sint0 + 2, value: 0x4_00F3))
        #expect(rig.synic.postMessage(sint: 2, message: HyperVMessage(payload: [1])))
        #expect(rig.deliveries.count == 1, "polling mode writes the message but raises nothing")
    }

    @Test("delivered through a local APIC, the SINT vector reaches the CPU as a fixed interrupt")
    func throughLocalAPIC() {
        let rig = HyperVRig()
        let cpu = CPU(memory: rig.memory, ports: rig.ports)
        let apic = LocalAPIC(cpu: cpu, scheduler: rig.scheduler)
        // Software-enable the APIC (SVR bit 8) as Linux does.
        apic.mmioWrite(offset: 0xF0, width: .dword, value: 0x1FF)
        let synic = SynIC(memory: rig.memory) { [unowned apic] vector, _ in
            apic.receive(APICMessage(vector: vector, deliveryMode: .fixed, logicalDestination: false,
                                     destination: 0, levelTriggered: false))
        }
        let msrs = SyntheticMSRs(partition: rig.partition, synic: synic, next: apic)
        cpu.msrHandler = msrs
        #expect(msrs.writeMSR(HyperVMSR.simp, value: UInt64(Self.simp) | 1))
        #expect(msrs.writeMSR(HyperVMSR.sint0 + 2, value: 0xF3))
        #expect(msrs.writeMSR(HyperVMSR.scontrol, value: 1))
        #expect(msrs.readMSR(0x1B) == apic.apicBaseValue)
        #expect(synic.postMessage(sint: 2, message: HyperVMessage(payload: [1])))
        #expect(cpu.intrLine)
        #expect(apic.acknowledgeInterrupt() == 0xF3)
    }
}
