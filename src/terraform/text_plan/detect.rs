//! Recognising plan text, and removing its ANSI colour codes with a map back to the original.

use super::*;

/// Whether `text` looks like `terraform plan` output (with or without ANSI colour codes):
/// "Terraform will perform the following actions", a `# ADDRESS will be created` comment
/// followed by a `resource "TYPE" "NAME" {` header, "Plan: N to add", "No changes.".
pub fn is_text_plan(text: &str) -> bool {
    let clean = strip_ansi(text);
    let t = clean.text.trim_start();
    if t.starts_with('{') || t.starts_with('[') {
        return false;
    }
    let lines: Vec<&str> = clean.text.lines().collect();
    let mut next_content: Option<usize> = None;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if t.contains("Terraform will perform the following actions")
            || t.contains("Terraform planned the following actions")
            || t.starts_with("No changes. Your infrastructure matches the configuration")
            || t.starts_with("No changes. Your infrastructure still matches the configuration")
            || t.starts_with("No changes. No objects need to be destroyed")
        {
            return true;
        }
        if let Some(rest) = t.strip_prefix("Plan: ")
            && rest.starts_with(|c: char| c.is_ascii_digit())
            && (rest.contains(" to add,") || rest.contains(" to import,"))
        {
            return true;
        }
        if let Some(comment) = comment_line(line)
            && comment.verb != Verb::Other
        {
            // The first line after this one that is neither blank nor a comment; found once
            // for a run of comment lines, not once per line (linear in the text).
            let next = match next_content {
                Some(n) if n > i => n,
                _ => {
                    let n = (i + 1..lines.len())
                        .find(|&j| is_content(lines[j]))
                        .unwrap_or(lines.len());
                    next_content = Some(n);
                    n
                }
            };
            if lines.get(next).is_some_and(|l| is_header_line(l)) {
                return true;
            }
        }
    }
    false
}

/// Whether a line is neither blank nor a comment.
pub(super) fn is_content(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.starts_with('#')
}

/// The text with ANSI escape sequences (colours) removed: what a terminal shows of coloured
/// `terraform plan` output. The checker reads a coloured plan as this text, so that snippets
/// carry no escape codes and columns count the characters shown.
pub fn without_ansi(text: &str) -> String {
    if !text.contains('\x1b') {
        return text.to_string();
    }
    strip_ansi(text).text
}

/// The text with ANSI escape sequences removed, and where each byte came from.
pub(super) struct Clean {
    pub(super) text: String,
    /// `map[i]` is the offset in the original text of byte `i`; one more entry for the end.
    pub(super) map: Vec<u32>,
}

pub(super) fn strip_ansi(orig: &str) -> Clean {
    let b = orig.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut map = Vec::with_capacity(b.len() + 1);
    let mut i = 0;
    while i < b.len() {
        if b[i] != 0x1b {
            out.push(b[i]);
            map.push(i as u32);
            i += 1;
            continue;
        }
        i += 1;
        match b.get(i) {
            // CSI: parameters, intermediates, one final byte.
            Some(b'[') => {
                i += 1;
                while i < b.len() && (0x20..=0x3f).contains(&b[i]) {
                    i += 1;
                }
                if i < b.len() && (0x40..=0x7e).contains(&b[i]) {
                    i += 1;
                }
            }
            // OSC: up to BEL or ESC \.
            Some(b']') => {
                i += 1;
                while i < b.len() && b[i] != 0x07 && b[i] != 0x1b {
                    i += 1;
                }
                if i < b.len() && b[i] == 0x07 {
                    i += 1;
                } else if i + 1 < b.len() && b[i] == 0x1b && b[i + 1] == b'\\' {
                    i += 2;
                }
            }
            Some(c) if (0x40..=0x5f).contains(c) => i += 1,
            _ => {}
        }
    }
    map.push(b.len() as u32);
    // Only ASCII bytes were removed, so the rest is still UTF-8.
    let text = String::from_utf8(out).unwrap_or_default();
    Clean { text, map }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansi_is_stripped_and_offsets_map_back() {
        let text = "\u{1b}[1m  # a.b\u{1b}[0m will be created";
        let clean = strip_ansi(text);
        assert_eq!(clean.text, "  # a.b will be created");
        let hash = clean.text.find('#').unwrap();
        assert_eq!(&text[clean.map[hash] as usize..][..1], "#");
        assert_eq!(clean.map.len(), clean.text.len() + 1);
    }
}
