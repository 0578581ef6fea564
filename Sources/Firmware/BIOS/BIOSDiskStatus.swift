// INT 13h status codes (AH on return, BDA 40:41h for floppies and 40:74h for hard disks).

/// The status a disk function returns in AH (IBM PC/AT BIOS; EDD and El Torito additions).
enum BIOSDiskStatus: UInt8 {
    case success = 0x00
    /// Invalid function or parameter (also: no such drive).
    case invalidParameter = 0x01
    case addressMarkNotFound = 0x02
    case writeProtected = 0x03
    case sectorNotFound = 0x04
    case resetFailed = 0x05
    case mediaChanged = 0x06
    /// A floppy transfer would cross a 64 KiB physical boundary (the 8237's address counter
    /// wraps inside a 64 KiB page, so the BIOS refuses such a buffer).
    case dmaBoundary = 0x09
    case mediaTypeNotFound = 0x0C
    case uncorrectableRead = 0x10
    case controllerFailure = 0x20
    case seekFailed = 0x40
    /// Floppy drive not ready (no drive or no diskette).
    case timeout = 0x80
    case volumeNotRemovable = 0xB0
    case volumeLocked = 0xB1
    case writeFault = 0xCC
}
