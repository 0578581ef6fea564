// An ATA hard disk over a BlockDevice: IDENTIFY DEVICE, PIO/multiple/DMA reads and writes in
// LBA28, LBA48 and CHS, flush, power management and the settings commands.

/// A fixed ATA disk (ATA/ATAPI-6 general feature set, 48-bit address feature set, power
/// management, write cache) on a `BlockDevice` of 512-byte blocks.
///
/// Commands: READ/WRITE SECTOR(S) (EXT), READ/WRITE MULTIPLE (EXT) after SET MULTIPLE MODE,
/// READ/WRITE DMA (EXT), READ VERIFY SECTOR(S) (EXT), FLUSH CACHE (EXT) (the backend's fsync),
/// IDENTIFY DEVICE, SET FEATURES (transfer mode, write cache, read look-ahead), INITIALIZE
/// DEVICE PARAMETERS, SET MULTIPLE MODE, IDLE (IMMEDIATE), STANDBY (IMMEDIATE), SLEEP,
/// CHECK POWER MODE, SEEK, RECALIBRATE, EXECUTE DEVICE DIAGNOSTIC (through the channel).
/// Anything else, including the packet commands, ends with ABRT.
///
/// Addresses: LBA when Device bit 6 is set, else CHS through the current translation (the
/// default geometry of IDENTIFY words 1/3/6, or what INITIALIZE DEVICE PARAMETERS set):
/// LBA = (C × heads + H) × sectors + S − 1. A request past the end, or a CHS address outside
/// the translation, fails with IDNF; a failed host read with UNC; a write to a read-only
/// backend, a failed host write or a failed fsync with ABRT (ATA/ATAPI-6 has no write-fault
/// error bit; ABRT is what libata reports as a device error). Nothing is reported done
/// before the backend accepted it, and with the write cache disabled each write command is
/// fsynced before it completes.
///
/// DEVIATION: the backend is synchronous, so the write cache changes only when data reaches
/// stable storage (fsync on FLUSH CACHE or, with the cache off, per command), never whether it
/// reaches the host file. Not modelled: security, SMART, HPA (READ NATIVE MAX), queued and
/// FUA commands, streaming, TRIM, long physical sectors.
public final class ATADisk: ATADevice {
    public static let sectorSize = 512
    /// Sectors per DRQ block that READ/WRITE MULTIPLE may use (IDENTIFY word 47).
    public static let maxMultipleSectors = 16

    public let device: any BlockDevice
    /// IDENTIFY strings (model 40, serial 20, firmware 8 characters).
    public let model: String
    public let serial: String
    public let firmware: String
    /// The default CHS translation (IDENTIFY words 1, 3, 6).
    public let defaultGeometry: Geometry

    /// A cylinder/head/sector translation.
    public struct Geometry: Codable, Equatable, Sendable {
        public var cylinders: Int
        public var heads: Int
        public var sectorsPerTrack: Int

        public init(cylinders: Int, heads: Int, sectorsPerTrack: Int) {
            self.cylinders = cylinders
            self.heads = heads
            self.sectorsPerTrack = sectorsPerTrack
        }

        /// Sectors reachable through this translation.
        public var capacity: Int { cylinders * heads * sectorsPerTrack }

        /// The usual default for `sectors` (ATA/ATAPI-6 annex B): 16 heads, 63 sectors per
        /// track, at most 16 383 cylinders; smaller images get fewer heads and sectors.
        public static func standard(sectors: UInt64) -> Geometry {
            let sectorsPerTrack = Int(min(63, max(1, sectors)))
            let heads = Int(min(16, max(1, sectors / UInt64(sectorsPerTrack))))
            let cylinders = Int(min(16_383, max(1, sectors / UInt64(heads * sectorsPerTrack))))
            return Geometry(cylinders: cylinders, heads: heads, sectorsPerTrack: sectorsPerTrack)
        }
    }

