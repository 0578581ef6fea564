// ATA command opcodes.

/// Command register opcodes (ATA/ATAPI-6 chapter 8; obsolete ATA-1/2 aliases where DOS-era
/// software still sends them).
public enum ATACommand {
    public static let nop: UInt8 = 0x00
    public static let deviceReset: UInt8 = 0x08
    /// RECALIBRATE: 10h–1Fh (ATA-1; the low nibble was the step rate).
    public static let recalibrate: UInt8 = 0x10
    public static let readSectors: UInt8 = 0x20
    public static let readSectorsNoRetry: UInt8 = 0x21
    public static let readSectorsExt: UInt8 = 0x24
    public static let readDMAExt: UInt8 = 0x25
    public static let readMultipleExt: UInt8 = 0x29
    public static let writeSectors: UInt8 = 0x30
    public static let writeSectorsNoRetry: UInt8 = 0x31
    public static let writeSectorsExt: UInt8 = 0x34
    public static let writeDMAExt: UInt8 = 0x35
    public static let writeMultipleExt: UInt8 = 0x39
    public static let readVerifySectors: UInt8 = 0x40
    public static let readVerifySectorsNoRetry: UInt8 = 0x41
    public static let readVerifySectorsExt: UInt8 = 0x42
    /// SEEK: 70h–7Fh (ATA-1).
    public static let seek: UInt8 = 0x70
    public static let executeDeviceDiagnostic: UInt8 = 0x90
    public static let initializeDeviceParameters: UInt8 = 0x91
    public static let packet: UInt8 = 0xA0
    public static let identifyPacketDevice: UInt8 = 0xA1
    public static let readMultiple: UInt8 = 0xC4
    public static let writeMultiple: UInt8 = 0xC5
    public static let setMultipleMode: UInt8 = 0xC6
    public static let readDMA: UInt8 = 0xC8
    public static let readDMANoRetry: UInt8 = 0xC9
    public static let writeDMA: UInt8 = 0xCA
    public static let writeDMANoRetry: UInt8 = 0xCB
    public static let standbyImmediate: UInt8 = 0xE0
    public static let idleImmediate: UInt8 = 0xE1
    public static let standby: UInt8 = 0xE2
    public static let idle: UInt8 = 0xE3
    public static let checkPowerMode: UInt8 = 0xE5
    public static let sleep: UInt8 = 0xE6
    public static let flushCache: UInt8 = 0xE7
    public static let flushCacheExt: UInt8 = 0xEA
    public static let identifyDevice: UInt8 = 0xEC
    public static let setFeatures: UInt8 = 0xEF

    /// The ATA-1/2 power commands 94h–99h, mapped to their ATA-3 opcodes.
    public static func modernPowerOpcode(_ opcode: UInt8) -> UInt8 {
        switch opcode {
        case 0x94: return standbyImmediate
        case 0x95: return idleImmediate
        case 0x96: return standby
        case 0x97: return idle
        case 0x98: return checkPowerMode
        case 0x99: return sleep
        default: return opcode
        }
    }
}
