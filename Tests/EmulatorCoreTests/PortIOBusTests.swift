import Testing
@testable import EmulatorCore

private final class Latch: PortIODevice {
    var writes: [(UInt16, AccessWidth, UInt32)] = []
    var value: UInt32 = 0x1234_5678
    func ioRead(port: IOPort, width: AccessWidth) -> UInt32 { value }
    func ioWrite(port: IOPort, width: AccessWidth, value: UInt32) { writes.append((port.value, width, value)) }
}

@Suite("PortIOBus")
struct PortIOBusTests {
    @Test("unclaimed reads float high at every width and are logged once")
    func unclaimedFloatsHigh() {
        let bus = PortIOBus()
        var log: [String] = []
        bus.log = { log.append($0) }
        #expect(bus.read(IOPort(0x80), width: .byte) == 0xFF)
        #expect(bus.read(IOPort(0x80), width: .word) == 0xFFFF)
        #expect(bus.read(IOPort(0x80), width: .dword) == 0xFFFF_FFFF)
        bus.write(IOPort(0x80), width: .byte, value: 1)
        #expect(log.count == 1)
    }

    @Test("claimed ports reach their device, values truncated to the access width")
    func claimedPortsDispatch() {
        let bus = PortIOBus()
        let dev = Latch()
        bus.register(dev, ports: 0x3F8...0x3FF)
        #expect(bus.read(IOPort(0x3F8), width: .byte) == 0x78)
        #expect(bus.read(IOPort(0x3FF), width: .word) == 0x5678)
        bus.write(IOPort(0x3F9), width: .byte, value: 0x1FF)
        #expect(dev.writes.count == 1 && dev.writes[0].0 == 0x3F9 && dev.writes[0].2 == 0xFF)
        bus.unregister(ports: 0x3F8...0x3FF)
        #expect(bus.read(IOPort(0x3F8), width: .byte) == 0xFF)
    }
}
