//! Output that cannot be executed: every string a report interpolates (paths, messages, help,
//! labels, notes, snippets) goes through here, so that nothing read from the scanned files
//! can drive a terminal or a CI runner.
//!
//! - Characters a terminal or a log reader acts on are *unsafe*: C0 controls except tab, DEL,
//!   C1 controls, and the Unicode format characters that reorder or break lines (bidi
//!   embeddings, overrides and isolates, the direction marks, U+2028 and U+2029).
//! - In a text field they become visible escapes (`\n`, `\r`, `\x1b`, `\u{202e}`), so a field
//!   is always one line; in a source snippet each becomes one visible character (a Unicode
//!   control picture, `␛` for ESC), so that columns and underlines stay right.
//! - The GitHub runner executes a line that starts with `::` after leading white space, and a
//!   legacy `##[command]` anywhere in a line. Fields and snippets break every `##[`, and
//!   [`guard_lines`] makes sure no line of a text report starts with `::`; only the `github`
//!   format writes its own commands, with their data and properties escaped as the runner
//!   expects ([`crate::report::github`]).
//! - JSON and SARIF keep the exact strings: [`json`] only turns the characters serde_json
//!   leaves raw (DEL, C1, bidi, line separators) and `##[` into `\u` escapes, which decode
//!   to the same text.

use std::borrow::Cow;

/// The legacy workflow-command prefix the GitHub runner looks for anywhere in a line.
const LEGACY_COMMAND: &str = "##[";

/// Whether a terminal or a log reader could act on `c` (see the module documentation).
pub fn is_unsafe(c: char) -> bool {
    match c {
        '\t' => false,
        '\0'..='\x1f' | '\x7f'..='\u{9f}' => true,
        '\u{200e}' | '\u{200f}' | '\u{061c}' => true,
        '\u{2028}' | '\u{2029}' => true,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

/// Whether `s` holds an unsafe character ([`is_unsafe`]; a line feed counts unless
/// `line_feed_is_safe`), without decoding it: one vectorisable pass for the one-byte ones
/// (C0 but tab, DEL), then a look at the bytes after each lead byte that may start one of
/// the others (C1, U+061C and U+200E–U+2069 start with 0xC2, 0xD8 and 0xE2, which in UTF-8
/// never continue a character), so that text with `…` or `→` costs no more.
fn has_unsafe(s: &str, line_feed_is_safe: bool) -> bool {
    // A control that is safe besides tab: the line feed, or tab again.
    let also_safe = if line_feed_is_safe { b'\n' } else { b'\t' };
    if any_byte(s, |b| {
        ((b < 0x20) & (b != b'\t') & (b != also_safe)) | (b == 0x7f)
    }) {
        return true;
    }
    let bytes = s.as_bytes();
    memchr::memchr3_iter(0xc2, 0xd8, 0xe2, bytes).any(|at| {
        let next = |k: usize| bytes.get(at + k).copied().unwrap_or(0);
        match bytes[at] {
            // U+0080–U+009F
            0xc2 => (0x80..=0x9f).contains(&next(1)),
            // U+061C
            0xd8 => next(1) == 0x9c,
            // U+200E, U+200F, U+2028–U+202E; U+2066–U+2069
            _ => matches!(
                (next(1), next(2)),
                (0x80, 0x8e | 0x8f | 0xa8..=0xae) | (0x81, 0xa6..=0xa9)
            ),
        }
    })
}

/// Whether a byte of `s` is `wanted`, tested without branches in blocks of 64 bytes so that
/// the test is vectorised (a report's text is scanned whole).
#[inline]
fn any_byte(s: &str, wanted: impl Fn(u8) -> bool) -> bool {
    s.as_bytes()
        .chunks(64)
        .any(|block| block.iter().fold(false, |found, &b| found | wanted(b)))
}

fn needs_field_escape(s: &str) -> bool {
    has_unsafe(s, false) || s.contains(LEGACY_COMMAND)
}

/// A string as one safe line of a text report: unsafe characters as `\n`, `\r`, `\xHH` or
/// `\u{HHHH}`, and `##[` as `#\x23[`. Tab and every other character are kept.
pub fn field(s: &str) -> Cow<'_, str> {
    if !needs_field_escape(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if is_unsafe(c) && (c as u32) < 0x100 => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(break_legacy_commands(&out, "#\\x23["))
}

fn break_legacy_commands(s: &str, replacement: &str) -> String {
    s.replace(LEGACY_COMMAND, replacement)
}

/// The one visible character that stands for an unsafe character in a source snippet: the
/// Unicode control picture of a C0 control or DEL (`␛` for ESC), `�` for the others.
pub fn snippet_char(c: char) -> char {
    match c {
        '\0'..='\x1f' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\x7f' => '\u{2421}',
        _ => '\u{fffd}',
    }
}

/// One line of source text as a snippet shows it: each unsafe character as one visible
/// character ([`snippet_char`]), and the `[` of every `##[` as `⁅`, so that every character
/// keeps its column. `line` must not hold its line ending.
pub fn snippet_line(line: &str) -> Cow<'_, str> {
    if !needs_field_escape(line) {
        return Cow::Borrowed(line);
    }
    let out: String = line
        .chars()
        .map(|c| if is_unsafe(c) { snippet_char(c) } else { c })
        .collect();
    Cow::Owned(break_legacy_commands(&out, "##\u{2045}"))
}

/// The byte length [`snippet_line`] gives to `s` (a piece of a line).
pub fn snippet_len(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if is_unsafe(c) {
                snippet_char(c).len_utf8()
            } else {
                c.len_utf8()
            }
        })
        .sum::<usize>()
        + s.matches(LEGACY_COMMAND).count() * ('\u{2045}'.len_utf8() - 1)
}

