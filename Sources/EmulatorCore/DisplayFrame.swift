// One rendered picture of a display adapter's output, as a frontend or a screenshot takes it.

/// A frame of `width` × `height` pixels, row-major from the top-left, each pixel `0x00RRGGBB`.
/// An adapter with nothing to show (blanked, disabled) gives a black frame of its current size.
public struct DisplayFrame: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// `width * height` pixels, 0x00RRGGBB.
    public var pixels: [UInt32]

    /// A black frame.
    public init(width: Int, height: Int) {
        precondition(width >= 0 && height >= 0, "frame sizes are not negative")
        self.width = width
        self.height = height
        pixels = Array(repeating: 0, count: width * height)
    }

    public init(width: Int, height: Int, pixels: [UInt32]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height, "pixel count must be width × height")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The pixel at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> UInt32 {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }
}
