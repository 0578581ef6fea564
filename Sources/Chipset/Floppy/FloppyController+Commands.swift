// The 82077AA command set: command-phase decoding, execution, and the result phase.

import EmulatorCore
import Storage

extension FloppyController {
    /// Opcodes with the MT/MFM/SK (or DIR, LOCK) bits masked off as each command defines them.
    enum Opcode {
        static let readTrack: UInt8 = 0x02
        static let specify: UInt8 = 0x03
        static let senseDriveStatus: UInt8 = 0x04
        static let writeData: UInt8 = 0x05
        static let readData: UInt8 = 0x06
        static let recalibrate: UInt8 = 0x07
        static let senseInterruptStatus: UInt8 = 0x08
        static let readID: UInt8 = 0x0A
        static let readDeletedData: UInt8 = 0x0C
        static let formatTrack: UInt8 = 0x0D
        static let dumpRegisters: UInt8 = 0x0E
        static let seek: UInt8 = 0x0F
        static let version: UInt8 = 0x10
        static let perpendicularMode: UInt8 = 0x12
        static let configure: UInt8 = 0x13
        static let lock: UInt8 = 0x14
    }

    /// Total bytes (opcode + parameters) of the command `opcode` starts, nil for an invalid one.
    static func commandLength(_ opcode: UInt8) -> Int? {
        switch opcode & 0x1F {
        case Opcode.readData, Opcode.readDeletedData: return 9
        case Opcode.writeData where opcode & 0x20 == 0: return 9
        case Opcode.readTrack where opcode & 0x80 == 0: return 9
        default: break
        }
        switch opcode {
        case Opcode.specify: return 3
        case Opcode.senseDriveStatus: return 2
        case Opcode.recalibrate: return 2
        case Opcode.senseInterruptStatus: return 1
        case Opcode.readID, Opcode.readID | 0x40: return 2
        case Opcode.formatTrack, Opcode.formatTrack | 0x40: return 6
        case Opcode.dumpRegisters: return 1
        case Opcode.seek, 0x8F, 0xCF: return 3
        case Opcode.version: return 1
        case Opcode.perpendicularMode: return 2
        case Opcode.configure: return 4
        case Opcode.lock, Opcode.lock | 0x80: return 1
        default: return nil
        }
    }

    // MARK: - FIFO

    func writeFIFO(_ value: UInt8) {
        guard !inReset else { return }
        switch phase {
        case .command:
            if commandCount == 0 {
                // The opcode fixes the length; an unknown one is answered at once with ST0 0x80.
                // Seek and polling statuses keep waiting for SENSE INTERRUPT STATUS meanwhile.
                guard let length = Self.commandLength(value) else {
                    enterResult([ST0.invalid])
                    return
                }
                commandLength = length
            }
            commandBytes[commandCount] = value
            commandCount += 1
            if commandCount == commandLength {
                commandCount = 0
                executeCommand()
            }
        case .execution:
            guard var t = transfer, t.awaitingData, nonDMA, t.kind.writesDisk,
                  t.bufferOffset < t.bufferLength else { return }
            buffer[t.bufferOffset] = value
            t.bufferOffset += 1
            transfer = t
            pioByteMoved()
        case .result:
            // The FIFO is the controller's to drive (DIO = 1); the write is ignored.
            break
        }
    }

    func readFIFO() -> UInt8 {
        guard !inReset else { return 0xFF }
        switch phase {
        case .result:
            let v = resultBytes[resultIndex]
            resultIndex += 1
            // Reading the first result byte clears INT.
            if resultIndex == 1 { clearInterrupt() }
            if resultIndex >= resultCount {
                phase = .command
                resultCount = 0
                resultIndex = 0
            }
            return v
        case .execution:
            guard var t = transfer, t.awaitingData, nonDMA, t.kind.readsDisk,
                  t.bufferOffset < t.bufferLength else { return 0xFF }
            let v = buffer[t.bufferOffset]
            t.bufferOffset += 1
            transfer = t
            pioByteMoved()
            return v
        case .command:
            return 0xFF
        }
    }

