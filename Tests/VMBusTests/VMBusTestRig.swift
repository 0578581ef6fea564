// Test rig: SynICs over 8 MiB of RAM, a VMBus server, and the guest-side driver model.

import EmulatorCore
import HyperV
import TestSupport
import Testing
import VMBus

/// A partition with `vpCount` VPs whose SynICs Linux-style code has enabled (SINT2 vector
/// 0xF3; VP n's message page at 0x10000 + 0x2000n, event page one page above), a server with
/// its log captured, and a driver for VP 0.
final class VMBusTestRig {
    let memory = PhysicalMemory(ramSize: 8 << 20)
    let scheduler = Scheduler()
    let partition: HyperVPartition
    var synics: [SynIC] = []
    var msrs: [SyntheticMSRs] = []
    let server: VMBusServer
    let driver: GuestVMBusDriver
    /// (VP, vector) of every SynIC interrupt.
    var interrupts: [(vp: Int, vector: UInt8)] = []
    var logLines: [String] = []

    init(vpCount: Int = 1, enableSynIC: Bool = true) {
        partition = HyperVPartition(memory: memory, scheduler: scheduler)
        var sink: (Int, UInt8) -> Void = { _, _ in }
        for vp in 0..<vpCount {
            let synic = SynIC(vpIndex: vp, memory: memory, deliver: { vector, _ in sink(vp, vector) })
            synics.append(synic)
            msrs.append(SyntheticMSRs(partition: partition, synic: synic))
        }
        var logSink: (String) -> Void = { _ in }
        server = VMBusServer(memory: memory, synics: synics, logger: { logSink($0) })
        driver = GuestVMBusDriver(memory: memory, synic: synics[0], host: server)
        sink = { [unowned self] in self.interrupts.append(($0, $1)) }
        logSink = { [unowned self] in self.logLines.append($0) }
        if enableSynIC { for vp in 0..<vpCount { enable(vp: vp) } }
    }

    /// hv_synic_enable_regs on VP `vp`.
    func enable(vp: Int) {
        let m = msrs[vp]
        let simp = UInt64(0x10000 + 0x2000 * vp)
        #expect(m.writeMSR(HyperVMSR.simp, value: simp | 1))
        #expect(m.writeMSR(HyperVMSR.siefp, value: (simp + 0x1000) | 1))
        #expect(m.writeMSR(HyperVMSR.sint0 + 2, value: 0xF3))
        #expect(m.writeMSR(HyperVMSR.scontrol, value: 1))
    }

    /// Connects at the newest version, requests offers, returns them.
    func connectAndOffer() -> [OfferChannel] {
        #expect(driver.connect() == .win10_5_3)
        return driver.requestOffers()
    }

    /// An echo device, connected, offered and opened.
    func openEcho(sendPages: Int = 4, receivePages: Int = 4, scattered: Bool = false) -> (EchoVMBusDevice, GuestChannel)? {
        let echo = EchoVMBusDevice()
        server.addDevice(echo)
        let offers = connectAndOffer()
        guard let offer = offers.first, let channel = driver.open(offer, sendPages: sendPages, receivePages: receivePages,
                                                                   scattered: scattered) else { return nil }
        return (echo, channel)
    }
}
