// Constants of the Bochs VBE "DISPI" interface (ports 0x1CE/0x1CF).

/// The Bochs display interface's register indexes, IDs and flags, as Bochs' `vbe.h`, QEMU's
/// `include/hw/display/bochs-vbe.h` and Linux's `bochs-drm` define them (the interface is
/// documented only by those sources).
public enum DISPI {
    /// Register indexes written to 0x1CE (or addressed as 0x500 + 2 × index in BAR2).
    public enum Index {
        public static let id: UInt16 = 0x0
        public static let xRes: UInt16 = 0x1
        public static let yRes: UInt16 = 0x2
        public static let bpp: UInt16 = 0x3
        public static let enable: UInt16 = 0x4
        public static let bank: UInt16 = 0x5
        public static let virtWidth: UInt16 = 0x6
        public static let virtHeight: UInt16 = 0x7
        public static let xOffset: UInt16 = 0x8
        public static let yOffset: UInt16 = 0x9
        public static let videoMemory64K: UInt16 = 0xA
        /// Registers 0–0xA exist.
        static let count: UInt16 = 0xB
    }

    /// ENABLE register bits.
    public enum Enable {
        public static let enabled: UInt16 = 0x01
        /// While set, XRES/YRES/BPP read back the maxima instead of the programmed values.
        public static let getCaps: UInt16 = 0x02
        /// DAC entries are 8 bits per component instead of 6.
        public static let dac8Bit: UInt16 = 0x20
        /// The linear framebuffer is in use (the banked window keeps working as well).
        public static let lfbEnabled: UInt16 = 0x40
        /// Enabling keeps video RAM instead of clearing it.
        public static let noClearMem: UInt16 = 0x80
        static let stored: UInt16 = enabled | getCaps | dac8Bit | lfbEnabled | noClearMem
    }

    /// Interface versions software writes to ID to negotiate; reads give the last accepted one.
    public static let id0: UInt16 = 0xB0C0
    public static let id5: UInt16 = 0xB0C5

    /// Largest resolution accepted (at least what the VGA BIOS and bochs-drm offer).
    public static let maxXRes: UInt16 = 2560
    public static let maxYRes: UInt16 = 1600
    /// Bits per pixel accepted; BPP 0 means 8, as in Bochs.
    public static let validBPP: [UInt16] = [4, 8, 15, 16, 24, 32]
    /// The banked window's size and granularity.
    public static let bankSize = 64 * 1024
}
