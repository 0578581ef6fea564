// Why a disk overlay record from a snapshot was refused.

/// Why an overlay record from a snapshot could not be put back.
public enum OverlayRecordError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case disk(DiskError)

    public var description: String {
        switch self {
        case .malformed(let why): return "disk overlay record: \(why)"
        case .disk(let e): return "disk overlay: \(e)"
        }
    }
}
