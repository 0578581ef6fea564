// A SCSI data buffer in guest memory, described by a GPA-direct range.

import Storage
import VMBus

/// Adapts the bounded `GuestBuffer` of a GPA-direct range to `SCSIDataBuffer`; READ and WRITE
/// go directly between the disk backend and the guest's pages (`withHostRuns`).
struct GuestDataBuffer: SCSIDirectDataBuffer {
    let buffer: GuestBuffer
    var length: Int { buffer.length }
    func read(at offset: Int, count: Int) -> [UInt8]? { buffer.read(at: offset, count: count) }
    func write(_ bytes: [UInt8], at offset: Int) -> Bool { buffer.write(bytes, at: offset) }

    func withHostRuns(at offset: Int, count: Int, modifying: Bool,
                      _ body: ([UnsafeMutableRawBufferPointer]) throws(DiskError) -> Void) throws(DiskError) -> Bool {
        try buffer.withHostRuns(at: offset, count: count, modifying: modifying, body)
    }
}
