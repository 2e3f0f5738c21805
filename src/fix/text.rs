//! Small questions about source text that the edit generators ask: where a line starts and
//! ends, how it is indented, where the last element before a closing bracket ends.

/// The byte where the line holding `at` starts.
pub fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The byte where the line holding `at` ends (its `\n`, or the end of the text).
pub fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i)
}

/// The leading spaces and tabs of the line holding `at`.
pub fn indent_of(text: &str, at: usize) -> &str {
    let start = line_start(text, at);
    let line = &text[start..line_end(text, start)];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// Whether only spaces and tabs come before `at` on its line.
pub fn first_on_line(text: &str, at: usize) -> bool {
    text[line_start(text, at)..at]
        .chars()
        .all(|c| c == ' ' || c == '\t')
}

/// The position just after the last character before `at` that is not whitespace.
pub fn end_of_previous(text: &str, at: usize) -> usize {
    text[..at].trim_end().len()
}

/// The first character at or after `at` that is not a space or tab.
pub fn next_char(text: &str, at: usize) -> Option<char> {
    text[at..].chars().find(|c| *c != ' ' && *c != '\t')
}

/// The last character before `at` that is not whitespace.
pub fn previous_char(text: &str, at: usize) -> Option<char> {
    text[..at].trim_end().chars().next_back()
}

/// `text` quoted as a JSON (and HCL) string.
pub fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_indentation() {
        let t = "a {\n    b = 1 # c\n}\n";
        let b = t.find('b').unwrap();
        assert_eq!(indent_of(t, b), "    ");
        assert!(first_on_line(t, b));
        assert_eq!(&t[line_start(t, b)..line_end(t, b)], "    b = 1 # c");
        assert_eq!(
            end_of_previous(t, t.rfind('}').unwrap()),
            t.find(" # c").unwrap() + 4
        );
        assert_eq!(previous_char(t, t.rfind('}').unwrap()), Some('c'));
        assert_eq!(next_char(t, b + 1), Some('='));
        assert_eq!(quoted("a\"b"), "\"a\\\"b\"");
    }
}
