// Selector keys of QEMU's fw_cfg device (QEMU include/standard-headers/linux/qemu_fw_cfg.h).

/// The well-known fw_cfg selector keys. Numbers follow QEMU's `qemu_fw_cfg.h`, which guests
/// (SeaBIOS, OVMF, Linux's `qemu_fw_cfg` driver) hard-code.
public enum FwCfgKey {
    /// "QEMU", 4 bytes.
    public static let signature: UInt16 = 0x0000
    /// Feature bitmap, u32 little-endian: bit 0 traditional interface, bit 1 DMA.
    public static let id: UInt16 = 0x0001
    /// Guest RAM in bytes, u64 little-endian.
    public static let ramSize: UInt16 = 0x0003
    /// CPUs present at boot, u16 little-endian.
    public static let nbCPUs: UInt16 = 0x0005
    public static let kernelAddress: UInt16 = 0x0007
    public static let kernelSize: UInt16 = 0x0008
    public static let initrdAddress: UInt16 = 0x000A
    public static let initrdSize: UInt16 = 0x000B
    /// Highest CPU count the machine could have, u16 little-endian.
    public static let maxCPUs: UInt16 = 0x000F
    public static let kernelEntry: UInt16 = 0x0010
    public static let kernelData: UInt16 = 0x0011
    public static let initrdData: UInt16 = 0x0012
    public static let commandLineAddress: UInt16 = 0x0013
    /// Command-line length including its NUL, u32 little-endian.
    public static let commandLineSize: UInt16 = 0x0014
    /// The command line, NUL-terminated.
    public static let commandLineData: UInt16 = 0x0015
    public static let setupAddress: UInt16 = 0x0016
    public static let setupSize: UInt16 = 0x0017
    public static let setupData: UInt16 = 0x0018
    /// The file directory: u32 big-endian count, then 64-byte entries sorted by name.
    public static let fileDirectory: UInt16 = 0x0019
    /// Selector of the first named file; the others follow in directory (name) order.
    public static let firstFile: UInt16 = 0x0020
    /// Selector bit 14: "write channel". Ignored on lookup (QEMU masks it off too).
    public static let writeChannel: UInt16 = 0x4000
    /// Selector bit 15: architecture-specific items.
    public static let archLocal: UInt16 = 0x8000
}
