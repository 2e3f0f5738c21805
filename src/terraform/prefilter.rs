//! Skips what cannot matter before parsing: in a `.tf` file, the body of every top-level
//! `resource` block whose type the model never reads ([`super::types`]: anything but
//! `aws_s3_*`, `aws_kms_*` and `aws_cloudfront_distribution`) is blanked out with spaces,
//! newlines kept. Offsets, lines and columns stay those of the file, so spans are unchanged,
//! and the parser has far less to build. Data sources, locals, variables and modules are
//! always kept, variables with only their `type` and `default` (the rest of a `variable`
//! block, its description and `validation` blocks, is never read); `output` blocks are kept
//! unless no module call reaches their module ([`Outline::without_outputs`]: a module's
//! outputs are read only through such a call).
//!
//! The scan understands comments, strings with `${…}` / `%{…}` templates, and heredocs.
//! Whenever it is unsure (unbalanced braces, nesting deeper than it tracks), it keeps the
//! file as it is: the full parse is always correct, only slower.

use std::borrow::Cow;

/// Resource types the model reads ([`super::types`]).
pub fn relevant_resource_type(rtype: &str) -> bool {
    super::types::is_modelled(rtype)
}

/// The text with irrelevant resource blocks blanked, or the text itself.
pub fn relevant_text(text: &str) -> Cow<'_, str> {
    match outline(text) {
        Some(outline) => blanked(text, &outline),
        None => Cow::Borrowed(text),
    }
}

/// A `.tf` file's top level as the prefilter sees it: whether it has `module` blocks, what
/// [`relevant_text`] blanks, and its `output` blocks.
#[derive(Debug, Clone, Default)]
pub struct Outline {
    /// Whether a top-level block is a `module` block.
    pub has_modules: bool,
    /// The byte ranges blanked: the irrelevant resource blocks, and the parts of `variable`
    /// blocks the loader never reads.
    irrelevant: Vec<(usize, usize)>,
    /// The byte ranges of the `output` blocks.
    outputs: Vec<(usize, usize)>,
}

impl Outline {
    /// This outline with the `output` blocks blanked too: for a module that no module call
    /// reaches, whose outputs nothing reads.
    pub fn without_outputs(&self) -> Outline {
        let mut out = self.clone();
        out.irrelevant.append(&mut out.outputs);
        out
    }
}

/// The outline of a `.tf` file's text; `None` when the scan is unsure (then the text is
/// parsed as it is).
pub fn outline(text: &str) -> Option<Outline> {
    let mut outline = Outline::default();
    top_level_blocks(text.as_bytes(), |keyword, labels, start, open, end| {
        if keyword == b"module" {
            outline.has_modules = true;
        } else if keyword == b"output" {
            outline.outputs.push((start, end));
        } else if keyword == b"variable" {
            // (A body the scan is unsure of is kept whole.)
            outline
                .irrelevant
                .extend(unread_in_variable(text.as_bytes(), open, end).unwrap_or_default());
        } else if is_left_out(keyword, labels) {
            outline.irrelevant.push((start, end));
        }
    })?;
    Some(outline)
}

/// `text` (whose outline is `outline`) with its irrelevant resource blocks blanked with
/// spaces, line breaks kept.
pub fn blanked<'t>(text: &'t str, outline: &Outline) -> Cow<'t, str> {
    if outline.irrelevant.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for &(start, end) in &outline.irrelevant {
        for b in &mut bytes[start..end] {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    }
    // Only ASCII bytes were replaced by spaces, and whole blocks at that (a block never
    // starts or ends inside a multi-byte character), so the text is still UTF-8.
    match String::from_utf8(bytes) {
        Ok(s) => Cow::Owned(s),
        Err(_) => Cow::Borrowed(text),
    }
}

const MAX_DEPTH: usize = 64;

/// The top-level resource blocks [`relevant_text`] leaves out: (start, end, address
/// `TYPE.NAME`), none when it keeps the text as it is. (Inline suppressions above such a
/// block still name the resource: see [`crate::suppress`].)
pub fn left_out_resources(text: &str) -> Vec<(usize, usize, Option<String>)> {
    // As the loader reads it: a byte-order mark blanked (three spaces keep every offset).
    let unmarked;
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => {
            unmarked = format!("   {rest}");
            unmarked.as_str()
        }
        None => text,
    };
    irrelevant_blocks(text.as_bytes()).unwrap_or_default()
}

