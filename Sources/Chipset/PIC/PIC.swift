// The cascaded pair of 8259A programmable interrupt controllers of a PC/AT, with the ELCR.

import EmulatorCore
import X86

/// The PC/AT interrupt controller pair: two Intel 8259A PICs, the slave's INT output wired to the
/// master's IR2, plus the PIIX-style Edge/Level Control Registers.
///
/// Ports: master 0x20–0x21, slave 0xA0–0xA1, ELCR 0x4D0 (IRQ0–7) and 0x4D1 (IRQ8–15).
/// Inputs: 16 `InterruptLine`s from `irq(_:)`; output: the CPU's INTR through `setINTR`, and the
/// INTA cycle through `InterruptController.acknowledgeInterrupt()`.
///
/// Follows the Intel 8259A datasheet (initialization command words ICW1–ICW4, operation command
/// words OCW1–OCW3, "Interrupt Sequence", "The Special Fully Nested Mode", "Poll Command",
/// "Special Mask Mode", "Edge and Level Triggered Modes") and the Intel 82371AB (PIIX4) datasheet
/// for ELCR1/ELCR2 (an IRQ is level-triggered when its ELCR bit or its chip's ICW1 LTIM is set).
///
/// Not modelled: MCS-80/85 mode (ICW4 µPM = 0 still returns 8086-style vectors), buffered-mode
/// pins, the address interval bit (ICW1 ADI), more than one slave.
///
/// DEVIATION: an edge-triggered request stays latched in IRR until acknowledged even if the input
/// falls first (a real 8259A wants the input held until INTA, else it answers with IR7). Devices
/// then may `pulse()` an edge. Level-triggered requests still vanish when their input falls, which
/// gives the spurious IRQ7/IRQ15 behaviour on acknowledge.
public final class PIC: BytePortDevice, InterruptController {
    /// Fixed I/O ranges the machine claims for this device.
    public static let portRanges: [ClosedRange<UInt16>] = [0x20...0x21, 0xA0...0xA1, 0x4D0...0x4D1]

    enum Port {
        static let masterCommand: UInt16 = 0x20
        static let masterData: UInt16 = 0x21
        static let slaveCommand: UInt16 = 0xA0
        static let slaveData: UInt16 = 0xA1
        static let elcrMaster: UInt16 = 0x4D0
        static let elcrSlave: UInt16 = 0x4D1
    }

    /// The master input the slave's INT output drives on a PC/AT.
    static let cascadeInput = 2

    var master = Chip8259(isMaster: true)
    var slave = Chip8259(isMaster: false)
    /// The level last driven onto the CPU's INTR.
    public internal(set) var intrOutput = false
    let setINTR: (Bool) -> Void
    private var lines: [PICInputLine] = []

    /// - Parameter setINTR: drives the CPU's INTR input (`cpu.intrLine`); called on every change.
    public init(setINTR: @escaping (Bool) -> Void) {
        self.setINTR = setINTR
        lines = (0..<16).map { PICInputLine(pic: self, irq: $0) }
    }

    /// The input line of ISA IRQ `n` (0–15). IRQ2 is the cascade input inside the pair; as on the
    /// AT bus, a device wired to "IRQ2" is routed to IRQ9 (slave IR1), so `irq(2)` is `irq(9)`.
    public func irq(_ n: Int) -> InterruptLine {
        precondition((0..<16).contains(n), "ISA IRQ \(n) does not exist")
        return lines[n == PIC.cascadeInput ? 9 : n]
    }

    /// Returns guest-visible state to power-on values; input levels (the wires) are kept.
    public func reset() {
        let masterLevels = master.inputLevels, slaveLevels = slave.inputLevels
        master = Chip8259(isMaster: true)
        slave = Chip8259(isMaster: false)
        master.inputLevels = masterLevels
        slave.inputLevels = slaveLevels
        update()
    }

    // MARK: Inputs and output

    func setInput(irq: Int, high: Bool) {
        if irq < 8 {
            master.setInput(irq, high: high)
        } else {
            slave.setInput(irq - 8, high: high)
        }
        update()
    }

