// A SCSI data buffer in guest memory, described by a GPA-direct range.

import Storage
import VMBus

/// Adapts the bounded `GuestBuffer` of a GPA-direct range to `SCSIDataBuffer`.
struct GuestDataBuffer: SCSIDataBuffer {
    let buffer: GuestBuffer
    var length: Int { buffer.length }
    func read(at offset: Int, count: Int) -> [UInt8]? { buffer.read(at: offset, count: count) }
    func write(_ bytes: [UInt8], at offset: Int) -> Bool { buffer.write(bytes, at: offset) }
}
