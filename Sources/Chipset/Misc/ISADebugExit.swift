// QEMU's isa-debug-exit device: lets test guests end the emulator with a status.

import EmulatorCore

/// QEMU's `isa-debug-exit` (default port 0xF4; a write of any width counts): writing `value`
/// asks the machine to exit with status `(value << 1) | 1`, so a guest can never produce
/// status 0 by accident.
public final class ISADebugExit: PortIODevice {
    public static let defaultPort: UInt16 = 0xF4
    private let exit: (Int32) -> Void

    public init(exit: @escaping (Int32) -> Void) {
        self.exit = exit
    }

    public func ioRead(port: IOPort, width: AccessWidth) -> UInt32 { width.mask }

    public func ioWrite(port: IOPort, width: AccessWidth, value: UInt32) {
        exit(Int32(truncatingIfNeeded: (value & width.mask) << 1 | 1))
    }
}
