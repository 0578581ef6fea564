// An interrupt message on the APIC bus: what an I/O APIC redirection entry or an IPI sends.

/// How a receiving local APIC handles an interrupt message (SDM Vol. 3 §10.6.1, "Delivery
/// Mode"; 82093AA datasheet, IOREDTBL bits 10:8). Raw values are the 3-bit register encodings.
public enum APICDeliveryMode: UInt8, Sendable, Codable {
    /// The vector goes into the IRR and is dispatched by priority.
    case fixed = 0b000
    /// Like `fixed`, to the lowest-priority processor of the destination set.
    case lowestPriority = 0b001
    /// System management interrupt (not modelled: dropped on receipt).
    case smi = 0b010
    /// Non-maskable interrupt; the vector is ignored.
    case nmi = 0b100
    /// INIT: the receiving processor and its local APIC take an INIT reset.
    case initialize = 0b101
    /// Start-up IPI; the vector is the page of the start-up code (ICR only).
    case startup = 0b110
    /// The processor answers with an INTA cycle to the external (8259A) controller.
    case extINT = 0b111
}

/// One message on the APIC bus (the 3-wire bus of P6-family systems).
public struct APICMessage: Equatable, Sendable {
    public var vector: UInt8
    public var deliveryMode: APICDeliveryMode
    /// Destination mode: false = physical (APIC ID), true = logical (matched against LDR/DFR).
    public var logicalDestination: Bool
    /// The destination field: an APIC ID (physical; 0xF is broadcast on P6) or a message
    /// destination address (logical).
    public var destination: UInt8
    /// Trigger mode: level-triggered fixed interrupts set the receiver's TMR bit and expect the
    /// EOI broadcast that clears the sender's Remote IRR.
    public var levelTriggered: Bool

    public init(vector: UInt8, deliveryMode: APICDeliveryMode, logicalDestination: Bool,
                destination: UInt8, levelTriggered: Bool) {
        self.vector = vector
        self.deliveryMode = deliveryMode
        self.logicalDestination = logicalDestination
        self.destination = destination
        self.levelTriggered = levelTriggered
    }
}
