// Saved state of the 82077AA: registers, the command in progress (any phase), drives and timers.

import EmulatorCore

extension FloppyController: Snapshottable {
    /// Version 1 layout. Deadlines are absolute virtual times (the machine restores its clock
    /// first). Media are configuration: a drive records only the size of the medium it held,
    /// which restore checks against what is inserted now.
    public struct SavedState: Codable, Equatable, Sendable {
        public var dor: UInt8
        public var tdr: UInt8
        public var dataRate: UInt8
        public var precompensation: UInt8
        public var specify1: UInt8
        public var specify2: UInt8
        public var configuration: UInt8
        public var precompensationStartTrack: UInt8
        public var locked: Bool
        public var perpendicular: UInt8
        public var lastEOT: UInt8
        public var pcn: [UInt8]
        /// Per drive select: ST0 waiting for SENSE INTERRUPT STATUS, nil for none.
        public var pendingStatus: [UInt8?]
        /// Per drive select: ST0 of a seek still running, with its completion time.
        public var seekResult: [UInt8?]
        public var seekDeadline: [UInt64?]
        public var seekingDrives: UInt8
        public var interruptPending: Bool
        /// 0 command, 1 execution, 2 result.
        public var phase: UInt8
        /// Command bytes received so far (command phase) or of the running command.
        public var commandBytes: [UInt8]
        public var commandLength: Int
        public var resultBytes: [UInt8]
        public var resultIndex: Int
        public var transfer: TransferState?
        /// 0 reset polling, 1 execute; with its time.
        public var pendingEvent: UInt8?
        public var eventDeadline: UInt64?
        /// The sector buffer while a transfer is under way (512 bytes), else empty.
        public var buffer: [UInt8]
        public var drives: [DriveState]

        /// Field meanings follow `FloppyTransfer`.
        public struct TransferState: Codable, Equatable, Sendable {
            public var kind: UInt8
            public var drive: Int
            public var head: Int
            public var c: UInt8
            public var h: UInt8
            public var r: UInt8
            public var n: UInt8
            public var eot: UInt8
            public var multiTrack: Bool
            public var skipDeleted: Bool
            public var mfm: Bool
            public var fill: UInt8
            public var sectorsDone: Int
            public var st1: UInt8
            public var st2: UInt8
            public var bufferLength: Int
            public var bufferOffset: Int
            public var awaitingData: Bool
            public var terminalCount: Bool
        }

        /// Field meanings follow `FloppyDrive`.
        public struct DriveState: Codable, Equatable, Sendable {
            public var cylinder: Int
            public var head: Int
            public var nextSector: Int
            public var changeLine: Bool
            public var writeProtectFlag: Bool
            /// Size of the medium in the drive, nil when empty.
            public var mediaBytes: UInt64?
        }
    }

    public var snapshotSection: String { "fdc" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        let savedCommand = phase == .command ? Array(commandBytes[0..<commandCount]) : Array(commandBytes[0..<max(commandLength, 1)])
        return SavedState(
            dor: dor, tdr: tdr, dataRate: dataRate.rawValue, precompensation: precompensation,
            specify1: specify1, specify2: specify2, configuration: configuration,
            precompensationStartTrack: precompensationStartTrack, locked: locked,
            perpendicular: perpendicular, lastEOT: lastEOT, pcn: pcn, pendingStatus: pendingStatus,
            seekResult: seekResult, seekDeadline: seekTimers.map { $0.deadline?.nanoseconds },
            seekingDrives: seekingDrives, interruptPending: interruptPending, phase: phase.rawValue,
            commandBytes: savedCommand, commandLength: commandLength,
            resultBytes: Array(resultBytes[0..<resultCount]), resultIndex: resultIndex,
            transfer: transfer.map {
                SavedState.TransferState(
                    kind: $0.kind.rawValue, drive: $0.drive, head: $0.head, c: $0.c, h: $0.h, r: $0.r,
                    n: $0.n, eot: $0.eot, multiTrack: $0.multiTrack, skipDeleted: $0.skipDeleted,
                    mfm: $0.mfm, fill: $0.fill, sectorsDone: $0.sectorsDone, st1: $0.st1, st2: $0.st2,
                    bufferLength: $0.bufferLength, bufferOffset: $0.bufferOffset,
                    awaitingData: $0.awaitingData, terminalCount: $0.terminalCount)
            },
            pendingEvent: pendingEvent?.rawValue, eventDeadline: commandTimer.deadline?.nanoseconds,
            buffer: transfer == nil ? [] : Array(buffer),
            drives: drives.map {
                SavedState.DriveState(cylinder: $0.cylinder, head: $0.head, nextSector: $0.nextSector,
                                      changeLine: $0.changeLine, writeProtectFlag: $0.writeProtectFlag,
                                      mediaBytes: $0.media?.byteCount)
            })
    }

