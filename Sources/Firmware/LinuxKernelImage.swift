// A Linux bzImage as the x86 boot protocol describes it (Documentation/arch/x86/boot.rst).

/// A parsed bzImage: the real-mode setup part and the protected-mode kernel, with the fields of
/// the setup header the loader needs. Only protocol 2.02 and later with a loaded-high kernel
/// (bzImage) is accepted.
public struct LinuxKernelImage: Sendable {
    /// Boot protocol version, e.g. 0x020F.
    public let protocolVersion: UInt16
    public let setupSectors: Int
    /// The setup header as it appears at offset 0x1F1 of the image (copied into boot_params).
    public let setupHeader: [UInt8]
    /// The protected-mode kernel (everything after the setup sectors).
    public let protectedModeKernel: [UInt8]
    /// Highest address the initrd may end at (initrd_addr_max; 0x37FFFFFF before 2.03).
    public let initrdAddressMax: UInt32
    /// Maximum command-line length without the NUL (cmdline_size; 255 before 2.06).
    public let commandLineMax: Int
    /// Where the 32-bit kernel wants to start (code32_start, normally 0x100000).
    public let code32Start: UInt32
    /// Memory the kernel needs from its load address while it decompresses (init_size, 2.10+).
    public let initSize: UInt32
    public let relocatable: Bool
    public let kernelAlignment: UInt32

    /// Setup header offsets within the image.
    enum Offset {
        static let setupSects = 0x1F1
        static let bootFlag = 0x1FE
        static let jump = 0x200
        static let headerLength = 0x201
        static let magic = 0x202
        static let version = 0x206
        static let typeOfLoader = 0x210
        static let loadFlags = 0x211
        static let code32Start = 0x214
        static let ramdiskImage = 0x218
        static let ramdiskSize = 0x21C
        static let heapEndPtr = 0x224
        static let cmdLinePtr = 0x228
        static let initrdAddrMax = 0x22C
        static let kernelAlignment = 0x230
        static let relocatableKernel = 0x234
        static let cmdlineSize = 0x238
        static let initSize = 0x260
    }

    public init(_ bytes: [UInt8]) throws(BootError) {
        guard bytes.count >= 0x250 else { throw .notAKernel("the file is only \(bytes.count) bytes long") }
        func u16(_ o: Int) -> UInt16 { UInt16(bytes[o]) | UInt16(bytes[o + 1]) << 8 }
        func u32(_ o: Int) -> UInt32 { UInt32(u16(o)) | UInt32(u16(o + 2)) << 16 }
        guard u16(Offset.bootFlag) == 0xAA55 else { throw .notAKernel("no boot signature 0xAA55 at offset 0x1FE") }
        guard u32(Offset.magic) == 0x5372_6448 else {
            throw .notAKernel("no \"HdrS\" setup header: a kernel older than boot protocol 2.00, or not a bzImage")
        }
        let version = u16(Offset.version)
        guard version >= 0x0202 else {
            let minor = version & 0xFF
            throw .unsupported("boot protocol \(version >> 8).\(minor < 10 ? "0" : "")\(minor) is too old (2.02 or later is needed)")
        }
        guard bytes[Offset.loadFlags] & 1 != 0 else {
            throw .unsupported("a zImage (loaded low) kernel; only bzImage kernels are supported")
        }
        var sects = Int(bytes[Offset.setupSects])
        if sects == 0 { sects = 4 }
        let setupBytes = (sects + 1) * 512
        guard bytes.count > setupBytes else { throw .notAKernel("truncated: the setup part claims \(setupBytes) bytes") }
        // The header runs from 0x1F1 to 0x202 + the byte at 0x201.
        let headerEnd = min(0x202 + Int(bytes[Offset.headerLength]), setupBytes, 0x290)
        protocolVersion = version
        setupSectors = sects
        setupHeader = Array(bytes[Offset.setupSects..<headerEnd])
        protectedModeKernel = Array(bytes[setupBytes...])
        initrdAddressMax = version >= 0x0203 ? u32(Offset.initrdAddrMax) : 0x37FF_FFFF
        commandLineMax = version >= 0x0206 ? Int(u32(Offset.cmdlineSize)) : 255
        code32Start = u32(Offset.code32Start)
        initSize = version >= 0x020A && bytes.count >= Offset.initSize + 4 ? u32(Offset.initSize) : 0
        relocatable = version >= 0x0205 && bytes[Offset.relocatableKernel] != 0
        kernelAlignment = version >= 0x0205 ? u32(Offset.kernelAlignment) : 0x10_0000
    }
}

/// Why a kernel could not be booted; the message says what is wrong with the input.
public enum BootError: Error, CustomStringConvertible, Equatable {
    case notAKernel(String)
    case unsupported(String)
    case doesNotFit(String)

    public var description: String {
        switch self {
        case .notAKernel(let why): return "not a Linux kernel image: \(why)"
        case .unsupported(let why): return "unsupported kernel: \(why)"
        case .doesNotFit(let why): return "the guest does not fit in memory: \(why)"
        }
    }
}
