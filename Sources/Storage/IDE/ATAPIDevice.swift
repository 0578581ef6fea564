// An ATAPI CD-ROM: the PACKET command protocol carrying SCSI/MMC commands to a SCSICDROM.

/// A packet device (ATA/ATAPI-6 PACKET command feature set) on an ATA channel, speaking MMC to
/// a `SCSICDROM`.
///
/// PACKET (A0h, ATA/ATAPI-6 §8.23 and §9.10/9.11): the device asks for the 12-byte command
/// packet with DRQ set and Interrupt Reason = C/D (no interrupt: IDENTIFY PACKET DEVICE word 0
/// advertises "accelerated DRQ", so the host polls for it). Once the packet is in, the command
/// runs: data to the host moves in DRQ blocks of at most the byte count limit the host put in
/// LBA Mid/High at PACKET time (FFFEh when it put 0; an odd limit is rounded down), each
/// announced by an interrupt with Interrupt Reason = I/O and its length in the Byte Count
/// registers; with Features bit 0 (DMA) set it moves through the bus master instead. Completion:
/// Interrupt Reason = C/D + I/O, DRQ clear, an interrupt; a CHECK CONDITION ends with ERR and
/// the sense key in Error bits 7:4 (plus ABRT), and REQUEST SENSE gives the details.
/// READ(10)/READ(12) are streamed from the disc in buffer-sized chunks, so a guest-chosen
/// length never sizes a host allocation.
///
/// Other commands: IDENTIFY PACKET DEVICE, DEVICE RESET (no interrupt), SET FEATURES (transfer
/// mode), CHECK POWER MODE, the idle/standby/sleep commands, EXECUTE DEVICE DIAGNOSTIC
/// (through the channel). IDENTIFY DEVICE aborts with the packet signature in the registers,
/// which is how hosts tell a packet device from a disk. Not modelled: overlapped and queued
/// packets (OVL/TAG), DMADIR, 16-byte packets, data-out packet commands (the CD-ROM has none).
public final class ATAPIDevice: ATADevice {
    /// Bytes in a command packet (IDENTIFY PACKET DEVICE word 0 bits 1:0 = 00b).
    public static let packetSize = 12

    /// Interrupt Reason register bits (the Sector Count register of a packet device).
    public enum InterruptReason {
        /// C/D: the transfer is a command packet (1) or data (0).
        public static let commandOrData: UInt8 = 0x01
        /// I/O: the transfer is to the host.
        public static let input: UInt8 = 0x02
    }

    public let cdrom: SCSICDROM
    public let model: String
    public let serial: String
    public let firmware: String

    /// The transfer mode SET FEATURES chose (as for `ATADisk.transferMode`).
    public internal(set) var transferMode: UInt8 = 0
    /// The 12 bytes of the packet are being received.
    var awaitingPacket = false
    /// Features bit 0 of the PACKET command: data by DMA.
    var useDMA = false
    /// The host's byte count limit for PIO data blocks.
    var byteCountLimit = 0
    /// Response bytes `0 ..< chunkEnd` are in the buffer; `chunkOffset` is the next to go.
    var chunkEnd = 0
    var chunkOffset = 0
    /// A streamed READ: next block and blocks not yet loaded.
    var readLBA: UInt64 = 0
    var readBlocksRemaining = 0

    public init(cdrom: SCSICDROM, model: String = "Partita ATAPI CD-ROM", serial: String,
                firmware: String = "1.0") {
        self.cdrom = cdrom
        self.model = String(model.prefix(40))
        self.serial = String(serial.prefix(20))
        self.firmware = String(firmware.prefix(8))
        super.init()
    }

    public override var isPacketDevice: Bool { true }

    override var bufferBytesInUse: Int { max(super.bufferBytesInUse, chunkEnd) }

    override func resetSettings() {
        transferMode = 0
        clearPacketState()
    }

    func clearPacketState() {
        awaitingPacket = false
        useDMA = false
        byteCountLimit = 0
        chunkEnd = 0
        chunkOffset = 0
        readLBA = 0
        readBlocksRemaining = 0
    }

    override func hardwareReset() {
        cdrom.reset()
        super.hardwareReset()
    }

