// A remembered way out of a decoded block.

/// Where one op of a block (its `.blockEnd`, a branch, a RET) last led: the next block's start
/// and its ops, valid while `CPU.linkStamp` is unchanged (no change of CS, privilege level, TLB,
/// decoded-block arena or any code page since). PERF: following a valid link skips the block
/// lookup (scripts/callgrind-cpu.sh, call/ret).
struct BlockLink {
    /// EIP the op left to.
    var target: UInt32 = 0
    /// Instructions in the target block, and the index of its first op in the arena.
    var count: Int32 = 0
    var first: Int32 = 0
    /// `CPU.linkStamp` when the link was made (0: never).
    var stamp: UInt64 = 0
}
