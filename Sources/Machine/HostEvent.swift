// One input event from a host frontend (a window) for the machine's PS/2 devices.

import Chipset

/// An input event a frontend hands to the emulation thread through a `HostEventQueue`.
public enum HostEvent: Hashable, Sendable {
    /// A key went down or came up: goes to the PS/2 keyboard.
    case key(PS2KeyEvent)
    /// Mouse motion, a wheel turn or a button change: goes to the PS/2 mouse.
    case mouse(PS2MouseEvent)
}
