// A SCSI/MMC CD-ROM logical unit (2048-byte blocks on an ISO image), transport-neutral.

/// One CD-ROM drive (MMC-5 multimedia device, peripheral device type 05h) with a tray that may
/// hold a disc: an ISO 9660 image on a `BlockDevice`, read as 2048-byte logical blocks (block n
/// is bytes n × 2048 ..< (n + 1) × 2048 of the image; a trailing partial block is not addressable).
/// IDE-ATAPI routes PACKET commands here; storvsc could route EXECUTE_SRB the same way.
///
/// Commands (what Linux's sr/cdrom, SeaBIOS's cdrom boot and Windows' cdrom.sys ask):
/// TEST UNIT READY, REQUEST SENSE, INQUIRY (type 05h, removable), READ CAPACITY(10),
/// READ(10), READ(12), READ TOC/PMA/ATIP formats 0 (TOC) and 1 (session information) in LBA or
/// MSF form, GET CONFIGURATION (profile list with CD-ROM 0008h, Core, Removable Medium, CD Read),
/// GET EVENT STATUS NOTIFICATION (polled, media class), MODE SENSE(10) (pages 01h and 2Ah, 3Fh),
/// PREVENT ALLOW MEDIUM REMOVAL, START STOP UNIT (eject / load), READ DISC INFORMATION,
/// SET CD SPEED, SEEK(10). Anything else: ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE.
///
/// Medium state (SPC-4 §5.12 unit attention, MMC-5 §4.1.3 media events): with the tray open or
/// empty, medium-access commands end in NOT READY / MEDIUM NOT PRESENT (02/3A/00). Loading a
/// disc (host `insert`, or START STOP UNIT with LoEj+Start closing the tray) sets a pending
/// UNIT ATTENTION / MEDIUM MAY HAVE CHANGED (06/28/00), reported once to the next command other
/// than INQUIRY, REQUEST SENSE, GET CONFIGURATION and GET EVENT STATUS NOTIFICATION, and a
/// "new media" event for GET EVENT STATUS NOTIFICATION.
///
/// Not modelled: audio (PLAY AUDIO, READ SUB-CHANNEL), READ CD raw sectors, multi-session and
/// multi-track discs (one data track from LBA 0), writing (no recordable profiles), MODE SELECT,
/// DVD structures, changers.
public final class SCSICDROM {
    public enum Opcode {
        public static let testUnitReady: UInt8 = 0x00
        public static let requestSense: UInt8 = 0x03
        public static let inquiry: UInt8 = 0x12
        public static let startStopUnit: UInt8 = 0x1B
        public static let preventAllowMediumRemoval: UInt8 = 0x1E
        public static let readCapacity10: UInt8 = 0x25
        public static let read10: UInt8 = 0x28
        public static let seek10: UInt8 = 0x2B
        public static let readTOC: UInt8 = 0x43
        public static let getConfiguration: UInt8 = 0x46
        public static let getEventStatusNotification: UInt8 = 0x4A
        public static let readDiscInformation: UInt8 = 0x51
        public static let modeSense10: UInt8 = 0x5A
        public static let read12: UInt8 = 0xA8
        public static let setCDSpeed: UInt8 = 0xBB
    }

    /// Bytes per logical block of a CD data track (Mode 1 user data).
    public static let blockSize = 2048
    /// MSF addresses count from 00:02:00 = LBA 0 (the 2-second pregap, 75 frames a second).
    static let msfOffset: UInt64 = 150

    /// Media event codes of the GET EVENT STATUS NOTIFICATION media class (MMC-5 table 145).
    public enum MediaEvent: UInt8, Codable, Sendable {
        case none = 0
        case newMedia = 2
        case mediaRemoval = 3
    }

    /// The disc in the tray (nil: no disc).
    public private(set) var medium: (any BlockDevice)?
    /// The tray is open (the disc, if any, cannot be read).
    public internal(set) var trayOpen = false
    /// PREVENT ALLOW MEDIUM REMOVAL holds the tray shut.
    public internal(set) var removalPrevented = false
    /// UNIT ATTENTION waiting for the next command that reports it.
    public internal(set) var unitAttention: SCSISense?
    /// The media event GET EVENT STATUS NOTIFICATION reports next.
    public internal(set) var pendingMediaEvent: MediaEvent = .none
    /// Sense of the last failed command, for REQUEST SENSE.
    public internal(set) var lastSense: SCSISense?

    public let vendor: String
    public let product: String
    public let revision: String

