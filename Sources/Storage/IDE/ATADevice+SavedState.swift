// Saved state shared by every ATA device: registers, interrupt request, the PIO position and
// the bytes of the transfer buffer that are still in play.

extension ATADevice {
    /// Version 1 layout; part of `ATADisk.SavedState` and `ATAPIDevice.SavedState`.
    public struct CoreState: Codable, Equatable, Sendable {
        public var taskFile: ATATaskFile
        public var interruptPending: Bool
        /// `Phase` raw value: 0 idle, 1 PIO in, 2 PIO out, 3 DMA in, 4 DMA out.
        public var phase: UInt8
        /// The DRQ data block is buffer bytes `dataIndex ..< dataEnd`.
        public var dataIndex: Int
        public var dataEnd: Int
        /// Buffer bytes `0 ..< buffer.count`: the data of a transfer in progress (a sector the
        /// host is halfway through reading or writing), empty when idle.
        public var buffer: [UInt8]
    }

    func saveCore() -> CoreState {
        let n = min(bufferBytesInUse, Self.bufferCapacity)
        return CoreState(taskFile: taskFile, interruptPending: interruptPending, phase: phase.rawValue,
                         dataIndex: dataIndex, dataEnd: dataEnd, buffer: Array(buffer[0..<n]))
    }

    /// Why `s` could not have come from a device, or nil.
    func validateCore(_ s: CoreState) -> String? {
        guard let phase = Phase(rawValue: s.phase) else { return "unknown transfer phase \(s.phase)" }
        guard s.buffer.count <= Self.bufferCapacity else { return "transfer buffer of \(s.buffer.count) bytes" }
        guard s.dataIndex >= 0, s.dataIndex <= s.dataEnd, s.dataEnd <= Self.bufferCapacity else {
            return "data block \(s.dataIndex)..<\(s.dataEnd) outside the buffer"
        }
        if phase == .pioIn || phase == .pioOut, s.dataEnd > s.buffer.count {
            return "data block ends at \(s.dataEnd) but only \(s.buffer.count) buffer bytes were saved"
        }
        return nil
    }

    /// Takes a validated core state.
    func restoreCore(_ s: CoreState) {
        taskFile = s.taskFile
        interruptPending = s.interruptPending
        phase = Phase(rawValue: s.phase) ?? .idle
        dataIndex = s.dataIndex
        dataEnd = s.dataEnd
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        for (i, b) in s.buffer.enumerated() { buffer[i] = b }
    }
}
