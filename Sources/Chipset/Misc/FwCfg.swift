// QEMU's firmware configuration device (fw_cfg): the legacy I/O interface and its DMA add-on.

import EmulatorCore

/// QEMU's fw_cfg device as it appears on a PC (QEMU docs/specs/fw_cfg.rst): firmware and
/// guest drivers (SeaBIOS, OVMF, Linux's `qemu_fw_cfg`) read machine facts, direct-boot blobs
/// and named files ("etc/e820", "bootorder") from it.
///
/// Ports, as QEMU places them on x86:
/// - 0x510: selector, a 16-bit write (resets the data offset). A byte write to 0x510 or 0x511
///   is a data-register write, which QEMU ignores since v2.4; QEMU has no split 8-bit selector
///   write, so neither does this device.
/// - 0x511 (and byte reads of 0x510): data, one byte of the selected item per read; the offset
///   advances, and reads past the end return 0.
/// - 0x514-0x51B: the DMA address register, big-endian. A 32-bit write to 0x514 latches bits
///   63-32; a 32-bit write to 0x518 supplies bits 31-0 and runs the request (`FwCfg+DMA.swift`).
///   Reads return "QEMU CFG" in port order, which is how a guest detects DMA.
///
/// Every item is read-only: DMA writes fail with the error bit, as QEMU does for items it does
/// not mark writable. Not modelled: the MMIO variant (Arm), the ACPI `QEMU0002` node (the
/// machine's DSDT describes it), items QEMU adds that no guest here needs (UUID, NUMA, boot menu,
/// ACPI/SMBIOS tables).
public final class FwCfg: PortIODevice {
    public static let selectorPort: UInt16 = 0x510
    public static let dataPort: UInt16 = 0x511
    /// High half of the DMA address; the low half, which triggers a request, is at +4.
    public static let dmaAddressPort: UInt16 = 0x514
    /// The ranges the machine registers for this device.
    public static let portRanges: [ClosedRange<UInt16>] = [0x510...0x511, 0x514...0x51B]

    /// FW_CFG_ID feature bits.
    enum Feature {
        static let traditional: UInt32 = 1 << 0
        static let dma: UInt32 = 1 << 1
    }

    /// What reads of the DMA address register return ("QEMU CFG", big-endian).
    static let dmaSignature: [UInt8] = Array("QEMU CFG".utf8)

    let items: [UInt16: [UInt8]]
    /// Guest memory that DMA requests read and write.
    let memory: PhysicalMemory

    /// The selector as last written (bit 14 kept, as the guest wrote it).
    public internal(set) var selector: UInt16 = 0
    /// Offset of the next byte of the selected item; never beyond its end.
    public internal(set) var offset: UInt32 = 0
    /// The DMA address latch: bits 63-32 written at 0x514, waiting for the low half.
    public internal(set) var dmaAddress: UInt64 = 0
    /// The selected item's bytes (empty for a selector with no item), cached so data reads do
    /// not look the selector up per byte.
    var current: [UInt8] = []

    public let snapshotSection = "fw_cfg"

    /// Builds the item table from `configuration`; `memory` is where DMA requests go.
    public init(_ configuration: FwCfgConfiguration, memory: PhysicalMemory) throws(FwCfgError) {
        items = try configuration.items()
        self.memory = memory
        select(FwCfgKey.signature)
    }

    /// Power-on state: the signature selected, no DMA address latched.
    public func reset() {
        select(FwCfgKey.signature)
        dmaAddress = 0
    }

    /// The item served for `selector`; the write-channel bit does not change which item.
    func item(for selector: UInt16) -> [UInt8] {
        items[selector & ~FwCfgKey.writeChannel] ?? []
    }

    /// What a selector write does: pick the item and rewind to its first byte.
    func select(_ key: UInt16) {
        selector = key
        offset = 0
        current = item(for: key)
    }

    /// The next byte of the selected item, 0 past its end.
    func readDataByte() -> UInt8 {
        guard Int(offset) < current.count else { return 0 }
        let byte = current[Int(offset)]
        offset += 1
        return byte
    }

    public func ioRead(port: IOPort, width: AccessWidth) -> UInt32 {
        var value: UInt32 = 0
        switch port.value {
        case Self.selectorPort, Self.dataPort:
            // DEVIATION: QEMU accepts only byte reads here; a wider read returns that many data
            // bytes, first byte lowest, like a string read would.
            for i in 0..<width.rawValue { value |= UInt32(readDataByte()) << (8 * UInt32(i)) }
        case Self.dmaAddressPort...(Self.dmaAddressPort + 7):
            let start = Int(port.value - Self.dmaAddressPort)
            for i in 0..<width.rawValue where start + i < Self.dmaSignature.count {
                value |= UInt32(Self.dmaSignature[start + i]) << (8 * UInt32(i))
            }
        default:
            return width.mask
        }
        return value
    }

    public func ioWrite(port: IOPort, width: AccessWidth, value: UInt32) {
        switch (port.value, width) {
        case (Self.selectorPort, .word):
            select(UInt16(truncatingIfNeeded: value))
        case (Self.dmaAddressPort, .dword):
            // The register is big-endian: the byte at the lowest port is the most significant.
            dmaAddress = UInt64(value.byteSwapped) << 32
        case (Self.dmaAddressPort + 4, .dword):
            dmaAddress |= UInt64(value.byteSwapped)
            runDMA()
        default:
            // Data writes (ignored by QEMU since v2.4) and access sizes QEMU refuses.
            break
        }
    }
}
