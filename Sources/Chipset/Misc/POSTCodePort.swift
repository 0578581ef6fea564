// The POST diagnostic port: firmware writes progress codes to it.

import EmulatorCore

/// The POST code port (default 0x80). Each byte written is reported to `sink`; reads return the
/// last code written (as on boards with a POST latch), 0xFF before any write.
/// Port 0x80 writes are also used by guests as an I/O delay; they have no other effect.
public final class POSTCodePort: PortIODevice {
    public static let defaultPort: UInt16 = 0x80
    public let port: UInt16
    public private(set) var lastCode: UInt8 = 0xFF
    private let sink: ((UInt8) -> Void)?

    public init(port: UInt16 = POSTCodePort.defaultPort, sink: ((UInt8) -> Void)? = nil) {
        self.port = port
        self.sink = sink
    }

    public func ioRead(port: IOPort, width: AccessWidth) -> UInt32 { UInt32(lastCode) }

    public func ioWrite(port: IOPort, width: AccessWidth, value: UInt32) {
        lastCode = UInt8(truncatingIfNeeded: value)
        sink?(lastCode)
    }
}
