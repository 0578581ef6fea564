// A SCSI direct-access logical unit (a disk) over a BlockDevice.

/// One SCSI disk LUN (SBC-3 direct-access device, SPC-3 level), transport-neutral: storvsc
/// routes EXECUTE_SRB here, IDE-ATAPI will route PACKET commands the same way.
///
/// Implements what Linux's scsi_scan / sd ask (vmbus-facts.md §11.4): TEST UNIT READY,
/// REQUEST SENSE, INQUIRY (standard; VPD 0x00, 0x80, 0x83, 0xB0, 0xB1, 0xB2), REPORT LUNS,
/// READ CAPACITY(10/16), MODE SENSE(6/10) (caching, control; WP bit when read-only),
/// READ/WRITE(6/10/16), VERIFY(10/16), SYNCHRONIZE CACHE(10/16) (fsync), START STOP UNIT.
/// Anything else: CHECK CONDITION, ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE, fixed sense.
///
/// I/O runs synchronously on the caller's (emulation) thread. READ and WRITE go straight
/// between the backend and a `SCSIDirectDataBuffer` (guest pages, no copy); other buffers are
/// served in bounded chunks through an array, so a guest-chosen length never sizes a host
/// allocation.
///
/// Not modelled: MODE SELECT, UNMAP / WRITE SAME (no logical block provisioning is
/// advertised), protection information, persistent reservations, descriptor-format sense.
public final class SCSIDisk {
    public enum Opcode {
        public static let testUnitReady: UInt8 = 0x00
        public static let requestSense: UInt8 = 0x03
        public static let read6: UInt8 = 0x08
        public static let write6: UInt8 = 0x0A
        public static let inquiry: UInt8 = 0x12
        public static let modeSense6: UInt8 = 0x1A
        public static let startStopUnit: UInt8 = 0x1B
        public static let readCapacity10: UInt8 = 0x25
        public static let read10: UInt8 = 0x28
        public static let write10: UInt8 = 0x2A
        public static let verify10: UInt8 = 0x2F
        public static let synchronizeCache10: UInt8 = 0x35
        public static let modeSense10: UInt8 = 0x5A
        public static let read16: UInt8 = 0x88
        public static let write16: UInt8 = 0x8A
        public static let verify16: UInt8 = 0x8F
        public static let synchronizeCache16: UInt8 = 0x91
        /// SERVICE ACTION IN(16); service action 0x10 = READ CAPACITY(16).
        public static let serviceActionIn16: UInt8 = 0x9E
        public static let reportLUNs: UInt8 = 0xA0
    }

    public enum Limits {
        /// Bytes moved between the buffer and the backend per step.
        public static let chunkBytes = 256 * 1024
        /// The most blocks one READ/WRITE may move (8 MiB of 512-byte blocks); a transport may
        /// set a lower limit (`maxTransferBytes`).
        public static let maxTransferBlocks: UInt32 = 16_384
    }

    public let device: any BlockDevice
    /// INQUIRY strings, space-padded to 8 / 16 / 4 bytes.
    public let vendor: String
    public let product: String
    public let revision: String
    /// Unit serial number (VPD 0x80) and the tail of the T10 designator (VPD 0x83).
    public let serial: String
    /// Blocks one READ/WRITE may move: the transport's limit (StorVSP's max_transfer_bytes), so
    /// VPD 0xB0 advertises what the controller accepts as the maximum and optimal transfer
    /// length. Longer transfers are refused with INVALID FIELD IN CDB (SBC-3 §6.5.3).
    public let maxTransferBlocks: UInt32
    /// Write cache reported enabled (WCE): sd then sends SYNCHRONIZE CACHE on flushes.
    public var writeCacheEnabled = true
    /// Sense of the last failed command, for REQUEST SENSE.
    public private(set) var lastSense: SCSISense?

    /// `maxTransferBytes` is the most one command's data may hold on the transport: rounded down
    /// to whole blocks, at least one and at most `Limits.maxTransferBlocks` (also the limit
    /// when nil).
    public init(device: any BlockDevice, serial: String, vendor: String = "Partita", product: String = "Virtual Disk",
                revision: String = "1.0", maxTransferBytes: Int? = nil) {
        self.device = device
        if let maxTransferBytes {
            let blocks = max(1, maxTransferBytes / device.blockSize)
            maxTransferBlocks = UInt32(clamping: min(blocks, Int(Limits.maxTransferBlocks)))
        } else {
            maxTransferBlocks = Limits.maxTransferBlocks
        }
        self.serial = String(serial.prefix(32))
        self.vendor = vendor
        self.product = product
        self.revision = revision
    }

    // MARK: Dispatch

