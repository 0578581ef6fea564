// One Intel 8237A: four channels' address/count registers and the shared control registers.

/// The registers of one 8237A (datasheet "Register Description"). The pair and the page
/// registers around it live in `DMAController`.
struct DMAChip: Equatable {
    /// One channel's 16-bit registers (datasheet "Current Address", "Current Word Count",
    /// "Base Address and Base Word Count").
    struct Channel: Equatable {
        var baseAddress: UInt16 = 0
        var baseCount: UInt16 = 0
        var currentAddress: UInt16 = 0
        var currentCount: UInt16 = 0
        var mode = DMAChannelMode(rawValue: 0)
    }

    var channels = [Channel](repeating: Channel(), count: 4)
    /// Command Register: bit 0 memory-to-memory enable, bit 1 channel 0 address hold,
    /// bit 2 controller disable, bit 3 compressed timing, bit 4 rotating priority,
    /// bit 5 extended write, bit 6 DREQ sense active low, bit 7 DACK sense active high.
    var command: UInt8 = 0
    /// Status Register bits 3–0: channel reached terminal count since the last status read.
    var terminalCounts: UInt8 = 0
    /// Request Register: software DREQs (bits 3–0).
    var softwareRequests: UInt8 = 0
    /// Mask Register (bits 3–0); a set bit disables the channel's DREQ.
    var mask: UInt8 = 0x0F
    /// Temporary Register: the last byte moved by a memory-to-memory transfer.
    var temporary: UInt8 = 0
    /// Byte pointer flip-flop: false = the next 16-bit register access is the low byte.
    var highByteNext = false

    /// Master Clear (datasheet "Software Commands"): same as a hardware reset — command, status,
    /// request and temporary registers and the flip-flop cleared, every mask bit set. Mode and
    /// address/count registers are left as they are.
    mutating func masterClear() {
        command = 0
        terminalCounts = 0
        softwareRequests = 0
        mask = 0x0F
        temporary = 0
        highByteNext = false
    }

    var isEnabled: Bool { command & 0x04 == 0 }
    var memoryToMemory: Bool { command & 0x01 != 0 }
    var holdsChannel0Address: Bool { command & 0x02 != 0 }

    /// Accesses a 16-bit register through the byte pointer flip-flop, toggling it.
    mutating func nextByteIsHigh() -> Bool {
        defer { highByteNext.toggle() }
        return highByteNext
    }
}
