// QEMU-compatible debug console: bytes written to one port go to a host sink.

import EmulatorCore

/// The Bochs/QEMU "debugcon" port (default 0xE9): every byte the guest writes is handed to
/// `sink`; reads return 0xE9, which is how guests detect the port (as in QEMU).
public final class DebugConsole: PortIODevice {
    public static let defaultPort: UInt16 = 0xE9
    public let port: UInt16
    private let sink: (UInt8) -> Void

    public init(port: UInt16 = DebugConsole.defaultPort, sink: @escaping (UInt8) -> Void) {
        self.port = port
        self.sink = sink
    }

    public func ioRead(port: IOPort, width: AccessWidth) -> UInt32 { 0xE9 }

    public func ioWrite(port: IOPort, width: AccessWidth, value: UInt32) {
        sink(UInt8(truncatingIfNeeded: value))
    }
}