/// Whether the GitHub runner would read `line` as a workflow command (`::` first after white
/// space, as its parser trims it).
pub fn starts_command(line: &str) -> bool {
    line.trim_start().starts_with("::")
}

/// A rendered text report with every line that would start a workflow command prefixed
/// with `\`. Fields are escaped before they are written, so this finds nothing unless a
/// format forgot one; it is the last guard, not the escaping.
pub fn guard_lines(text: String) -> String {
    if !text.lines().any(starts_command) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive('\n') {
        if starts_command(line) {
            out.push('\\');
        }
        out.push_str(line);
    }
    out
}

/// Text made of several lines (a rule's help with a suggested fix): each line escaped as a
/// [`field`], the line feeds kept. A report that writes such text must pass its output
/// through [`guard_lines`].
pub fn lines(s: &str) -> Cow<'_, str> {
    if !needs_field_escape(s) {
        return Cow::Borrowed(s);
    }
    let escaped: Vec<Cow<'_, str>> = s.split('\n').map(field).collect();
    Cow::Owned(escaped.join("\n"))
}

/// Free text made of several lines (a message to standard error, `simulate`'s report): unsafe
/// characters other than the line feed escaped as in [`field`], `##[` broken, and lines
/// that would start a workflow command guarded.
pub fn text_block(s: &str) -> String {
    guard_lines(lines(s).into_owned())
}

/// A serialized JSON document with the characters serde_json writes raw but a terminal
/// acts on (DEL, C1, bidi controls, U+2028/U+2029) as `\u` escapes, and `##[` as
/// `#\u0023[`. Such characters only occur inside strings, so the decoded document is
/// unchanged.
pub fn json(text: String) -> String {
    match json_piece(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(escaped) => escaped,
    }
}

