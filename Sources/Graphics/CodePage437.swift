// Code page 437, the character set of the PC's text-mode font ROM, mapped to Unicode.

/// The IBM PC character set (code page 437) as the VGA's stock font draws it: 0x20–0x7E are
/// ASCII, 0x01–0x1F and 0x7F are the font's pictographs (smileys, card suits, arrows, the house),
/// 0x80–0xFF are accented letters, box drawing, blocks, Greek and mathematical signs.
///
/// 0x00 draws as an empty cell on the PC, so it maps to a space here (screen text reads as a
/// person sees it); 0xFF is the no-break space.
public enum CodePage437 {
    /// Unicode scalar for each of the 256 code points.
    public static let scalars: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        for (i, s) in low.unicodeScalars.enumerated() { table[i] = s }
        for c in 0x20..<0x7F { table[c] = Unicode.Scalar(UInt8(c)) }
        table[0x7F] = "\u{2302}"
        for (i, s) in high.unicodeScalars.enumerated() { table[0x80 + i] = s }
        return table
    }()

    /// The character for one code point.
    public static func character(_ code: UInt8) -> Character { Character(scalars[Int(code)]) }

    /// Decodes a run of code points into a String.
    public static func string<S: Sequence>(_ codes: S) -> String where S.Element == UInt8 {
        var s = String.UnicodeScalarView()
        for c in codes { s.append(scalars[Int(c)]) }
        return String(s)
    }

    /// 0x00–0x1F.
    private static let low =
        " \u{263A}\u{263B}\u{2665}\u{2666}\u{2663}\u{2660}\u{2022}\u{25D8}\u{25CB}\u{25D9}\u{2642}\u{2640}\u{266A}\u{266B}\u{263C}"
        + "\u{25BA}\u{25C4}\u{2195}\u{203C}\u{00B6}\u{00A7}\u{25AC}\u{21A8}\u{2191}\u{2193}\u{2192}\u{2190}\u{221F}\u{2194}\u{25B2}\u{25BC}"

    /// 0x80–0xFF, sixteen per line.
    private static let high =
        "ÇüéâäàåçêëèïîìÄÅ"
        + "ÉæÆôöòûùÿÖÜ¢£¥₧ƒ"
        + "áíóúñÑªº¿⌐¬½¼¡«»"
        + "░▒▓│┤╡╢╖╕╣║╗╝╜╛┐"
        + "└┴┬├─┼╞╟╚╔╩╦╠═╬╧"
        + "╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀"
        + "αßΓπΣσµτΦΘΩδ∞φε∩"
        + "≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{00A0}"
}