/// The irrelevant top-level resource blocks: (start, end, address when it has two labels);
/// `None` when unsure.
fn irrelevant_blocks(b: &[u8]) -> Option<Vec<(usize, usize, Option<String>)>> {
    let mut out = Vec::new();
    top_level_blocks(b, |keyword, labels, start, _, end| {
        if is_left_out(keyword, labels) {
            let address = match labels {
                [t, n] => Some(format!(
                    "{}.{}",
                    String::from_utf8_lossy(t),
                    String::from_utf8_lossy(n)
                )),
                _ => None,
            };
            out.push((start, end, address));
        }
    })?;
    Some(out)
}

/// Whether a top-level block is left out: a `resource` block of a type the model never reads.
/// The outline that blanks blocks and [`left_out_resources`] (which names them for the
/// suppressions) decide with this one test, so they always agree.
fn is_left_out(keyword: &[u8], labels: &[&[u8]]) -> bool {
    keyword == b"resource"
        && labels
            .first()
            .and_then(|l| std::str::from_utf8(l).ok())
            .is_some_and(|t| !relevant_resource_type(t))
}

/// Calls `block(keyword, labels, start, open, end)` for every top-level block of `b`, in order
/// (`open`: where its body's `{` is); `None` (after calling it for the blocks before) when
/// unsure.
fn top_level_blocks(
    b: &[u8],
    mut block: impl FnMut(&[u8], &[&[u8]], usize, usize, usize),
) -> Option<()> {
    let mut labels: Vec<&[u8]> = Vec::new();
    let mut i = 0;
    loop {
        i = skip_space_and_comments(b, i)?;
        if i >= b.len() {
            return Some(());
        }
        let start = i;
        let ident_end = ident(b, i);
        if ident_end == i {
            return None;
        }
        let keyword = &b[i..ident_end];
        i = skip_inline_space(b, ident_end);
        if b.get(i) == Some(&b'=') {
            // A top-level attribute (in a .tf file: not expected; be safe).
            return None;
        }
        labels.clear();
        while i < b.len() && b[i] != b'{' {
            match b[i] {
                b'"' => {
                    let end = skip_string(b, i, 0)?;
                    labels.push(&b[i + 1..end - 1]);
                    i = end;
                }
                c if c.is_ascii_alphabetic() || c == b'_' => {
                    let end = ident(b, i);
                    labels.push(&b[i..end]);
                    i = end;
                }
                b' ' | b'\t' => i += 1,
                _ => return None,
            }
        }
        if i >= b.len() {
            return None;
        }
        let end = skip_braces(b, i, 0)?;
        block(keyword, &labels, start, i, end);
        i = end;
    }
}

/// The attributes and nested blocks of a `variable` block (whose body runs from the `{` at
/// `open` to just before `end`) that the loader never reads: all but `type` and `default` (a
/// description, `validation` blocks, …). `None` when the scan is unsure of the body.
fn unread_in_variable(b: &[u8], open: usize, end: usize) -> Option<Vec<(usize, usize)>> {
    let close = end - 1;
    let mut unread = Vec::new();
    let mut i = open + 1;
    loop {
        i = skip_space_and_comments(b, i)?;
        if i >= close {
            return (i == close).then_some(unread);
        }
        let name_end = ident(b, i);
        if name_end == i {
            return None;
        }
        let after_name = skip_inline_space(b, name_end);
        let item_end = match b.get(after_name)? {
            b'{' => skip_braces(b, after_name, 0)?,
            b'=' => expression_end(b, after_name + 1)?,
            _ => return None,
        };
        if item_end > close {
            return None;
        }
        if !matches!(&b[i..name_end], b"type" | b"default") {
            unread.push((i, item_end));
        }
        i = item_end;
    }
}

/// The bytes [`expression_end`] acts on.
const IN_EXPRESSION: [bool; 256] = byte_set(b"\n\"()[]{}#/<");

