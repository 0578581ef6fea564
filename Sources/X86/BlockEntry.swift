// A slot of the decoded-block table.

/// Where a decoded block's ops live and what it was decoded from.
struct BlockEntry {
    /// Host address of the block's first byte (0 = empty slot).
    var host: Int = 0
    /// Physical page the block was decoded from, and that page's code generation at the time.
    var page: UInt32 = 0
    var generation: UInt32 = 0
    /// Index of the first op in the op arena, and the number of ops.
    var first: Int32 = 0
    var count: Int32 = 0
    /// Bytes the block spans (for the CS limit check at entry).
    var bytes: UInt16 = 0
    /// CS.D at decode time.
    var big: Bool = false
    /// Arena epoch the ops belong to (the arena is recycled when full).
    var epoch: UInt32 = 0
}
