// The PIIX3 PCI-to-ISA bridge (function 0) and its PIRQ router: PCI INTx lines to ISA IRQs.

import EmulatorCore

/// The PCI-to-ISA bridge: function 0 of the Intel 82371SB PIIX3, PCI 00:01.0 (8086:7000,
/// class 06/01, multi-function), with the PIRQ interrupt router.
///
/// Follows the 82371SB datasheet's function 0 registers. The four PIRQ Route Control registers
/// PIRQRC[A:D] (0x60–0x63) steer the PCI interrupt lines PIRQA#–PIRQD# to ISA IRQs: bit 7
/// (IRQROUTEEN, active low) disables the routing, bits 3:0 name the IRQ; only IRQ 3–7, 9–12,
/// 14 and 15 can be chosen (other values route nowhere). Bits 6:4 are reserved and read 0.
/// Power-on value 0x80: not routed. This is the register pair Linux's PIIX router
/// (arch/x86/pci/irq.c) reads and writes.
///
/// PCI interrupts are active-low, level-sensitive and shared: a PIRQ line is asserted while any
/// function wired to it asserts INTx#, and an ISA IRQ is driven high while any PIRQ routed to it
/// (or any other input given by `isaIRQInput`, such as the ACPI SCI) is asserted. Rerouting
/// moves an asserted level from the old IRQ to the new one. Making a routed IRQ level-triggered
/// is the guest's job, through the ELCR (`PIC`, ports 0x4D0/0x4D1), as on real boards.
/// The bridge drives the controller's IRQ input itself, so another source on an IRQ that a PIRQ
/// may be routed to must come in through `isaIRQInput` to be ORed rather than overwritten (the
/// firmware's $PIR / _PRS lists keep IRQs of ISA devices out of the routing choices anyway).
/// Optionally the PIRQ levels also drive I/O APIC inputs (pins 16–19 on the usual board wiring)
/// whatever the route registers say.
///
/// Stored only: IORT, XBCS, TOM (top of memory for ISA/DMA forwarding), MSTAT, MBIRQ0/1,
/// MBDMA0/1, PCSC, APICBASE, DLC, SMICNTL, SMIEN, SEE, FTMR, SMIREQ, CTLTMR, CTHTMR.
///
/// Not modelled: the motherboard IRQ routing of MBIRQ0/1, the ISA DMA and X-bus decode that
/// XBCS and TOM configure (the machine's memory map decides), SMI generation, the ISA
/// devices the PIIX3 integrates (PIC, PIT, DMA are their own devices here). Functions 1 (IDE)
/// and 2 (USB) are separate `PCIFunction`s.
public final class PIIX3ISABridge: PCIFunction {
    public static let identity = PCIDeviceIdentity(vendorID: 0x8086, deviceID: 0x7000, revision: 0x00,
                                                   classCode: .isaBridge)
    /// Where the bridge sits: bus 0, device 1, function 0.
    public static let device = 1

    /// Configuration register offsets.
    public enum Register {
        /// PIRQ Route Control for PIRQA# (PIRQB#–PIRQD# follow).
        public static let pirqRouteA = 0x60
        /// Top of Memory.
        public static let tom = 0x69
    }

    /// Route register bit 7: routing disabled.
    static let routeDisabled: UInt8 = 0x80
    /// The ISA IRQs a PIRQ can be steered to.
    public static let routableIRQs: Set<Int> = [3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15]
    public static let pirqCount = 4

    public let config: PCIConfigSpace
    private let isaIRQ: (Int) -> InterruptLine
    private let ioAPICInputs: [InterruptLine]
    private var outputLines: [Int: InterruptLine] = [:]
    /// Inputs handed out by `pirqLine` and `isaIRQInput`, in order.
    var inputs: [RouterInput] = []
    /// The level last driven on each ISA IRQ line.
    private var drivenIRQ = Array(repeating: false, count: 16)
    /// The level last driven on each I/O APIC input.
    private var drivenIOAPIC: [Bool]

    /// - Parameters:
    ///   - isaIRQ: the interrupt controller's input for an ISA IRQ (`pic.irq`).
    ///   - ioAPICInputs: up to four lines the PIRQ levels also drive (I/O APIC pins 16–19).
    public init(isaIRQ: @escaping (Int) -> InterruptLine, ioAPICInputs: [InterruptLine] = []) {
        precondition(ioAPICInputs.count <= Self.pirqCount, "there are four PIRQ lines")
        self.isaIRQ = isaIRQ
        self.ioAPICInputs = ioAPICInputs
        drivenIOAPIC = Array(repeating: false, count: ioAPICInputs.count)
        config = PCIConfigSpace(identity: Self.identity, command: [.ioSpace, .memorySpace, .busMaster],
                                commandWriteMask: [.specialCycles], status: [.devselMedium])
        config.isMultiFunction = true
        config.defineRegister(at: PCIConfigSpace.Offset.cacheLineSize, width: .byte, value: 0)
        config.defineRegister(at: PCIConfigSpace.Offset.latencyTimer, width: .byte, value: 0)
        // Stored-only registers with their power-on values.
        let stored: [(Int, AccessWidth, UInt32)] = [
            (0x4C, .byte, 0x4D),  // IORT: ISA I/O recovery timer
            (0x4E, .word, 0x0003),  // XBCS: X-bus chip select
            (0x69, .byte, 0x02),  // TOM: top of memory
            (0x6A, .word, 0x0000),  // MSTAT: miscellaneous status
            (0x70, .byte, 0x80), (0x71, .byte, 0x80),  // MBIRQ0/1: motherboard IRQ routing
            (0x76, .byte, 0x0C), (0x77, .byte, 0x0C),  // MBDMA0/1: motherboard DMA
            (0x78, .word, 0x0002),  // PCSC: programmable chip select
            (0x80, .byte, 0x00),  // APICBASE
            (0x82, .byte, 0x00),  // DLC: deterministic latency control
            (0xA0, .byte, 0x08),  // SMICNTL
            (0xA2, .word, 0x0000),  // SMIEN
            (0xA4, .dword, 0x0000_0000),  // SEE: system event enable
            (0xA8, .byte, 0x0F),  // FTMR: fast-off timer
            (0xAA, .word, 0x0000),  // SMIREQ
            (0xAC, .byte, 0x00), (0xAE, .byte, 0x00),  // CTLTMR, CTHTMR: clock throttle
        ]
        for (offset, width, value) in stored {
            config.defineRegister(at: offset, width: width, value: value, writeMask: width.mask)
        }
        for n in 0..<Self.pirqCount {
            config.defineRegister(at: Register.pirqRouteA + n, width: .byte, value: UInt32(Self.routeDisabled),
                                  writeMask: 0x8F)
        }
    }

