// Saved state of devices: versioned value structs, never the runtime objects.

/// A device whose guest-visible state can be saved and restored (see ARCHITECTURE.md, "Save /
/// restore"). The saved state is a plain `Codable` struct built field by field; caches are not
/// saved. `restore` validates what it is given and throws `SnapshotStateError` for values a
/// real device could never hold, instead of trusting them.
public protocol Snapshottable: AnyObject {
    associatedtype SavedState: Codable & Equatable
    /// Section name in a snapshot file, unique per machine (e.g. "pic", "uart.com1").
    var snapshotSection: String { get }
    /// Version of `SavedState`'s layout; bump when fields change meaning.
    static var savedStateVersion: Int { get }
    func saveState() -> SavedState
    func restoreState(_ state: SavedState) throws
}

/// A saved state that cannot be restored.
public struct SnapshotStateError: Error, CustomStringConvertible {
    public var section: String
    public var reason: String
    public init(section: String, reason: String) {
        self.section = section
        self.reason = reason
    }
    public var description: String { "snapshot section \(section): \(reason)" }
}