    public init(medium: (any BlockDevice)?, vendor: String = "Partita", product: String = "Virtual CD-ROM",
                revision: String = "1.0") {
        self.medium = medium
        self.vendor = vendor
        self.product = product
        self.revision = revision
    }

    /// Whether a readable disc is loaded (disc present, tray closed).
    public var isReady: Bool { medium != nil && !trayOpen }

    /// Logical blocks on the loaded disc (0 without one).
    public var blockCount: UInt64 { isReady ? medium!.byteCount / UInt64(Self.blockSize) : 0 }

    // MARK: Host side

    /// Puts `disc` in the drive and closes the tray, as a user changing the disc would: the
    /// guest sees UNIT ATTENTION 28h and a new-media event.
    public func insert(_ disc: any BlockDevice) {
        medium = disc
        trayOpen = false
        unitAttention = .mediumMayHaveChanged
        pendingMediaEvent = .newMedia
    }

    /// Takes the disc out (the host's eject; PREVENT does not stop it, as a paperclip would not).
    public func eject() {
        medium = nil
        trayOpen = false
        unitAttention = nil
        pendingMediaEvent = .mediaRemoval
    }

    /// Power-on state: tray closed, removal allowed, no pending sense or events; the disc stays.
    public func reset() {
        trayOpen = false
        removalPrevented = false
        unitAttention = nil
        pendingMediaEvent = .none
        lastSense = nil
    }

    // MARK: Dispatch

    /// Executes `cdb`, moving data through `buffer`.
    public func execute(cdb: [UInt8], buffer: any SCSIDataBuffer) -> SCSIResult {
        let result = dispatch(cdb, buffer)
        if cdb.be8(0) != Opcode.requestSense { lastSense = result.sense }
        return result
    }

    /// Commands that neither report nor clear a pending UNIT ATTENTION (MMC-5 §4.1.6.1, SPC-4 §5.12).
    static func ignoresUnitAttention(_ opcode: UInt8) -> Bool {
        switch opcode {
        case Opcode.inquiry, Opcode.requestSense, Opcode.getConfiguration, Opcode.getEventStatusNotification: return true
        default: return false
        }
    }

    private func dispatch(_ cdb: [UInt8], _ buffer: any SCSIDataBuffer) -> SCSIResult {
        let opcode = cdb.be8(0)
        if let ua = unitAttention, !Self.ignoresUnitAttention(opcode) {
            unitAttention = nil
            return .check(ua)
        }
        switch opcode {
        case Opcode.testUnitReady:
            return isReady ? .good() : .check(.mediumNotPresent)
        case Opcode.requestSense:
            return requestSense(cdb, buffer)
        case Opcode.inquiry:
            return inquiry(cdb, buffer)
        case Opcode.readCapacity10:
            guard isReady else { return .check(.mediumNotPresent) }
            var d = [UInt8](repeating: 0, count: 8)
            d.setBE32(0, UInt32(truncatingIfNeeded: max(blockCount, 1) - 1))
            d.setBE32(4, UInt32(Self.blockSize))
            return SCSIDisk.dataIn(d, allocation: 8, buffer)
        case Opcode.read10, Opcode.read12:
            return read(cdb, buffer)
        case Opcode.seek10:
            guard isReady else { return .check(.mediumNotPresent) }
            return UInt64(cdb.be32(2)) < blockCount ? .good() : .check(.lbaOutOfRange)
        case Opcode.readTOC:
            return readTOC(cdb, buffer)
        case Opcode.getConfiguration:
            return getConfiguration(cdb, buffer)
        case Opcode.getEventStatusNotification:
            return getEventStatus(cdb, buffer)
        case Opcode.modeSense10:
            return modeSense10(cdb, buffer)
        case Opcode.preventAllowMediumRemoval:
            removalPrevented = cdb.be8(4) & 0x01 != 0
            return .good()
        case Opcode.startStopUnit:
            return startStopUnit(cdb)
        case Opcode.readDiscInformation:
            return readDiscInformation(cdb, buffer)
        case Opcode.setCDSpeed:
            return .good()
        default:
            return .check(.invalidOpcode)
        }
    }

    // MARK: Sense and identification

    private func requestSense(_ cdb: [UInt8], _ buffer: any SCSIDataBuffer) -> SCSIResult {
        // A pending unit attention is the current condition; reporting it here clears it.
        let sense: SCSISense
        if let ua = unitAttention {
            sense = ua
            unitAttention = nil
        } else if let last = lastSense {
            sense = last
        } else {
            sense = isReady ? .noSense : .mediumNotPresent
        }
        lastSense = nil
        return SCSIDisk.dataIn(sense.fixedFormat, allocation: Int(cdb.be8(4)), buffer)
    }

