// The 256-byte configuration space of one PCI function: a type 0 header with BARs, per-bit
// write masks, write-1-to-clear status bits, INTx gating and the decode-change callbacks.

import EmulatorCore

/// The configuration space of one PCI function (PCI Local Bus Specification 3.0, chapter 6).
///
/// Every byte has a write mask (bits software may change), a write-1-to-clear mask (status bits
/// that software clears by writing 1) and a hardware mask (read-only bits the function itself
/// updates, such as Status.Interrupt Status). Everything else is read-only and keeps the value
/// set up when the function was built: Vendor/Device ID, Revision, Class Code, Header Type,
/// Subsystem IDs, Interrupt Pin, the BARs' type bits.
///
/// The standard header is set up at construction; a function then adds its BARs
/// (`defineBAR`), device-specific registers (`defineRegister`) and capabilities
/// (`addCapability`) before the machine starts. What is set up then is the power-on state that
/// `reset()` returns to.
///
/// BARs follow 6.2.5.1: address bits below the requested size are read-only zero, so writing
/// all ones and reading back gives the size (`~(size - 1) | type bits`). A BAR decodes when its
/// Command enable (I/O Space or Memory Space) is set and it holds an address; whenever what a
/// BAR decodes changes, `barObservers` hear `(index, old, new)` so the machine can move the
/// range (`PCIBARMapper` does this on a `PhysicalMemory` and a `PortIOBus`).
///
/// INTx: the function drives `intx`; the level reaches the line given to `connectINTx` unless
/// Command.Interrupt Disable is set (PCI 2.3), and Status.Interrupt Status always shows it.
///
/// Not modelled: the Expansion ROM BAR (reads 0: no ROM), 64-bit memory BARs, header types 1
/// and 2 (PCI-to-PCI and CardBus bridges), BIST, parity and error signalling (the RW1C status
/// bits exist but nothing sets them unless the function does).
///
/// DEVIATION: a BAR holding address 0 does not decode (firmware and Linux treat 0 as
/// "unassigned"), and neither does a memory BAR whose range ends at 0xFFFF_FFFF: that is the
/// all-ones sizing pattern, and decoding it would cover the BIOS ROM for the moment a guest
/// sizes a BAR without first turning decode off.
public final class PCIConfigSpace {
    /// Bytes in a conventional (non-extended) configuration space.
    public static let size = 256

    /// Offsets of the type 0 header registers.
    public enum Offset {
        public static let vendorID = 0x00
        public static let deviceID = 0x02
        public static let command = 0x04
        public static let status = 0x06
        public static let revision = 0x08
        public static let classCode = 0x09
        public static let cacheLineSize = 0x0C
        public static let latencyTimer = 0x0D
        public static let headerType = 0x0E
        public static let bist = 0x0F
        public static let bar0 = 0x10
        public static let subsystemVendorID = 0x2C
        public static let subsystemID = 0x2E
        public static let expansionROM = 0x30
        public static let capabilitiesPointer = 0x34
        public static let interruptLine = 0x3C
        public static let interruptPin = 0x3D
        public static let minGnt = 0x3E
        public static let maxLat = 0x3F
        /// First byte of the device-specific area.
        public static let deviceSpecific = 0x40
    }

    /// Header Type bit 7: the device has more than one function.
    static let multiFunctionBit: UInt8 = 0x80
    /// Number of BARs in a type 0 header.
    public static let barCount = 6

    let identity: PCIDeviceIdentity
    public let interruptPin: PCIInterruptPin?

    /// Current contents.
    var bytes: [UInt8]
    /// The contents `reset()` returns to.
    var powerOn: [UInt8]
    /// Per byte: bits software may write.
    var writeMask: [UInt8]
    /// Per byte: bits software clears by writing 1.
    var clearMask: [UInt8]
    /// Per byte: read-only bits the function updates itself.
    var hardwareMask: [UInt8]

    /// What each BAR requests (nil = not implemented, reads 0).
    public private(set) var bars: [PCIBARKind?] = Array(repeating: nil, count: PCIConfigSpace.barCount)
    /// What each BAR decodes now.
    private var decoded: [PCIBARRegion?] = Array(repeating: nil, count: PCIConfigSpace.barCount)
    /// Called with `(index, old, new)` whenever what a BAR decodes changes (address written,
    /// decode enabled or disabled, reset, restore).
    public var barObservers: [(Int, PCIBARRegion?, PCIBARRegion?) -> Void] = []
    /// Offset of the last capability's "next" byte (or of the Capabilities Pointer).
    private var capabilityLink = Offset.capabilitiesPointer

