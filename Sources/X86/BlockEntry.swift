// A slot of the decoded-block table.

/// Where a decoded block's ops live and what it was decoded from.
struct BlockEntry {
    /// Host address of the block's first byte, with `bigKeyBit` set for CS.D = 1 at decode time
    /// (0 = empty slot). PERF: one compare checks both (scripts/callgrind-cpu.sh, call/ret).
    var key: Int = 0
    /// Physical page the block was decoded from, and that page's code generation at the time.
    var page: UInt32 = 0
    var generation: UInt32 = 0
    /// Index of the first op in the op arena, and the number of instructions.
    var first: Int32 = 0
    var count: Int32 = 0
    /// Bytes the block spans (for the CS limit check at entry).
    var bytes: UInt16 = 0

    /// Marks a key decoded with 32-bit default operand size (host addresses stay far below it).
    static let bigKeyBit = 1 << 62

    @inline(__always) static func key(host: Int, big: Bool) -> Int {
        big ? host | bigKeyBit : host
    }
}