    /// Power modes CHECK POWER MODE reports (Sector Count: 00h standby, FFh active or idle).
    enum PowerMode: UInt8, Codable {
        case active = 0xFF
        case standby = 0x00
        case sleep = 0x01
    }

    // Settings (reset by power-on, hardware reset and SRST).
    /// Sectors per block of READ/WRITE MULTIPLE; 0 = multiple mode disabled.
    public internal(set) var multipleCount = 0
    /// The CHS translation in use (INITIALIZE DEVICE PARAMETERS).
    public internal(set) var geometry: Geometry
    /// Volatile write cache enabled (SET FEATURES 02h/82h).
    public internal(set) var writeCacheEnabled = true
    /// Read look-ahead enabled (SET FEATURES AAh/55h).
    public internal(set) var readLookAheadEnabled = true
    /// The transfer mode SET FEATURES 03h chose: Sector Count value (08h+n PIO n, 20h+n
    /// multiword DMA n, 40h+n Ultra DMA n); 0 = PIO default.
    public internal(set) var transferMode: UInt8 = 0
    var powerMode: PowerMode = .active

    // The command in progress.
    var command: UInt8 = 0
    /// Next sector of the command, sectors still to move, sectors in the current DRQ block.
    var nextLBA: UInt64 = 0
    var sectorsRemaining = 0
    var blockSectors = 0
    /// Sectors per DRQ block for this command (1, or the multiple count).
    var sectorsPerBlock = 1
    var is48Bit = false
    var isWrite = false

    /// - Parameters:
    ///   - device: the backing image (512-byte blocks).
    ///   - model, serial, firmware: IDENTIFY strings (cut to 40, 20 and 8 characters).
    /// A restore onto an image whose identity changed is accepted (recorded in
    /// `restoreWarnings`) instead of refused.
    public var acceptChangedImage = false
    /// What the last `restore` accepted although the image differed.
    public internal(set) var restoreWarnings: [String] = []

    public init(device: any BlockDevice, model: String = "Partita ATA Disk", serial: String,
                firmware: String = "1.0") {
        precondition(device.blockSize == Self.sectorSize, "ATA disks here use 512-byte sectors")
        self.device = device
        self.model = String(model.prefix(40))
        self.serial = String(serial.prefix(20))
        self.firmware = String(firmware.prefix(8))
        defaultGeometry = .standard(sectors: device.blockCount)
        geometry = defaultGeometry
        super.init()
    }

    /// Addressable sectors.
    public var sectorCount: UInt64 { device.blockCount }

    override func resetSettings() {
        multipleCount = 0
        geometry = defaultGeometry
        writeCacheEnabled = true
        readLookAheadEnabled = true
        transferMode = 0
        powerMode = .active
        command = 0
        sectorsRemaining = 0
        blockSectors = 0
    }

    // MARK: Dispatch

