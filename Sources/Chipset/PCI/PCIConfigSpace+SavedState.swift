// Saved state of a configuration space: its 256 bytes, checked against what the function allows.

import EmulatorCore

extension PCIConfigSpace {
    /// Version 1 layout: the configuration bytes as software would read them. Part of each PCI
    /// function's own saved state.
    public struct SavedState: Codable, Equatable, Sendable {
        /// 256 bytes; Status.Interrupt Status (bit 3 of byte 6) is the function's INTx# request.
        public var bytes: [UInt8]

        public init(bytes: [UInt8]) { self.bytes = bytes }
    }

    public func saveState() -> SavedState {
        SavedState(bytes: bytes)
    }

    /// Why `state` could not have come from this function (a read-only bit differs from what the
    /// function was built with, or the size is wrong), or nil when it can be restored.
    public func validate(_ state: SavedState) -> String? {
        guard state.bytes.count == Self.size else {
            return "configuration space has \(state.bytes.count) bytes instead of \(Self.size)"
        }
        for o in 0..<Self.size {
            let fixed = ~(writeMask[o] | clearMask[o] | hardwareMask[o])
            if (state.bytes[o] ^ powerOn[o]) & fixed != 0 {
                return "configuration byte 0x\(String(o, radix: 16)) = 0x\(String(state.bytes[o], radix: 16)) "
                    + "changes read-only bits (expected 0x\(String(powerOn[o] & fixed, radix: 16)) under mask "
                    + "0x\(String(fixed, radix: 16)))"
            }
        }
        return nil
    }

    /// Takes a validated state: BAR observers hear about every change in what is decoded, and
    /// the INTx line is driven to the saved request.
    public func restore(_ state: SavedState) {
        precondition(validate(state) == nil, "restore of an unvalidated configuration space")
        bytes = state.bytes
        updateDecoding()
        updateINTx(force: true)
    }
}