    // MARK: Wiring

    /// The PIRQ that INTx# `pin` of a function in slot `device` reaches on this board:
    /// (device + pin − 1) mod 4 with the pin numbered as the Interrupt Pin register does
    /// (INTA# = 1). Device 1 INTA# is PIRQB, device 2 INTA# PIRQC, device 3 INTA# PIRQD,
    /// device 4 INTA# PIRQA. The ACPI _PRT and the $PIR table must say the same.
    public static func pirq(device: Int, pin: PCIInterruptPin) -> Int {
        (device + Int(pin.rawValue) - 1) % pirqCount
    }

    /// A new input into PIRQ `n` (0–3 for PIRQA#–PIRQD#, active high here). Each call returns a
    /// separate wire; the PIRQ is asserted while any of them is high.
    public func pirqLine(_ n: Int) -> InterruptLine {
        precondition((0..<Self.pirqCount).contains(n), "PIRQ \(n) does not exist")
        let input = RouterInput(bridge: self, pirq: n, isaIRQ: nil)
        inputs.append(input)
        return input
    }

    /// A new input for INTx# `pin` of a function in slot `device`, through the board's swizzle.
    public func intxLine(device: Int, pin: PCIInterruptPin) -> InterruptLine {
        pirqLine(Self.pirq(device: device, pin: pin))
    }

    /// A new input that shares ISA IRQ `irq` with the PIRQs routed there (ORed with them): for
    /// sources on the same IRQ as PCI interrupts, such as the ACPI SCI on IRQ 9.
    public func isaIRQInput(_ irq: Int) -> InterruptLine {
        precondition((0..<16).contains(irq), "ISA IRQ \(irq) does not exist")
        let input = RouterInput(bridge: self, pirq: nil, isaIRQ: irq)
        inputs.append(input)
        return input
    }

    // MARK: State

    /// The ISA IRQ PIRQ `n` is routed to, or nil when routing is disabled or the value reserved.
    public func routedIRQ(pirq n: Int) -> Int? {
        let value = UInt8(config.raw(offset: Register.pirqRouteA + n, width: .byte))
        guard value & Self.routeDisabled == 0 else { return nil }
        let irq = Int(value & 0x0F)
        return Self.routableIRQs.contains(irq) ? irq : nil
    }

    /// Whether PIRQ `n` is asserted (some input wired to it is high).
    public func pirqLevel(_ n: Int) -> Bool {
        inputs.contains { $0.pirq == n && $0.level }
    }

    /// Returns the registers to power-on values (no PIRQ routed); the input levels are kept.
    public func reset() {
        config.reset()
        update()
    }

    // MARK: PCIFunction

    public func configWrite(offset: Int, width: AccessWidth, value: UInt32) {
        config.write(offset: offset, width: width, value: value)
        if PCIConfigSpace.access(offset: offset, width: width,
                                 touches: Register.pirqRouteA...Register.pirqRouteA + Self.pirqCount - 1) {
            update()
        }
    }

    // MARK: Routing

    /// Drives every ISA IRQ and I/O APIC input to the OR of what is routed to it, touching only
    /// lines whose level changes.
    func update() {
        var want = Array(repeating: false, count: 16)
        var pirqs = Array(repeating: false, count: Self.pirqCount)
        for input in inputs where input.level {
            if let p = input.pirq { pirqs[p] = true }
            if let irq = input.isaIRQ { want[irq] = true }
        }
        for p in 0..<Self.pirqCount where pirqs[p] {
            if let irq = routedIRQ(pirq: p) { want[irq] = true }
        }
        for irq in 0..<16 where want[irq] != drivenIRQ[irq] {
            drivenIRQ[irq] = want[irq]
            outputLine(irq).setLevel(want[irq])
        }
        for (p, line) in ioAPICInputs.enumerated() where pirqs[p] != drivenIOAPIC[p] {
            drivenIOAPIC[p] = pirqs[p]
            line.setLevel(pirqs[p])
        }
    }

    private func outputLine(_ irq: Int) -> InterruptLine {
        if let line = outputLines[irq] { return line }
        let line = isaIRQ(irq)
        outputLines[irq] = line
        return line
    }
}

/// One wire into the router: a function's INTx# on a PIRQ, or another source on an ISA IRQ.
final class RouterInput: InterruptLine {
    private unowned let bridge: PIIX3ISABridge
    let pirq: Int?
    let isaIRQ: Int?
    var level = false

    init(bridge: PIIX3ISABridge, pirq: Int?, isaIRQ: Int?) {
        self.bridge = bridge
        self.pirq = pirq
        self.isaIRQ = isaIRQ
    }

    func setLevel(_ high: Bool) {
        guard high != level else { return }
        level = high
        bridge.update()
    }
}
