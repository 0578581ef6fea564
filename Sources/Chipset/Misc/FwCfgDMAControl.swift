// The control word of a fw_cfg DMA request (FWCfgDmaAccess.control).

/// Bits of `FWCfgDmaAccess.control` (QEMU docs/specs/fw_cfg.rst, "Guest-side DMA Interface").
/// The upper 16 bits carry the selector when `select` is set. The device writes the word back
/// when it is done: 0 for success, `error` for failure.
public struct FwCfgDMAControl: OptionSet, Sendable, Hashable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Set by the device: the request failed.
    public static let error = FwCfgDMAControl(rawValue: 1 << 0)
    /// Copy `length` bytes of the selected item into guest memory at `address`.
    public static let read = FwCfgDMAControl(rawValue: 1 << 1)
    /// Advance the data offset by `length` bytes.
    public static let skip = FwCfgDMAControl(rawValue: 1 << 2)
    /// Select the item in bits 31-16 first.
    public static let select = FwCfgDMAControl(rawValue: 1 << 3)
    /// Copy guest memory into the item (refused here: every item is read-only).
    public static let write = FwCfgDMAControl(rawValue: 1 << 4)

    /// The selector carried in bits 31-16.
    public var selector: UInt16 { UInt16(truncatingIfNeeded: rawValue >> 16) }
}