    // MARK: ATA commands

    override func execute(command: UInt8) {
        switch ATACommand.modernPowerOpcode(command) {
        case ATACommand.packet:
            startPacket()
        case ATACommand.identifyPacketDevice:
            clearPacketState()
            let words = identifyData()
            for (i, w) in words.enumerated() {
                buffer.storeBytes(of: w.littleEndian, toByteOffset: 2 * i, as: UInt16.self)
            }
            beginDataIn(count: 512)
        case ATACommand.deviceReset:
            // ATA/ATAPI-6 §8.7: the device resets itself, loads its signature, no interrupt.
            clearPacketState()
            finishReset()
        case ATACommand.identifyDevice:
            // ATA/ATAPI-6 §8.15.7: a packet device aborts it and shows its signature.
            abort()
            let error = taskFile.error
            taskFile.loadSignature(packet: true)
            taskFile.error = error
        case ATACommand.setFeatures:
            switch taskFile.features {
            case 0x03:
                let mode = taskFile.sectorCount
                switch mode {
                case 0x00, 0x01, 0x08...0x0C, 0x20...0x22, 0x40...0x42: transferMode = mode
                default: return abort()
                }
                finish()
            case 0x66, 0xCC: finish()
            default: abort()
            }
        case ATACommand.checkPowerMode:
            taskFile.sectorCount = 0xFF
            finish()
        case ATACommand.idleImmediate, ATACommand.idle, ATACommand.standbyImmediate, ATACommand.standby,
             ATACommand.sleep, ATACommand.flushCache:
            finish()
        default:
            abort()
        }
    }

    /// PACKET: ask for the command packet.
    private func startPacket() {
        // Overlapped commands (Features bit 1) are not supported.
        guard taskFile.features & 0x02 == 0 else { return abort() }
        clearPacketState()
        useDMA = taskFile.features & 0x01 != 0
        byteCountLimit = Int(taskFile.lbaHigh) << 8 | Int(taskFile.lbaMid)
        awaitingPacket = true
        taskFile.sectorCount = InterruptReason.commandOrData
        beginDataOut(count: Self.packetSize, interrupt: false)
    }

    // MARK: Packet protocol

    override func dataBlockFinished() {
        if awaitingPacket {
            awaitingPacket = false
            var cdb = [UInt8](repeating: 0, count: Self.packetSize)
            for i in 0..<Self.packetSize { cdb[i] = buffer[i] }
            return executePacket(cdb)
        }
        guard phase == .pioIn else { return finish(interrupt: false) }
        chunkOffset = dataEnd
        if chunkOffset >= chunkEnd {
            guard readBlocksRemaining > 0 else { return completePacket() }
            guard loadNextChunk() else { return }
        }
        offerBlock()
    }

    private func executePacket(_ cdb: [UInt8]) {
        let opcode = cdb[0]
        if opcode == SCSICDROM.Opcode.read10 || opcode == SCSICDROM.Opcode.read12 {
            switch cdrom.planRead(cdb: cdb) {
            case .finished(let result):
                return conclude(result)
            case .transfer(let lba, let blocks):
                guard blocks > 0 else { return completePacket() }
                readLBA = lba
                readBlocksRemaining = Int(blocks)
                chunkEnd = 0
                chunkOffset = 0
                guard loadNextChunk() else { return }
            }
        } else {
            let response = SCSIByteBuffer(length: Self.bufferCapacity)
            let result = cdrom.execute(cdb: cdb, buffer: response)
            guard result.status == .good, !result.transportFailed else { return conclude(result) }
            let n = min(result.bytesTransferred, Self.bufferCapacity)
            guard n > 0 else { return completePacket() }
            for i in 0..<n { buffer[i] = response.bytes[i] }
            chunkEnd = n
            chunkOffset = 0
        }
        if useDMA {
            beginDMA(toHost: true)
        } else {
            offerBlock()
        }
    }

