// One ATA channel (cable): the command and control block registers, two device positions,
// device selection, software reset and the INTRQ line.

import EmulatorCore

/// An ATA channel with up to two devices (device 0 "master", device 1 "slave"), reached through
/// its command block (8 registers, offsets 0–7) and control block (Alternate Status / Device
/// Control) as ATA/ATAPI-6 chapter 7 lays them out. Port numbers are the controller's business
/// (the PIIX3 puts the primary channel at 1F0h–1F7h/3F6h on IRQ 14, the secondary at
/// 170h–177h/376h on IRQ 15).
///
/// - Register writes reach both devices' task files; reads come from the selected device
///   (Device register bit 4). Writing any command block register clears Device Control.HOB.
/// - An absent device 1 while device 0 is present (ATA/ATAPI-6 §9.16.1: device 0 answers for
///   it): its Status and Alternate Status read 00h, its other registers read what was last
///   written (its signature after a reset is FFh/FFh), and commands to it are ignored — what
///   Linux's ata_devchk/ata_sff_dev_classify and SeaBIOS's ata_detect take as "no device".
/// - A channel with no device at all floats: every register reads 7Fh (the host's pull-down on
///   DD7, ATA/ATAPI-6 §5.2.5, keeps BSY clear; the other lines float high).
/// - Device Control: SRST (bit 2) holds both devices in reset (BSY) until cleared; nIEN
///   (bit 1) releases INTRQ; HOB (bit 7) selects the previous bytes of the 48-bit FIFOs.
/// - INTRQ follows the selected device's interrupt request unless nIEN is set; reading Status
///   (not Alternate Status) or writing Command clears the request.
///
/// Data register: 16-bit accesses move one word; a 32-bit access moves two words (the PIIX
/// splits it into two 16-bit cycles); an 8-bit access runs a 16-bit cycle and keeps the low byte.
public final class ATAChannel {
    /// Device Control register bits (ATA/ATAPI-6 §7.8).
    public enum DeviceControl {
        public static let nIEN: UInt8 = 0x02
        public static let srst: UInt8 = 0x04
        public static let hob: UInt8 = 0x80
    }

    /// The two device positions (index 0 = master, 1 = slave).
    public let devices: [ATADevice?]
    /// Task file of each absent position (latches writes, as the present device's do).
    var absentTaskFiles = [ATATaskFile(), ATATaskFile()]
    /// Device Control as last written.
    public internal(set) var deviceControl: UInt8 = 0
    /// Which device the Device register selects (0 or 1).
    public internal(set) var selected = 0
    /// The bus master for DMA commands (nil: DMA commands wait forever, as without one).
    public weak var dmaController: ATADMAController?

    let interrupt: InterruptLine
    /// The level last driven on `interrupt`.
    public private(set) var interruptLevel = false

    /// Names the channel in saved state ("ide.primary", say).
    public let name: String

    /// - Parameters:
    ///   - name: the channel's snapshot section name.
    ///   - master, slave: the devices on the cable (nil = position empty).
    ///   - interrupt: the channel's INTRQ (IRQ 14 or 15 on a PC).
    public init(name: String, master: ATADevice?, slave: ATADevice?, interrupt: InterruptLine) {
        self.name = name
        precondition(master == nil || master !== slave, "one device cannot sit in both positions")
        devices = [master, slave]
        self.interrupt = interrupt
        for d in devices { d?.channel = self }
        reset()
    }

    /// Whether any device is attached.
    public var isEmpty: Bool { devices[0] == nil && devices[1] == nil }

    /// The selected device, if present.
    public var selectedDevice: ATADevice? { devices[selected] }

    /// Power-on / hardware reset (RESET-): both devices reset, device 0 selected, INTRQ low.
    public func reset() {
        deviceControl = 0
        selected = 0
        absentTaskFiles = [ATATaskFile(), ATATaskFile()]
        for i in 0..<2 {
            absentTaskFiles[i].loadSignature(packet: false, present: false)
            absentTaskFiles[i].error = ATAErrorRegister.diagnosticPassed
            devices[i]?.hardwareReset()
        }
        updateInterrupt(force: true)
    }

    // MARK: Command block

    /// A read of command block register `offset` (0–7).
    public func readCommandBlock(offset: Int, width: AccessWidth) -> UInt32 {
        if offset == ATATaskFile.Register.data {
            switch width {
            case .byte: return UInt32(readDataWord() & 0xFF)
            case .word: return UInt32(readDataWord())
            case .dword:
                let low = UInt32(readDataWord())
                return low | UInt32(readDataWord()) << 16
            }
        }
        var value: UInt32 = 0
        for i in 0..<width.rawValue where offset + i <= 7 {
            value |= UInt32(readRegister(offset + i)) << (8 * UInt32(i))
        }
        for i in 0..<width.rawValue where offset + i > 7 { value |= 0xFF << (8 * UInt32(i)) }
        return value
    }

