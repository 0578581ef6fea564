// libFuzzer target: guest-to-host VMBus channel messages (HvPostMessage payloads) and event
// signals, against a server with one echo device. Input: a mode byte (bit 0: connect and open
// the echo channel first, as Linux would, so deeper states are reachable), then records of
// [length][connection selector][payload…]. The server must answer or refuse each one without
// trapping, and its saved state must stay computable.

import EmulatorCore
import HyperV
import TestSupport
import VMBus

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVMBusMessages(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = Array(UnsafeRawBufferPointer(start: data, count: count))
    guard let mode = input.first else { return 0 }
    let memory = PhysicalMemory(ramSize: 4 << 20)
    let partition = HyperVPartition(memory: memory, scheduler: Scheduler())
    let synic = SynIC(vpIndex: 0, memory: memory, deliver: { _, _ in })
    let msrs = SyntheticMSRs(partition: partition, synic: synic)
    _ = msrs.writeMSR(HyperVMSR.simp, value: 0x10000 | 1)
    _ = msrs.writeMSR(HyperVMSR.siefp, value: 0x11000 | 1)
    _ = msrs.writeMSR(HyperVMSR.sint0 + 2, value: 0xF3)
    _ = msrs.writeMSR(HyperVMSR.scontrol, value: 1)
    let server = VMBusServer(memory: memory, synics: [synic], logger: { _ in })
    _ = server.addDevice(EchoVMBusDevice())
    let driver = GuestVMBusDriver(memory: memory, synic: synic, host: server)
    if mode & 1 != 0, driver.connect() != nil, let offer = driver.requestOffers().first {
        _ = driver.open(offer)
    }
    var at = 1
    while at + 2 <= input.count {
        let length = min(Int(input[at]), 240), selector = input[at + 1]
        at += 2
        let payload = Array(input[at..<min(input.count, at + length)])
        at += payload.count
        switch selector & 7 {
        case 6: _ = server.signalEvent(connectionID: 0x1_0000 + UInt32(selector >> 3), flagNumber: UInt16(selector >> 5))
        case 7: _ = driver.takeAllMessages()
        default: _ = driver.post(payload, connectionID: [1, 4, 4, 7, 1, 0][Int(selector & 7) % 6])
        }
        if selector & 0x80 != 0 { _ = driver.takeAllMessages() }
    }
    // Whatever state the messages left, the server can describe it (what a snapshot does).
    _ = server.saveState()
    return 0
}
