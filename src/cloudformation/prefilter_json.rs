//! Skips what cannot matter before parsing a JSON template, as [`super::prefilter`] does for
//! YAML. In the `Resources` section:
//! - every resource whose `Type` the model never reads keeps only its `Type` member (the
//!   braces of the resource stay where they are);
//! - a resource of a type whose read properties are listed
//!   ([`super::types::read_properties`]) keeps those properties; every other property keeps
//!   its key, its value replaced by `null`.
//!
//! and the `Outputs` section, which the loader never reads, becomes an empty object.
//!
//! Blanked text becomes spaces, so offsets stay those of the file (lines and columns are
//! counted in the file, not in the parsed text) and every resource still exists for `Ref`
//! and `Fn::GetAtt`.
//!
//! The scan reads the structure of the JSON text down to the properties (strings, brackets,
//! colons, commas); below that it only balances brackets. Anything it is not sure of (a
//! structure that is not JSON, a key or a type with escapes, a resource with two `Type`
//! members, a `Properties` member twice) leaves the resource, or the text, as it is: the full
//! parse is always correct, only slower. A blanked text the parser rejects is parsed again
//! whole ([`super::template::parse_document`]). As with YAML and Terraform, a syntax error
//! inside a part left out (a value of an irrelevant resource, an unread property) is not
//! reported: that part is never parsed.

use super::prefilter::{Level, push_spaces, relevant_resource_type};
use super::types::read_properties;
use std::borrow::Cow;
use std::ops::Range;

/// The JSON template text with irrelevant resources blanked, and unread properties too at
/// `level`, or the text itself.
pub fn relevant_json_at(text: &str, level: Level) -> Cow<'_, str> {
    if !level.resources {
        return Cow::Borrowed(text);
    }
    let mut blank = Vec::new();
    if plan_blanks(text.as_bytes(), level, &mut blank).is_none() || blank.is_empty() {
        return Cow::Borrowed(text);
    }
    // Blanks start and end on a quote, a bracket or a comma, so the pieces kept are
    // slices of the text.
    blank.sort_unstable_by_key(|b| b.range.start);
    let mut out = String::with_capacity(text.len());
    let mut kept = 0;
    for Blank { range, null } in blank {
        out.push_str(&text[kept..range.start]);
        let word = if null { "null" } else { "" };
        out.push_str(word);
        push_spaces(&mut out, range.len() - word.len());
        kept = range.end;
    }
    out.push_str(&text[kept..]);
    Cow::Owned(out)
}

/// A range of the text to blank, and whether it is a value that becomes `null`.
struct Blank {
    range: Range<usize>,
    null: bool,
}

/// One member of an object: its key (`None` when it has escapes), where the member starts
/// (its key's quote) and where its value is.
struct Entry<'t> {
    key: Option<&'t str>,
    start: usize,
    value: Range<usize>,
}

/// Finds what to blank in one pass over the text; `None` when the text is not JSON of a
/// template's shape as far as the scan reads it (then nothing is blanked).
fn plan_blanks(b: &[u8], level: Level, blank: &mut Vec<Blank>) -> Option<()> {
    let mut seen_resources = false;
    object(b, skip_space(b, 0), |key, _, at| {
        // Only the first section is read by the loader.
        let first = key == Some("Resources") && !std::mem::replace(&mut seen_resources, true);
        if first && b[at] == b'{' {
            object(b, at, |_, _, at| match b[at] {
                b'{' => resource(b, at, level, blank),
                _ => skip_value(b, at),
            })
        } else {
            let end = skip_value(b, at)?;
            // The loader never reads `Outputs`: an object of them becomes an empty one.
            if key == Some("Outputs") && level.properties && b[at] == b'{' {
                blank.push(Blank {
                    range: at + 1..end - 1,
                    null: false,
                });
            }
            Some(end)
        }
    })?;
    Some(())
}

/// Finds what to blank of the resource whose `{` is at `open`; returns where it ends.
fn resource(b: &[u8], open: usize, level: Level, blank: &mut Vec<Blank>) -> Option<usize> {
    let mut members = Vec::new();
    let end = object(b, open, |key, start, at| {
        let value_end = skip_value(b, at)?;
        members.push(Entry {
            key,
            start,
            value: at..value_end,
        });
        Some(value_end)
    })?;
    let only = |name: &str| {
        let mut found = members.iter().filter(|m| m.key == Some(name));
        match (found.next(), found.next()) {
            (Some(m), None) => Some(m),
            _ => None,
        }
    };
    let Some((kept, rtype)) = only("Type").and_then(|t| Some((t, plain_string(b, &t.value)?)))
    else {
        return Some(end);
    };
    if !relevant_resource_type(rtype) {
        blank.push(Blank {
            range: open + 1..kept.start,
            null: false,
        });
        blank.push(Blank {
            range: kept.value.end..end - 1,
            null: false,
        });
    } else if let Some(read) = read_properties(rtype).filter(|_| level.properties)
        && let Some(properties) = only("Properties").filter(|p| b[p.value.start] == b'{')
    {
        blank_unread_properties(b, properties.value.start, read, blank)?;
    }
    Some(end)
}