/// [`json`] of a piece of serialized JSON that starts and ends between two tokens (so that
/// no `##[` spans two pieces): the pieces escaped one by one make the text [`json`] makes.
pub fn json_piece(text: &str) -> Cow<'_, str> {
    // The common case in one pass: no byte that may start an unsafe character or `##[`.
    if !any_byte(text, |b| {
        ((b < 0x20) & (b != b'\t') & (b != b'\n')) | matches!(b, 0x7f | 0xc2 | 0xd8 | 0xe2 | b'#')
    }) {
        return Cow::Borrowed(text);
    }
    let unsafe_in_json = |c: char| c != '\n' && is_unsafe(c);
    if !has_unsafe(text, true) && !text.contains(LEGACY_COMMAND) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_in_json(c) {
            // The only raw C0 control in serialized JSON is the pretty printer's line feed.
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(break_legacy_commands(&out, "#\\u0023["))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_one_safe_line() {
        assert_eq!(field("plain é\ttab"), "plain é\ttab");
        assert_eq!(
            field("a\n::error x\r\x1b[2J\u{9b}\u{202e}"),
            "a\\n::error x\\r\\x1b[2J\\x9b\\u{202e}"
        );
        assert_eq!(field("x ##[stop-commands]t"), "x #\\x23[stop-commands]t");
        assert!(!field("\x07\x7f\u{85}\u{2028}").chars().any(is_unsafe));
    }

    #[test]
    fn unsafe_characters_are_found_without_decoding() {
        let every_low_one = 0..0x3000;
        let some_high_ones = (0x3000..0x11_0000).step_by(61);
        for c in every_low_one
            .chain(some_high_ones)
            .filter_map(char::from_u32)
        {
            for text in [format!("a{c}b"), format!("{c}"), format!("…→{c}é")] {
                assert_eq!(has_unsafe(&text, false), is_unsafe(c), "{c:?}");
                assert_eq!(has_unsafe(&text, true), is_unsafe(c) && c != '\n', "{c:?}");
            }
        }
        // A lead byte at the very end of a piece of text is no unsafe character.
        assert!(!has_unsafe("…", true) && !has_unsafe("\u{2027}", true));
    }

    #[test]
    fn snippets_keep_columns() {
        let line = "a\x1b[8mhidden\u{9b}##[error]z";
        let shown = snippet_line(line);
        assert_eq!(shown.chars().count(), line.chars().count());
        assert_eq!(shown, "a␛[8mhidden\u{fffd}##\u{2045}error]z");
        assert_eq!(snippet_len(line), shown.len());
        assert_eq!(snippet_line("plain"), "plain");
    }

    #[test]
    fn command_lines_are_guarded() {
        assert!(starts_command("  \u{a0}::warning::x"));
        assert!(!starts_command("a ::warning::x"));
        assert_eq!(
            guard_lines("ok\n ::stop-commands::t\nok".into()),
            "ok\n\\ ::stop-commands::t\nok"
        );
        assert_eq!(text_block("a\n::x\x1b"), "a\n\\::x\\x1b");
    }

    #[test]
    fn json_pieces_cut_between_tokens_escape_as_the_whole() {
        let values = [
            "a\u{9b}é##[x]#\u{7f}###[\u{202e}\u{2028}z##",
            "##",
            "[",
            "plain",
        ];
        let whole = serde_json::to_string_pretty(&values).unwrap();
        // Cut after every `",` (between two elements of the list).
        let mut pieces = String::new();
        let mut rest = whole.as_str();
        while let Some(at) = rest.find("\",") {
            pieces.push_str(&json_piece(&rest[..at + 2]));
            rest = &rest[at + 2..];
        }
        pieces.push_str(&json_piece(rest));
        assert_eq!(pieces, json(whole));
        assert_eq!(json_piece("plain"), "plain");
    }

    #[test]
    fn json_decodes_to_the_same_text() {
        let value = "x\u{9b}\u{7f}\u{202e}##[error]\u{2028}";
        let text = json(serde_json::to_string_pretty(&[value]).unwrap());
        assert!(text.contains('\n'));
        assert!(!text.chars().any(|c| c != '\n' && is_unsafe(c)));
        assert!(!text.contains("##["));
        assert_eq!(serde_json::from_str::<[String; 1]>(&text).unwrap(), [value]);
    }
}
