// The physical layout of a PC floppy format, recognized from an image's size.

/// Cylinders, heads and 512-byte sectors per track of a standard PC floppy format, with the data
/// rate the controller must select to read it. `detect(byteCount:)` maps a raw image's size to
/// its format: 160K, 180K, 320K, 360K (5.25" DD, 40 tracks), 720K (3.5" DD), 1.2M (5.25" HD),
/// 1.44M (3.5" HD), 1.68M DMF (Microsoft's 21-sector 3.5" HD format) and 2.88M (3.5" ED).
public struct FloppyGeometry: Equatable, Hashable, Codable, Sendable, CustomStringConvertible {
    public var cylinders: Int
    public var heads: Int
    public var sectorsPerTrack: Int
    /// The rates at which the medium's tracks can be read (the first is the usual one; a 40-track
    /// DD medium reads at 250 kbps in a DD drive and 300 kbps in a 1.2M drive).
    public var dataRates: [FloppyDataRate]
    /// The CMOS register 0x10 drive type of the drive that normally holds this medium
    /// (1 = 360K 5.25", 2 = 1.2M 5.25", 3 = 720K 3.5", 4 = 1.44M 3.5", 5 = 2.88M 3.5").
    public var cmosDriveType: UInt8
    public var description: String

    public static let sectorSize = 512
    /// The ID field's N for 512-byte sectors (128 << N).
    public static let sizeCode: UInt8 = 2

    public var sectorCount: Int { cylinders * heads * sectorsPerTrack }
    public var byteCount: UInt64 { UInt64(sectorCount * Self.sectorSize) }

    public static let k160 = FloppyGeometry(cylinders: 40, heads: 1, sectorsPerTrack: 8, dataRates: [.kbps250, .kbps300], cmosDriveType: 1, description: "160K 5.25\" SS/DD")
    public static let k180 = FloppyGeometry(cylinders: 40, heads: 1, sectorsPerTrack: 9, dataRates: [.kbps250, .kbps300], cmosDriveType: 1, description: "180K 5.25\" SS/DD")
    public static let k320 = FloppyGeometry(cylinders: 40, heads: 2, sectorsPerTrack: 8, dataRates: [.kbps250, .kbps300], cmosDriveType: 1, description: "320K 5.25\" DS/DD")
    public static let k360 = FloppyGeometry(cylinders: 40, heads: 2, sectorsPerTrack: 9, dataRates: [.kbps250, .kbps300], cmosDriveType: 1, description: "360K 5.25\" DS/DD")
    public static let k720 = FloppyGeometry(cylinders: 80, heads: 2, sectorsPerTrack: 9, dataRates: [.kbps250], cmosDriveType: 3, description: "720K 3.5\" DS/DD")
    public static let m1_2 = FloppyGeometry(cylinders: 80, heads: 2, sectorsPerTrack: 15, dataRates: [.kbps500], cmosDriveType: 2, description: "1.2M 5.25\" DS/HD")
    public static let m1_44 = FloppyGeometry(cylinders: 80, heads: 2, sectorsPerTrack: 18, dataRates: [.kbps500], cmosDriveType: 4, description: "1.44M 3.5\" DS/HD")
    public static let m1_68DMF = FloppyGeometry(cylinders: 80, heads: 2, sectorsPerTrack: 21, dataRates: [.kbps500], cmosDriveType: 4, description: "1.68M DMF 3.5\" DS/HD")
    public static let m2_88 = FloppyGeometry(cylinders: 80, heads: 2, sectorsPerTrack: 36, dataRates: [.mbps1], cmosDriveType: 5, description: "2.88M 3.5\" DS/ED")

    /// Every recognized format (sizes are distinct).
    public static let standard: [FloppyGeometry] = [.k160, .k180, .k320, .k360, .k720, .m1_2, .m1_44, .m1_68DMF, .m2_88]

    /// The format whose size is exactly `byteCount`, nil for any other size.
    public static func detect(byteCount: UInt64) -> FloppyGeometry? {
        standard.first { $0.byteCount == byteCount }
    }

    /// Byte offset in the image of sector `sector` (1-based) on `cylinder`/`head`, nil when that
    /// sector is not on the medium.
    public func offset(cylinder: Int, head: Int, sector: Int) -> UInt64? {
        guard (0..<cylinders).contains(cylinder), (0..<heads).contains(head),
              (1...sectorsPerTrack).contains(sector) else { return nil }
        let lba = (cylinder * heads + head) * sectorsPerTrack + (sector - 1)
        return UInt64(lba) * UInt64(Self.sectorSize)
    }
}