/// Replaces with `null` the values of the properties not in `read` of the `Properties`
/// object at `open`, when every key is without escapes.
fn blank_unread_properties(
    b: &[u8],
    open: usize,
    read: &[&str],
    blank: &mut Vec<Blank>,
) -> Option<()> {
    let mut unread = Vec::new();
    let mut plain = true;
    object(b, open, |key, _, at| {
        let end = skip_value(b, at)?;
        plain &= key.is_some();
        // A value of fewer than four bytes (`1`, `[]`, `""`) is left as it is.
        if !key.is_some_and(|k| read.contains(&k)) && end - at >= 4 {
            unread.push(Blank {
                range: at..end,
                null: true,
            });
        }
        Some(end)
    })?;
    if plain {
        blank.extend(unread);
    }
    Some(())
}

/// Reads the object whose `{` is at `open`: calls `member(key, start, value)` for each
/// member (its key when without escapes, where its key starts, where its value starts),
/// which returns where the value ends. Returns where the object ends (just after its `}`);
/// `None` when it is not well formed.
fn object<'t>(
    b: &'t [u8],
    open: usize,
    mut member: impl FnMut(Option<&'t str>, usize, usize) -> Option<usize>,
) -> Option<usize> {
    if b.get(open) != Some(&b'{') {
        return None;
    }
    let mut i = skip_space(b, open + 1);
    if b.get(i) == Some(&b'}') {
        return Some(i + 1);
    }
    loop {
        let start = i;
        let key_end = skip_string(b, i)?;
        i = skip_space(b, key_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = skip_space(b, i + 1);
        b.get(i)?;
        let value_end = member(plain_string(b, &(start..key_end)), start, i)?;
        i = skip_space(b, value_end);
        match b.get(i)? {
            b',' => i = skip_space(b, i + 1),
            b'}' => return Some(i + 1),
            _ => return None,
        }
    }
}

/// The text of the string literal at `range` when it has no escapes.
fn plain_string<'t>(b: &'t [u8], range: &Range<usize>) -> Option<&'t str> {
    let inner = b.get(range.start + 1..range.end.checked_sub(1)?)?;
    if b.get(range.start) != Some(&b'"') || inner.contains(&b'\\') {
        return None;
    }
    std::str::from_utf8(inner).ok()
}

fn skip_space(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

/// Just after the string literal whose quote is at `i`.
fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let mut i = i + 1;
    loop {
        i += memchr::memchr2(b'"', b'\\', b.get(i..)?)?;
        if b[i] == b'"' {
            return Some(i + 1);
        }
        i += 2;
    }
}

