// Where Ctrl+Alt+S writes its PNG.

import Foundation

/// Chooses the file for a window screenshot: the --screenshot path when one was given (each
/// screenshot replaces it), else the first free `partita-screenshot-N.png` (N = 1, 2, …) in
/// the current directory.
public enum ScreenshotNaming {
    public static func path(configured: String?, directory: String = FileManager.default.currentDirectoryPath,
                            exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) -> String {
        if let configured { return configured }
        var n = 1
        while true {
            let candidate = (directory as NSString).appendingPathComponent("partita-screenshot-\(n).png")
            if !exists(candidate) { return candidate }
            n += 1
        }
    }
}