    public func restoreState(_ s: SavedState) throws {
        func check(_ ok: Bool, _ reason: @autoclosure () -> String) throws {
            if !ok { throw SnapshotStateError(section: snapshotSection, reason: reason()) }
        }
        try check(s.pcn.count == 4 && s.pendingStatus.count == 4 && s.seekResult.count == 4
                  && s.seekDeadline.count == 4 && s.drives.count == 4, "per-drive arrays must have 4 entries")
        try check(s.dataRate <= 3 && s.precompensation <= 7 && s.tdr <= 3, "register values out of range")
        let phase = Phase(rawValue: s.phase)
        try check(phase != nil, "phase \(s.phase) does not exist")
        try check(s.commandBytes.count <= 16 && s.resultBytes.count <= 16, "command or result too long")
        try check(s.commandLength >= 0 && s.commandLength <= 9, "command length \(s.commandLength)")
        if phase == .command && !s.commandBytes.isEmpty {
            // A command in its command phase: its opcode fixes the length still to come.
            let length = Self.commandLength(s.commandBytes[0])
            try check(length == s.commandLength && s.commandBytes.count < s.commandLength,
                      "a partial command that does not match its opcode")
        }
        try check(s.resultIndex >= 0 && s.resultIndex <= s.resultBytes.count, "result index past the result")
        try check(phase != .result || s.resultIndex < s.resultBytes.count, "a result phase with nothing to read")
        try check(phase != .execution || s.transfer != nil, "an execution phase without a command")
        try check(s.seekingDrives <= 0x0F, "seeking drives 0x\(String(s.seekingDrives, radix: 16))")
        for d in 0..<4 {
            try check((s.seekResult[d] == nil) == (s.seekDeadline[d] == nil), "drive \(d) seek without a deadline")
        }
        let event = s.pendingEvent.map(PendingEvent.init(rawValue:))
        try check(event != .some(nil), "pending event \(s.pendingEvent ?? 0) does not exist")
        try check((s.pendingEvent == nil) == (s.eventDeadline == nil), "an event without a deadline")
        var restoredTransfer: FloppyTransfer?
        if let t = s.transfer {
            let kind = FloppyTransfer.Kind(rawValue: t.kind)
            try check(kind != nil, "transfer kind \(t.kind) does not exist")
            try check((0..<4).contains(t.drive) && (0...1).contains(t.head), "transfer drive/head out of range")
            try check(t.bufferLength >= 0 && t.bufferLength <= FloppyGeometry.sectorSize
                      && t.bufferOffset >= 0 && t.bufferOffset <= t.bufferLength, "transfer buffer position")
            try check(s.buffer.count == FloppyGeometry.sectorSize, "transfer without its sector buffer")
            var r = FloppyTransfer(kind: kind!, drive: t.drive, head: t.head, c: t.c, h: t.h, r: t.r, n: t.n,
                                   eot: t.eot, multiTrack: t.multiTrack, skipDeleted: t.skipDeleted, mfm: t.mfm)
            r.fill = t.fill
            r.sectorsDone = t.sectorsDone
            r.st1 = t.st1
            r.st2 = t.st2
            r.bufferLength = t.bufferLength
            r.bufferOffset = t.bufferOffset
            r.awaitingData = t.awaitingData
            r.terminalCount = t.terminalCount
            restoredTransfer = r
        }
        for (i, d) in s.drives.enumerated() {
            try check(d.cylinder >= 0 && d.cylinder <= FloppyDrive.lastPhysicalCylinder && (0...1).contains(d.head)
                      && (1...255).contains(d.nextSector), "drive \(i) position out of range")
            try check(d.mediaBytes == drives[i].media?.byteCount,
                      "drive \(i) held a medium of \(d.mediaBytes.map { "\($0) bytes" } ?? "none") but now holds \(drives[i].media.map { "\($0.byteCount) bytes" } ?? "none")")
        }

        dor = s.dor
        tdr = s.tdr
        dataRate = FloppyDataRate(rawValue: s.dataRate)!
        precompensation = s.precompensation
        specify1 = s.specify1
        specify2 = s.specify2
        configuration = s.configuration & 0x7F
        precompensationStartTrack = s.precompensationStartTrack
        locked = s.locked
        perpendicular = s.perpendicular & 0x3F
        lastEOT = s.lastEOT
        pcn = s.pcn
        pendingStatus = s.pendingStatus
        seekResult = s.seekResult
        seekingDrives = s.seekingDrives
        interruptPending = s.interruptPending
        self.phase = phase!
        for (i, b) in s.commandBytes.enumerated() { commandBytes[i] = b }
        commandCount = self.phase == .command ? s.commandBytes.count : 0
        commandLength = s.commandLength
        for (i, b) in s.resultBytes.enumerated() { resultBytes[i] = b }
        resultCount = s.resultBytes.count
        resultIndex = s.resultIndex
        transfer = restoredTransfer
        if restoredTransfer != nil {
            s.buffer.withUnsafeBytes { buffer.copyMemory(from: $0) }
        }
        pendingEvent = event ?? nil
        if let deadline = s.eventDeadline { commandTimer.arm(at: VirtualTime(nanoseconds: deadline)) } else { commandTimer.cancel() }
        for d in 0..<4 {
            if let deadline = s.seekDeadline[d] { seekTimers[d].arm(at: VirtualTime(nanoseconds: deadline)) } else { seekTimers[d].cancel() }
            drives[d].cylinder = s.drives[d].cylinder
            drives[d].head = s.drives[d].head
            drives[d].nextSector = s.drives[d].nextSector
            drives[d].changeLine = s.drives[d].changeLine
            drives[d].writeProtectFlag = s.drives[d].writeProtectFlag
        }
        restoreLines()
    }
}