/// Just after the value that starts at `i`: a string; an object or an array, its own kind
/// of bracket counted (in JSON the two kinds nest properly), strings skipped; or a number
/// or word up to the next delimiter.
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    let (open, close) = match b.get(i)? {
        b'"' => return skip_string(b, i),
        b'{' => (b'{', b'}'),
        b'[' => (b'[', b']'),
        _ => {
            let end = b[i..]
                .iter()
                .position(|c| matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                .map_or(b.len(), |p| i + p);
            return (end > i).then_some(end);
        }
    };
    let mut depth = 0usize;
    let mut i = i;
    loop {
        i += memchr::memchr3(b'"', open, close, b.get(i..)?)?;
        match b[i] {
            b'"' => {
                i = skip_string(b, i)?;
                continue;
            }
            c if c == open => depth += 1,
            _ => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::located_json::{OffsetMap, parse_json_fast};
    use crate::source::FileId;
    use crate::value::Node;
    use proptest::prelude::*;

    fn checked(text: &str) -> Cow<'_, str> {
        relevant_json_at(text, Level::CHECKED)
    }

    fn parse(text: &str) -> Node {
        parse_json_fast(text, &OffsetMap::direct(FileId(0), 0)).expect("parses")
    }

    #[test]
    fn irrelevant_resources_keep_only_their_type() {
        let text = r#"{"Resources": {
  "Queue": {"Properties": {"QueueName": "q", "Tags": [{"Key": "a"}]}, "Type": "AWS::SQS::Queue", "DependsOn": "B"},
  "B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b"}}
}, "Outputs": {"X": {"Value": "v"}}}"#;
        let out = checked(text);
        assert_eq!(out.len(), text.len());
        assert!(!out.contains("QueueName") && !out.contains("DependsOn"));
        assert!(out.contains(r#""Type": "AWS::SQS::Queue""#));
        assert!(out.contains(r#""BucketName": "b""#));
        // The outputs are never read.
        assert!(
            out.ends_with(r#""Outputs": {                   }}"#),
            "{out}"
        );
        assert_eq!(
            relevant_json_at(text, Level::EVERY_PROPERTY)
                .matches("Value")
                .count(),
            1
        );
        let (whole, blanked) = (parse(text), parse(&out));
        let queue = |n: &Node| n.get("Resources").and_then(|r| r.get("Queue")).cloned();
        // The resource spans what it spanned, and keeps its type only.
        assert_eq!(
            queue(&whole).map(|q| q.span),
            queue(&blanked).map(|q| q.span)
        );
        let kept = queue(&blanked).unwrap();
        assert_eq!(kept.as_object().map(<[_]>::len), Some(1));
        assert_eq!(kept.get("Type"), queue(&whole).unwrap().get("Type"));
    }

    #[test]
    fn unread_properties_become_null_and_read_ones_stay() {
        let text = r#"{"Resources": {"K": {"Type": "AWS::KMS::Key", "Properties": {
  "Description": "a key", "KeyPolicy": {"Statement": []}, "EnableKeyRotation": true, "X": 1}}}}"#;
        let out = checked(text);
        assert_eq!(out.len(), text.len());
        assert!(out.contains(r#""Description": null   "#), "{out}");
        assert!(out.contains(r#""EnableKeyRotation": null,"#), "{out}");
        // Read, and too short to be worth blanking.
        assert!(out.contains(r#""KeyPolicy": {"Statement": []}"#) && out.contains(r#""X": 1}"#));
        // Only resources are blanked at the lower level, and nothing at the lowest.
        assert_eq!(relevant_json_at(text, Level::EVERY_PROPERTY), text);
        let irrelevant = r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {}}}}"#;
        assert_ne!(
            relevant_json_at(irrelevant, Level::EVERY_PROPERTY),
            irrelevant
        );
        assert_eq!(relevant_json_at(irrelevant, Level::WHOLE), irrelevant);
    }

    #[test]
    fn what_the_scan_is_not_sure_of_is_kept() {
        for text in [
            // Not JSON, or not a template's shape.
            r#"{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"Tags" "xxxx"}}}}"#,
            r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue" "Properties": {}}}}"#,
            r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"A": 1}}}"#,
            r#"["Resources"]"#,
            r#"{"Resources": [{"Type": "AWS::SQS::Queue", "Properties": {"A": 1}}]}"#,
            // A type with an escape, a type that is not a string, two types.
            r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queu\u0065", "Properties": {"A": 1}}}}"#,
            r#"{"Resources": {"Q": {"Type": {"Fn::If": ["c", "a", "b"]}, "Properties": {"A": 1}}}}"#,
            r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Type": "AWS::SNS::Topic"}}}"#,
            // Properties twice, or with a key that has an escape.
            r#"{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": "xxxx"}, "Properties": {}}}}"#,
            r#"{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"T\u0061gs": "xxxx", "Other": "yyyy"}}}}"#,
            // A type whose properties are all read.
            r#"{"Resources": {"A": {"Type": "AWS::S3::AccessPoint", "Properties": {"Tags": "xxxx"}}}}"#,
        ] {
            assert_eq!(checked(text), text, "{text}");
        }
    }

    #[test]
    fn only_the_first_resources_section_is_blanked() {
        for first in [r#"{"B": {"Type": "AWS::S3::Bucket"}}"#, "[]"] {
            let text = format!(
                r#"{{"Resources": {first}, "Resources": {{"Q": {{"Type": "AWS::SQS::Queue", "Properties": {{"A": 1}}}}}}}}"#
            );
            assert_eq!(checked(&text), text);
        }
    }

    #[test]
    fn strings_with_brackets_and_escaped_quotes_are_skipped_whole() {
        let text = r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"A": "}]\"{[", "B": ["}", {"c": "\\"}]}}, "B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b\"}"}}}}"#;
        let out = checked(text);
        assert!(
            !out.contains("\"A\"") && out.contains(r#""BucketName": "b\"}""#),
            "{out}"
        );
        parse(&out);
    }

    /// Properties (read by some type or by none), values and types as templates write them.
    const NAMES: &[&str] = &["BucketName", "Tags", "KeyPolicy", "Description", "Bucket"];
    const VALUES: &[&str] = &[
        r#""plain""#,
        r#""with \" quote""#,
        r#"{"Fn::Sub": "${AWS::StackName}-x"}"#,
        r#"["a", {"b": [1, 2, {"c": "]"}]}]"#,
        "1",
        "true",
        "null",
        "[]",
        r#"{"Statement": [{"Effect": "Deny", "Principal": "*"}]}"#,
    ];
    const TYPES: &[&str] = &[
        "AWS::S3::Bucket",
        "AWS::KMS::Key",
        "AWS::S3::BucketPolicy",
        "AWS::SQS::Queue",
        "AWS::S3::AccessPoint",
    ];

    proptest! {
        /// Any text, however broken, comes back whole or blanked in place: the same length,
        /// every changed byte a space or part of a `null`.
        #[test]
        fn any_text_is_kept_or_blanked_in_place(
            prefix in 0..3usize,
            tail in "[{}\\[\\]\":, ab\\\\é]{0,60}",
        ) {
            let head = [
                "",
                r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "#,
                r#"{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": "#,
            ][prefix];
            let text = format!("{head}{tail}");
            let out = checked(&text);
            prop_assert_eq!(out.len(), text.len());
            let nulls: Vec<usize> = out.match_indices("null").map(|(i, _)| i).collect();
            let in_null = |i: usize| nulls.iter().any(|&n| (n..n + 4).contains(&i));
            for (i, (a, b)) in text.bytes().zip(out.bytes()).enumerate() {
                prop_assert!(a == b || b == b' ' || in_null(i), "{}", out);
            }
        }

        /// Blanking keeps the template's shape: the same resources at the same places, each
        /// irrelevant one with its type only, each relevant one with the same members and
        /// the same read properties; the text is still JSON, of the same length.
        #[test]
        fn blanking_keeps_every_read_property_and_every_span(
            resources in prop::collection::vec(
                (0..TYPES.len(), any::<bool>(), prop::collection::vec((0..NAMES.len(), 0..VALUES.len()), 0..5)),
                1..5,
            ),
            pretty in any::<bool>(),
        ) {
            let sep = if pretty { ",\n    " } else { "," };
            let mut items = Vec::new();
            for (n, (t, type_last, props)) in resources.iter().enumerate() {
                let mut seen = Vec::new();
                let props: Vec<String> = props
                    .iter()
                    .filter(|(name, _)| !seen.contains(name) && { seen.push(*name); true })
                    .map(|(name, value)| format!("\"{}\": {}", NAMES[*name], VALUES[*value]))
                    .collect();
                let rtype = format!("\"Type\": \"{}\"", TYPES[*t]);
                let props = format!("\"Properties\": {{{}}}", props.join(sep));
                let members = if *type_last { [props, rtype] } else { [rtype, props] };
                items.push(format!("\"R{n}\": {{{}}}", members.join(sep)));
            }
            let text = format!("{{\"Resources\": {{{}}}}}", items.join(sep));
            let out = checked(&text);
            prop_assert_eq!(out.len(), text.len());
            let (whole, blanked) = (parse(&text), parse(&out));
            let resources = |n: &Node| n.get("Resources").and_then(Node::as_object).unwrap().to_vec();
            for (a, b) in resources(&whole).iter().zip(resources(&blanked)) {
                prop_assert_eq!(a.value.span, b.value.span);
                let rtype = a.value.get("Type").and_then(Node::as_pstr).and_then(|t| t.as_known()).unwrap().to_string();
                if !relevant_resource_type(&rtype) {
                    prop_assert_eq!(b.value.as_object().map(<[_]>::len), Some(1));
                    continue;
                }
                let (pa, pb) = (a.value.get("Properties").unwrap(), b.value.get("Properties").unwrap());
                prop_assert_eq!(pa.span, pb.span);
                let (ma, mb) = (pa.as_object().unwrap(), pb.as_object().unwrap());
                prop_assert_eq!(ma.len(), mb.len());
                for (x, y) in ma.iter().zip(mb) {
                    prop_assert_eq!(&x.key, &y.key);
                    if read_properties(&rtype).is_none_or(|read| read.contains(&x.key.as_str())) {
                        prop_assert_eq!(x, y);
                    }
                }
            }
        }
    }
}
