//! `clumio-preflight explain CODE` on a terminal: the rule's Markdown rendered as text —
//! headings and `**bold**` in bold (plain without colour), `` `code` `` without its
//! backticks, fenced code blocks indented without their fences, `[text](url)` as
//! `text (url)`. Piped, the Markdown is printed as written.

const BOLD: &str = "\u{1b}[1m";
const RESET: &str = "\u{1b}[0m";

/// The Markdown `docs` as terminal text; `color` turns bold on.
pub fn render(docs: &str, color: bool) -> String {
    let mut out = String::with_capacity(docs.len());
    let mut in_code = false;
    for line in docs.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push_str("    ");
            out.push_str(line);
        } else if let Some(heading) = line.strip_prefix('#') {
            let text = inline(heading.trim_start_matches('#').trim(), color);
            out.push_str(&bold(&text, color));
        } else {
            out.push_str(&inline(line, color));
        }
        out.push('\n');
    }
    out
}

fn bold(text: &str, color: bool) -> String {
    if color {
        format!("{BOLD}{text}{RESET}")
    } else {
        text.to_string()
    }
}

/// Inline markup: `**bold**`, `*em*`, `` `code` ``, `[text](url)`.
fn inline(line: &str, color: bool) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("**")
            && let Some(end) = after.find("**")
        {
            out.push_str(&bold(&inline(&after[..end], color), color));
            rest = &after[end + 2..];
        } else if let Some(after) = rest.strip_prefix('`')
            && let Some(end) = after.find('`')
        {
            out.push_str(&after[..end]);
            rest = &after[end + 1..];
        } else if let Some(after) = rest.strip_prefix('[')
            && let Some(close) = after.find("](")
            && let Some(end) = after[close + 2..].find(')')
        {
            let text = &after[..close];
            let url = &after[close + 2..close + 2 + end];
            out.push_str(&format!("{} ({url})", inline(text, color)));
            rest = &after[close + 3 + end..];
        } else if let Some(after) = rest.strip_prefix('*')
            && !after.starts_with([' ', '*'])
            && let Some(end) = after.find('*')
        {
            out.push_str(&after[..end]);
            rest = &after[end + 1..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_terminal_text() {
        let docs = "# CP101 name (error)\n\n**What.** a `Deny` *really* [docs](https://x.example).\n```json\n{ \"a\": 1 }\n```\n";
        assert_eq!(
            render(docs, false),
            "CP101 name (error)\n\nWhat. a Deny really docs (https://x.example).\n    { \"a\": 1 }\n"
        );
        assert!(render(docs, true).starts_with("\u{1b}[1mCP101 name (error)\u{1b}[0m\n"));
        // Every rule's documentation renders without leftover markup.
        for rule in crate::rules::RULES {
            let text = render(rule.docs, false);
            assert!(
                !text.contains("```") && !text.contains("**"),
                "{}",
                rule.code
            );
        }
    }
}
