// What the machine tells the BIOS through the standard CMOS bytes.

/// The machine facts a PC BIOS expects to find in CMOS RAM (see `CMOSLayout`).
public struct CMOSConfiguration: Sendable, Equatable {
    /// Floppy drive type codes (byte 0x10 nibbles).
    public enum FloppyType: UInt8, Sendable {
        case none = 0
        case fiveInch360K = 1
        case fiveInch1200K = 2
        case threeInch720K = 3
        case threeInch1440K = 4
        case threeInch2880K = 5
    }

    /// Primary display (equipment byte bits 5-4).
    public enum Display: UInt8, Sendable {
        /// EGA or VGA, which have their own BIOS.
        case egaOrVGA = 0
        case cga40Columns = 1
        case cga80Columns = 2
        case monochrome = 3
    }

    /// RAM below 4 GiB, in bytes.
    public var ramSize: UInt64
    /// RAM above 4 GiB, in bytes (for a later PAE/64-bit machine).
    public var ramAbove4G: UInt64 = 0
    /// Conventional memory in KiB.
    public var baseMemoryKiB: UInt16 = 640
    public var floppyA: FloppyType = .none
    public var floppyB: FloppyType = .none
    /// Hard disks (0-2), recorded as user-defined type 47.
    public var hardDiskCount: Int = 0
    public var display: Display = .egaOrVGA
    public var mathCoprocessor: Bool = true

    public init(ramSize: UInt64, ramAbove4G: UInt64 = 0, floppyA: FloppyType = .none,
                floppyB: FloppyType = .none, hardDiskCount: Int = 0, display: Display = .egaOrVGA,
                mathCoprocessor: Bool = true) {
        self.ramSize = ramSize
        self.ramAbove4G = ramAbove4G
        self.floppyA = floppyA
        self.floppyB = floppyB
        self.hardDiskCount = hardDiskCount
        self.display = display
        self.mathCoprocessor = mathCoprocessor
    }

    /// Extended hard disk type meaning "parameters supplied by the user/BIOS".
    static let userDefinedDiskType: UInt8 = 47
}
