/// Text that came from a file or another program, made safe to print: a spec value
/// holding ESC or other control characters would otherwise drive the terminal
/// (move the cursor, retitle the window, hide the rest of the message).
extension String {
    /// C0 controls (but line feeds, which separate a message's lines), DEL and the C1
    /// controls U+0080..U+009F, written as visible escapes like `\u{1B}`. Backslashes stay
    /// as they are, so escaping text twice gives the same text: callers need not know
    /// whether a message was already escaped.
    public var escapedForTerminal: String { escapingControls(keepLineFeeds: true) }

    /// The same, with line feeds escaped too: for a value quoted inside a one-line message.
    package var escapedOnOneLine: String { escapingControls(keepLineFeeds: false) }

    private func escapingControls(keepLineFeeds: Bool) -> String {
        func needsEscape(_ s: Unicode.Scalar) -> Bool {
            (s.value < 0x20 && !(keepLineFeeds && s == "\n")) || (0x7F...0x9F).contains(s.value)
        }
        guard unicodeScalars.contains(where: needsEscape) else { return self }
        var out = String.UnicodeScalarView()
        for s in unicodeScalars {
            guard needsEscape(s) else {
                out.append(s)
                continue
            }
            let hex = String(s.value, radix: 16, uppercase: true)
            out.append(contentsOf: "\\u{\(hex.count < 2 ? "0" + hex : hex)}".unicodeScalars)
        }
        return String(out)
    }
}