    override func execute(command raw: UInt8) {
        let opcode = ATACommand.modernPowerOpcode(raw)
        command = opcode
        // Any media command wakes the drive from standby (ATA/ATAPI-6 §4.15.2).
        switch opcode {
        case ATACommand.readSectors, ATACommand.readSectorsNoRetry:
            startPIO(write: false, lba48: false, multiple: false)
        case ATACommand.readSectorsExt:
            startPIO(write: false, lba48: true, multiple: false)
        case ATACommand.writeSectors, ATACommand.writeSectorsNoRetry:
            startPIO(write: true, lba48: false, multiple: false)
        case ATACommand.writeSectorsExt:
            startPIO(write: true, lba48: true, multiple: false)
        case ATACommand.readMultiple:
            startPIO(write: false, lba48: false, multiple: true)
        case ATACommand.readMultipleExt:
            startPIO(write: false, lba48: true, multiple: true)
        case ATACommand.writeMultiple:
            startPIO(write: true, lba48: false, multiple: true)
        case ATACommand.writeMultipleExt:
            startPIO(write: true, lba48: true, multiple: true)
        case ATACommand.readDMA, ATACommand.readDMANoRetry:
            startDMA(write: false, lba48: false)
        case ATACommand.readDMAExt:
            startDMA(write: false, lba48: true)
        case ATACommand.writeDMA, ATACommand.writeDMANoRetry:
            startDMA(write: true, lba48: false)
        case ATACommand.writeDMAExt:
            startDMA(write: true, lba48: true)
        case ATACommand.readVerifySectors, ATACommand.readVerifySectorsNoRetry:
            verify(lba48: false)
        case ATACommand.readVerifySectorsExt:
            verify(lba48: true)
        case ATACommand.flushCache, ATACommand.flushCacheExt:
            flush()
        case ATACommand.identifyDevice:
            identify()
        case ATACommand.setFeatures:
            setFeatures()
        case ATACommand.setMultipleMode:
            setMultipleMode()
        case ATACommand.initializeDeviceParameters:
            initializeDeviceParameters()
        case ATACommand.idleImmediate, ATACommand.idle:
            powerMode = .active
            finish()
        case ATACommand.standbyImmediate, ATACommand.standby:
            powerMode = .standby
            finish()
        case ATACommand.sleep:
            powerMode = .sleep
            finish()
        case ATACommand.checkPowerMode:
            taskFile.sectorCount = powerMode == .active ? 0xFF : 0x00
            finish()
        case ATACommand.seek...ATACommand.seek + 0x0F:
            seek()
        case ATACommand.recalibrate...ATACommand.recalibrate + 0x0F:
            // Heads back to cylinder 0: nothing to move, the address reads 0 afterwards.
            taskFile.lbaMid = 0
            taskFile.lbaHigh = 0
            finish()
        default:
            // NOP, DEVICE RESET, PACKET, IDENTIFY PACKET DEVICE and the unimplemented commands.
            abort()
        }
    }

    // MARK: Addressing

    /// The command's starting sector and count, or nil after failing it with IDNF.
    private func addressRange(lba48: Bool) -> (lba: UInt64, count: Int)? {
        let count = lba48 ? taskFile.count48 : taskFile.count28
        let lba: UInt64
        if lba48 {
            lba = taskFile.lba48
        } else if taskFile.usesLBA {
            lba = taskFile.lba28
        } else {
            guard let chs = chsToLBA() else {
                fail(ATAErrorRegister.idNotFound.union(.aborted).rawValue)
                return nil
            }
            lba = chs
        }
        guard lba <= sectorCount, UInt64(count) <= sectorCount - lba else {
            fail(ATAErrorRegister.idNotFound.rawValue)
            return nil
        }
        powerMode = .active
        return (lba, count)
    }

    /// The LBA of the CHS address in the registers, nil when outside the translation.
    private func chsToLBA() -> UInt64? {
        let cylinder = Int(taskFile.lbaHigh) << 8 | Int(taskFile.lbaMid)
        let head = Int(taskFile.device & 0x0F)
        let sector = Int(taskFile.lbaLow)
        let g = geometry
        guard g.sectorsPerTrack > 0, sector >= 1, sector <= g.sectorsPerTrack, head < g.heads,
              cylinder < currentCylinders else { return nil }
        return UInt64((cylinder * g.heads + head) * g.sectorsPerTrack + sector - 1)
    }

    /// Cylinders of the current translation (as many as fit in the disk, at most 65 535).
    var currentCylinders: Int {
        let perCylinder = max(1, geometry.heads * geometry.sectorsPerTrack)
        return Int(min(65_535, sectorCount / UInt64(perCylinder)))
    }

