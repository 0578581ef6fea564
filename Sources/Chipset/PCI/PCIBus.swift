// PCI bus 0 and configuration mechanism #1 (CONFIG_ADDRESS at 0xCF8, CONFIG_DATA at 0xCFC).

import EmulatorCore

/// PCI bus 0 as the host bridge presents it: configuration mechanism #1 and the functions on
/// the bus, by device (0–31) and function (0–7).
///
/// Ports: CONFIG_ADDRESS 0xCF8 (dword accesses only) and CONFIG_DATA 0xCFC–0xCFF (byte, word or
/// dword; the byte offset comes from the port). 0xCF9 is left to the reset control register
/// (`ResetControl`), as on a PIIX: only a dword access at 0xCF8 is CONFIG_ADDRESS.
///
/// Follows the PCI Local Bus Specification 3.0, 3.2.2.3.2 "Software Generation of Configuration
/// Transactions": CONFIG_ADDRESS holds the enable bit (31), bus (23:16), device (15:11),
/// function (10:8) and register (7:2); bits 30:24 and 1:0 read 0. With the enable bit clear,
/// CONFIG_DATA accesses are ordinary I/O and float high. A configuration read of a function
/// that does not exist ends in master abort and returns all ones, so its Vendor ID reads
/// 0xFFFF. Byte and word accesses to 0xCF8–0xCFB are ordinary I/O (Linux's pci_check_type1
/// writes a byte to 0xCFB before probing with dwords).
///
/// Function 0 of a device gets Header Type bit 7 (multi-function) when another function of the
/// same device is registered, so that software scanning function 0 looks for the others.
///
/// Not modelled: type 1 (other bus numbers) — there are no PCI-to-PCI bridges, so every other
/// bus reads as empty; configuration mechanism #2; special cycles (device 31 function 7
/// register 0 on bus 0 is an ordinary address here); the PCI Express extended space.
public final class PCIBus: PortIODevice {
    /// Fixed I/O ranges the machine claims for this device (0xCF9 is `ResetControl`'s).
    public static let portRanges: [ClosedRange<UInt16>] = [0xCF8...0xCF8, 0xCFA...0xCFF]

    enum Port {
        static let configAddress: UInt16 = 0xCF8
        static let configData: UInt16 = 0xCFC
    }

    /// CONFIG_ADDRESS bits that exist: enable, bus, device, function, register.
    static let configAddressMask: UInt32 = 0x80FF_FFFC
    static let enableBit: UInt32 = 0x8000_0000

    public static let deviceCount = 32
    public static let functionCount = 8

    /// CONFIG_ADDRESS.
    public internal(set) var configAddress: UInt32 = 0
    /// Functions by `device * 8 + function`.
    private var functions: [PCIFunction?] = Array(repeating: nil, count: PCIBus.deviceCount * PCIBus.functionCount)

    /// When set, a function registered with an Interrupt Pin gets its INTx# connected to
    /// `intxRouter(device, pin)` (for example `PIIX3ISABridge.intxLine(device:pin:)`).
    public var intxRouter: ((Int, PCIInterruptPin) -> InterruptLine)?

    public init() {}

    /// Returns CONFIG_ADDRESS to its power-on value; the functions reset themselves.
    public func reset() { configAddress = 0 }

    // MARK: Functions

    /// Puts `function` at `device`:`functionNumber` on the bus.
    public func register(_ function: PCIFunction, device: Int, function functionNumber: Int) {
        precondition((0..<Self.deviceCount).contains(device), "PCI device \(device) does not exist")
        precondition((0..<Self.functionCount).contains(functionNumber), "PCI function \(functionNumber) does not exist")
        precondition(self.function(device: device, function: functionNumber) == nil,
                     "PCI \(device).\(functionNumber) is taken")
        functions[device * Self.functionCount + functionNumber] = function
        if let router = intxRouter, let pin = function.config.interruptPin {
            function.config.connectINTx(router(device, pin))
        }
        updateMultiFunction(device: device)
    }

    /// Removes the function at `device`:`functionNumber` (hot-unplug).
    public func unregister(device: Int, function functionNumber: Int) {
        functions[device * Self.functionCount + functionNumber] = nil
        updateMultiFunction(device: device)
    }

    /// The function at `device`:`functionNumber`, if one is there.
    public func function(device: Int, function functionNumber: Int) -> PCIFunction? {
        functions[device * Self.functionCount + functionNumber]
    }

    private func updateMultiFunction(device: Int) {
        guard let f0 = function(device: device, function: 0) else { return }
        let others = (1..<Self.functionCount).contains { function(device: device, function: $0) != nil }
        if others { f0.config.isMultiFunction = true }
    }

    // MARK: Configuration cycles

    /// A configuration read on bus `bus` (all ones when nothing answers).
    public func readConfig(bus: Int, device: Int, function functionNumber: Int, offset: Int,
                           width: AccessWidth) -> UInt32 {
        guard bus == 0, let f = function(device: device, function: functionNumber) else { return width.mask }
        return f.configRead(offset: offset, width: width) & width.mask
    }

    /// A configuration write on bus `bus` (dropped when nothing answers).
    public func writeConfig(bus: Int, device: Int, function functionNumber: Int, offset: Int,
                            width: AccessWidth, value: UInt32) {
        guard bus == 0, let f = function(device: device, function: functionNumber) else { return }
        f.configWrite(offset: offset, width: width, value: value & width.mask)
    }

    /// The target of a CONFIG_DATA access at `port`, or nil when configuration is disabled.
    private func target(port: UInt16) -> (bus: Int, device: Int, function: Int, offset: Int)? {
        guard configAddress & Self.enableBit != 0 else { return nil }
        return (Int((configAddress >> 16) & 0xFF), Int((configAddress >> 11) & 0x1F),
                Int((configAddress >> 8) & 0x7), Int(configAddress & 0xFC) + Int(port - Port.configData))
    }

    // MARK: PortIODevice

    public func ioRead(port: IOPort, width: AccessWidth) -> UInt32 {
        switch port.value {
        case Port.configAddress where width == .dword:
            return configAddress
        case Port.configData...Port.configData + 3:
            guard let t = target(port: port.value) else { return width.mask }
            let room = Int(Port.configData + 4 - port.value)
            if width.rawValue <= room {
                return readConfig(bus: t.bus, device: t.device, function: t.function, offset: t.offset, width: width)
            }
            // The access runs past 0xCFF: its first bytes are configuration data, the rest are
            // other (unclaimed) ports and float high.
            var v = width.mask
            for i in 0..<room {
                let b = readConfig(bus: t.bus, device: t.device, function: t.function, offset: t.offset + i,
                                   width: .byte)
                v = v & ~(0xFF << UInt32(8 * i)) | b << UInt32(8 * i)
            }
            return v
        default:
            return width.mask
        }
    }

    public func ioWrite(port: IOPort, width: AccessWidth, value: UInt32) {
        switch port.value {
        case Port.configAddress where width == .dword:
            configAddress = value & Self.configAddressMask
        case Port.configData...Port.configData + 3:
            guard let t = target(port: port.value) else { return }
            let room = Int(Port.configData + 4 - port.value)
            if width.rawValue <= room {
                writeConfig(bus: t.bus, device: t.device, function: t.function, offset: t.offset, width: width,
                            value: value)
                return
            }
            for i in 0..<room {
                writeConfig(bus: t.bus, device: t.device, function: t.function, offset: t.offset + i, width: .byte,
                            value: value >> UInt32(8 * i))
            }
        default:
            return
        }
    }
}
