// Cylinder/head/sector geometry the BIOS reports for a disk image.

/// A CHS geometry: what INT 13h AH=08h reports and CHS requests are translated with.
public struct DiskGeometry: Equatable, Sendable, Codable {
    public var cylinders: Int
    public var heads: Int
    public var sectorsPerTrack: Int
    /// The drive type of INT 13h AH=08h BL and CMOS byte 10h for floppies (1 = 360K, 2 = 1.2M,
    /// 3 = 720K, 4 = 1.44M, 5 = 2.88M); 0 for hard disks.
    public var floppyType: UInt8

    public var sectors: Int { cylinders * heads * sectorsPerTrack }

    /// The standard PC floppy formats by image size, or nil for a size no PC drive reads.
    public static func floppy(bytes: UInt64) -> DiskGeometry? {
        switch bytes {
        case 163_840: return DiskGeometry(cylinders: 40, heads: 1, sectorsPerTrack: 8, floppyType: 1)
        case 184_320: return DiskGeometry(cylinders: 40, heads: 1, sectorsPerTrack: 9, floppyType: 1)
        case 327_680: return DiskGeometry(cylinders: 40, heads: 2, sectorsPerTrack: 8, floppyType: 1)
        case 368_640: return DiskGeometry(cylinders: 40, heads: 2, sectorsPerTrack: 9, floppyType: 1)
        case 737_280: return DiskGeometry(cylinders: 80, heads: 2, sectorsPerTrack: 9, floppyType: 3)
        case 1_228_800: return DiskGeometry(cylinders: 80, heads: 2, sectorsPerTrack: 15, floppyType: 2)
        case 1_474_560: return DiskGeometry(cylinders: 80, heads: 2, sectorsPerTrack: 18, floppyType: 4)
        case 1_720_320: return DiskGeometry(cylinders: 80, heads: 2, sectorsPerTrack: 21, floppyType: 4)
        case 2_949_120: return DiskGeometry(cylinders: 80, heads: 2, sectorsPerTrack: 36, floppyType: 5)
        default: return nil
        }
    }

    /// The sizes `floppy(bytes:)` accepts, for error messages.
    public static let floppySizes = "160K, 180K, 320K, 360K, 720K, 1.2M, 1.44M, 1.68M or 2.88M"

    /// A hard disk of `sectors` 512-byte sectors with LBA-assisted translation (as BIOSes of the
    /// EDD era do): 63 sectors per track and the fewest heads of 16, 32, 64, 128, 255 that keep
    /// the cylinders at or below 1024; cylinders beyond 1024 are not reachable through CHS.
    public static func hardDisk(sectors: UInt64) -> DiskGeometry {
        let spt = 63
        var heads = 255
        for h in [16, 32, 64, 128] where sectors <= UInt64(1024 * h * spt) {
            heads = h
            break
        }
        let cylinders = max(1, min(1024, Int(sectors / UInt64(heads * spt))))
        return DiskGeometry(cylinders: cylinders, heads: heads, sectorsPerTrack: spt, floppyType: 0)
    }

    /// The LBA of cylinder `c`, head `h`, sector `s` (1-based), or nil outside the geometry.
    public func lba(cylinder c: Int, head h: Int, sector s: Int) -> UInt64? {
        guard c < cylinders, h < heads, s >= 1, s <= sectorsPerTrack else { return nil }
        return UInt64((c * heads + h) * sectorsPerTrack + s - 1)
    }
}
