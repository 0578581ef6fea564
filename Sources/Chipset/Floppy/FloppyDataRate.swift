// The floppy data rates an 82077AA selects with DSR/CCR bits 1–0.

/// A data rate, as the 2-bit DRATE code of the Data Rate Select and Configuration Control
/// registers (82077AA datasheet, "Data Rate Select Register" table for MFM).
public enum FloppyDataRate: UInt8, Codable, Sendable, CustomStringConvertible {
    case kbps500 = 0
    case kbps300 = 1
    case kbps250 = 2
    case mbps1 = 3

    public var description: String {
        switch self {
        case .kbps500: return "500 kbps"
        case .kbps300: return "300 kbps"
        case .kbps250: return "250 kbps"
        case .mbps1: return "1 Mbps"
        }
    }
}