    /// Puts `lba` back into the address registers in the form the command used.
    private func reportAddress(_ lba: UInt64) {
        if is48Bit || taskFile.usesLBA {
            taskFile.setLBA(lba, lba48: is48Bit)
        } else {
            let g = geometry
            let perCylinder = UInt64(max(1, g.heads * g.sectorsPerTrack))
            let cylinder = lba / perCylinder
            let rest = Int(lba % perCylinder)
            taskFile.lbaMid = UInt8(truncatingIfNeeded: cylinder)
            taskFile.lbaHigh = UInt8(truncatingIfNeeded: cylinder >> 8)
            taskFile.device = (taskFile.device & 0xF0) | UInt8(rest / max(1, g.sectorsPerTrack))
            taskFile.lbaLow = UInt8(rest % max(1, g.sectorsPerTrack) + 1)
        }
    }

    // MARK: PIO reads and writes

    private func startPIO(write: Bool, lba48: Bool, multiple: Bool) {
        if multiple && multipleCount == 0 { return abort() }
        is48Bit = lba48
        isWrite = write
        guard let (lba, count) = addressRange(lba48: lba48) else { return }
        if write && device.isReadOnly { return abort() }
        nextLBA = lba
        sectorsRemaining = count
        sectorsPerBlock = multiple ? multipleCount : 1
        if write {
            blockSectors = min(sectorsPerBlock, sectorsRemaining)
            beginDataOut(count: blockSectors * Self.sectorSize, interrupt: false)
        } else {
            loadReadBlock()
        }
    }

