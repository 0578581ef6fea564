// One address/value pair of a MOO `RAM ` chunk.

/// A byte of guest memory at a physical address.
public struct MOOMemoryByte: Equatable, Sendable {
    public var address: UInt32
    public var value: UInt8

    public init(address: UInt32, value: UInt8) {
        self.address = address
        self.value = value
    }
}
