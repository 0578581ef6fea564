// Saved state of an ATA disk: the shared device state, its settings and the command in progress.

extension ATADisk {
    /// Version 1 layout. The image is named, not copied (as StorVSP does): a restore onto an
    /// image whose identity changed is refused.
    public struct SavedState: Codable, Equatable, Sendable {
        public var core: ATADevice.CoreState
        public var disk: DiskIdentity
        public var multipleCount: Int
        public var geometry: Geometry
        public var writeCacheEnabled: Bool
        public var readLookAheadEnabled: Bool
        public var transferMode: UInt8
        /// CHECK POWER MODE's value: FFh active, 00h standby, 01h sleep.
        public var powerMode: UInt8
        public var command: UInt8
        public var nextLBA: UInt64
        public var sectorsRemaining: Int
        public var blockSectors: Int
        public var sectorsPerBlock: Int
        public var is48Bit: Bool
        public var isWrite: Bool
    }

    public func saveState() -> SavedState {
        SavedState(core: saveCore(), disk: device.identity, multipleCount: multipleCount, geometry: geometry,
                   writeCacheEnabled: writeCacheEnabled, readLookAheadEnabled: readLookAheadEnabled,
                   transferMode: transferMode, powerMode: powerMode.rawValue, command: command, nextLBA: nextLBA,
                   sectorsRemaining: sectorsRemaining, blockSectors: blockSectors, sectorsPerBlock: sectorsPerBlock,
                   is48Bit: is48Bit, isWrite: isWrite)
    }

    /// Why `s` cannot be restored into this disk, or nil.
    public func validate(_ s: SavedState) -> String? {
        if let reason = validateCore(s.core) { return reason }
        guard s.disk == device.identity || acceptChangedImage else {
            return "the snapshot was taken with disk \(s.disk), now it is \(device.identity); "
                + "restore only onto the unchanged image (or force it)"
        }
        guard s.multipleCount == 0 || (s.multipleCount <= Self.maxMultipleSectors && s.multipleCount.nonzeroBitCount == 1) else {
            return "multiple count \(s.multipleCount)"
        }
        guard (1...16).contains(s.geometry.heads), (1...255).contains(s.geometry.sectorsPerTrack),
              (0...65_535).contains(s.geometry.cylinders) else { return "CHS translation \(s.geometry)" }
        guard PowerMode(rawValue: s.powerMode) != nil else { return "power mode \(s.powerMode)" }
        guard s.sectorsRemaining >= 0, s.sectorsRemaining <= 65_536,
              s.nextLBA <= sectorCount, UInt64(s.sectorsRemaining) <= sectorCount - s.nextLBA else {
            return "transfer of \(s.sectorsRemaining) sectors at \(s.nextLBA) runs past the disk"
        }
        guard (0...Self.maxMultipleSectors).contains(s.blockSectors), (1...Self.maxMultipleSectors).contains(s.sectorsPerBlock),
              s.blockSectors * Self.sectorSize <= Self.bufferCapacity else {
            return "DRQ block of \(s.blockSectors) sectors"
        }
        if s.isWrite && s.core.phase != 0 && device.isReadOnly { return "a write in progress on a read-only disk" }
        return nil
    }

    /// Takes a state `validate` accepted.
    public func restore(_ s: SavedState) {
        precondition(validate(s) == nil, "restore of an unvalidated ATA disk state")
        restoreWarnings = s.disk == device.identity ? []
            : ["the snapshot was taken with disk \(s.disk), now it is \(device.identity)"]
        restoreCore(s.core)
        multipleCount = s.multipleCount
        geometry = s.geometry
        writeCacheEnabled = s.writeCacheEnabled
        readLookAheadEnabled = s.readLookAheadEnabled
        transferMode = s.transferMode
        powerMode = PowerMode(rawValue: s.powerMode) ?? .active
        command = s.command
        nextLBA = s.nextLBA
        sectorsRemaining = s.sectorsRemaining
        blockSectors = s.blockSectors
        sectorsPerBlock = s.sectorsPerBlock
        is48Bit = s.is48Bit
        isWrite = s.isWrite
    }
}
