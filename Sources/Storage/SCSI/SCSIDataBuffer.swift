// Where a SCSI command's data goes to or comes from (guest memory behind a transport).

/// The data buffer of one SCSI command as the transport describes it: storvsc's GPA-direct
/// page list, an ATAPI PIO/DMA buffer, or an array in tests. Accesses outside `0 ..< length`
/// or to memory that stopped being RAM return nil / false; the command then fails with a
/// transport error.
public protocol SCSIDataBuffer {
    /// Bytes the initiator provided (storvsc's data_transfer_length).
    var length: Int { get }
    func read(at offset: Int, count: Int) -> [UInt8]?
    func write(_ bytes: [UInt8], at offset: Int) -> Bool
}

/// A data buffer that can lend its bytes as host memory, so READ and WRITE move data straight
/// between the disk backend and the buffer (guest pages) with no intermediate array: one
/// vectored read or write per command.
public protocol SCSIDirectDataBuffer: SCSIDataBuffer {
    /// Calls `body` once with `offset ..< offset + count` as runs of host memory, in order, after
    /// checking that all of it is accessible (guest RAM, looked up again now). With `modifying`,
    /// the caller stores into the runs (a READ from the disk) and the buffer first drops whatever
    /// was derived from the old bytes (decoded guest code). The runs are valid only during `body`.
    ///
    /// Returns false, without calling `body`, when the range is out of bounds or part of it
    /// stopped being accessible: the command's transport error.
    func withHostRuns(at offset: Int, count: Int, modifying: Bool,
                      _ body: ([UnsafeMutableRawBufferPointer]) throws(DiskError) -> Void) throws(DiskError) -> Bool
}
