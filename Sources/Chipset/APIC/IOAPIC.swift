// The I/O APIC: 24 interrupt input pins redirected as messages to local APICs.

import EmulatorCore

/// The Intel 82093AA I/O Advanced Programmable Interrupt Controller: 24 input pins, each with a
/// redirection entry that turns its edge or level into an interrupt message for local APICs.
///
/// MMIO at 0xFEC0_0000 (the PIIX3 default): IOREGSEL at 0x00 (register index, bits 7:0) and IOWIN
/// at 0x10 (the selected 32-bit register); the rest of the 4 KiB window is not decoded (reads
/// float high). Registers: 0x00 IOAPICID (bits 27:24), 0x01 IOAPICVER (0x0017_0011: 24 entries,
/// version 0x11), 0x02 IOAPICARB (bits 27:24, loaded from the ID when the ID is written),
/// 0x10–0x3F IOREDTBL0–23 (two registers per pin, low word first). Inputs: `pin(n)`; output:
/// `deliver` (an `APICMessage` to the local APICs, which say whether they accepted it); EOI
/// messages arrive through `endOfInterrupt(vector:)`.
///
/// Follows the 82093AA datasheet (§3.0 "Register Description", §3.2.4 IOREDTBL: delivery mode,
/// destination mode, delivery status, polarity, Remote IRR, trigger mode, mask, destination).
/// Edge-triggered pins send one message per asserting edge; level-triggered fixed and
/// lowest-priority pins send one while asserted, set Remote IRR when a local APIC accepts it,
/// and send again after the EOI clears Remote IRR if the pin is still asserted. As Linux's
/// `__eoi_ioapic_pin` relies on for I/O APICs without an EOI register, rewriting an entry as
/// edge-triggered clears its Remote IRR.
///
/// Not modelled: the APIC bus retry of messages nobody accepted (they are dropped; a level pin
/// is offered again on its next change, EOI or entry write), so Delivery Status always reads idle;
/// the EOI register of version 0x20 parts; SMI (sent as a message the local APIC drops).
/// NMI, SMI, INIT and ExtINT entries are edge-triggered whatever their trigger-mode bit says.
///
/// DEVIATION: a pin's level is whether its source asserts it, not the electrical level: the
/// Interrupt Input Pin Polarity bit is kept for software but not applied. The board's inversion of
/// active-low lines (PCI INTx#) is folded into the wiring, and the firmware tables tell the guest
/// which polarity to program, so the guest's choice cannot disagree with the source.
public final class IOAPIC: MMIODevice {
    /// The PC's I/O APIC window.
    public static let defaultBase: UInt32 = 0xFEC0_0000
    public static let mmioSize: UInt32 = 0x1000
    /// Number of input pins and redirection entries.
    public static let pinCount = 24
    /// IOAPICVER: Maximum Redirection Entry 23 in bits 23:16, version 0x11.
    static let versionRegister: UInt32 = 0x0017_0011

    enum Offset {
        /// I/O Register Select.
        static let ioregsel: UInt32 = 0x00
        /// I/O Window.
        static let iowin: UInt32 = 0x10
    }

    enum Index {
        static let id: UInt8 = 0x00
        static let version: UInt8 = 0x01
        static let arbitration: UInt8 = 0x02
        static let redirectionTable: UInt8 = 0x10
    }

    /// IOREDTBL bits (the 64-bit entry).
    enum Entry {
        static let vector: UInt64 = 0xFF
        static let deliveryModeShift: UInt64 = 8
        static let logical: UInt64 = 1 << 11
        static let deliveryStatus: UInt64 = 1 << 12
        static let activeLow: UInt64 = 1 << 13
        static let remoteIRR: UInt64 = 1 << 14
        static let levelTriggered: UInt64 = 1 << 15
        static let masked: UInt64 = 1 << 16
        static let destinationShift: UInt64 = 56
        /// Vector, delivery mode, destination mode, polarity, trigger mode, mask.
        static let writableLow: UInt64 = 0x0001_AFFF
        static let writableHigh: UInt64 = 0xFF00_0000_0000_0000
        /// Power-on value: masked (the datasheet leaves the other bits undefined; we clear them).
        static let powerOn: UInt64 = masked
    }

