// libFuzzer target: storvsc packets on an initialized StorVSP channel backed by a small disk.
// Input records: [kind][length lo][length hi][payload…]; kind bit 0 sends the payload as a
// GPA-direct packet with a one-page buffer (else in-band), bit 1 asks for a completion. The
// device must answer or drop each packet without trapping, and never write outside the disk.

import Foundation
import Storage
import TestSupport
import VMBus
import VMBusDevices
import EmulatorCore
import HyperV

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStorVSPPackets(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = Array(UnsafeRawBufferPointer(start: data, count: count))
    let memory = PhysicalMemory(ramSize: 4 << 20)
    let partition = HyperVPartition(memory: memory, scheduler: Scheduler())
    let synic = SynIC(vpIndex: 0, memory: memory, deliver: { _, _ in })
    let msrs = SyntheticMSRs(partition: partition, synic: synic)
    _ = msrs.writeMSR(HyperVMSR.simp, value: 0x10000 | 1)
    _ = msrs.writeMSR(HyperVMSR.siefp, value: 0x11000 | 1)
    _ = msrs.writeMSR(HyperVMSR.sint0 + 2, value: 0xF3)
    _ = msrs.writeMSR(HyperVMSR.scontrol, value: 1)
    let server = VMBusServer(memory: memory, synics: [synic], logger: { _ in })
    let image = TemporaryDiskImage(byteCount: 64 << 10)
    guard let disk = try? RawFileBlockDevice(path: image.path) else { fatalError("cannot open the scratch disk") }
    let device = StorVSPDevice(disks: [disk], instanceID: StorVSPDevice.instanceID(controller: 0), logger: { _ in })
    _ = server.addDevice(device)
    let vmbus = GuestVMBusDriver(memory: memory, synic: synic, host: server)
    guard vmbus.connect() != nil, let offer = vmbus.requestOffers().first,
          let driver = GuestStorvscDriver(vmbus: vmbus, offer: offer, ringPages: 8), driver.initialize() else {
        fatalError("the storvsc channel did not come up")
    }
    let buffer = driver.allocateBuffer(length: 4096)
    var at = 0, transaction: UInt64 = 1
    while at + 3 <= input.count {
        let kind = input[at], length = Int(input[at + 1]) | Int(input[at + 2]) << 8
        at += 3
        let payload = Array(input[at..<min(input.count, at + length)])
        at += payload.count
        let completion = kind & 2 != 0
        let packet: VMBusPacket = kind & 1 != 0
            ? .gpaDirect([buffer], payload: payload, transactionID: transaction, completionRequested: completion)
            : .inband(payload, transactionID: transaction, completionRequested: completion)
        _ = driver.exchangeRaw(packet)
        transaction += 1
    }
    precondition(disk.blockCount == 128, "the disk changed size")
    return 0
}
