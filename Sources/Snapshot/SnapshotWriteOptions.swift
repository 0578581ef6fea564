// Knobs of the snapshot writer.

import Foundation

/// How `SnapshotFile.write` compresses and stores a snapshot.
public struct SnapshotWriteOptions: Sendable {
    /// Bytes of RAM per chunk: a power of two from 4 KiB to 64 MiB.
    public var chunkSize = SnapshotFile.defaultChunkSize
    /// zstd level (1–19, or negative for zstd's faster modes). 1, zstd's fastest regular level,
    /// because the guest is paused while its snapshot is written; on 256 MiB of
    /// `SnapshotBenchmark.mixedRAM` (release, 2 cores) levels 1 and 3 compressed at about 1250
    /// and 1200 MiB/s to 85.5 and 84.7 MiB. Raise it for snapshots that are kept.
    public var compressionLevel = 1
    /// Threads compressing RAM chunks concurrently.
    public var threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// The creation time recorded in the manifest (tests pin it to get identical files).
    public var created = Date()
    /// fsync the file (and its directory after the rename) so the snapshot survives a power loss.
    public var syncToDisk = true

    public init() {}
}
