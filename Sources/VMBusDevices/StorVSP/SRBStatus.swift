// SRB status codes of a storvsc completion.

/// `vm_srb.srb_status` values storvsc interprets (vmbus-facts.md §11.3): a code in the low
/// bits, flag bits 0x80 (autosense valid) and 0x40 (queue frozen).
public enum SRBStatus {
    public static let success: UInt8 = 0x01
    public static let aborted: UInt8 = 0x02
    public static let error: UInt8 = 0x04
    public static let invalidRequest: UInt8 = 0x06
    /// The target did not answer selection.
    public static let selectionTimeout: UInt8 = 0x0A
    public static let dataOverrun: UInt8 = 0x12
    /// No such LUN: storvsc maps it to DID_NO_CONNECT and removes the device.
    public static let invalidLUN: UInt8 = 0x20
    /// Flag: sense data is valid.
    public static let autosenseValid: UInt8 = 0x80
}