    /// Non-DMA mode ("Non-DMA Mode, Transfers from the FIFO to the Host" and the reverse): each
    /// FIFO access clears INT; INT is asserted again when the next byte group is ready — one
    /// byte with the FIFO disabled (the default), FIFOTHR + 1 bytes with it enabled.
    private func pioByteMoved() {
        guard let t = transfer else { return }
        interruptPending = false
        updateLines()
        if t.bufferOffset == t.bufferLength {
            blockDone()
            return
        }
        // DEVIATION: the next group is ready at once rather than a byte time later; INT still
        // falls and rises, so each group is a new edge.
        let group = fifoEnabled ? Int(configuration & 0x0F) + 1 : 1
        if t.bufferOffset % group == 0 { raiseInterrupt() }
    }

    // MARK: - Commands

    private func enterResult(_ bytes: [UInt8]) {
        for (i, b) in bytes.enumerated() { resultBytes[i] = b }
        resultCount = bytes.count
        resultIndex = 0
        commandCount = 0
        phase = .result
    }

    private func executeCommand() {
        let op = commandBytes[0]
        let p1 = commandBytes[1]
        let drive = Int(p1 & 3)
        switch op & 0x1F {
        case Opcode.readData where Self.commandLength(op) == 9,
             Opcode.readDeletedData where Self.commandLength(op) == 9,
             Opcode.writeData where Self.commandLength(op) == 9,
             Opcode.readTrack where Self.commandLength(op) == 9:
            let kind: FloppyTransfer.Kind
            switch op & 0x1F {
            case Opcode.readData: kind = .readData
            case Opcode.readDeletedData: kind = .readDeletedData
            case Opcode.writeData: kind = .writeData
            default: kind = .readTrack
            }
            lastEOT = commandBytes[6]
            beginExecution(FloppyTransfer(
                kind: kind, drive: drive, head: Int(p1 >> 2) & 1,
                c: commandBytes[2], h: commandBytes[3], r: commandBytes[4], n: commandBytes[5],
                eot: commandBytes[6], multiTrack: op & 0x80 != 0, skipDeleted: op & 0x20 != 0,
                mfm: op & 0x40 != 0))
            return
        default:
            break
        }
        switch op {
        case Opcode.specify:
            specify1 = commandBytes[1]
            specify2 = commandBytes[2]
            phase = .command
        case Opcode.senseDriveStatus:
            let head = Int(p1 >> 2) & 1
            let d = drives[drive]
            drives[drive].head = head
            var st3 = ST3.ready | ST3.twoSided | UInt8(head << 2) | UInt8(drive)
            if d.writeProtected { st3 |= ST3.writeProtected }
            if d.exists && d.atTrack0 { st3 |= ST3.track0 }
            enterResult([st3])
        case Opcode.recalibrate:
            // Steps out until the drive reports TRK0 (no pulse when it already does); a drive
            // that never does (none attached) ends with SE and EC after the pulses run out.
            drives[drive].step(by: -drives[drive].cylinder)
            pcn[drive] = 0
            startSeek(drive: drive, st0: drives[drive].exists
                ? ST0.seekEnd | UInt8(drive)
                : ST0.abnormal | ST0.seekEnd | ST0.equipmentCheck | UInt8(drive))
        case Opcode.seek, 0x8F, 0xCF:
            let head = Int(p1 >> 2) & 1
            let target: UInt8
            if op & 0x80 != 0 {
                // RELATIVE SEEK: DIR (bit 6) 1 steps inward (higher cylinders); the PCN counter
                // is 8 bits wide and wraps.
                target = op & 0x40 != 0 ? pcn[drive] &+ commandBytes[2] : pcn[drive] &- commandBytes[2]
                drives[drive].step(by: op & 0x40 != 0 ? Int(commandBytes[2]) : -Int(commandBytes[2]))
            } else {
                target = commandBytes[2]
                drives[drive].step(by: Int(target) - Int(pcn[drive]))
            }
            pcn[drive] = target
            drives[drive].head = head
            startSeek(drive: drive, st0: ST0.seekEnd | UInt8(head << 2) | UInt8(drive))
        case Opcode.senseInterruptStatus:
            guard let d = (0..<4).first(where: { pendingStatus[$0] != nil }), let st0 = pendingStatus[d] else {
                enterResult([ST0.invalid])
                return
            }
            pendingStatus[d] = nil
            seekingDrives &= ~(1 << UInt8(d))
            // INT falls with the command; statuses still queued (after a reset) are sensed
            // without a new interrupt, as Linux and the BIOS do.
            clearInterrupt()
            enterResult([st0, pcn[d]])
        case Opcode.readID, Opcode.readID | 0x40:
            beginExecution(FloppyTransfer(
                kind: .readID, drive: drive, head: Int(p1 >> 2) & 1, c: 0, h: 0, r: 0, n: 0, eot: 0,
                multiTrack: false, skipDeleted: false, mfm: op & 0x40 != 0))
        case Opcode.formatTrack, Opcode.formatTrack | 0x40:
            lastEOT = commandBytes[3]
            var t = FloppyTransfer(
                kind: .formatTrack, drive: drive, head: Int(p1 >> 2) & 1, c: 0, h: 0, r: 0,
                n: commandBytes[2], eot: commandBytes[3], multiTrack: false, skipDeleted: false,
                mfm: op & 0x40 != 0)
            t.fill = commandBytes[5]
            beginExecution(t)
        case Opcode.dumpRegisters:
            enterResult([pcn[0], pcn[1], pcn[2], pcn[3], specify1, specify2, lastEOT,
                         (locked ? 0x80 : 0) | perpendicular, configuration, precompensationStartTrack])
        case Opcode.version:
            enterResult([Self.versionByte])
        case Opcode.perpendicularMode:
            // OW (bit 7) gates the D3–D0 drive bits; GAP and WGATE are always written.
            let v = commandBytes[1]
            perpendicular = (v & 0x80 != 0 ? v & 0x3C : perpendicular & 0x3C) | v & 0x03
            phase = .command
        case Opcode.configure:
            configuration = commandBytes[2] & 0x7F
            precompensationStartTrack = commandBytes[3]
            phase = .command
        case Opcode.lock, Opcode.lock | 0x80:
            locked = op & 0x80 != 0
            enterResult([locked ? 0x10 : 0x00])
        default:
            enterResult([ST0.invalid])
        }
    }