    /// The power-on IOAPICID (bits 27:24 value).
    public let powerOnID: UInt8
    let deliver: (APICMessage) -> Bool
    private var lines: [IOAPICInputLine] = []

    /// I/O Register Select.
    var ioregsel: UInt8 = 0
    /// IOAPICID register (bits 27:24).
    var id: UInt32
    /// IOAPICARB register (bits 27:24).
    var arbitrationID: UInt32
    /// IOREDTBL0–23.
    var redirection = [UInt64](repeating: Entry.powerOn, count: IOAPIC.pinCount)
    /// Input levels of the 24 pins (the wires), bit n = pin n.
    var pinLevels: UInt32 = 0

    /// - Parameters:
    ///   - id: the power-on I/O APIC ID (0–15); firmware usually reprograms it.
    ///   - deliver: sends a message on the APIC bus (`lapic.receive`); returns whether a local
    ///     APIC accepted it.
    public init(id: UInt8 = 0, deliver: @escaping (APICMessage) -> Bool) {
        precondition(id < 16, "82093AA IDs are 4 bits")
        powerOnID = id
        self.id = UInt32(id) << 24
        arbitrationID = UInt32(id) << 24
        self.deliver = deliver
        lines = (0..<Self.pinCount).map { IOAPICInputLine(ioapic: self, pin: $0) }
    }

    /// The input line of pin `n` (0–23).
    public func pin(_ n: Int) -> InterruptLine {
        precondition((0..<Self.pinCount).contains(n), "I/O APIC pin \(n) does not exist")
        return lines[n]
    }

    /// Returns guest-visible state to power-on values (every entry masked); pin levels are kept.
    public func reset() {
        ioregsel = 0
        id = UInt32(powerOnID) << 24
        arbitrationID = id
        for i in redirection.indices { redirection[i] = Entry.powerOn }
    }

    // MARK: MMIO

    public func mmioRead(offset: UInt32, width: AccessWidth) -> UInt32 {
        switch offset {
        case Offset.ioregsel..<Offset.ioregsel + 4:
            return (UInt32(ioregsel) >> (8 * (offset & 3))) & width.mask
        case Offset.iowin..<Offset.iowin + 4:
            return (readRegister(ioregsel) >> (8 * (offset & 3))) & width.mask
        default:
            return width.mask  // not decoded
        }
    }

    public func mmioWrite(offset: UInt32, width: AccessWidth, value: UInt32) {
        switch offset {
        case Offset.ioregsel:
            ioregsel = UInt8(truncatingIfNeeded: value)
        case Offset.iowin..<Offset.iowin + 4:
            // The datasheet asks for 32-bit accesses; narrower writes merge into the register.
            var full = value
            let byte = offset & 3
            if width != .dword || byte != 0 {
                let mask = width.mask << (8 * byte)
                full = (readRegister(ioregsel) & ~mask) | ((value << (8 * byte)) & mask)
            }
            writeRegister(ioregsel, full)
        default:
            break  // IOREGSEL bits 31:8 are reserved; other offsets are not decoded
        }
    }

    /// The register at `index` as IOWIN reads it; unimplemented indexes read 0.
    func readRegister(_ index: UInt8) -> UInt32 {
        switch index {
        case Index.id: return id
        case Index.version: return Self.versionRegister
        case Index.arbitration: return arbitrationID
        case Index.redirectionTable..<Index.redirectionTable + UInt8(2 * Self.pinCount):
            let entry = redirection[Int(index - Index.redirectionTable) >> 1]
            return UInt32(truncatingIfNeeded: index & 1 == 0 ? entry : entry >> 32)
        default: return 0
        }
    }

