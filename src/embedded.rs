//! JSON documents nested in strings: a heredoc, a quoted HCL string, a file read by
//! `file()`, a YAML block scalar. The string's text may be partly known (interpolations);
//! its node span points at where it is written. This module parses the JSON inside and maps
//! every position back into the file the user edits.

use crate::located_json::{JsonError, OffsetMap, parse_json};
use crate::source::{Sources, Span};
use crate::value::{Hole, Kind, Node, PString, Part};

/// Marks a hole inside the text handed to the JSON parser (private-use characters).
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// Why an embedded document could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum EmbeddedError {
    /// The text is not JSON.
    Json(JsonError),
    /// An unknown value stands outside any JSON string, so the document's shape is unknown.
    UnknownShape(Hole),
}

/// Parses the JSON text of the string `text` written at `span`.
pub fn parse_embedded_json(
    sources: &Sources,
    text: &PString,
    span: Span,
) -> Result<Node, EmbeddedError> {
    let mut flat = String::new();
    let mut holes = Vec::new();
    for part in text.parts() {
        match part {
            Part::Lit(s) => flat.push_str(s),
            Part::Hole(h) => {
                flat.push(OPEN);
                flat.push_str(&holes.len().to_string());
                flat.push(CLOSE);
                holes.push(h.clone());
            }
        }
    }
    let map = offset_map(sources, &flat, span);
    let node =
        parse_json(&flat, &map).map_err(|e| match first_hole_outside_strings(&flat, &holes) {
            Some(h) => EmbeddedError::UnknownShape(h),
            None => EmbeddedError::Json(e),
        })?;
    Ok(restore_holes(node, &holes))
}

/// A map from `flat` to the file: exact when the text is written verbatim (a file, a plain
/// heredoc), through JSON escapes for a quoted string, else by aligning the text with the
/// source (indented heredocs, interpolations).
fn offset_map(sources: &Sources, flat: &str, span: Span) -> OffsetMap {
    let raw = sources.slice(span);
    if let Some(i) = raw.find(flat).filter(|_| !flat.contains(OPEN)) {
        return OffsetMap::direct(span.file, span.start as usize + i);
    }
    if let Some((decoded, map)) = OffsetMap::from_json_literal(raw, span.file, span.start as usize)
        && decoded == flat
    {
        return map;
    }
    align(flat, raw, span)
}

/// Greedy alignment of `flat` against `raw`: each character is looked for a short way ahead
/// of the previous one; escapes and stripped indentation are skipped over.
fn align(flat: &str, raw: &str, span: Span) -> OffsetMap {
    const WINDOW: usize = 12;
    let raw_chars: Vec<(usize, char)> = raw.char_indices().collect();
    let mut cursor = 0usize;
    let mut offsets = Vec::with_capacity(flat.len() + 1);
    let base = span.start as usize;
    for c in flat.chars() {
        let found = if c == OPEN || c == CLOSE {
            None
        } else {
            raw_chars[cursor.min(raw_chars.len())..]
                .iter()
                .take(WINDOW)
                .position(|&(_, r)| r == c)
        };
        let at = match found {
            Some(k) => {
                cursor += k;
                let at = raw_chars.get(cursor).map_or(raw.len(), |&(i, _)| i);
                cursor += 1;
                at
            }
            None => raw_chars.get(cursor).map_or(raw.len(), |&(i, _)| i),
        };
        for _ in 0..c.len_utf8() {
            offsets.push((base + at) as u32);
        }
    }
    offsets.push((base + raw_chars.get(cursor).map_or(raw.len(), |&(i, _)| i)) as u32);
    OffsetMap::Table {
        file: span.file,
        offsets,
    }
}

fn first_hole_outside_strings(flat: &str, holes: &[Hole]) -> Option<Hole> {
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = flat.chars();
    while let Some(c) = chars.next() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            OPEN if !in_string => {
                let n: String = chars.by_ref().take_while(|&c| c != CLOSE).collect();
                return n.parse::<usize>().ok().and_then(|i| holes.get(i).cloned());
            }
            _ => {}
        }
    }
    None
}