    private func inquiry(_ cdb: [UInt8], _ buffer: any SCSIDataBuffer) -> SCSIResult {
        guard cdb.be8(1) & 1 == 0, cdb.be8(2) == 0 else { return .check(.invalidFieldInCDB) }
        var d = [UInt8](repeating: 0, count: 36)
        d[0] = 0x05          // peripheral qualifier 0, device type 05h: CD/DVD device
        d[1] = 0x80          // RMB: removable medium
        d[2] = 0x05          // SPC-3
        d[3] = 0x32          // ATAPI transport version 3 (MMC convention), response data format 2
        d[4] = 36 - 5
        d.replaceSubrange(8..<16, with: SCSIDisk.padded(vendor, 8))
        d.replaceSubrange(16..<32, with: SCSIDisk.padded(product, 16))
        d.replaceSubrange(32..<36, with: SCSIDisk.padded(revision, 4))
        return SCSIDisk.dataIn(d, allocation: Int(cdb.be16(3)), buffer)
    }

    // MARK: READ(10) / READ(12)

    /// What a READ(10)/READ(12) asks for, once checked.
    public enum ReadPlan: Equatable {
        /// Move `blocks` blocks from `lba` (may be 0: nothing to move, GOOD).
        case transfer(lba: UInt64, blocks: UInt32)
        /// The command ends now with this result (not ready, out of range, not a read).
        case finished(SCSIResult)
    }

    /// Checks a READ(10)/READ(12) CDB (unit attention, medium, range) without moving data, so
    /// a transport can stream the blocks itself (`readBlocks`). Records sense as `execute` does.
    public func planRead(cdb: [UInt8]) -> ReadPlan {
        let opcode = cdb.be8(0)
        if let ua = unitAttention {
            unitAttention = nil
            lastSense = ua
            return .finished(.check(ua))
        }
        let plan = checkRead(cdb, opcode)
        if case .finished(let r) = plan { lastSense = r.sense } else { lastSense = nil }
        return plan
    }

    private func checkRead(_ cdb: [UInt8], _ opcode: UInt8) -> ReadPlan {
        let lba = UInt64(cdb.be32(2))
        let blocks: UInt32
        switch opcode {
        case Opcode.read10: blocks = UInt32(cdb.be16(7))
        case Opcode.read12: blocks = cdb.be32(6)
        default: return .finished(.check(.invalidOpcode))
        }
        guard isReady else { return .finished(.check(.mediumNotPresent)) }
        let count = blockCount
        guard lba <= count, UInt64(blocks) <= count - lba else { return .finished(.check(.lbaOutOfRange)) }
        return .transfer(lba: lba, blocks: blocks)
    }

