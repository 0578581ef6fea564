// The 8237A mode register of one channel, with its fields spelled out.

/// One channel's Mode Register (8237A datasheet, "Mode Register"): bits 7–6 mode select,
/// bit 5 address decrement, bit 4 autoinitialize, bits 3–2 transfer type. Bits 1–0 of the byte
/// the guest writes choose the channel and are not part of the stored mode.
public struct DMAChannelMode: RawRepresentable, Equatable, Sendable {
    public var rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue & 0xFC }

    /// Bits 7–6.
    public enum Service: UInt8, Sendable {
        /// 00: transfers while DREQ stays active.
        case demand = 0
        /// 01: one cycle per DREQ (what the PC floppy BIOS and Linux program).
        case single = 1
        /// 10: runs to terminal count once started.
        case block = 2
        /// 11: the channel passes another 8237A's HRQ/HLDA through (DMA2 channel 4 on an AT).
        case cascade = 3
    }

    /// Bits 3–2, named from memory's point of view as the datasheet does.
    public enum TransferType: UInt8, Sendable {
        /// 00: cycles run, addresses and count advance, nothing is read or written.
        case verify = 0
        /// 01: I/O device → memory (MEMW with IOR).
        case write = 1
        /// 10: memory → I/O device (MEMR with IOW).
        case read = 2
        /// 11: illegal; treated as verify.
        case illegal = 3
    }

    public var service: Service { Service(rawValue: rawValue >> 6)! }
    public var decrement: Bool { rawValue & 0x20 != 0 }
    public var autoinitialize: Bool { rawValue & 0x10 != 0 }
    public var transferType: TransferType { TransferType(rawValue: (rawValue >> 2) & 3)! }
}