    /// Starts a seek or recalibrate: the drive is busy (MSR D0–D3) until its status is sensed;
    /// the interrupt comes after `completionDelay`. A new seek replaces an unsensed status.
    private func startSeek(drive: Int, st0: UInt8) {
        pendingStatus[drive] = nil
        seekResult[drive] = st0
        seekingDrives |= 1 << UInt8(drive)
        seekTimers[drive].arm(at: scheduler.now + Self.completionDelay)
        phase = .command
    }

    private func beginExecution(_ t: FloppyTransfer) {
        transfer = t
        drives[t.drive].head = t.head
        phase = .execution
        pendingEvent = .execute
        commandTimer.arm(at: scheduler.now + Self.completionDelay)
    }

    // MARK: - Execution phase

    /// Why the drive cannot deliver IDs on the selected track, as ST1, or nil when it can.
    private func trackError(_ t: FloppyTransfer) -> UInt8? {
        let d = drives[t.drive]
        guard d.exists, let g = d.geometry, d.media != nil, t.mfm, g.dataRates.contains(dataRate),
              d.cylinder < g.cylinders, t.head < g.heads else { return ST1.missingAddressMark }
        return nil
    }

    func startExecution() {
        guard var t = transfer else { return }
        if let st1 = trackError(t) {
            finish(st0: ST0.abnormal, st1: st1, st2: 0)
            return
        }
        let g = drives[t.drive].geometry!
        switch t.kind {
        case .readID:
            let d = drives[t.drive]
            let r = d.nextSector
            drives[t.drive].nextSector = r % g.sectorsPerTrack + 1
            t.c = UInt8(truncatingIfNeeded: d.cylinder)
            t.h = UInt8(t.head)
            t.r = UInt8(r)
            t.n = FloppyGeometry.sizeCode
            transfer = t
            finish(st0: 0, st1: 0, st2: 0)
        case .formatTrack:
            if drives[t.drive].writeProtected {
                finish(st0: ST0.abnormal, st1: ST1.notWritable, st2: 0)
                return
            }
            // DEVIATION: an image holds one layout; a format that would change it (other sector
            // size or count) cannot be stored, and ends with ST1 ND instead of a lost write.
            guard t.n == FloppyGeometry.sizeCode, Int(t.eot) == g.sectorsPerTrack else {
                finish(st0: ST0.abnormal, st1: ST1.noData, st2: 0)
                return
            }
            t.bufferLength = 4
            t.bufferOffset = 0
            t.awaitingData = true
            transfer = t
            dataPhaseStarted()
        case .readData, .readDeletedData, .writeData, .readTrack:
            if t.kind == .writeData && drives[t.drive].writeProtected {
                finish(st0: ST0.abnormal, st1: ST1.notWritable, st2: 0)
                return
            }
            if impliedSeek && pcn[t.drive] != t.c {
                // CONFIGURE EIS: the controller seeks to C before looking for the ID.
                drives[t.drive].step(by: Int(t.c) - Int(pcn[t.drive]))
                pcn[t.drive] = t.c
                if let st1 = trackError(t) {
                    finish(st0: ST0.abnormal, st1: st1, st2: 0)
                    return
                }
            }
            transfer = t
            beginSector()
        }
    }