    private var intxLine: InterruptLine?
    /// The level last driven on `intxLine`.
    private var intxDriven = false
    /// The function's INTx# request: drive this; it reaches the connected line through the
    /// Interrupt Disable gate.
    public private(set) lazy var intx: InterruptLine = PCIINTxInput(config: self)

    /// - Parameters:
    ///   - identity: the read-only identification registers.
    ///   - interruptPin: the INTx# pin the function uses, nil for none (Interrupt Pin reads 0).
    ///   - command: the Command register's power-on value.
    ///   - commandWriteMask: the Command bits the function implements as read/write.
    ///   - status: the Status register's power-on value (capability bits such as DEVSEL timing).
    public init(identity: PCIDeviceIdentity, interruptPin: PCIInterruptPin? = nil,
                command: PCICommand = [],
                commandWriteMask: PCICommand = [.ioSpace, .memorySpace, .busMaster, .parityErrorResponse,
                                                .serrEnable, .interruptDisable],
                status: PCIStatus = [.devselMedium]) {
        self.identity = identity
        self.interruptPin = interruptPin
        bytes = Array(repeating: 0, count: Self.size)
        powerOn = bytes
        writeMask = bytes
        clearMask = bytes
        hardwareMask = bytes
        defineRegister(at: Offset.vendorID, width: .word, value: UInt32(identity.vendorID))
        defineRegister(at: Offset.deviceID, width: .word, value: UInt32(identity.deviceID))
        defineRegister(at: Offset.command, width: .word, value: UInt32(command.rawValue),
                       writeMask: UInt32(commandWriteMask.rawValue))
        defineRegister(at: Offset.status, width: .word, value: UInt32(status.rawValue),
                       writeOneToClear: UInt32(PCIStatus.writeOneToClear.rawValue),
                       hardwareOwned: UInt32(PCIStatus.interruptStatus.rawValue | PCIStatus.writeOneToClear.rawValue))
        defineRegister(at: Offset.revision, width: .byte, value: UInt32(identity.revision))
        defineRegister(at: Offset.classCode, width: .byte, value: UInt32(identity.classCode.programmingInterface))
        defineRegister(at: Offset.classCode + 1, width: .byte, value: UInt32(identity.classCode.subclass))
        defineRegister(at: Offset.classCode + 2, width: .byte, value: UInt32(identity.classCode.baseClass))
        defineRegister(at: Offset.cacheLineSize, width: .byte, value: 0, writeMask: 0xFF)
        defineRegister(at: Offset.latencyTimer, width: .byte, value: 0, writeMask: 0xFF)
        defineRegister(at: Offset.subsystemVendorID, width: .word, value: UInt32(identity.subsystemVendorID))
        defineRegister(at: Offset.subsystemID, width: .word, value: UInt32(identity.subsystemID))
        defineRegister(at: Offset.interruptLine, width: .byte, value: 0, writeMask: 0xFF)
        defineRegister(at: Offset.interruptPin, width: .byte, value: UInt32(interruptPin?.rawValue ?? 0))
    }

    // MARK: Setting up (before the machine runs)

    /// Defines a register of `width` bytes at `offset`: its power-on `value`, the bits software
    /// may write, the bits it clears by writing 1, and read-only bits the function changes itself
    /// (through `setRaw`). Replaces whatever the bytes were.
    public func defineRegister(at offset: Int, width: AccessWidth, value: UInt32, writeMask: UInt32 = 0,
                               writeOneToClear: UInt32 = 0, hardwareOwned: UInt32 = 0) {
        precondition(offset >= 0 && offset + width.rawValue <= Self.size, "register outside configuration space")
        for i in 0..<width.rawValue {
            let shift = UInt32(8 * i)
            let b = UInt8(truncatingIfNeeded: value >> shift)
            bytes[offset + i] = b
            powerOn[offset + i] = b
            self.writeMask[offset + i] = UInt8(truncatingIfNeeded: writeMask >> shift)
            clearMask[offset + i] = UInt8(truncatingIfNeeded: writeOneToClear >> shift)
            hardwareMask[offset + i] = UInt8(truncatingIfNeeded: (hardwareOwned | writeOneToClear) >> shift)
        }
    }