    /// Executes `cdb`, moving data through `buffer`.
    public func execute(cdb: [UInt8], buffer: any SCSIDataBuffer) -> SCSIResult {
        let result = dispatch(cdb, buffer)
        if cdb.be8(0) != Opcode.requestSense { lastSense = result.sense }
        return result
    }

    private func dispatch(_ cdb: [UInt8], _ buffer: any SCSIDataBuffer) -> SCSIResult {
        switch cdb.be8(0) {
        case Opcode.testUnitReady, Opcode.startStopUnit: return .good()
        case Opcode.requestSense: return requestSense(cdb, buffer)
        case Opcode.inquiry: return inquiry(cdb, buffer)
        case Opcode.reportLUNs: return Self.reportLUNs(cdb, buffer, luns: [0])
        case Opcode.readCapacity10: return readCapacity10(buffer)
        case Opcode.serviceActionIn16 where cdb.be8(1) & 0x1F == 0x10: return readCapacity16(cdb, buffer)
        case Opcode.modeSense6: return modeSense(cdb, buffer, ten: false)
        case Opcode.modeSense10: return modeSense(cdb, buffer, ten: true)
        case Opcode.read6, Opcode.write6:
            let lba = UInt64(cdb.be8(1) & 0x1F) << 16 | UInt64(cdb.be16(2))
            let n = cdb.be8(4) == 0 ? 256 : UInt32(cdb.be8(4))
            return transfer(lba: lba, blocks: n, write: cdb.be8(0) == Opcode.write6, buffer)
        case Opcode.read10, Opcode.write10:
            return transfer(lba: UInt64(cdb.be32(2)), blocks: UInt32(cdb.be16(7)), write: cdb.be8(0) == Opcode.write10, buffer)
        case Opcode.read16, Opcode.write16:
            return transfer(lba: cdb.be64(2), blocks: cdb.be32(10), write: cdb.be8(0) == Opcode.write16, buffer)
        case Opcode.verify10:
            return rangeCheck(lba: UInt64(cdb.be32(2)), blocks: UInt32(cdb.be16(7))) ?? .good()
        case Opcode.verify16:
            return rangeCheck(lba: cdb.be64(2), blocks: cdb.be32(10)) ?? .good()
        case Opcode.synchronizeCache10, Opcode.synchronizeCache16:
            do {
                try device.flush()
                return .good()
            } catch {
                return .check(.writeError)
            }
        default:
            return .check(.invalidOpcode)
        }
    }

    // MARK: Data-in helpers

    /// Copies `data`, cut to `allocation` and the buffer, into the buffer.
    static func dataIn(_ data: [UInt8], allocation: Int, _ buffer: any SCSIDataBuffer) -> SCSIResult {
        let n = max(0, min(data.count, allocation, buffer.length))
        guard n == 0 || buffer.write(Array(data[0..<n]), at: 0) else { return .transportError }
        return .good(n)
    }

    static func padded(_ s: String, _ n: Int) -> [UInt8] {
        let ascii = s.utf8.map { $0 >= 0x20 && $0 < 0x7F ? $0 : UInt8(ascii: " ") }.prefix(n)
        return Array(ascii) + [UInt8](repeating: 0x20, count: n - ascii.count)
    }

    private func requestSense(_ cdb: [UInt8], _ buffer: any SCSIDataBuffer) -> SCSIResult {
        let sense = (lastSense ?? .noSense).fixedFormat
        lastSense = nil
        return Self.dataIn(sense, allocation: Int(cdb.be8(4)), buffer)
    }

    // MARK: INQUIRY

    /// VPD pages listed in page 0x00, in ascending order.
    public static let vpdPages: [UInt8] = [0x00, 0x80, 0x83, 0xB0, 0xB1, 0xB2]

    private func inquiry(_ cdb: [UInt8], _ buffer: any SCSIDataBuffer) -> SCSIResult {
        let evpd = cdb.be8(1) & 1 != 0
        let page = cdb.be8(2)
        let allocation = Int(cdb.be16(3))
        guard evpd else {
            guard page == 0 else { return .check(.invalidFieldInCDB) }
            return Self.dataIn(standardInquiry(peripheral: 0x00), allocation: allocation, buffer)
        }
        var body: [UInt8]
        switch page {
        case 0x00:
            body = Self.vpdPages
        case 0x80:
            body = Self.padded(serial, max(1, serial.utf8.count))
        case 0x83:
            // One T10 vendor ID designator: code set ASCII, association LUN, type 1.
            let id = Self.padded(vendor, 8) + Self.padded(serial, max(1, serial.utf8.count))
            body = [0x02, 0x01, 0x00, UInt8(id.count)] + id
        case 0xB0:
            // Block Limits (SBC-3 §6.5.3): maximum and optimal transfer length in blocks.
            body = [UInt8](repeating: 0, count: 0x3C)
            body.setBE32(4, maxTransferBlocks)
            body.setBE32(8, maxTransferBlocks)
        case 0xB1:
            // Block Device Characteristics: medium rotation rate 1 = non-rotating.
            body = [UInt8](repeating: 0, count: 0x3C)
            body.setBE16(0, 1)
        case 0xB2:
            // Logical Block Provisioning: nothing supported (no UNMAP, no WRITE SAME).
            body = [UInt8](repeating: 0, count: 4)
        default:
            return .check(.invalidFieldInCDB)
        }
        var data: [UInt8] = [0x00, page, 0, 0]
        data.setBE16(2, UInt16(body.count))
        return Self.dataIn(data + body, allocation: allocation, buffer)
    }