    /// A write of command block register `offset` (0–7).
    public func writeCommandBlock(offset: Int, width: AccessWidth, value: UInt32) {
        if offset == ATATaskFile.Register.data {
            switch width {
            case .byte, .word: writeDataWord(UInt16(truncatingIfNeeded: value))
            case .dword:
                writeDataWord(UInt16(truncatingIfNeeded: value))
                writeDataWord(UInt16(truncatingIfNeeded: value >> 16))
            }
            return
        }
        for i in 0..<width.rawValue where offset + i <= 7 {
            writeRegister(offset + i, UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))))
        }
    }

    @inline(__always)
    func readDataWord() -> UInt16 {
        guard deviceControl & DeviceControl.srst == 0, let d = devices[selected] else { return 0xFFFF }
        return d.readDataWord()
    }

    @inline(__always)
    func writeDataWord(_ value: UInt16) {
        guard deviceControl & DeviceControl.srst == 0, let d = devices[selected] else { return }
        d.writeDataWord(value)
    }

    /// A byte register read (offsets 1–7).
    func readRegister(_ register: Int) -> UInt8 {
        if isEmpty { return 0x7F }
        let hob = deviceControl & DeviceControl.hob != 0
        guard let d = devices[selected] else {
            // Device 0 answers for an absent device 1: status 00h, registers as latched.
            if register == ATATaskFile.Register.status { return 0 }
            return absentTaskFiles[selected].read(register: register, hob: hob)
        }
        let value = d.taskFile.read(register: register, hob: hob)
        if register == ATATaskFile.Register.status { d.clearInterrupt() }
        return value
    }

    /// A byte register write (offsets 1–7).
    func writeRegister(_ register: Int, _ value: UInt8) {
        // ATA/ATAPI-6 §7.8: a write to any command block register clears HOB.
        deviceControl &= ~DeviceControl.hob
        if register == ATATaskFile.Register.command {
            writeCommand(value)
            return
        }
        // While a device is busy (SRST held) the registers are not writable.
        guard deviceControl & DeviceControl.srst == 0 else { return }
        for i in 0..<2 {
            if let d = devices[i] { d.taskFile.write(register: register, value: value) }
            else { absentTaskFiles[i].write(register: register, value: value) }
        }
        if register == ATATaskFile.Register.device {
            let newSelection = Int(value >> 4) & 1
            if newSelection != selected {
                selected = newSelection
                updateInterrupt()
                serviceDMA()
            }
        }
    }

    func writeCommand(_ command: UInt8) {
        guard deviceControl & DeviceControl.srst == 0 else { return }
        if command == ATACommand.executeDeviceDiagnostic {
            executeDeviceDiagnostic()
            return
        }
        // Commands to an absent device are not executed (nobody is there to take them).
        guard let d = devices[selected] else { return }
        // A device accepts a new command only with BSY and DRQ clear; DEVICE RESET is the
        // exception a packet device must accept at any time (ATA/ATAPI-6 §8.7).
        if d.taskFile.status.contains(.dataRequest) && !(d.isPacketDevice && command == ATACommand.deviceReset) {
            return
        }
        d.interruptPending = false
        d.taskFile.error = 0
        d.execute(command: command)
        updateInterrupt()
    }

    /// EXECUTE DEVICE DIAGNOSTIC goes to both devices whatever DEV says; device 0 posts the
    /// interrupt (device 1 when it is alone), and device 0 ends up selected.
    func executeDeviceDiagnostic() {
        for d in devices { d?.runDiagnostic() }
        for i in 0..<2 where devices[i] == nil {
            absentTaskFiles[i].loadSignature(packet: false, present: false)
            absentTaskFiles[i].error = ATAErrorRegister.diagnosticPassed
        }
        selected = 0
        (devices[0] ?? devices[1])?.raiseInterrupt()
        updateInterrupt()
    }

    // MARK: Control block

    /// Alternate Status: the selected device's status without clearing its interrupt.
    public func readAlternateStatus() -> UInt8 {
        if isEmpty { return 0x7F }
        return devices[selected]?.taskFile.status.rawValue ?? 0
    }

    /// A write of Device Control.
    public func writeDeviceControl(_ value: UInt8) {
        let old = deviceControl
        deviceControl = value
        let srstWas = old & DeviceControl.srst != 0
        let srstNow = value & DeviceControl.srst != 0
        if srstNow && !srstWas {
            for d in devices { d?.beginSoftwareReset() }
        } else if srstWas && !srstNow {
            // ATA/ATAPI-6 §9.2: the reset completes; device 0 is selected, no interrupt.
            for d in devices { d?.endSoftwareReset() }
            for i in 0..<2 where devices[i] == nil {
                absentTaskFiles[i].loadSignature(packet: false, present: false)
                absentTaskFiles[i].error = ATAErrorRegister.diagnosticPassed
            }
            selected = 0
        }
        updateInterrupt()
    }

    // MARK: Interrupt and DMA

    /// Drives INTRQ from the selected device's request and nIEN.
    func updateInterrupt(force: Bool = false) {
        let level = deviceControl & DeviceControl.nIEN == 0 && (devices[selected]?.interruptPending ?? false)
        guard force || level != interruptLevel else { return }
        interruptLevel = level
        interrupt.setLevel(level)
    }

    /// Runs a pending DMA transfer of the selected device if the bus master is started. The
    /// bus master calls this when its Start bit is set; devices call it when they assert DMARQ.
    public func serviceDMA() {
        guard let controller = dmaController, controller.isActive,
              deviceControl & DeviceControl.srst == 0,
              let d = devices[selected], d.phase == .dmaIn || d.phase == .dmaOut else { return }
        d.runDMA(controller)
        updateInterrupt()
    }

    /// Whether the selected device asserts DMARQ (a DMA transfer is waiting for the bus master).
    public var dmaRequest: Bool {
        guard let d = devices[selected] else { return false }
        return d.phase == .dmaIn || d.phase == .dmaOut
    }
}