    /// Loads the next chunk of a streamed READ; false after failing the command.
    private func loadNextChunk() -> Bool {
        let blocks = min(readBlocksRemaining, Self.bufferCapacity / SCSICDROM.blockSize)
        if let sense = cdrom.readBlocks(lba: readLBA, count: blocks, into: transferBuffer) {
            failPacket(sense)
            return false
        }
        chunkEnd = blocks * SCSICDROM.blockSize
        chunkOffset = 0
        readLBA += UInt64(blocks)
        readBlocksRemaining -= blocks
        return true
    }

    /// The largest PIO block the host accepts.
    private var blockLimit: Int {
        let limit = byteCountLimit == 0 ? 0xFFFE : byteCountLimit & ~1
        return max(2, limit)
    }

    /// Offers the next DRQ data block of the response, with an interrupt.
    private func offerBlock() {
        let length = min(blockLimit, chunkEnd - chunkOffset)
        phase = .pioIn
        dataIndex = chunkOffset
        dataEnd = chunkOffset + length
        taskFile.lbaMid = UInt8(truncatingIfNeeded: length)
        taskFile.lbaHigh = UInt8(truncatingIfNeeded: length >> 8)
        taskFile.sectorCount = InterruptReason.input
        taskFile.status = readyStatus.union(.dataRequest)
        raiseInterrupt()
    }

    /// Ends a packet command successfully.
    private func completePacket() {
        clearPacketState()
        taskFile.sectorCount = InterruptReason.commandOrData | InterruptReason.input
        finish()
    }

    /// Ends a packet command with CHECK CONDITION: Error = sense key << 4 | ABRT.
    private func failPacket(_ sense: SCSISense) {
        clearPacketState()
        taskFile.sectorCount = InterruptReason.commandOrData | InterruptReason.input
        fail((sense.key & 0x0F) << 4 | ATAErrorRegister.aborted.rawValue)
    }

    private func conclude(_ result: SCSIResult) {
        if result.transportFailed {
            cdrom.lastSense = .abortedCommand
            return failPacket(.abortedCommand)
        }
        if result.status == .good { return completePacket() }
        failPacket(result.sense ?? .abortedCommand)
    }

    override func runDMA(_ controller: ATADMAController) {
        while true {
            let length = chunkEnd - chunkOffset
            if length > 0 {
                let chunk = UnsafeMutableRawBufferPointer(rebasing: buffer[chunkOffset..<chunkEnd])
                guard controller.move(chunk, toMemory: true) == length else {
                    cdrom.lastSense = .abortedCommand
                    return failPacket(.abortedCommand)
                }
                chunkOffset = chunkEnd
            }
            guard readBlocksRemaining > 0 else { break }
            guard loadNextChunk() else { return }
        }
        completePacket()
    }

    // MARK: IDENTIFY PACKET DEVICE

    /// The 256 words of IDENTIFY PACKET DEVICE data (ATA/ATAPI-6 §8.16, table 19).
    public func identifyData() -> [UInt16] {
        var w = [UInt16](repeating: 0, count: 256)
        // Packet device (15:14 = 10b), CD-ROM (12:8 = 05h), removable, accelerated DRQ
        // (6:5 = 10b), 12-byte packets.
        w[0] = 0x85C0
        IdentifyString.store(serial, into: &w, at: 10, words: 10)
        IdentifyString.store(firmware, into: &w, at: 23, words: 4)
        IdentifyString.store(model, into: &w, at: 27, words: 20)
        w[49] = 1 << 11 | 1 << 9 | 1 << 8  // IORDY, LBA, DMA
        w[53] = 0x0006                     // words 64–70 and 88 are valid
        w[63] = 0x0007 | (transferMode & 0xF8 == 0x20 ? 0x0100 << UInt16(transferMode & 0x07) : 0)
        w[64] = 0x0003
        w[65] = 120
        w[66] = 120
        w[67] = 120
        w[68] = 120
        w[80] = 0x007E
        w[82] = 1 << 9 | 1 << 4            // DEVICE RESET, PACKET command feature set
        w[83] = 0x4000
        w[84] = 0x4000
        w[85] = 1 << 9 | 1 << 4
        w[87] = 0x4000
        w[88] = 0x0007 | (transferMode & 0xF8 == 0x40 ? 0x0100 << UInt16(transferMode & 0x07) : 0)
        IdentifyString.seal(&w)
        return w
    }
}