/// Where the attribute value that starts at `i` ends: at the line break that ends it (outside
/// brackets, strings, heredocs and comments), or at the `}` of the block it is written in.
fn expression_end(b: &[u8], mut i: usize) -> Option<usize> {
    let mut depth = 0usize;
    while i < b.len() {
        i = next_in(&IN_EXPRESSION, b, i);
        match *b.get(i)? {
            b'\n' if depth == 0 => return Some(i),
            b'"' => {
                i = skip_string(b, i, 0)?;
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return (b[i] == b'}').then_some(i),
            },
            _ => {
                if let Some(past) = past_aside(b, i)? {
                    i = past;
                    continue;
                }
            }
        }
        i += 1;
    }
    None
}

/// The index of the first `\n` from `i` on (or the length of `b`).
fn next_newline(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p)
}

fn ident(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-') {
        i += 1;
    }
    i
}

fn skip_inline_space(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    i
}

/// Skips white space and comments; `None` on an unterminated block comment.
fn skip_space_and_comments(b: &[u8], mut i: usize) -> Option<usize> {
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b.get(i) == Some(&b'#') || b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let close = b[i + 2..].windows(2).position(|w| w == b"*/")?;
            i += 2 + close + 2;
        } else {
            return Some(i);
        }
    }
}

/// The bytes [`skip_braces`] acts on; every other byte is passed over in a tight loop.
const IN_BRACES: [bool; 256] = byte_set(b"{}\"#/<");

/// The bytes [`skip_string`] acts on.
const IN_STRING: [bool; 256] = byte_set(b"\\\"\n$%");

/// A table of the bytes in `set`.
const fn byte_set(set: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < set.len() {
        table[set[i] as usize] = true;
        i += 1;
    }
    table
}

/// The first index from `i` on whose byte is in `table` (or the length of `b`).
fn next_in(table: &[bool; 256], b: &[u8], mut i: usize) -> usize {
    while i < b.len() && !table[b[i] as usize] {
        i += 1;
    }
    i
}

/// From an opening `{` (or a `${` / `%{` template's brace) to just past its closing `}`.
fn skip_braces(b: &[u8], open: usize, depth: usize) -> Option<usize> {
    if depth > MAX_DEPTH {
        return None;
    }
    let mut nesting = 0usize;
    let mut i = open;
    while i < b.len() {
        i = next_in(&IN_BRACES, b, i);
        if i >= b.len() {
            break;
        }
        match b[i] {
            b'{' => {
                nesting += 1;
                i += 1;
            }
            b'}' => {
                nesting -= 1;
                i += 1;
                if nesting == 0 {
                    return Some(i);
                }
            }
            b'"' => i = skip_string(b, i, depth + 1)?,
            _ => i = past_aside(b, i)?.unwrap_or(i + 1),
        }
    }
    None
}

/// Just past the comment or heredoc that starts at `i` (a line comment up to its line
/// break); `Some(None)` when none starts there, `None` when one is never closed.
fn past_aside(b: &[u8], i: usize) -> Option<Option<usize>> {
    Some(Some(match (b[i], b.get(i + 1)) {
        (b'#', _) | (b'/', Some(b'/')) => next_newline(b, i),
        (b'/', Some(b'*')) => i + 2 + b[i + 2..].windows(2).position(|w| w == b"*/")? + 2,
        (b'<', Some(b'<')) => skip_heredoc(b, i)?,
        _ => return Some(None),
    }))
}

