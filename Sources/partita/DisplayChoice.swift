// Which display `partita run` uses: the SDL window or none.

/// The display for a run, from --display, --headless and the environment.
enum DisplayChoice: Equatable {
    /// Headless: no window (the screen is still there for --screenshot and --screen-text).
    case none
    /// The SDL window. `required`: asked for with --display sdl, so failing to open it is an
    /// error; otherwise (the default with $DISPLAY or $WAYLAND_DISPLAY set) the run falls back
    /// to headless with a note on standard error.
    case sdl(required: Bool)

    static func choose(display: String?, headless: Bool, environment: [String: String]) throws -> DisplayChoice {
        switch display {
        case "sdl":
            if headless { throw CommandLineError("--headless contradicts --display sdl") }
            return .sdl(required: true)
        case "none":
            return .none
        case nil:
            if headless { return .none }
            let hasDisplay = ["DISPLAY", "WAYLAND_DISPLAY"].contains { !(environment[$0] ?? "").isEmpty }
            return hasDisplay ? .sdl(required: false) : .none
        case let other?:
            throw CommandLineError("bad --display '\(other)': use sdl or none")
        }
    }
}