    /// Implements BAR `index` (0–5) as `kind`. I/O sizes are powers of two from 4 to 256, memory
    /// sizes powers of two from 16 up.
    public func defineBAR(_ index: Int, _ kind: PCIBARKind) {
        precondition((0..<Self.barCount).contains(index), "BAR \(index) does not exist in a type 0 header")
        let size = kind.size
        precondition(size.nonzeroBitCount == 1, "BAR sizes are powers of two")
        switch kind {
        case .io: precondition((4...256).contains(size), "I/O BARs span 4 to 256 bytes")
        case .memory: precondition(size >= 16, "memory BARs span at least 16 bytes")
        }
        bars[index] = kind
        defineRegister(at: Offset.bar0 + 4 * index, width: .dword, value: kind.typeBits, writeMask: kind.writeMask)
    }

    /// Adds a capability with ID `id` at `offset` (dword aligned, in the device-specific area),
    /// linked after those added before. `body` follows the two-byte ID/next header; `writeMask`
    /// (as long as `body` or shorter) marks its writable bits.
    public func addCapability(id: UInt8, at offset: Int, body: [UInt8], writeMask: [UInt8] = []) {
        precondition(offset >= Offset.deviceSpecific && offset % 4 == 0 && offset + 2 + body.count <= Self.size,
                     "capabilities live dword-aligned in 0x40-0xFF")
        defineRegister(at: offset, width: .byte, value: UInt32(id))
        defineRegister(at: offset + 1, width: .byte, value: 0)
        for (i, b) in body.enumerated() {
            defineRegister(at: offset + 2 + i, width: .byte, value: UInt32(b),
                           writeMask: i < writeMask.count ? UInt32(writeMask[i]) : 0)
        }
        defineRegister(at: capabilityLink, width: .byte, value: UInt32(offset))
        capabilityLink = offset + 1
        let status = raw(offset: Offset.status, width: .word) | UInt32(PCIStatus.capabilitiesList.rawValue)
        defineRegister(at: Offset.status, width: .word, value: status,
                       writeOneToClear: UInt32(PCIStatus.writeOneToClear.rawValue),
                       hardwareOwned: UInt32(PCIStatus.interruptStatus.rawValue | PCIStatus.writeOneToClear.rawValue))
    }

    /// Header Type bit 7. The bus sets it on function 0 when it registers another function of
    /// the same device.
    public internal(set) var isMultiFunction: Bool {
        get { bytes[Offset.headerType] & Self.multiFunctionBit != 0 }
        set {
            let header: UInt8 = newValue ? Self.multiFunctionBit : 0
            bytes[Offset.headerType] = header
            powerOn[Offset.headerType] = header
        }
    }

    /// Connects the function's INTx# output (usually a PIRQ input of the interrupt router).
    public func connectINTx(_ line: InterruptLine) {
        intxLine = line
        intxDriven = false
        updateINTx(force: true)
    }

    // MARK: Configuration cycles

    /// Reads `width` bytes at `offset`, little-endian.
    public func read(offset: Int, width: AccessWidth) -> UInt32 {
        raw(offset: offset, width: width)
    }

    /// Writes `width` bytes at `offset` through the write masks, then reports BAR decode changes.
    public func write(offset: Int, width: AccessWidth, value: UInt32) {
        precondition(offset >= 0 && offset + width.rawValue <= Self.size, "access outside configuration space")
        for i in 0..<width.rawValue {
            let v = UInt8(truncatingIfNeeded: value >> UInt32(8 * i))
            let o = offset + i
            var b = (bytes[o] & ~writeMask[o]) | (v & writeMask[o])
            b &= ~(v & clearMask[o])
            bytes[o] = b
        }
        let commandTouched = Self.access(offset: offset, width: width, touches: Offset.command...Offset.command + 1)
        if commandTouched || Self.access(offset: offset, width: width, touches: Offset.bar0...Offset.bar0 + 23) {
            updateDecoding()
        }
        if commandTouched { updateINTx() }
    }

    /// Whether an access of `width` bytes at `offset` touches any byte of `range`.
    public static func access(offset: Int, width: AccessWidth, touches range: ClosedRange<Int>) -> Bool {
        offset <= range.upperBound && offset + width.rawValue - 1 >= range.lowerBound
    }

