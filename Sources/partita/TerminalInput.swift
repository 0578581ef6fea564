// Standard input for the serial console: raw mode on a terminal, Ctrl-A escapes as in QEMU.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Machine

/// Reads standard input on a background thread into a `HostInputQueue`. On a terminal it switches
/// to raw mode (restored at exit) and interprets Ctrl-A x (quit) and Ctrl-A Ctrl-A (send Ctrl-A),
/// like QEMU's `-serial stdio`.
final class TerminalInput: @unchecked Sendable {
    let queue = HostInputQueue()
    private var saved = termios()
    private var isRaw = false
    private var escapePending = false

    /// Starts reading; `quit` runs on the emulation thread when the user types Ctrl-A x.
    func start() {
        if isatty(0) == 1, tcgetattr(0, &saved) == 0 {
            var raw = saved
            cfmakeraw(&raw)
            raw.c_oflag |= tcflag_t(OPOST | ONLCR)  // keep "\n" → "\r\n" for our own messages
            if tcsetattr(0, TCSANOW, &raw) == 0 {
                isRaw = true
                TerminalInput.restoreOnExit = saved
                atexit { TerminalInput.restore() }
            }
        }
        let q = queue
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 256)
            while true {
                let n = read(0, &buffer, buffer.count)
                if n <= 0 { q.close(); return }
                q.push(Array(buffer[0..<n]))
            }
        }
        thread.start()
    }

    /// Filter for `PCMachine.serialInputFilter`: handles the Ctrl-A escapes on a terminal.
    func filter(onQuit: @escaping () -> Void) -> (UInt8) -> Bool {
        guard isRaw else { return { _ in true } }
        return { [self] byte in
            if escapePending {
                escapePending = false
                switch byte {
                case UInt8(ascii: "x"), UInt8(ascii: "X"):
                    onQuit()
                    return false
                case 0x01:
                    return true
                default:
                    return false
                }
            }
            if byte == 0x01 {
                escapePending = true
                return false
            }
            return true
        }
    }

    nonisolated(unsafe) static var restoreOnExit: termios?

    static func restore() {
        if var t = restoreOnExit {
            tcsetattr(0, TCSANOW, &t)
            restoreOnExit = nil
        }
    }
}