    /// 36 bytes of standard INQUIRY data for peripheral byte `peripheral`.
    func standardInquiry(peripheral: UInt8) -> [UInt8] {
        var d = [UInt8](repeating: 0, count: 36)
        d[0] = peripheral
        d[2] = 0x05 // SPC-3
        d[3] = 0x02 // response data format 2
        d[4] = 36 - 5 // additional length
        d[7] = 0x02 // CmdQue
        d.replaceSubrange(8..<16, with: Self.padded(vendor, 8))
        d.replaceSubrange(16..<32, with: Self.padded(product, 16))
        d.replaceSubrange(32..<36, with: Self.padded(revision, 4))
        return d
    }

    /// INQUIRY for a LUN that does not exist: standard data with peripheral qualifier 3 and
    /// type 0x1F (byte 0 = 0x7F), success — the midlayer then treats the target as present
    /// and the LUN as absent (vmbus-facts.md §11.4).
    public static func absentLUNInquiry(cdb: [UInt8], buffer: any SCSIDataBuffer) -> SCSIResult {
        var d = [UInt8](repeating: 0, count: 36)
        d[0] = 0x7F
        d[2] = 0x05
        d[3] = 0x02
        d[4] = 36 - 5
        return dataIn(d, allocation: Int(cdb.be16(3)), buffer)
    }

    // MARK: REPORT LUNS

    /// REPORT LUNS data listing `luns` (single-level addressing, LUN < 256).
    public static func reportLUNs(_ cdb: [UInt8], _ buffer: any SCSIDataBuffer, luns: [UInt8]) -> SCSIResult {
        let allocation = Int(cdb.be32(6))
        guard allocation >= 16 else { return .check(.invalidFieldInCDB) }
        var data = [UInt8](repeating: 0, count: 8 + 8 * luns.count)
        data.setBE32(0, UInt32(8 * luns.count))
        for (i, lun) in luns.enumerated() { data[8 + 8 * i + 1] = lun }
        return dataIn(data, allocation: allocation, buffer)
    }

    // MARK: READ CAPACITY

    private func readCapacity10(_ buffer: any SCSIDataBuffer) -> SCSIResult {
        var d = [UInt8](repeating: 0, count: 8)
        let last = max(device.blockCount, 1) - 1
        // Larger disks report 0xFFFFFFFF: "use READ CAPACITY(16)".
        d.setBE32(0, last > 0xFFFF_FFFF ? 0xFFFF_FFFF : UInt32(last))
        d.setBE32(4, UInt32(device.blockSize))
        return Self.dataIn(d, allocation: 8, buffer)
    }

    private func readCapacity16(_ cdb: [UInt8], _ buffer: any SCSIDataBuffer) -> SCSIResult {
        var d = [UInt8](repeating: 0, count: 32)
        d.setBE64(0, max(device.blockCount, 1) - 1)
        d.setBE32(8, UInt32(device.blockSize))
        return Self.dataIn(d, allocation: Int(cdb.be32(10)), buffer)
    }

    // MARK: MODE SENSE