    /// Locates the sector `transfer` asks for and starts its data phase (or ends the command).
    private func beginSector() {
        guard var t = transfer else { return }
        let d = drives[t.drive]
        guard let g = d.geometry, let media = d.media else {
            finish(st0: ST0.abnormal, st1: ST1.missingAddressMark, st2: 0)
            return
        }
        // The ID field on the medium under the head: C = physical cylinder, H = head, N = 2.
        let idC = UInt8(truncatingIfNeeded: d.cylinder)
        // READ TRACK takes the sectors in physical order from the index hole; the others look
        // for the ID with R.
        let sector = t.kind == .readTrack ? t.sectorsDone + 1 : Int(t.r)
        let idMatches = t.c == idC && t.h == UInt8(t.head) && t.n == FloppyGeometry.sizeCode
            && Int(t.r) == sector && (1...g.sectorsPerTrack).contains(sector)
        if !idMatches {
            if t.kind == .readTrack && (1...g.sectorsPerTrack).contains(sector) {
                // READ TRACK reads whatever passes the head and only notes the mismatch.
                t.st1 |= ST1.noData
            } else {
                var st2: UInt8 = t.st2
                if t.c != idC { st2 |= ST2.wrongCylinder }
                transfer = t
                finish(st0: ST0.abnormal, st1: t.st1 | ST1.noData, st2: st2)
                return
            }
        }
        guard let offset = g.offset(cylinder: d.cylinder, head: t.head, sector: sector) else {
            // The medium changed under a running command (management-layer insert).
            transfer = t
            finish(st0: ST0.abnormal, st1: t.st1 | ST1.missingAddressMark, st2: t.st2)
            return
        }
        drives[t.drive].nextSector = sector % g.sectorsPerTrack + 1
        if t.kind == .readDeletedData {
            // Every sector of an image carries a normal data mark: READ DELETED DATA reports CM,
            // skips the sector with SK, else reads it and then stops.
            t.st2 |= ST2.controlMark
            if t.skipDeleted {
                transfer = t
                advance()
                return
            }
        }
        t.bufferLength = FloppyGeometry.sectorSize
        t.bufferOffset = 0
        if t.kind.readsDisk {
            do throws(DiskError) {
                try media.read(into: buffer, at: offset)
            } catch {
                transfer = t
                finish(st0: ST0.abnormal, st1: t.st1 | ST1.dataError, st2: t.st2 | ST2.dataErrorInDataField)
                return
            }
        }
        t.awaitingData = true
        transfer = t
        dataPhaseStarted()
    }