fn restore(s: &PString, holes: &[Hole]) -> PString {
    let Some(text) = s.as_known() else {
        return s.clone();
    };
    if !text.contains(OPEN) {
        return s.clone();
    }
    let mut out = PString::default();
    let mut rest = text;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        let after = &rest[i + OPEN.len_utf8()..];
        let Some(j) = after.find(CLOSE) else {
            out.push_str(&rest[i..]);
            return out;
        };
        match after[..j].parse::<usize>().ok().and_then(|k| holes.get(k)) {
            Some(h) => out.push_hole(h.clone()),
            None => out.push_str(&rest[i..i + OPEN.len_utf8() + j + CLOSE.len_utf8()]),
        }
        rest = &after[j + CLOSE.len_utf8()..];
    }
    out.push_str(rest);
    out
}

fn restore_holes(node: Node, holes: &[Hole]) -> Node {
    if holes.is_empty() {
        return node;
    }
    let kind = match node.kind {
        Kind::Str(s) => Kind::Str(restore(&s, holes)),
        Kind::Array(items) => {
            Kind::Array(items.into_iter().map(|n| restore_holes(n, holes)).collect())
        }
        Kind::Object(members) => Kind::Object(
            members
                .into_iter()
                .map(|mut m| {
                    m.key = restore(&PString::known(m.key.clone()), holes).to_string();
                    m.value = restore_holes(m.value, holes);
                    m
                })
                .collect(),
        ),
        other => other,
    };
    Node {
        kind,
        span: node.span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc_at(outer: &str, inner_start: &str) -> (Sources, Span) {
        let mut sources = Sources::new();
        let id = sources.add("main.tf", outer);
        let start = outer.find(inner_start).unwrap();
        (sources, Span::new(id, start, outer.len()))
    }

    #[test]
    fn verbatim_heredoc_maps_exactly() {
        let outer = "policy = <<EOF\n{\"Effect\": \"Deny\"}\nEOF\n";
        let (sources, span) = doc_at(outer, "{");
        let text = PString::known("{\"Effect\": \"Deny\"}\n");
        let node = parse_embedded_json(&sources, &text, span).unwrap();
        assert_eq!(sources.slice(node.get("Effect").unwrap().span), "\"Deny\"");
    }

    #[test]
    fn indented_heredoc_aligns() {
        let outer = "  policy = <<-EOF\n    {\n      \"Effect\": \"Deny\"\n    }\n  EOF\n";
        let (sources, span) = doc_at(outer, "    {");
        let text = PString::known("{\n  \"Effect\": \"Deny\"\n}\n");
        let node = parse_embedded_json(&sources, &text, span).unwrap();
        let (at, _) = sources.range(node.get("Effect").unwrap().span);
        assert_eq!((at.line, at.column), (3, 17));
    }

    #[test]
    fn quoted_string_maps_through_escapes() {
        let outer = "policy = \"{\\\"Effect\\\": \\\"Deny\\\"}\"";
        let (sources, span) = doc_at(outer, "\"{");
        let text = PString::known("{\"Effect\": \"Deny\"}");
        let node = parse_embedded_json(&sources, &text, span).unwrap();
        assert_eq!(
            sources.slice(node.get("Effect").unwrap().span),
            "\\\"Deny\\\""
        );
    }

    #[test]
    fn holes_inside_strings_survive() {
        let outer = "policy = <<EOF\n{\"Resource\": \"${aws_s3_bucket.b.arn}/*\"}\nEOF\n";
        let (sources, span) = doc_at(outer, "{");
        let hole = Hole::unknown("aws_s3_bucket.b.arn", "known after apply");
        let text = PString::known("{\"Resource\": \"")
            .with_hole(hole.clone())
            .with_str("/*\"}\n");
        let node = parse_embedded_json(&sources, &text, span).unwrap();
        let r = node.get("Resource").unwrap().as_pstr().unwrap().clone();
        assert_eq!(r, PString::hole(hole).with_str("/*"));
        let (at, _) = sources.range(node.get("Resource").unwrap().span);
        assert_eq!(at.line, 2);
    }

    #[test]
    fn hole_outside_strings_is_an_unknown_shape() {
        let outer = "x";
        let (sources, span) = doc_at(outer, "x");
        let hole = Hole::unknown("var.list", "no value");
        let text = PString::known("{\"Resource\": ")
            .with_hole(hole.clone())
            .with_str("}");
        assert_eq!(
            parse_embedded_json(&sources, &text, span),
            Err(EmbeddedError::UnknownShape(hole))
        );
    }
}
