// Ordering of Debian package names by their embedded version numbers.

/// Compares strings the way `sort -V` does for names like "linux-image-6.1.0-50-686-unsigned":
/// runs of digits compare numerically, everything else character by character.
public func versionLess(_ a: String, _ b: String) -> Bool {
    var i = a.unicodeScalars.makeIterator(), j = b.unicodeScalars.makeIterator()
    var ca = i.next(), cb = j.next()
    while let x = ca, let y = cb {
        let xd = ("0"..."9").contains(x), yd = ("0"..."9").contains(y)
        if xd && yd {
            var na = 0, nb = 0
            var xx: Unicode.Scalar? = x, yy: Unicode.Scalar? = y
            while let c = xx, ("0"..."9").contains(c) { na = na * 10 + Int(c.value - 48); xx = i.next() }
            while let c = yy, ("0"..."9").contains(c) { nb = nb * 10 + Int(c.value - 48); yy = j.next() }
            if na != nb { return na < nb }
            ca = xx; cb = yy
            continue
        }
        if x != y { return x.value < y.value }
        ca = i.next(); cb = j.next()
    }
    return ca == nil && cb != nil
}