    private func modeSense(_ cdb: [UInt8], _ buffer: any SCSIDataBuffer, ten: Bool) -> SCSIResult {
        let dbd = cdb.be8(1) & 0x08 != 0
        let control = cdb.be8(2) >> 6
        let page = cdb.be8(2) & 0x3F
        let subpage = cdb.be8(3)
        let allocation = ten ? Int(cdb.be16(7)) : Int(cdb.be8(4))
        let changeable = control == 1
        guard subpage == 0 || (page == 0x3F && subpage == 0xFF) else { return .check(.invalidFieldInCDB) }

        var caching = [UInt8](repeating: 0, count: 20)
        caching[0] = 0x08
        caching[1] = 0x12
        if !changeable && writeCacheEnabled { caching[2] = 0x04 } // WCE; RCD = 0
        var controlPage = [UInt8](repeating: 0, count: 12)
        controlPage[0] = 0x0A
        controlPage[1] = 0x0A

        let pages: [UInt8]
        switch page {
        case 0x08: pages = caching
        case 0x0A: pages = controlPage
        case 0x3F: pages = caching + controlPage
        default: return .check(.invalidFieldInCDB)
        }

        var descriptor: [UInt8] = []
        if !dbd {
            descriptor = [UInt8](repeating: 0, count: 8)
            let blocks = device.blockCount
            let shown = blocks > 0xFF_FFFF ? 0xFF_FFFF : UInt32(blocks)
            descriptor[1] = UInt8(truncatingIfNeeded: shown >> 16)
            descriptor[2] = UInt8(truncatingIfNeeded: shown >> 8)
            descriptor[3] = UInt8(truncatingIfNeeded: shown)
            descriptor[5] = UInt8(truncatingIfNeeded: device.blockSize >> 16)
            descriptor[6] = UInt8(truncatingIfNeeded: device.blockSize >> 8)
            descriptor[7] = UInt8(truncatingIfNeeded: device.blockSize)
        }
        // Device-specific parameter: WP (bit 7) when read-only, DPOFUA (bit 4).
        let deviceSpecific: UInt8 = (device.isReadOnly ? 0x80 : 0) | 0x10
        var header: [UInt8]
        if ten {
            header = [UInt8](repeating: 0, count: 8)
            header.setBE16(0, UInt16(6 + descriptor.count + pages.count))
            header[3] = deviceSpecific
            header.setBE16(6, UInt16(descriptor.count))
        } else {
            header = [UInt8(3 + descriptor.count + pages.count), 0, deviceSpecific, UInt8(descriptor.count)]
        }
        return Self.dataIn(header + descriptor + pages, allocation: allocation, buffer)
    }

    // MARK: READ / WRITE

    /// nil when `lba ..< lba + blocks` lies on the disk, else LBA OUT OF RANGE.
    private func rangeCheck(lba: UInt64, blocks: UInt32) -> SCSIResult? {
        let count = device.blockCount
        guard lba <= count, UInt64(blocks) <= count - lba else { return .check(.lbaOutOfRange) }
        return nil
    }

    private func transfer(lba: UInt64, blocks: UInt32, write: Bool, _ buffer: any SCSIDataBuffer) -> SCSIResult {
        if let failure = rangeCheck(lba: lba, blocks: blocks) { return failure }
        guard blocks <= maxTransferBlocks else { return .check(.invalidFieldInCDB) }
        if write && device.isReadOnly { return .check(.writeProtected) }
        let blockSize = UInt64(device.blockSize)
        let total = UInt64(blocks) * blockSize
        // The initiator's buffer must hold the whole transfer.
        guard total <= UInt64(buffer.length) else { return .check(.invalidFieldInCDB) }
        let totalBytes = Int(total)
        if let direct = buffer as? any SCSIDirectDataBuffer {
            return transferDirect(at: lba * blockSize, count: totalBytes, write: write, direct)
        }
        var done = 0
        while done < totalBytes {
            let n = min(Limits.chunkBytes, totalBytes - done)
            let offset = lba * blockSize + UInt64(done)
            if write {
                guard let bytes = buffer.read(at: done, count: n) else { return .transportError }
                do { try device.write(bytes, at: offset) } catch {
                    return .check(error == .readOnly ? .writeProtected : .writeError)
                }
            } else {
                let bytes: [UInt8]
                do { bytes = try device.read(at: offset, count: n) } catch { return .check(.readError) }
                guard buffer.write(bytes, at: done) else { return .transportError }
            }
            done += n
        }
        return .good(totalBytes)
    }

    /// READ / WRITE between the backend and the buffer's own memory: one vectored read or write
    /// over the buffer's host runs.
    // PERF: no per-request array allocation, zero fill or copy, and one preadv / pwritev for a
    // guest's scattered pages (~250 runs per MiB under Linux) rather than a call per page
    // (`partita bench disk`, VMBus path).
    private func transferDirect(at start: UInt64, count: Int, write: Bool,
                                _ buffer: any SCSIDirectDataBuffer) -> SCSIResult {
        do throws(DiskError) {
            let accessible = try buffer.withHostRuns(at: 0, count: count, modifying: !write) { runs throws(DiskError) in
                if write {
                    try device.write(runs.map { UnsafeRawBufferPointer($0) }, at: start)
                } else {
                    try device.read(into: runs, at: start)
                }
            }
            return accessible ? .good(count) : .transportError
        } catch {
            if !write { return .check(.readError) }
            return .check(error == .readOnly ? .writeProtected : .writeError)
        }
    }
}
