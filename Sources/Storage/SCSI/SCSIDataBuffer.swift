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
