// Saved state of the 8237A pair and the page registers.

import EmulatorCore

extension DMAController: Snapshottable {
    /// Version 1 layout.
    public struct SavedState: Codable, Equatable, Sendable {
        /// DMA1 then DMA2.
        public var chips: [ChipState]
        /// The 16 page latches at 0x80 + index (index 0 unused).
        public var pages: [UInt8]
        /// DREQ levels of channels 0–7 as the devices drive them (bit n = channel n).
        public var deviceRequests: UInt8

        /// One 8237A; field meanings follow `DMAChip`.
        public struct ChipState: Codable, Equatable, Sendable {
            public var channels: [ChannelState]
            public var command: UInt8
            public var terminalCounts: UInt8
            public var softwareRequests: UInt8
            public var mask: UInt8
            public var temporary: UInt8
            public var highByteNext: Bool
        }

        public struct ChannelState: Codable, Equatable, Sendable {
            public var baseAddress: UInt16
            public var baseCount: UInt16
            public var currentAddress: UInt16
            public var currentCount: UInt16
            /// Mode register bits 7–2 (bits 1–0 always 0).
            public var mode: UInt8
        }
    }

    public var snapshotSection: String { "dma" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        SavedState(
            chips: chips.map { chip in
                SavedState.ChipState(
                    channels: chip.channels.map {
                        SavedState.ChannelState(baseAddress: $0.baseAddress, baseCount: $0.baseCount,
                                                currentAddress: $0.currentAddress, currentCount: $0.currentCount,
                                                mode: $0.mode.rawValue)
                    },
                    command: chip.command, terminalCounts: chip.terminalCounts,
                    softwareRequests: chip.softwareRequests, mask: chip.mask, temporary: chip.temporary,
                    highByteNext: chip.highByteNext)
            },
            pages: pages, deviceRequests: deviceRequests)
    }

    public func restoreState(_ state: SavedState) throws {
        func fail(_ reason: String) -> SnapshotStateError {
            SnapshotStateError(section: snapshotSection, reason: reason)
        }
        guard state.chips.count == 2 else { throw fail("\(state.chips.count) chips instead of 2") }
        guard state.pages.count == 16 else { throw fail("\(state.pages.count) page registers instead of 16") }
        var restored: [DMAChip] = []
        for (index, s) in state.chips.enumerated() {
            guard s.channels.count == 4 else { throw fail("DMA\(index + 1) has \(s.channels.count) channels") }
            guard s.terminalCounts | s.softwareRequests | s.mask <= 0x0F else {
                throw fail("DMA\(index + 1) has status/request/mask bits above channel 3")
            }
            guard s.channels.allSatisfy({ $0.mode & 3 == 0 }) else {
                throw fail("DMA\(index + 1) has a mode with channel-select bits")
            }
            var chip = DMAChip()
            chip.channels = s.channels.map {
                DMAChip.Channel(baseAddress: $0.baseAddress, baseCount: $0.baseCount,
                                currentAddress: $0.currentAddress, currentCount: $0.currentCount,
                                mode: DMAChannelMode(rawValue: $0.mode))
            }
            chip.command = s.command
            chip.terminalCounts = s.terminalCounts
            chip.softwareRequests = s.softwareRequests
            chip.mask = s.mask
            chip.temporary = s.temporary
            chip.highByteNext = s.highByteNext
            restored.append(chip)
        }
        guard state.deviceRequests & (1 << UInt8(Self.cascadeChannel)) == 0 else {
            throw fail("a device request on the cascade channel 4")
        }
        chips = restored
        pages = state.pages
        deviceRequests = state.deviceRequests
        // No grant here: a request saved while active was waiting for a mask or command change,
        // and a device restored after us may not be ready yet.
    }
}
