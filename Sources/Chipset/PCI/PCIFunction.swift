// A PCI function as the configuration bus sees it, and the identity values of its header.

import EmulatorCore

/// One function of a PCI device: what `PCIBus` reaches through configuration cycles.
///
/// A function owns a `PCIConfigSpace` that models the standard type 0 header. Functions with
/// device-specific registers implement `configWrite` (and, for registers computed on read,
/// `configRead`): call through to `config` and then act on the registers the access touched
/// (`PCIConfigSpace.access(offset:width:touches:)`).
public protocol PCIFunction: AnyObject {
    /// The function's 256-byte configuration space.
    var config: PCIConfigSpace { get }
    /// A configuration read of `width` bytes at `offset` (0–255); the bus never crosses a dword.
    func configRead(offset: Int, width: AccessWidth) -> UInt32
    /// A configuration write of `width` bytes at `offset` (0–255); the bus never crosses a dword.
    func configWrite(offset: Int, width: AccessWidth, value: UInt32)
}

extension PCIFunction {
    public func configRead(offset: Int, width: AccessWidth) -> UInt32 {
        config.read(offset: offset, width: width)
    }

    public func configWrite(offset: Int, width: AccessWidth, value: UInt32) {
        config.write(offset: offset, width: width, value: value)
    }
}

/// The read-only identification registers of a configuration header (PCI Local Bus
/// Specification 3.0, 6.2.1 "Device Identification").
public struct PCIDeviceIdentity: Equatable, Sendable {
    /// Vendor ID (offset 0x00); 0xFFFF is never valid, it is what an absent function reads.
    public var vendorID: UInt16
    /// Device ID (offset 0x02).
    public var deviceID: UInt16
    /// Revision ID (offset 0x08).
    public var revision: UInt8
    /// Class Code (offsets 0x09–0x0B).
    public var classCode: PCIClassCode
    /// Subsystem Vendor ID (offset 0x2C); 0 when the function does not implement it.
    public var subsystemVendorID: UInt16
    /// Subsystem ID (offset 0x2E).
    public var subsystemID: UInt16

    public init(vendorID: UInt16, deviceID: UInt16, revision: UInt8, classCode: PCIClassCode,
                subsystemVendorID: UInt16 = 0, subsystemID: UInt16 = 0) {
        precondition(vendorID != 0xFFFF, "vendor ID 0xFFFF means 'no function'")
        self.vendorID = vendorID
        self.deviceID = deviceID
        self.revision = revision
        self.classCode = classCode
        self.subsystemVendorID = subsystemVendorID
        self.subsystemID = subsystemID
    }
}

/// The three-byte Class Code: base class, sub-class and programming interface
/// (PCI Local Bus Specification 3.0, appendix D).
public struct PCIClassCode: Equatable, Sendable {
    public var baseClass: UInt8
    public var subclass: UInt8
    public var programmingInterface: UInt8

    public init(baseClass: UInt8, subclass: UInt8, programmingInterface: UInt8 = 0) {
        self.baseClass = baseClass
        self.subclass = subclass
        self.programmingInterface = programmingInterface
    }

    /// 06/00: host bridge.
    public static let hostBridge = PCIClassCode(baseClass: 0x06, subclass: 0x00)
    /// 06/01: ISA bridge.
    public static let isaBridge = PCIClassCode(baseClass: 0x06, subclass: 0x01)
    /// 06/80: other bridge device (the PIIX4 power-management function reports this).
    public static let otherBridge = PCIClassCode(baseClass: 0x06, subclass: 0x80)
}

/// The Interrupt Pin register's values (offset 0x3D): which INTx# a function uses.
public enum PCIInterruptPin: UInt8, Sendable, CaseIterable {
    case intA = 1, intB, intC, intD
}

/// The Command register (offset 0x04), PCI Local Bus Specification 3.0, 6.2.2.
public struct PCICommand: OptionSet, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// I/O Space: the function answers I/O cycles to its I/O BARs.
    public static let ioSpace = PCICommand(rawValue: 1 << 0)
    /// Memory Space: the function answers memory cycles to its memory BARs.
    public static let memorySpace = PCICommand(rawValue: 1 << 1)
    /// Bus Master: the function may start bus cycles (DMA).
    public static let busMaster = PCICommand(rawValue: 1 << 2)
    /// Special Cycles.
    public static let specialCycles = PCICommand(rawValue: 1 << 3)
    /// Memory Write and Invalidate Enable.
    public static let memoryWriteAndInvalidate = PCICommand(rawValue: 1 << 4)
    /// VGA Palette Snoop.
    public static let vgaPaletteSnoop = PCICommand(rawValue: 1 << 5)
    /// Parity Error Response.
    public static let parityErrorResponse = PCICommand(rawValue: 1 << 6)
    /// SERR# Enable.
    public static let serrEnable = PCICommand(rawValue: 1 << 8)
    /// Fast Back-to-Back Enable.
    public static let fastBackToBack = PCICommand(rawValue: 1 << 9)
    /// Interrupt Disable (PCI 2.3): the function may not assert INTx#.
    public static let interruptDisable = PCICommand(rawValue: 1 << 10)
}

/// The Status register (offset 0x06), PCI Local Bus Specification 3.0, 6.2.3. Error bits are
/// "write 1 to clear".
public struct PCIStatus: OptionSet, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Interrupt Status (PCI 2.3, read-only): the function requests an interrupt, whatever
    /// Interrupt Disable says.
    public static let interruptStatus = PCIStatus(rawValue: 1 << 3)
    /// Capabilities List: offset 0x34 points at a capability list.
    public static let capabilitiesList = PCIStatus(rawValue: 1 << 4)
    /// 66 MHz Capable.
    public static let capable66MHz = PCIStatus(rawValue: 1 << 5)
    /// Fast Back-to-Back Capable.
    public static let fastBackToBackCapable = PCIStatus(rawValue: 1 << 7)
    /// Master Data Parity Error (RW1C).
    public static let masterDataParityError = PCIStatus(rawValue: 1 << 8)
    /// DEVSEL# timing: medium (bits 10:9 = 01).
    public static let devselMedium = PCIStatus(rawValue: 1 << 9)
    /// Signaled Target Abort (RW1C).
    public static let signaledTargetAbort = PCIStatus(rawValue: 1 << 11)
    /// Received Target Abort (RW1C).
    public static let receivedTargetAbort = PCIStatus(rawValue: 1 << 12)
    /// Received Master Abort (RW1C).
    public static let receivedMasterAbort = PCIStatus(rawValue: 1 << 13)
    /// Signaled System Error (RW1C).
    public static let signaledSystemError = PCIStatus(rawValue: 1 << 14)
    /// Detected Parity Error (RW1C).
    public static let detectedParityError = PCIStatus(rawValue: 1 << 15)

    /// The error bits software clears by writing 1s.
    public static let writeOneToClear: PCIStatus = [
        .masterDataParityError, .signaledTargetAbort, .receivedTargetAbort, .receivedMasterAbort,
        .signaledSystemError, .detectedParityError,
    ]
}
