// Why the SDL window could not be opened.

/// A host error from SDL, with SDL's own explanation; printed as one line.
public struct SDLError: Error, CustomStringConvertible {
    public var description: String

    public init(_ what: String, sdlMessage: String) {
        description = sdlMessage.isEmpty ? what : "\(what): \(sdlMessage)"
    }
}