    /// Propagates the slave's INT to the master's cascade input and the master's INT to the CPU.
    func update() {
        master.setInput(PIC.cascadeInput, high: slave.interruptOutput)
        let out = master.interruptOutput
        if out != intrOutput {
            intrOutput = out
            setINTR(out)
        }
    }

    /// Drives INTR even when unchanged (after a restore the CPU may hold another level).
    func setINTRUnconditionally() {
        intrOutput = master.interruptOutput
        setINTR(intrOutput)
    }

    // MARK: InterruptController

    /// The INTA sequence: the master resolves priority; for a cascade input the slave supplies the
    /// vector. With no request left, the answering chip returns its IR7 vector without setting
    /// ISR (the datasheet's "default IR7"; for the slave the master's ISR bit 2 stays set).
    public func acknowledgeInterrupt() -> UInt8 {
        defer { update() }
        guard let level = master.acknowledge() else { return master.vectorBase | 7 }
        guard master.isCascade(level) else { return master.vectorBase | UInt8(level) }
        // The slave's INT is released for the acknowledge sequence; if it still requests
        // afterwards (a second pending IRQ under auto-EOI, say) the master sees a new edge.
        master.setInput(level, high: false)
        // Only the slave whose ICW3 ID matches the cascade address drives the data bus.
        guard slave.slaveID == level else { return 0xFF }
        guard let slaveLevel = slave.acknowledge() else { return slave.vectorBase | 7 }
        return slave.vectorBase | UInt8(slaveLevel)
    }

    // MARK: PortIODevice

    public func readPortByte(_ port: UInt16) -> UInt8 {
        switch port {
        case Port.masterCommand:
            defer { update() }
            return master.readCommandPort()
        case Port.masterData: return master.imr
        case Port.slaveCommand:
            defer { update() }
            return slave.readCommandPort()
        case Port.slaveData: return slave.imr
        case Port.elcrMaster: return master.elcr
        case Port.elcrSlave: return slave.elcr
        default: return 0xFF
        }
    }

    public func writePortByte(_ port: UInt16, _ value: UInt8) {
        switch port {
        case Port.masterCommand: master.writeCommandPort(value)
        case Port.masterData: master.writeDataPort(value)
        case Port.slaveCommand: slave.writeCommandPort(value)
        case Port.slaveData: slave.writeDataPort(value)
        case Port.elcrMaster: master.setELCR(value & ELCRMask.master)
        case Port.elcrSlave: slave.setELCR(value & ELCRMask.slave)
        default: return
        }
        update()
    }

    /// ELCR bits that may be set: IRQ0, 1, 2, 8 and 13 are edge-only on a PC (PIIX4 ELCR1/ELCR2).
    enum ELCRMask {
        static let master: UInt8 = 0xF8
        static let slave: UInt8 = 0xDE
    }
}

/// One input pin of the pair, handed to devices as an `InterruptLine`.
final class PICInputLine: InterruptLine {
    private unowned let pic: PIC
    let irq: Int

    init(pic: PIC, irq: Int) {
        self.pic = pic
        self.irq = irq
    }

    func setLevel(_ high: Bool) { pic.setInput(irq: irq, high: high) }
}

/// One Intel 8259A: registers, the initialization sequence and priority resolution.
struct Chip8259: Equatable {
    /// Where the initialization sequence stands: which ICW the data port expects next.
    enum InitStep: Int, Codable {
        case ready = 0, icw2, icw3, icw4
    }

    let isMaster: Bool

