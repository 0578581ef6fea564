// Saved state of the display adapter: every VGA and DISPI register and video RAM.

import EmulatorCore
import Foundation

extension VGADevice: Snapshottable {
    /// Version 1 layout. Video RAM is stored up to its last non-zero byte (the rest is zero on
    /// restore), so a text-mode machine saves about 64 KiB and only a full framebuffer saves all
    /// of it. The JSON section encoding spends about four bytes per stored byte: a 16 MiB
    /// adapter with all of its RAM drawn on makes a section near the container's 64 MiB payload
    /// limit, which it stays under only while some of the tail is zero.
    public struct SavedState: Codable, Equatable, Sendable {
        public var misc: UInt8
        public var featureControl: UInt8
        public var videoSubsystemEnable: UInt8
        public var sequencerIndex: UInt8
        public var sequencer: [UInt8]
        public var crtcIndex: UInt8
        public var crtc: [UInt8]
        public var graphicsIndex: UInt8
        public var graphics: [UInt8]
        public var attributeIndex: UInt8
        /// The 0x3C0 flip-flop expects data next.
        public var attributeFlipFlop: Bool
        public var attribute: [UInt8]
        /// 768 bytes: R, G, B per entry.
        public var dac: [UInt8]
        public var dacWriteIndex: UInt8
        public var dacReadIndex: UInt8
        public var dacComponent: UInt8
        public var dacReading: Bool
        public var pelMask: UInt8
        public var latches: UInt32
        /// DISPI: index, then registers 0–9 (ID, XRES, YRES, BPP, ENABLE, BANK, VIRT_WIDTH,
        /// VIRT_HEIGHT, X_OFFSET, Y_OFFSET).
        public var dispiIndex: UInt16
        public var dispi: [UInt16]
        /// Bytes of video RAM the adapter has (must match the restoring machine's).
        public var videoMemorySize: Int
        /// Video RAM up to its last non-zero byte. `Data`, so the JSON section holds it as
        /// base64 (4/3 of its size; a fully drawn 16 MiB stays well under the 64 MiB section
        /// limit), not as an array of numbers.
        public var videoMemory: Data
    }

    public var snapshotSection: String { "vga" }
    public static var savedStateVersion: Int { 1 }

    public func saveState() -> SavedState {
        var used = vram.size
        while used > 0 && vram.bytes[used - 1] == 0 { used -= 1 }
        let memory = Data(bytes: vram.bytes, count: used)
        return SavedState(
            misc: misc, featureControl: featureControl, videoSubsystemEnable: videoSubsystemEnable,
            sequencerIndex: sequencerIndex, sequencer: sequencer, crtcIndex: crtcIndex, crtc: crtc,
            graphicsIndex: graphicsIndex, graphics: graphics, attributeIndex: attributeIndex,
            attributeFlipFlop: attributeFlipFlop, attribute: attribute, dac: dac, dacWriteIndex: dacWriteIndex,
            dacReadIndex: dacReadIndex, dacComponent: dacComponent, dacReading: dacReading, pelMask: pelMask,
            latches: latches, dispiIndex: dispiIndex,
            dispi: [dispiID, dispiXRes, dispiYRes, dispiBPP, dispiEnable, dispiBank, dispiVirtWidth,
                    dispiVirtHeight, dispiXOffset, dispiYOffset],
            videoMemorySize: vram.size, videoMemory: memory)
    }

    /// Checks every array's size and every value the registers could not hold, then restores.
    public func restoreState(_ state: SavedState) throws {
        func fail(_ reason: String) -> SnapshotStateError {
            SnapshotStateError(section: snapshotSection, reason: reason)
        }
        guard state.videoMemorySize == vram.size else {
            throw fail("saved with \(state.videoMemorySize) bytes of video RAM; this adapter has \(vram.size)")
        }
        guard state.videoMemory.count <= vram.size else {
            throw fail("\(state.videoMemory.count) bytes of video RAM saved; the adapter has \(vram.size)")
        }
        let sizes = [("sequencer", state.sequencer.count, Count.sequencer), ("CRTC", state.crtc.count, Count.crtc),
                     ("graphics", state.graphics.count, Count.graphics),
                     ("attribute", state.attribute.count, Count.attribute), ("DAC", state.dac.count, 768),
                     ("DISPI", state.dispi.count, 10)]
        for (name, count, expected) in sizes where count != expected {
            throw fail("\(name) registers: \(count) values instead of \(expected)")
        }
        guard state.dacComponent < 3 else { throw fail("DAC component \(state.dacComponent) is not 0–2") }
        let d = state.dispi
        guard (DISPI.id0...DISPI.id5).contains(d[0]), (1...DISPI.maxXRes).contains(d[1]),
              (1...DISPI.maxYRes).contains(d[2]), DISPI.validBPP.contains(d[3]),
              d[4] & ~DISPI.Enable.stored == 0, Int(d[5]) < vram.size / DISPI.bankSize, d[6] >= 1 else {
            throw fail("DISPI registers \(d) hold values the interface never accepts")
        }
        misc = state.misc
        featureControl = state.featureControl
        videoSubsystemEnable = state.videoSubsystemEnable
        sequencerIndex = state.sequencerIndex
        sequencer = zip(state.sequencer, Self.sequencerMask).map { $0 & $1 }
        crtcIndex = state.crtcIndex
        crtc = state.crtc
        graphicsIndex = state.graphicsIndex
        graphics = zip(state.graphics, Self.graphicsMask).map { $0 & $1 }
        attributeIndex = state.attributeIndex & 0x3F
        attributeFlipFlop = state.attributeFlipFlop
        attribute = zip(state.attribute, Self.attributeMask).map { $0 & $1 }
        dac = state.dac
        dacWriteIndex = state.dacWriteIndex
        dacReadIndex = state.dacReadIndex
        dacComponent = state.dacComponent
        dacReading = state.dacReading
        pelMask = state.pelMask
        latches = state.latches
        dispiIndex = state.dispiIndex
        dispiID = d[0]
        dispiXRes = d[1]
        dispiYRes = d[2]
        dispiBPP = d[3]
        dispiEnable = d[4]
        dispiBank = d[5]
        dispiVirtWidth = d[6]
        dispiVirtHeight = d[7]
        dispiXOffset = d[8]
        dispiYOffset = d[9]
        clearVideoMemory()
        state.videoMemory.withUnsafeBytes { src in
            if let base = src.baseAddress { UnsafeMutableRawPointer(vram.bytes).copyMemory(from: base, byteCount: src.count) }
        }
    }
}
