// Host errors of the fw_cfg device's configuration.

/// A fw_cfg configuration that cannot be built; the message says what to change.
public enum FwCfgError: Error, CustomStringConvertible, Equatable {
    /// File names are NUL-terminated in a 56-byte field: at most 55 bytes, not empty.
    case badFileName(String)
    case duplicateFileName(String)
    /// More files than selectors 0x0020-0x3FFF can hold.
    case tooManyFiles(Int)
    /// An item larger than its u32 size field can describe.
    case itemTooLarge(name: String, size: Int)

    public var description: String {
        switch self {
        case .badFileName(let name):
            return "fw_cfg file name \"\(name)\" must be 1 to \(FwCfgConfiguration.maxFileNameLength) bytes of ASCII without NUL"
        case .duplicateFileName(let name):
            return "fw_cfg file \"\(name)\" is given twice; give each file once"
        case .tooManyFiles(let count):
            return "\(count) fw_cfg files are more than the \(FwCfgConfiguration.maxFileCount) selectors available"
        case let .itemTooLarge(name, size):
            return "fw_cfg item \(name) is \(size) bytes; items are limited to 4 GiB - 1"
        }
    }
}