    // MARK: Registers
    /// Interrupt Mask Register (OCW1). All masked at power-on (the datasheet leaves it undefined).
    var imr: UInt8 = 0xFF
    /// In-Service Register.
    var isr: UInt8 = 0
    /// Edge-sense latches: requests seen as low→high transitions on edge-triggered inputs.
    var edgeRequests: UInt8 = 0
    /// Current level of each IR input.
    var inputLevels: UInt8 = 0
    /// Edge/Level Control Register (PIIX ELCR1/ELCR2): 1 = level-triggered.
    var elcr: UInt8 = 0
    /// The IR that currently has the lowest priority (rotation; IR7 after ICW1).
    var lowestPriority: UInt8 = 7
    /// Vector bits T7–T3 from ICW2.
    var vectorBase: UInt8 = 0
    /// ICW3: on the master, the IRs with a slave attached; on the slave, bits 2–0 are its ID.
    var icw3: UInt8
    /// ICW1 SNGL: no slaves, no ICW3.
    var singleMode = false
    /// ICW1 IC4: ICW4 follows.
    var icw4Needed = true
    /// ICW1 LTIM: all inputs level-triggered.
    var levelTriggeredMode = false
    /// ICW4 µPM: 8086/8088 mode (1) or MCS-80/85 (0).
    var x86Mode = true
    /// ICW4 AEOI: automatic end of interrupt at the end of INTA.
    var autoEOI = false
    /// ICW4 BUF and M/S (stored only; they configure pins this model does not have).
    var bufferedMode = false
    var bufferedMaster = false
    /// ICW4 SFNM: special fully nested mode.
    var specialFullyNested = false
    /// OCW2 rotate-in-automatic-EOI flag.
    var rotateOnAutoEOI = false
    /// OCW3 special mask mode.
    var specialMask = false
    /// OCW3 RR/RIS: reads of the command port return ISR (true) or IRR (false).
    var readISR = false
    /// OCW3 P: the next read of the command port is a poll (treated as an acknowledge).
    var pollPending = false
    var initStep = InitStep.ready

    init(isMaster: Bool) {
        self.isMaster = isMaster
        // PC wiring until the guest programs ICW3: slave on master IR2, slave ID 2.
        icw3 = isMaster ? 0x04 : 0x02
    }

    // MARK: Derived state

    /// Inputs treated as level-triggered.
    var levelMask: UInt8 { levelTriggeredMode ? 0xFF : elcr }

    /// Interrupt Request Register: latched edges on edge inputs, the live level on level inputs.
    var irr: UInt8 { (edgeRequests & ~levelMask) | (inputLevels & levelMask) }

    /// Master IRs with a slave attached (none on a slave or in single mode).
    var cascadeMask: UInt8 { isMaster && !singleMode ? icw3 : 0 }

    func isCascade(_ level: Int) -> Bool { cascadeMask & (1 << UInt8(level)) != 0 }

    /// The slave's cascade ID (ICW3 bits 2–0).
    var slaveID: Int { Int(icw3 & 7) }

    /// The INT output: a request would be taken now.
    var interruptOutput: Bool { pendingRequest() != nil }

    /// IRs in priority order, highest first.
    private func priorityOrder() -> some Sequence<Int> {
        let first = Int(lowestPriority) + 1
        return (0..<8).lazy.map { (first + $0) & 7 }
    }

    /// The highest-priority unmasked request that the in-service levels do not block, if any.
    func pendingRequest() -> Int? {
        let requests = irr & ~imr
        guard requests != 0 else { return nil }
        // Special mask mode: masked levels in service no longer block anything (datasheet,
        // "Special Mask Mode"); otherwise every in-service level blocks itself and lower levels.
        let inService = specialMask ? isr & ~imr : isr
        for level in priorityOrder() {
            let bit: UInt8 = 1 << UInt8(level)
            if inService & bit != 0 {
                // Special fully nested mode: a slave in service may still pass up a request
                // of higher priority than the one it is serving.
                if specialFullyNested && requests & bit != 0 && cascadeMask & bit != 0 { return level }
                return nil
            }
            if requests & bit != 0 { return level }
        }
        return nil
    }

    /// The highest-priority in-service level (that a non-specific EOI would clear).
    private func highestInService() -> Int? {
        let inService = specialMask ? isr & ~imr : isr
        guard inService != 0 else { return nil }
        return priorityOrder().first { inService & (1 << UInt8($0)) != 0 }
    }

    // MARK: Inputs

    mutating func setInput(_ level: Int, high: Bool) {
        let bit: UInt8 = 1 << UInt8(level)
        if high {
            if inputLevels & bit == 0 && levelMask & bit == 0 { edgeRequests |= bit }
            inputLevels |= bit
        } else {
            inputLevels &= ~bit
        }
    }

    mutating func setELCR(_ value: UInt8) {
        elcr = value
        // A latch left on an input that became level-triggered would reappear if it turned back.
        edgeRequests &= ~levelMask
    }

    // MARK: Acknowledge

