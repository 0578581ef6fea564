// Save → new objects → restore → compare, for every Hyper-V object with guest-visible state.

import EmulatorCore
import Foundation
import HyperV
import Testing

@Suite("Hyper-V saved state")
struct HyperVSavedStateTests {
    /// Encodes and decodes through JSON, as a snapshot section would.
    private func roundTrip<T: Codable>(_ value: T) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
    }

    @Test("partition: guest OS ID, hypercall MSR and the reference counter continue after restore")
    func partition() throws {
        let rig = HyperVRig()
        rig.linuxHypervInit()
        rig.scheduler.advance(to: VirtualTime(nanoseconds: 2_000_000))
        rig.partition.reset()  // reference zero at 2 ms
        rig.linuxHypervInit(hypercallPage: 0x6000)
        rig.scheduler.advance(to: VirtualTime(nanoseconds: 3_000_000))
        let saved = try roundTrip(rig.partition.saveState())

        let other = HyperVRig()
        other.scheduler.restore(now: VirtualTime(nanoseconds: 3_000_000))
        try other.partition.restoreState(saved)
        #expect(other.partition.saveState() == saved)
        #expect(other.msrs.readMSR(HyperVMSR.hypercall) == 0x6001)
        #expect(other.msrs.readMSR(HyperVMSR.guestOSID) == 0x8100_0006_01AA_0000)
        #expect(other.msrs.readMSR(HyperVMSR.timeReferenceCount) == 10_000)
        other.scheduler.advance(to: VirtualTime(nanoseconds: 3_000_500))
        #expect(other.msrs.readMSR(HyperVMSR.timeReferenceCount) == 10_005)
    }

    @Test("partition restore rejects impossible values")
    func partitionRejects() {
        let rig = HyperVRig()
        var bad = rig.partition.saveState()
        bad.hypercallMSR = 0x5004
        #expect(throws: SnapshotStateError.self) { try rig.partition.restoreState(bad) }
        bad.hypercallMSR = 0x5001
        #expect(throws: SnapshotStateError.self) { try rig.partition.restoreState(bad) }
        bad = rig.partition.saveState()
        bad.referenceElapsedNanoseconds = 1
        #expect(throws: SnapshotStateError.self) { try rig.partition.restoreState(bad) }
    }

    @Test("SynIC and VP registers round-trip, including a retry owed to the host")
    func synic() throws {
        let rig = HyperVRig()
        rig.linuxHypervInit()
        rig.linuxSynICEnable(autoEOI: true)
        #expect(rig.msrs.writeMSR(HyperVMSR.sint0 + 5, value: 0x4_0040))
        rig.synic.postMessage(sint: 2, message: HyperVMessage(payload: [1]))
        rig.synic.postMessage(sint: 2, message: HyperVMessage(payload: [2]))
        let savedSynIC = try roundTrip(rig.synic.saveState())
        let savedVP = try roundTrip(rig.msrs.saveState())
        #expect(savedSynIC.retryMask == 1 << 2)

        let other = HyperVRig()
        try other.synic.restoreState(savedSynIC)
        try other.msrs.restoreState(savedVP)
        #expect(other.synic.saveState() == savedSynIC)
        #expect(other.msrs.saveState() == savedVP)
        #expect(other.msrs.readMSR(HyperVMSR.vpAssistPage) == 0x6001)
        #expect(other.msrs.readMSR(HyperVMSR.sint0 + 2) == 0x2_00F3)
        #expect(other.msrs.readMSR(HyperVMSR.sint0 + 5) == 0x4_0040)
        // The owed retry survives: EOM on the restored SynIC asks for it.
        _ = other.msrs.writeMSR(HyperVMSR.eom, value: 0)
        #expect(other.retries == [2])
        #expect(other.synic.snapshotSection == "hyperv.synic.0" && other.msrs.snapshotSection == "hyperv.vp.0")
    }

    @Test("SynIC restore rejects reserved bits, bad vectors and a wrong SINT count")
    func synicRejects() {
        let rig = HyperVRig()
        var bad = rig.synic.saveState()
        bad.sints[3] = 0x05  // unmasked vector below 16
        #expect(throws: SnapshotStateError.self) { try rig.synic.restoreState(bad) }
        bad = rig.synic.saveState()
        bad.sints.removeLast()
        #expect(throws: SnapshotStateError.self) { try rig.synic.restoreState(bad) }
        bad = rig.synic.saveState()
        bad.scontrol = 2
        #expect(throws: SnapshotStateError.self) { try rig.synic.restoreState(bad) }
    }
}