    // MARK: The function's side

    /// Reads bytes without side effects.
    public func raw(offset: Int, width: AccessWidth) -> UInt32 {
        precondition(offset >= 0 && offset + width.rawValue <= Self.size, "access outside configuration space")
        var v: UInt32 = 0
        for i in 0..<width.rawValue { v |= UInt32(bytes[offset + i]) << UInt32(8 * i) }
        return v
    }

    /// Sets bytes directly, ignoring the write masks (hardware-updated bits, write-only
    /// registers that read back differently). No callbacks run.
    public func setRaw(offset: Int, width: AccessWidth, value: UInt32) {
        precondition(offset >= 0 && offset + width.rawValue <= Self.size, "access outside configuration space")
        for i in 0..<width.rawValue { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> UInt32(8 * i)) }
    }

    /// The Command register.
    public var command: PCICommand { PCICommand(rawValue: UInt16(raw(offset: Offset.command, width: .word))) }

    /// The Status register.
    public var status: PCIStatus { PCIStatus(rawValue: UInt16(raw(offset: Offset.status, width: .word))) }

    /// Sets Status bits as the hardware would (an error condition); software clears RW1C ones.
    public func setStatus(_ bits: PCIStatus) {
        let s = raw(offset: Offset.status, width: .word) | UInt32(bits.rawValue)
        setRaw(offset: Offset.status, width: .word, value: s)
    }

    /// The address programmed into BAR `index`, without the type bits (whether or not it decodes).
    public func barAddress(_ index: Int) -> UInt32 {
        guard let kind = bars[index] else { return 0 }
        return raw(offset: Offset.bar0 + 4 * index, width: .dword) & kind.writeMask
    }

    /// The range BAR `index` decodes now, if any.
    public func decodedRegion(_ index: Int) -> PCIBARRegion? { decoded[index] }

    /// Returns the registers to their power-on values; the INTx request (a wire) is kept.
    public func reset() {
        let request = intxRequest
        bytes = powerOn
        intxRequest = request
        updateDecoding()
        updateINTx()
    }

    // MARK: Decoding

    private func computeRegion(_ index: Int) -> PCIBARRegion? {
        guard let kind = bars[index] else { return nil }
        let base = barAddress(index)
        guard base != 0 else { return nil }
        switch kind {
        case .io(let size):
            guard command.contains(.ioSpace), UInt64(base) + UInt64(size) <= 0x1_0000 else { return nil }
            return PCIBARRegion(space: .io, base: base, size: size)
        case .memory(let size, _):
            guard command.contains(.memorySpace), base &+ size != 0 else { return nil }
            return PCIBARRegion(space: .memory, base: base, size: size)
        }
    }

    /// Recomputes what every BAR decodes and tells the observers about changes.
    func updateDecoding() {
        for i in 0..<Self.barCount {
            let new = computeRegion(i)
            let old = decoded[i]
            guard new != old else { continue }
            decoded[i] = new
            for o in barObservers { o(i, old, new) }
        }
    }

    // MARK: INTx

    /// The function's INTx# request (Status.Interrupt Status).
    var intxRequest: Bool {
        get { bytes[Offset.status] & UInt8(PCIStatus.interruptStatus.rawValue) != 0 }
        set {
            let bit = UInt8(PCIStatus.interruptStatus.rawValue)
            bytes[Offset.status] = newValue ? bytes[Offset.status] | bit : bytes[Offset.status] & ~bit
        }
    }

    func setINTxRequest(_ high: Bool) {
        intxRequest = high
        updateINTx()
    }

    /// Drives the connected INTx line with the request gated by Interrupt Disable.
    func updateINTx(force: Bool = false) {
        let level = intxRequest && interruptPin != nil && !command.contains(.interruptDisable)
        guard let line = intxLine, force || level != intxDriven else { return }
        intxDriven = level
        line.setLevel(level)
    }
}

/// The INTx# output as the function drives it, before the Interrupt Disable gate.
final class PCIINTxInput: InterruptLine {
    private unowned let config: PCIConfigSpace

    init(config: PCIConfigSpace) { self.config = config }

    func setLevel(_ high: Bool) { config.setINTxRequest(high) }
}
