// The effective-address record of a MOO `EA32` chunk (80386 tests).

/// How the captured CPU formed the memory operand's address; informational, not needed to run.
public struct MOOEffectiveAddress: Equatable, Sendable {
    /// Segment register enumeration of the format: 0 CS, 1 SS, 2 DS, 3 ES, 4 FS, 5 GS.
    public var segment: UInt8
    public var selector: UInt16
    public var base: UInt32
    public var limit: UInt32
    public var offset: UInt32
    public var linearAddress: UInt32
    public var physicalAddress: UInt32

    public init(segment: UInt8, selector: UInt16, base: UInt32, limit: UInt32, offset: UInt32,
                linearAddress: UInt32, physicalAddress: UInt32) {
        self.segment = segment
        self.selector = selector
        self.base = base
        self.limit = limit
        self.offset = offset
        self.linearAddress = linearAddress
        self.physicalAddress = physicalAddress
    }

    /// "cs", "ss" … or "seg<n>" for values the format does not define.
    public var segmentName: String {
        let names = ["cs", "ss", "ds", "es", "fs", "gs"]
        return Int(segment) < names.count ? names[Int(segment)] : "seg\(segment)"
    }
}