    func writeRegister(_ index: UInt8, _ value: UInt32) {
        switch index {
        case Index.id:
            id = value & 0x0F00_0000
            // 82093AA §3.2.3: the arbitration ID is loaded from the ID when the ID is written.
            arbitrationID = id
        case Index.redirectionTable..<Index.redirectionTable + UInt8(2 * Self.pinCount):
            let n = Int(index - Index.redirectionTable) >> 1
            if index & 1 == 0 {
                writeRedirectionLow(n, value)
            } else {
                let high = (UInt64(value) << 32) & Entry.writableHigh
                redirection[n] = (redirection[n] & 0xFFFF_FFFF) | high
            }
        default:
            break  // version, arbitration and unimplemented registers are read-only
        }
    }

    private func writeRedirectionLow(_ n: Int, _ value: UInt32) {
        let old = redirection[n]
        var new = (old & ~0xFFFF_FFFF) | (UInt64(value) & Entry.writableLow)
        // Remote IRR is read-only; an edge-triggered entry has none.
        if new & Entry.levelTriggered != 0 { new |= old & Entry.remoteIRR }
        redirection[n] = new
        // Unmasking (or reprogramming) an asserted level pin sends its interrupt now.
        serviceLevel(n)
    }

    // MARK: Pins and messages

    /// Whether pin `n` is asserted: its level, whatever the entry's polarity (see the type's
    /// DEVIATION note).
    func pinAsserted(_ n: Int) -> Bool { (pinLevels >> UInt32(n)) & 1 != 0 }

    /// Whether entry `n` works level-triggered: fixed or lowest-priority with the trigger bit set.
    func isLevelTriggered(_ n: Int) -> Bool {
        let e = redirection[n]
        let mode = (e >> Entry.deliveryModeShift) & 7
        return e & Entry.levelTriggered != 0
            && (mode == UInt64(APICDeliveryMode.fixed.rawValue)
                || mode == UInt64(APICDeliveryMode.lowestPriority.rawValue))
    }

    func setPin(_ n: Int, high: Bool) {
        let bit: UInt32 = 1 << UInt32(n)
        let wasAsserted = pinAsserted(n)
        if high { pinLevels |= bit } else { pinLevels &= ~bit }
        // 82093AA: edges and level changes on a masked pin are ignored.
        guard redirection[n] & Entry.masked == 0 else { return }
        if isLevelTriggered(n) {
            serviceLevel(n)
        } else if high && !wasAsserted {
            _ = send(n)
        }
    }

    /// Sends the interrupt of an unmasked, asserted level-triggered pin whose Remote IRR is clear,
    /// setting Remote IRR once a local APIC accepts it.
    private func serviceLevel(_ n: Int) {
        guard isLevelTriggered(n), redirection[n] & (Entry.masked | Entry.remoteIRR) == 0, pinAsserted(n) else {
            return
        }
        if send(n) { redirection[n] |= Entry.remoteIRR }
    }

    /// Sends entry `n`'s message; reserved delivery modes send nothing.
    private func send(_ n: Int) -> Bool {
        let e = redirection[n]
        guard let mode = APICDeliveryMode(rawValue: UInt8((e >> Entry.deliveryModeShift) & 7)),
              mode != .startup else { return false }
        let message = APICMessage(
            vector: UInt8(e & Entry.vector), deliveryMode: mode, logicalDestination: e & Entry.logical != 0,
            destination: UInt8(e >> Entry.destinationShift), levelTriggered: isLevelTriggered(n))
        return deliver(message)
    }

    /// The EOI message a local APIC broadcasts for a level-triggered vector: clears Remote IRR of
    /// every level entry with that vector, which sends again if its pin is still asserted.
    public func endOfInterrupt(vector: UInt8) {
        for n in 0..<Self.pinCount where redirection[n] & Entry.remoteIRR != 0
            && UInt8(redirection[n] & Entry.vector) == vector {
            redirection[n] &= ~Entry.remoteIRR
            serviceLevel(n)
        }
    }
}

/// One input pin, handed to the device (or ISA IRQ / PCI INTx router) that drives it.
final class IOAPICInputLine: InterruptLine {
    private unowned let ioapic: IOAPIC
    let pin: Int

    init(ioapic: IOAPIC, pin: Int) {
        self.ioapic = ioapic
        self.pin = pin
    }

    func setLevel(_ high: Bool) { ioapic.setPin(pin, high: high) }
}
