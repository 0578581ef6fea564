// The device side of an ISA DMA channel: what the DMA controller calls when it grants the bus.

/// A device wired to one ISA DMA channel (the floppy controller on channel 2, a sound card on
/// 1/5). It asserts DREQ with `DMAController.setRequest(channel:active:)`; while DREQ is active
/// and the channel may run, the controller calls `dmaGranted(channel:)` and the device moves its
/// data with `DMAController.writeMemory` / `readMemory` (the DACK cycles), dropping DREQ when it
/// has nothing more to move.
public protocol DMARequester: AnyObject {
    /// The channel is granted (8237A "DACK" active): move data now. Called on the emulation thread,
    /// possibly from inside `setRequest` or a guest write to a mask register.
    func dmaGranted(channel: Int)
}