    /// Reads the next DRQ block from the backend and offers it to the host.
    private func loadReadBlock() {
        blockSectors = min(sectorsPerBlock, sectorsRemaining)
        let bytes = blockSectors * Self.sectorSize
        do {
            try device.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<bytes]),
                            at: nextLBA * UInt64(Self.sectorSize))
        } catch {
            reportAddress(nextLBA)
            return fail(ATAErrorRegister.uncorrectable.rawValue)
        }
        beginDataIn(count: bytes)
    }

    override func dataBlockFinished() {
        // IDENTIFY DEVICE's single block: read, and the command is over.
        guard command != ATACommand.identifyDevice else { return finish(interrupt: false) }
        let moved = blockSectors
        if isWrite {
            let bytes = moved * Self.sectorSize
            do {
                try device.write(UnsafeRawBufferPointer(rebasing: buffer[0..<bytes]), at: nextLBA * UInt64(Self.sectorSize))
            } catch {
                reportAddress(nextLBA)
                return fail(ATAErrorRegister.aborted.rawValue)
            }
        }
        nextLBA += UInt64(moved)
        sectorsRemaining -= moved
        reportAddress(nextLBA - 1)
        if sectorsRemaining > 0 {
            if isWrite {
                blockSectors = min(sectorsPerBlock, sectorsRemaining)
                beginDataOut(count: blockSectors * Self.sectorSize, interrupt: true)
            } else {
                loadReadBlock()
            }
            return
        }
        if isWrite {
            guard syncIfUncached() else { return }
            finish()
        } else {
            // PIO data-in ends without an interrupt after the last block (ATA/ATAPI-6 §9.7).
            finish(interrupt: false)
        }
    }

    /// With the write cache off, completed writes must be on stable storage before the command
    /// reports success. Fails the command with ABRT and returns false when fsync fails.
    private func syncIfUncached() -> Bool {
        guard !writeCacheEnabled else { return true }
        do { try device.flush() } catch {
            fail(ATAErrorRegister.aborted.rawValue)
            return false
        }
        return true
    }

    // MARK: DMA

    private func startDMA(write: Bool, lba48: Bool) {
        is48Bit = lba48
        isWrite = write
        guard let (lba, count) = addressRange(lba48: lba48) else { return }
        if write && device.isReadOnly { return abort() }
        nextLBA = lba
        sectorsRemaining = count
        beginDMA(toHost: !write)
    }

    override func runDMA(_ controller: ATADMAController) {
        let chunkSectors = Self.bufferCapacity / Self.sectorSize
        while sectorsRemaining > 0 {
            let n = min(chunkSectors, sectorsRemaining)
            let bytes = n * Self.sectorSize
            let chunk = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<bytes])
            let offset = nextLBA * UInt64(Self.sectorSize)
            if isWrite {
                guard controller.move(chunk, toMemory: false) == bytes else {
                    reportAddress(nextLBA)
                    return fail(ATAErrorRegister.aborted.rawValue)
                }
                do { try device.write(UnsafeRawBufferPointer(chunk), at: offset) } catch {
                    reportAddress(nextLBA)
                    return fail(ATAErrorRegister.aborted.rawValue)
                }
            } else {
                do { try device.read(into: chunk, at: offset) } catch {
                    reportAddress(nextLBA)
                    return fail(ATAErrorRegister.uncorrectable.rawValue)
                }
                guard controller.move(chunk, toMemory: true) == bytes else {
                    reportAddress(nextLBA)
                    return fail(ATAErrorRegister.aborted.rawValue)
                }
            }
            nextLBA += UInt64(n)
            sectorsRemaining -= n
        }
        reportAddress(nextLBA &- 1)
        if isWrite { guard syncIfUncached() else { return } }
        finish()
    }

    // MARK: Non-data commands

    private func verify(lba48: Bool) {
        is48Bit = lba48
        guard let (lba, count) = addressRange(lba48: lba48) else { return }
        // The media is the host file: every sector "verifies"; the address ends on the last one.
        reportAddress(lba + UInt64(count) - 1)
        finish()
    }

    private func seek() {
        is48Bit = false
        if taskFile.usesLBA {
            guard taskFile.lba28 < max(sectorCount, 1) else { return fail(ATAErrorRegister.idNotFound.rawValue) }
        } else if chsToLBA() == nil {
            return fail(ATAErrorRegister.idNotFound.rawValue)
        }
        powerMode = .active
        finish()
    }

    private func flush() {
        do { try device.flush() } catch { return abort() }
        finish()
    }

    private func setMultipleMode() {
        let n = Int(taskFile.sectorCount)
        // 0 disables multiple mode; otherwise a power of two up to IDENTIFY word 47's maximum.
        guard n == 0 || (n <= Self.maxMultipleSectors && n.nonzeroBitCount == 1) else { return abort() }
        multipleCount = n
        finish()
    }

    private func initializeDeviceParameters() {
        let sectors = Int(taskFile.sectorCount)
        let heads = Int(taskFile.device & 0x0F) + 1
        guard sectors > 0 else { return abort() }
        geometry = Geometry(cylinders: 0, heads: heads, sectorsPerTrack: sectors)
        geometry.cylinders = currentCylinders
        finish()
    }

    private func setFeatures() {
        switch taskFile.features {
        case 0x02: writeCacheEnabled = true
        case 0x82:
            // Disabling the cache writes it back first (ATA/ATAPI-6 §8.37.3).
            do { try device.flush() } catch { return abort() }
            writeCacheEnabled = false
        case 0xAA: readLookAheadEnabled = true
        case 0x55: readLookAheadEnabled = false
        case 0x66, 0xCC:
            // Disable / enable reverting to power-on defaults: accepted, nothing to keep.
            break
        case 0x03:
            let mode = taskFile.sectorCount
            switch mode {
            case 0x00, 0x01, 0x08...0x0C, 0x20...0x22, 0x40...0x45: transferMode = mode
            default: return abort()
            }
        default:
            return abort()
        }
        finish()
    }

    // MARK: IDENTIFY DEVICE

    private func identify() {
        let words = identifyData()
        for (i, w) in words.enumerated() {
            buffer.storeBytes(of: w.littleEndian, toByteOffset: 2 * i, as: UInt16.self)
        }
        // One data-in block; reading it ends the command (no completion interrupt).
        beginDataIn(count: Self.sectorSize)
    }

    /// The 256 words of IDENTIFY DEVICE data (ATA/ATAPI-6 §8.15, table 16).
    public func identifyData() -> [UInt16] {
        var w = [UInt16](repeating: 0, count: 256)
        let g = defaultGeometry
        w[0] = 0x0040                      // fixed device, not removable
        w[1] = UInt16(g.cylinders)
        w[3] = UInt16(g.heads)
        w[6] = UInt16(g.sectorsPerTrack)
        IdentifyString.store(serial, into: &w, at: 10, words: 10)
        w[20] = 3                          // buffer type (obsolete): dual ported, read cache
        w[21] = 512                        // buffer size in sectors (obsolete)
        w[22] = 4                          // ECC bytes on READ/WRITE LONG (obsolete)
        IdentifyString.store(firmware, into: &w, at: 23, words: 4)
        IdentifyString.store(model, into: &w, at: 27, words: 20)
        w[47] = 0x8000 | UInt16(Self.maxMultipleSectors)
        w[49] = 1 << 11 | 1 << 9 | 1 << 8  // IORDY supported, LBA, DMA
        w[50] = 0x4000
        w[51] = 0x0200                     // PIO data transfer cycle timing mode 2 (obsolete)
        w[53] = 0x0007                     // words 54–58, 64–70 and 88 are valid
        let current = geometry
        let cylinders = currentCylinders
        w[54] = UInt16(truncatingIfNeeded: cylinders)
        w[55] = UInt16(current.heads)
        w[56] = UInt16(current.sectorsPerTrack)
        let chsCapacity = UInt32(truncatingIfNeeded: min(UInt64(cylinders * current.heads * current.sectorsPerTrack), sectorCount))
        w[57] = UInt16(truncatingIfNeeded: chsCapacity)
        w[58] = UInt16(truncatingIfNeeded: chsCapacity >> 16)
        w[59] = multipleCount > 0 ? 0x0100 | UInt16(multipleCount) : 0
        let lba28 = UInt32(min(sectorCount, 0x0FFF_FFFF))
        w[60] = UInt16(truncatingIfNeeded: lba28)
        w[61] = UInt16(truncatingIfNeeded: lba28 >> 16)
        // Multiword DMA modes 0–2 supported; the selected one in bits 10:8.
        w[63] = 0x0007 | (transferMode & 0xF8 == 0x20 ? 0x0100 << UInt16(transferMode & 0x07) : 0)
        w[64] = 0x0003                     // PIO modes 3 and 4
        w[65] = 120                        // minimum multiword DMA cycle, ns
        w[66] = 120                        // recommended multiword DMA cycle
        w[67] = 120                        // minimum PIO cycle without IORDY
        w[68] = 120                        // minimum PIO cycle with IORDY
        w[80] = 0x007E                     // ATA-1 to ATA-6
        w[82] = 1 << 6 | 1 << 5 | 1 << 3   // look-ahead, write cache, power management supported
        w[83] = 0x4000 | 1 << 13 | 1 << 12 | 1 << 10  // FLUSH CACHE EXT, FLUSH CACHE, 48-bit
        w[84] = 0x4000
        w[85] = (readLookAheadEnabled ? 1 << 6 : 0) | (writeCacheEnabled ? 1 << 5 : 0) | 1 << 3
        w[86] = 1 << 13 | 1 << 12 | 1 << 10
        w[87] = 0x4000
        // Ultra DMA modes 0–5 supported; the selected one in bits 13:8.
        w[88] = 0x003F | (transferMode & 0xF8 == 0x40 ? 0x0100 << UInt16(transferMode & 0x07) : 0)
        // Hardware reset result: bit 14 set, device 0 passed diagnostics (bits 2:1 = 01b).
        w[93] = 0x4000 | 0x0002 | 0x0001
        w[100] = UInt16(truncatingIfNeeded: sectorCount)
        w[101] = UInt16(truncatingIfNeeded: sectorCount >> 16)
        w[102] = UInt16(truncatingIfNeeded: sectorCount >> 32)
        w[103] = UInt16(truncatingIfNeeded: sectorCount >> 48)
        IdentifyString.seal(&w)
        return w
    }
}
