// What a frontend (a window, a headless screenshot) asks of a display adapter.

/// A display adapter seen from the host: it renders its current picture on request and, in a
/// text mode, gives the characters on screen. Called from the emulation thread (the one that owns
/// the device), typically once per host frame; never from the guest's access paths.
public protocol DisplaySource: AnyObject {
    /// Renders the picture the adapter shows at virtual time `nanoseconds` (the time decides the
    /// phase of blinking text and the cursor).
    func renderFrame(atNanoseconds nanoseconds: UInt64) -> DisplayFrame
    /// The text-mode screen as UTF-8 (code page 437 mapped to Unicode), rows joined by "\n",
    /// trailing spaces trimmed per row; nil while the adapter is in a graphics mode.
    func textScreen() -> String?
}