    /// The INTA cycle on this chip: the highest pending level moves from IRR to ISR (or, with
    /// auto-EOI, is ended at once). Nil when nothing is pending (the caller answers IR7).
    mutating func acknowledge() -> Int? {
        guard let level = pendingRequest() else { return nil }
        let bit: UInt8 = 1 << UInt8(level)
        edgeRequests &= ~bit
        if autoEOI {
            if rotateOnAutoEOI { lowestPriority = UInt8(level) }
        } else {
            isr |= bit
        }
        return level
    }

    // MARK: Port access

    mutating func readCommandPort() -> UInt8 {
        if pollPending {
            // Poll command: this read is the acknowledge; bit 7 says whether there was a request.
            pollPending = false
            guard let level = acknowledge() else { return 0 }
            return 0x80 | UInt8(level)
        }
        return readISR ? isr : irr
    }

    mutating func writeCommandPort(_ value: UInt8) {
        if value & 0x10 != 0 {
            writeICW1(value)
        } else if value & 0x08 != 0 {
            writeOCW3(value)
        } else {
            writeOCW2(value)
        }
    }

    mutating func writeDataPort(_ value: UInt8) {
        switch initStep {
        case .ready:
            imr = value
        case .icw2:
            vectorBase = value & 0xF8
            initStep = singleMode ? (icw4Needed ? .icw4 : .ready) : .icw3
        case .icw3:
            icw3 = value
            initStep = icw4Needed ? .icw4 : .ready
        case .icw4:
            x86Mode = value & 0x01 != 0
            autoEOI = value & 0x02 != 0
            bufferedMaster = value & 0x04 != 0
            bufferedMode = value & 0x08 != 0
            specialFullyNested = value & 0x10 != 0
            initStep = .ready
        }
    }

    /// ICW1 starts the initialization sequence. Datasheet: the edge-sense circuit is reset (an
    /// input must rise again), IMR is cleared, IR7 gets the lowest priority, special mask mode
    /// is cleared and status reads return IRR; without IC4 all ICW4 functions are cleared.
    private mutating func writeICW1(_ value: UInt8) {
        icw4Needed = value & 0x01 != 0
        singleMode = value & 0x02 != 0
        levelTriggeredMode = value & 0x08 != 0
        edgeRequests = 0
        imr = 0
        // DEVIATION: the datasheet's list is silent about ISR; we clear it so that a guest
        // re-initializing the chip does not inherit in-service levels nobody will end.
        isr = 0
        lowestPriority = 7
        specialMask = false
        readISR = false
        pollPending = false
        rotateOnAutoEOI = false
        if !icw4Needed {
            x86Mode = false
            autoEOI = false
            bufferedMode = false
            bufferedMaster = false
            specialFullyNested = false
        }
        initStep = .icw2
    }

    /// OCW2: R (bit 7), SL (bit 6), EOI (bit 5), level L2–L0.
    private mutating func writeOCW2(_ value: UInt8) {
        let level = value & 7
        switch value >> 5 {
        case 0b001:  // non-specific EOI
            if let l = highestInService() { isr &= ~(1 << UInt8(l)) }
        case 0b011:  // specific EOI
            isr &= ~(1 << level)
        case 0b101:  // rotate on non-specific EOI
            if let l = highestInService() {
                isr &= ~(1 << UInt8(l))
                lowestPriority = UInt8(l)
            }
        case 0b111:  // rotate on specific EOI
            isr &= ~(1 << level)
            lowestPriority = level
        case 0b100:  // set rotate in automatic EOI mode
            rotateOnAutoEOI = true
        case 0b000:  // clear rotate in automatic EOI mode
            rotateOnAutoEOI = false
        case 0b110:  // set priority: L becomes the lowest
            lowestPriority = level
        default:  // 0b010: no operation
            break
        }
    }

    /// OCW3: ESMM/SMM (bits 6–5), P (bit 2), RR/RIS (bits 1–0).
    private mutating func writeOCW3(_ value: UInt8) {
        if value & 0x40 != 0 { specialMask = value & 0x20 != 0 }
        if value & 0x04 != 0 { pollPending = true }
        if value & 0x02 != 0 { readISR = value & 0x01 != 0 }
    }
}