    /// Reads `count` whole blocks from `lba` into `buffer` (which holds at least that many bytes).
    /// On a host read failure it records MEDIUM ERROR / UNRECOVERED READ ERROR and returns it.
    public func readBlocks(lba: UInt64, count: Int, into buffer: UnsafeMutableRawBufferPointer) -> SCSISense? {
        let bytes = count * Self.blockSize
        guard let disc = medium, isReady, bytes <= buffer.count else {
            lastSense = .mediumNotPresent
            return .mediumNotPresent
        }
        do {
            try disc.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<bytes]),
                          at: lba * UInt64(Self.blockSize))
        } catch {
            lastSense = .readError
            return .readError
        }
        return nil
    }

    private func read(_ cdb: [UInt8], _ buffer: any SCSIDataBuffer) -> SCSIResult {
        // planRead has already dealt with a unit attention (dispatch reports it first).
        let lba: UInt64, blocks: UInt32
        switch checkRead(cdb, cdb.be8(0)) {
        case .finished(let r): return r
        case .transfer(let l, let b): (lba, blocks) = (l, b)
        }
        let total = Int(blocks) * Self.blockSize
        guard total <= buffer.length else { return .check(.invalidFieldInCDB) }
        let chunkBlocks = SCSIDisk.Limits.chunkBytes / Self.blockSize
        var chunk = [UInt8](repeating: 0, count: min(total, chunkBlocks * Self.blockSize))
        var done = 0
        while done < Int(blocks) {
            let n = min(chunkBlocks, Int(blocks) - done)
            let failure = chunk.withUnsafeMutableBytes { readBlocks(lba: lba + UInt64(done), count: n, into: $0) }
            if let failure { return .check(failure) }
            let bytes = n * Self.blockSize
            guard buffer.write(bytes == chunk.count ? chunk : Array(chunk[0..<bytes]), at: done * Self.blockSize) else {
                return .transportError
            }
            done += n
        }
        return .good(total)
    }

    // MARK: READ TOC/PMA/ATIP (MMC-5 §6.32)

    /// A 4-byte TOC address field: LBA, or 0/M/S/F counted from 00:02:00.
    static func address(_ lba: UInt64, msf: Bool) -> [UInt8] {
        guard msf else {
            var a = [UInt8](repeating: 0, count: 4)
            a.setBE32(0, UInt32(truncatingIfNeeded: lba))
            return a
        }
        let frames = lba + msfOffset
        return [0, UInt8(truncatingIfNeeded: frames / (60 * 75)), UInt8((frames / 75) % 60), UInt8(frames % 75)]
    }

    private func readTOC(_ cdb: [UInt8], _ buffer: any SCSIDataBuffer) -> SCSIResult {
        guard isReady else { return .check(.mediumNotPresent) }
        let msf = cdb.be8(1) & 0x02 != 0
        let format = cdb.be8(2) & 0x0F
        let track = cdb.be8(6)
        let allocation = Int(cdb.be16(7))
        // ADR 1 (Q sub-channel encodes the current position), control 4 (data track, copy prohibited).
        let adrControl: UInt8 = 0x14
        var data: [UInt8]
        switch format {
        case 0:
            // One data track starting at LBA 0, then the lead-out (track AAh) at the disc's end.
            data = [0, 0, 1, 1]
            if track <= 1 { data += [0, adrControl, 1, 0] + Self.address(0, msf: msf) }
            else if track != 0xAA { return .check(.invalidFieldInCDB) }
            data += [0, adrControl, 0xAA, 0] + Self.address(blockCount, msf: msf)
        case 1:
            // Session information: one complete session whose first track is track 1 at LBA 0.
            data = [0, 0, 1, 1, 0, adrControl, 1, 0] + Self.address(0, msf: msf)
        default:
            return .check(.invalidFieldInCDB)
        }
        data.setBE16(0, UInt16(data.count - 2))
        return SCSIDisk.dataIn(data, allocation: allocation, buffer)
    }

    // MARK: GET CONFIGURATION (MMC-5 §6.6)

    /// Profile 0008h: CD-ROM.
    static let cdromProfile: UInt16 = 0x0008

    private func getConfiguration(_ cdb: [UInt8], _ buffer: any SCSIDataBuffer) -> SCSIResult {
        let requestType = cdb.be8(1) & 0x03
        let start = cdb.be16(2)
        let allocation = Int(cdb.be16(7))
        guard requestType != 3 else { return .check(.invalidFieldInCDB) }
        let current: UInt8 = isReady ? 0x01 : 0x00
        // Each feature: code, version/persistent/current byte, additional length, body.
        let features: [(code: UInt16, flags: UInt8, body: [UInt8])] = [
            // Profile List: the one profile, current when a disc is loaded.
            (0x0000, 0x03, [0x00, 0x08, current, 0x00]),
            // Core, version 2: physical interface standard 2 (ATAPI), DBE (device busy events) clear.
            (0x0001, 0x0B, [0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00]),
            // Removable Medium: tray loading mechanism (001b), Eject, Lock.
            (0x0003, 0x03, [0x29, 0x00, 0x00, 0x00]),
            // Random Readable: 2048-byte blocks, blocking 1, PP clear.
            (0x0010, current, [0x00, 0x00, 0x08, 0x00, 0x00, 0x01, 0x00, 0x00]),
            // CD Read.
            (0x001E, 0x08 | current, [0x00, 0x00, 0x00, 0x00]),
        ]
        var data = [UInt8](repeating: 0, count: 8)
        data.setBE16(6, isReady ? Self.cdromProfile : 0)
        for f in features {
            let wanted: Bool
            switch requestType {
            case 0: wanted = f.code >= start
            case 1: wanted = f.code >= start && f.flags & 0x01 != 0
            default: wanted = f.code == start
            }
            guard wanted else { continue }
            var header: [UInt8] = [0, 0, f.flags, UInt8(f.body.count)]
            header.setBE16(0, f.code)
            data += header + f.body
        }
        data.setBE32(0, UInt32(data.count - 4))
        return SCSIDisk.dataIn(data, allocation: allocation, buffer)
    }

    // MARK: GET EVENT STATUS NOTIFICATION (MMC-5 §6.8)

    private func getEventStatus(_ cdb: [UInt8], _ buffer: any SCSIDataBuffer) -> SCSIResult {
        // Only the polled form exists here (no asynchronous notification).
        guard cdb.be8(1) & 0x01 != 0 else { return .check(.invalidFieldInCDB) }
        let request = cdb.be8(4)
        let allocation = Int(cdb.be16(7))
        let mediaClass: UInt8 = 1 << 4
        guard request & mediaClass != 0 else {
            // No Event Available, no class, supported classes: media.
            return SCSIDisk.dataIn([0, 2, 0x80, mediaClass], allocation: allocation, buffer)
        }
        let event = pendingMediaEvent
        pendingMediaEvent = .none
        let status: UInt8 = (trayOpen ? 0x01 : 0) | (medium != nil && !trayOpen ? 0x02 : 0)
        return SCSIDisk.dataIn([0, 6, 0x04, mediaClass, event.rawValue, status, 0, 0], allocation: allocation, buffer)
    }

    // MARK: MODE SENSE(10) (SPC-4 §6.12, MMC-5 §7)

    private func modeSense10(_ cdb: [UInt8], _ buffer: any SCSIDataBuffer) -> SCSIResult {
        let control = cdb.be8(2) >> 6
        let page = cdb.be8(2) & 0x3F
        let allocation = Int(cdb.be16(7))
        guard control != 3 else { return .check(.savingParametersNotSupported) }
        let changeable = control == 1
        // Read/Write Error Recovery page: read retry count 5.
        var recovery: [UInt8] = [0x01, 0x06, 0x00, 0x05, 0, 0, 0, 0]
        // CD/DVD Capabilities and Mechanical Status page.
        var capabilities = [UInt8](repeating: 0, count: 22)
        capabilities[0] = 0x2A
        capabilities[1] = 20
        if changeable {
            recovery[3] = 0
        } else {
            capabilities[4] = 0x71  // audio play, mode 2 form 1 and 2, multi-session
            // Tray loading mechanism (001b), eject, lock, and whether PREVENT holds it now.
            capabilities[6] = 0x29 | (removalPrevented ? 0x02 : 0)
            capabilities.setBE16(8, 4224)    // maximum read speed, kB/s (24×)
            capabilities.setBE16(10, 256)    // volume levels
            capabilities.setBE16(12, 512)    // buffer size, KiB
            capabilities.setBE16(14, 4224)   // current read speed
        }
        let pages: [UInt8]
        switch page {
        case 0x01: pages = recovery
        case 0x2A: pages = capabilities
        case 0x3F: pages = recovery + capabilities
        default: return .check(.invalidFieldInCDB)
        }
        // Header: mode data length, medium type (01h: 120 mm data CD; 70h: door closed, no disc),
        // no block descriptors.
        var header = [UInt8](repeating: 0, count: 8)
        header.setBE16(0, UInt16(6 + pages.count))
        header[2] = isReady ? 0x01 : 0x70
        return SCSIDisk.dataIn(header + pages, allocation: allocation, buffer)
    }

    // MARK: START STOP UNIT, READ DISC INFORMATION

    private func startStopUnit(_ cdb: [UInt8]) -> SCSIResult {
        let start = cdb.be8(4) & 0x01 != 0
        let loadEject = cdb.be8(4) & 0x02 != 0
        guard loadEject else { return .good() }
        if start {
            // Close the tray: the disc in it becomes readable again.
            if trayOpen {
                trayOpen = false
                if medium != nil {
                    unitAttention = .mediumMayHaveChanged
                    pendingMediaEvent = .newMedia
                }
            }
            return .good()
        }
        guard !removalPrevented else { return .check(.mediumRemovalPrevented) }
        if !trayOpen {
            trayOpen = true
            pendingMediaEvent = .mediaRemoval
        }
        return .good()
    }

    private func readDiscInformation(_ cdb: [UInt8], _ buffer: any SCSIDataBuffer) -> SCSIResult {
        guard isReady else { return .check(.mediumNotPresent) }
        guard cdb.be8(1) & 0x07 == 0 else { return .check(.invalidFieldInCDB) }
        var d = [UInt8](repeating: 0, count: 34)
        d.setBE16(0, 32)
        d[2] = 0x0E     // last session complete, disc complete (finalized, not erasable)
        d[3] = 1        // first track on disc
        d[4] = 1        // sessions (LSB)
        d[5] = 1        // first track in last session (LSB)
        d[6] = 1        // last track in last session (LSB)
        d[8] = 0x00     // disc type: CD-DA or CD-ROM
        // Lead-in start / last possible lead-out: not applicable to a finalized disc.
        for i in 16..<24 { d[i] = 0xFF }
        return SCSIDisk.dataIn(d, allocation: Int(cdb.be16(7)), buffer)
    }
}
