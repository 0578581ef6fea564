// Where guest-to-host messages and events go: the VMBus server implements this.

/// Receives what the guest sends through HvPostMessage and HvSignalEvent. Called on the
/// emulation thread in the middle of the guest's VMCALL; the returned status goes back to the
/// guest in EDX:EAX.
public protocol HypercallDelegate: AnyObject {
    /// A validated HvPostMessage. Return `.success`, `.invalidConnectionID` for a connection
    /// nobody listens on, or `.insufficientBuffers` when the queue is full (Linux retries).
    func postMessage(_ message: PostedMessage) -> HypercallStatus

    /// HvSignalEvent for `connectionID` (bits 23:0) and `flagNumber` (< 2048; Linux uses 0).
    /// Return `.success` or `.invalidConnectionID` (Linux ignores the status).
    func signalEvent(connectionID: UInt32, flagNumber: UInt16) -> HypercallStatus
}
