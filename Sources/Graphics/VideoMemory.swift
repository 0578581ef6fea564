// The adapter's video RAM: one fixed host allocation whose address never changes.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Video RAM of `size` bytes (a power of two, at least 256 KiB), zero at power-on.
///
/// The first 256 KiB hold the VGA's four 64 KiB planes interleaved: byte `o` of plane `p` is at
/// `4 * o + p`, so the four plane bytes at one address are one aligned dword (the latches). The
/// Bochs VBE modes and the linear framebuffer see the whole RAM as linear bytes.
///
/// Anonymous memory, zero-filled by the host on first touch: a 16 MiB adapter costs little
/// until the guest draws into it. The address is stable for the object's lifetime.
public final class VideoMemory {
    public let size: Int
    /// SAFETY: `size` bytes, mapped in `init`, unmapped in `deinit`; every index is checked
    /// against `size` (or masked below it) by the code that uses it.
    public let bytes: UnsafeMutablePointer<UInt8>

    public init(size: Int) {
        precondition(size >= 256 * 1024 && size.nonzeroBitCount == 1 && size <= 256 << 20,
                     "video RAM is a power of two from 256 KiB to 256 MiB")
        self.size = size
        guard let mapping = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              mapping != MAP_FAILED else {
            fatalError("cannot map \(size) bytes of video RAM: errno \(errno)")
        }
        bytes = mapping.assumingMemoryBound(to: UInt8.self)
    }

    deinit { munmap(bytes, size) }

    /// Zeroes the whole RAM.
    public func clear() { bytes.update(repeating: 0, count: size) }

    /// Byte `offset`, 0 past the end.
    @inline(__always) public func byte(at offset: Int) -> UInt8 {
        offset >= 0 && offset < size ? bytes[offset] : 0
    }

    /// The four plane bytes at VGA plane offset `offset` (masked to 64 KiB), plane 0 in bits 7:0.
    @inline(__always) func planes(at offset: Int) -> UInt32 {
        // SAFETY: (offset & 0xFFFF) * 4 + 3 < 256 KiB <= size.
        UInt32(littleEndian: UnsafeRawPointer(bytes + ((offset & 0xFFFF) << 2)).load(as: UInt32.self))
    }
}
