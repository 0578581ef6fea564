// Filling the RTC's CMOS RAM with the standard PC/AT layout.

extension RTC {
    /// Writes memory sizes, equipment, drive types and the century into the standard CMOS bytes
    /// (`CMOSLayout`), then the checksum over 0x10-0x2D. Other bytes are left alone.
    public func applyStandardLayout(_ config: CMOSConfiguration) {
        precondition((0...2).contains(config.hardDiskCount), "a PC/AT CMOS records at most 2 hard disks")
        func put16(_ low: UInt8, _ value: UInt64) {
            let v = UInt16(min(value, 0xFFFF))
            writeCMOS(low, UInt8(truncatingIfNeeded: v))
            writeCMOS(low + 1, UInt8(truncatingIfNeeded: v >> 8))
        }
        let kib: UInt64 = 1024
        let ramKiB = config.ramSize / kib
        put16(CMOSLayout.baseMemoryLow, min(UInt64(config.baseMemoryKiB), ramKiB))
        let extendedKiB = ramKiB > 1024 ? ramKiB - 1024 : 0
        put16(CMOSLayout.extendedMemoryLow, extendedKiB)
        put16(CMOSLayout.postExtendedMemoryLow, extendedKiB)
        let sixteenMiB: UInt64 = 16 << 20
        put16(CMOSLayout.memoryAbove16MLow, config.ramSize > sixteenMiB ? (config.ramSize - sixteenMiB) >> 16 : 0)
        let above4G = min(config.ramAbove4G >> 16, 0xFF_FFFF)
        writeCMOS(CMOSLayout.memoryAbove4GLow, UInt8(truncatingIfNeeded: above4G))
        writeCMOS(CMOSLayout.memoryAbove4GMiddle, UInt8(truncatingIfNeeded: above4G >> 8))
        writeCMOS(CMOSLayout.memoryAbove4GHigh, UInt8(truncatingIfNeeded: above4G >> 16))

        writeCMOS(CMOSLayout.floppyTypes, config.floppyA.rawValue << 4 | config.floppyB.rawValue)
        let floppies = (config.floppyA != .none ? 1 : 0) + (config.floppyB != .none ? 1 : 0)
        var equipment = config.display.rawValue << 4
        if floppies > 0 { equipment |= UInt8(floppies - 1) << 6 | 0x01 }
        if config.mathCoprocessor { equipment |= 0x02 }
        writeCMOS(CMOSLayout.equipment, equipment)

        let disk0 = config.hardDiskCount >= 1, disk1 = config.hardDiskCount >= 2
        writeCMOS(CMOSLayout.hardDiskTypes, (disk0 ? 0xF0 : 0) | (disk1 ? 0x0F : 0))
        writeCMOS(CMOSLayout.hardDisk0ExtendedType, disk0 ? CMOSConfiguration.userDefinedDiskType : 0)
        writeCMOS(CMOSLayout.hardDisk1ExtendedType, disk1 ? CMOSConfiguration.userDefinedDiskType : 0)

        // The century in the clock's own format (BCD or binary), like the year register.
        writeCMOS(CMOSLayout.century, encode(dateTime.year / 100 % 100))
        updateChecksum()
    }

    /// The PC/AT checksum: the 16-bit sum of bytes 0x10-0x2D.
    public var computedChecksum: UInt16 {
        CMOSLayout.checksummedRange.reduce(UInt16(0)) { $0 &+ UInt16(readCMOS($1)) }
    }

    /// Stores `computedChecksum` at 0x2E (high byte) and 0x2F (low byte).
    public func updateChecksum() {
        let sum = computedChecksum
        writeCMOS(CMOSLayout.checksumHigh, UInt8(sum >> 8))
        writeCMOS(CMOSLayout.checksumLow, UInt8(truncatingIfNeeded: sum))
    }
}