/// From an opening `"` to just past the closing one, through escapes and templates.
fn skip_string(b: &[u8], open: usize, depth: usize) -> Option<usize> {
    if depth > MAX_DEPTH {
        return None;
    }
    let mut i = open + 1;
    while i < b.len() {
        i = next_in(&IN_STRING, b, i);
        if i >= b.len() {
            break;
        }
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            b'\n' => return None,
            b'$' | b'%' if b.get(i + 1) == Some(&b'{') => {
                if i > 0 && b[i - 1] == b[i] {
                    // `$${` / `%%{` are literal.
                    i += 2;
                } else {
                    i = skip_braces(b, i + 1, depth + 1)?;
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// From `<<` (or `<<-`) to just past the line that closes the heredoc.
fn skip_heredoc(b: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 2;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    let name_end = ident(b, i);
    if name_end == i {
        // `<<` that is not a heredoc (not valid HCL either): be unsure.
        return None;
    }
    let marker = &b[i..name_end];
    let mut line_start = b[name_end..].iter().position(|&c| c == b'\n')? + name_end + 1;
    loop {
        let line_end = b[line_start..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |p| line_start + p);
        let line = &b[line_start..line_end];
        let trimmed = line
            .iter()
            .position(|c| !c.is_ascii_whitespace())
            .map_or(&line[line.len()..], |s| &line[s..]);
        let trimmed = trimmed.strip_suffix(b"\r").unwrap_or(trimmed);
        if trimmed == marker {
            return Some(line_end);
        }
        if line_end >= b.len() {
            return None;
        }
        line_start = line_end + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Attribute lines whose strings, templates, comments and heredocs hold braces and
    /// quotes that must not end a block.
    const ATTRIBUTES: &[&str] = &[
        "a = \"x}y\"",
        "b = \"${var.x}-{\"",
        "c = \"$${literal}\"",
        "d = \"%{ if true }}%{ endif }\"",
        "e = \"\\\"}\\\\\"",
        "# a comment with }",
        "// a comment with {",
        "/* a block } comment { */",
        "f = <<-EOT\n    }}}{ \"\n  EOT",
        "g = <<EOT\n${jsonencode({ a = \"}\" })}\nEOT",
        "tags = { k = \"v}\", n = { m = 1 } }",
        "h = { for k, v in var.m : k => \"${v}}\" }",
        "i = x < y",
        "j = a / b",
        "lifecycle {\n    ignore_changes = [tags]\n  }",
    ];
    const TYPES: &[&str] = &[
        "aws_instance",
        "aws_s3_bucket",
        "aws_kms_key",
        "aws_iam_role",
    ];

    proptest! {
        /// The blanked text is the text with exactly the irrelevant resource blocks blanked:
        /// the generator knows where each block is, whatever its strings hold.
        #[test]
        fn exactly_the_irrelevant_blocks_are_blanked(
            blocks in prop::collection::vec(
                (0..TYPES.len(), prop::collection::vec(0..ATTRIBUTES.len(), 0..6)),
                1..8,
            )
        ) {
            let mut text = String::new();
            let mut expected = String::new();
            for (n, (t, attrs)) in blocks.iter().enumerate() {
                let mut block = format!("resource \"{}\" \"r{n}\" {{\n", TYPES[*t]);
                for a in attrs {
                    block.push_str("  ");
                    block.push_str(ATTRIBUTES[*a]);
                    block.push('\n');
                }
                block.push('}');
                text.push_str(&block);
                if relevant_resource_type(TYPES[*t]) {
                    expected.push_str(&block);
                } else {
                    expected.extend(block.chars().map(|c| if c == '\n' { c } else { ' ' }));
                }
                text.push_str("\n\n");
                expected.push_str("\n\n");
            }
            let blanked = relevant_text(&text);
            prop_assert_eq!(blanked.as_ref(), expected.as_str());
        }
    }

    proptest! {
        /// A `variable` block keeps its `type` and `default` (single-line or not) and its
        /// comments; every other attribute or block is blanked, whatever its strings hold.
        #[test]
        fn variables_keep_only_their_type_and_default(
            items in prop::collection::vec(0..ATTRIBUTES.len() + READ.len(), 0..8),
        ) {
            let mut text = String::from("variable \"v\" {\n");
            let mut expected = text.clone();
            for &item in &items {
                let (line, kept) = match item.checked_sub(ATTRIBUTES.len()) {
                    Some(r) => (READ[r], true),
                    None => {
                        let a = ATTRIBUTES[item];
                        (a, a.starts_with('#') || a.starts_with("//") || a.starts_with("/*"))
                    }
                };
                text.push_str(&format!("  {line}\n"));
                let line = match kept {
                    true => line.to_string(),
                    false => line.chars().map(|c| if c == '\n' { c } else { ' ' }).collect(),
                };
                expected.push_str(&format!("  {line}\n"));
            }
            text.push_str("}\n");
            expected.push_str("}\n");
            let blanked = relevant_text(&text);
            prop_assert_eq!(blanked.as_ref(), expected.as_str());
        }
    }

    /// The arguments of a variable the loader reads, as they are written.
    const READ: &[&str] = &[
        "type = string",
        "type = object({\n    a = list(string) # }\n  })",
        "default = [\n    \"a}\",\n    \"${var.x}\",\n  ]",
        "default = <<EOT\n}\nEOT",
    ];

    #[test]
    fn a_variable_keeps_what_the_loader_reads() {
        let text = "variable \"env\" {\n  description = \"Deployment environment.\"\n  \
                    type        = string\n  default     = \"qa\"\n  sensitive = false\n  \
                    validation {\n    condition     = contains([\"dev\", \"qa\"], var.env)\n    \
                    error_message = \"One of dev or qa.\"\n  }\n}\n\
                    variable \"one_line\" { description = \"d\" }\n\
                    variable \"short\" { default = 1 }\n";
        let out = relevant_text(text);
        assert_eq!(out.len(), text.len());
        assert_eq!(out.lines().count(), text.lines().count());
        for gone in [
            "description",
            "sensitive",
            "validation",
            "condition",
            "error_message",
        ] {
            assert!(!out.contains(gone), "{gone}: {out}");
        }
        for kept in [
            "  type        = string\n  default     = \"qa\"\n",
            "variable \"one_line\" {                   }\n",
            "variable \"short\" { default = 1 }\n",
        ] {
            assert!(out.contains(kept), "{kept}: {out}");
        }
        // Whatever the scan is unsure of is kept: a labelled block, a body it cannot read.
        for unsure in [
            "variable \"a\" {\n  validation \"x\" {}\n  description = \"d\"\n}\n",
            "variable \"a\" {\n  description = \"d\n}\n",
            "variable \"a\" {\n  = 1\n}\n",
        ] {
            assert_eq!(relevant_text(unsure), unsure);
        }
    }

    #[test]
    fn irrelevant_resources_are_blanked_in_place() {
        let text = "resource \"aws_instance\" \"a\" {\n  ami = \"x\"\n  tags = { Name = \"${var.n}-}\" }\n}\n\
                    resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n";
        let out = relevant_text(text);
        assert_eq!(out.len(), text.len());
        assert!(!out.contains("aws_instance"));
        assert!(out.contains("resource \"aws_s3_bucket\" \"b\""));
        assert_eq!(out.lines().count(), text.lines().count());
        assert_eq!(out.find("aws_s3_bucket"), text.find("aws_s3_bucket"));
    }

    #[test]
    fn outputs_are_kept_unless_asked_to_be_left_out() {
        let text = "output \"a\" {\n  value = aws_s3_bucket.b.arn # }\n}\n\
                    resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n\
                    output \"c\" { value = \"${var.x}}\" }\n";
        let outline = outline(text).unwrap();
        assert_eq!(blanked(text, &outline), text);
        let out = blanked(text, &outline.without_outputs());
        assert_eq!(out.len(), text.len());
        assert_eq!(out.lines().count(), text.lines().count());
        assert!(!out.contains("output") && !out.contains("value"), "{out}");
        assert_eq!(out.find("resource"), text.find("resource"));
        assert!(out.contains("resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n"));
    }

    #[test]
    fn heredocs_comments_and_data_are_kept_or_skipped_correctly() {
        let text = "# }\n/* { */\ndata \"aws_iam_policy_document\" \"p\" {}\n\
                    resource \"aws_lambda_function\" \"f\" {\n  x = <<-EOT\n    }}}{\n  EOT\n}\n\
                    locals { a = 1 }\n";
        let out = relevant_text(text);
        assert!(out.contains("data \"aws_iam_policy_document\""));
        assert!(out.contains("locals { a = 1 }"));
        assert!(!out.contains("aws_lambda_function"));
    }

    #[test]
    fn unsure_scans_keep_the_file() {
        for text in [
            "resource \"aws_instance\" \"a\" {\n",
            "x = 1\n",
            "resource \"a\" \"b\" { y = \"unterminated }\n",
        ] {
            assert_eq!(relevant_text(text), text);
        }
    }
}
