// The progress of one 82077AA read/write/format/READ ID command through its execution phase.

/// Execution-phase state of a command that moves sectors (or format IDs), from the command
/// bytes to the result: which ID is being looked for, where the data buffer stands, and the
/// status bits gathered so far.
struct FloppyTransfer: Equatable {
    enum Kind: UInt8 {
        case readData = 0, readDeletedData, writeData, readTrack, formatTrack, readID

        var readsDisk: Bool { self == .readData || self == .readDeletedData || self == .readTrack }
        var writesDisk: Bool { self == .writeData || self == .formatTrack }
    }

    var kind: Kind
    var drive: Int
    /// Physical head (the HDS bit of the command), toggled by multi-track.
    var head: Int
    /// The ID being looked for: cylinder, head, record (sector), size code.
    var c: UInt8
    var h: UInt8
    var r: UInt8
    var n: UInt8
    /// Last sector of the track (EOT); for FORMAT TRACK the sector count SC.
    var eot: UInt8
    var multiTrack: Bool
    var skipDeleted: Bool
    var mfm: Bool
    /// FORMAT TRACK's fill byte.
    var fill: UInt8 = 0
    /// READ TRACK: sectors read so far; FORMAT TRACK: IDs formatted so far.
    var sectorsDone = 0
    /// Status gathered so far (ST1, ST2) and whether ST2 CM must be reported.
    var st1: UInt8 = 0
    var st2: UInt8 = 0
    /// Bytes of the current sector (or 4-byte format ID) the buffer holds or expects.
    var bufferLength = 0
    /// Bytes already moved between the buffer and the host.
    var bufferOffset = 0
    /// The data phase of the current sector is under way (DREQ asserted or RQM for PIO).
    var awaitingData = false
    /// Terminal count arrived from the DMA controller.
    var terminalCount = false
}