    /// The buffer is ready for the host (read) or waits for it (write): DREQ in DMA mode, RQM
    /// and INT in non-DMA mode.
    private func dataPhaseStarted() {
        if nonDMA {
            interruptPending = true
            updateLines()
        } else {
            // May run the whole transfer before returning.
            updateLines()
        }
    }

    /// DMA service: moves the buffer through the channel until the command ends or the channel
    /// stops (masked, or a terminal count that ended the command).
    func moveDMAData() {
        while let t = transfer, phase == .execution, t.awaitingData, !nonDMA {
            let remaining = t.bufferLength - t.bufferOffset
            guard remaining > 0 else {
                blockDone()
                continue
            }
            let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[t.bufferOffset..<t.bufferLength])
            let moved = t.kind.readsDisk
                ? dma.writeMemory(channel: dmaChannel, from: UnsafeRawBufferPointer(slice))
                : dma.readMemory(channel: dmaChannel, into: slice)
            guard var u = transfer else { return }
            u.bufferOffset += moved.bytes
            if moved.terminalCount { u.terminalCount = true }
            transfer = u
            if u.bufferOffset == u.bufferLength || u.terminalCount {
                blockDone()
            } else if moved.bytes == 0 {
                return
            }
        }
    }

    /// The current sector (or format ID) has been moved, or TC cut it short.
    func blockDone() {
        guard var t = transfer else { return }
        t.awaitingData = false
        transfer = t
        let d = drives[t.drive]
        guard let g = d.geometry, let media = d.media else {
            finish(st0: ST0.abnormal, st1: ST1.missingAddressMark, st2: 0)
            return
        }
        switch t.kind {
        case .writeData:
            // TC in the middle of a sector: the controller pads the rest of it with zeros.
            if t.bufferOffset < t.bufferLength {
                (buffer.baseAddress! + t.bufferOffset).initializeMemory(
                    as: UInt8.self, repeating: 0, count: t.bufferLength - t.bufferOffset)
            }
            guard let offset = g.offset(cylinder: d.cylinder, head: t.head, sector: Int(t.r)) else {
                // The medium changed under a running command: the data cannot land where the
                // guest meant it to, and the guest is told so.
                finish(st0: ST0.abnormal | ST0.equipmentCheck, st1: ST1.missingAddressMark, st2: 0)
                return
            }
            do throws(DiskError) {
                try media.write(UnsafeRawBufferPointer(buffer), at: offset)
            } catch {
                // The host could not store it: the guest is told (a drive fault), never silently.
                let st1: UInt8 = error == .readOnly ? ST1.notWritable : ST1.dataError
                finish(st0: ST0.abnormal | ST0.equipmentCheck, st1: st1, st2: 0)
                return
            }
        case .formatTrack:
            guard t.bufferOffset == 4 else {
                // TC before a whole ID: the format stops here.
                finish(st0: 0, st1: 0, st2: 0)
                return
            }
            let c = buffer[0], h = buffer[1], r = buffer[2], n = buffer[3]
            t.c = c
            t.h = h
            t.r = r
            t.n = n
            transfer = t
            guard c == UInt8(truncatingIfNeeded: d.cylinder), h == UInt8(t.head), n == FloppyGeometry.sizeCode,
                  let offset = g.offset(cylinder: d.cylinder, head: t.head, sector: Int(r)) else {
                // DEVIATION: an ID the image cannot hold (see startExecution).
                finish(st0: ST0.abnormal, st1: ST1.noData, st2: 0)
                return
            }
            buffer.initializeMemory(as: UInt8.self, repeating: t.fill)
            do throws(DiskError) {
                try media.write(UnsafeRawBufferPointer(buffer), at: offset)
            } catch {
                let st1: UInt8 = error == .readOnly ? ST1.notWritable : ST1.dataError
                finish(st0: ST0.abnormal | ST0.equipmentCheck, st1: st1, st2: 0)
                return
            }
            t.sectorsDone += 1
            transfer = t
            if t.sectorsDone >= Int(t.eot) || t.terminalCount {
                finish(st0: 0, st1: 0, st2: 0)
                return
            }
            t.bufferLength = 4
            t.bufferOffset = 0
            t.awaitingData = true
            transfer = t
            dataPhaseStarted()
            return
        default:
            break
        }
        if t.kind == .readDeletedData && !t.skipDeleted {
            // A normal data mark met by READ DELETED DATA without SK: the sector was read and the
            // command ends after it.
            stepToNextSector(&t)
            transfer = t
            finish(st0: 0, st1: t.st1, st2: t.st2)
            return
        }
        advance()
    }

    /// After a sector: terminal count ends the command normally; reaching EOT continues on head 1
    /// with MT, or ends with ST1 EN; otherwise the next sector follows.
    private func advance() {
        guard var t = transfer else { return }
        t.sectorsDone += 1
        let endOfTrack = t.kind == .readTrack ? t.sectorsDone >= Int(t.eot) : t.r == t.eot
        if t.terminalCount {
            stepToNextSector(&t)
            transfer = t
            finish(st0: 0, st1: t.st1, st2: t.st2)
            return
        }
        if endOfTrack {
            let continueOnHead1 = t.multiTrack && t.head == 0 && t.kind != .readTrack
                && (drives[t.drive].geometry?.heads ?? 1) > 1
            stepToNextSector(&t)
            if continueOnHead1 {
                t.head = 1
                transfer = t
                drives[t.drive].head = 1
                beginSector()
                return
            }
            transfer = t
            finish(st0: ST0.abnormal, st1: t.st1 | ST1.endOfCylinder, st2: t.st2)
            return
        }
        if t.kind == .readTrack, let g = drives[t.drive].geometry, t.sectorsDone >= g.sectorsPerTrack {
            // DEVIATION: READ TRACK past the last sector of an image track ends like EOT.
            stepToNextSector(&t)
            transfer = t
            finish(st0: ST0.abnormal, st1: t.st1 | ST1.endOfCylinder, st2: t.st2)
            return
        }
        t.r &+= 1
        transfer = t
        beginSector()
    }

    /// C/H/R after a sector, per the result-phase table: R + 1 within the track; at EOT, R = 1
    /// and either H complemented (MT on head 0) or C + 1 (MT on head 1 also complements H).
    private func stepToNextSector(_ t: inout FloppyTransfer) {
        if t.r != t.eot || t.kind == .readTrack {
            t.r &+= 1
            return
        }
        t.r = 1
        if t.multiTrack {
            t.h ^= 1
            if t.head == 1 { t.c &+= 1 }
        } else {
            t.c &+= 1
        }
    }

    /// Ends the execution phase: the seven result bytes ST0 ST1 ST2 C H R N, and INT.
    private func finish(st0: UInt8, st1: UInt8, st2: UInt8) {
        guard let t = transfer else { return }
        transfer = nil
        pendingEvent = nil
        commandTimer.cancel()
        enterResult([st0 | UInt8(t.head << 2) | UInt8(t.drive), st1, st2, t.c, t.h, t.r, t.n])
        interruptPending = true
        updateLines()
    }
}
