//! Skips what cannot matter before parsing a block-style YAML template. In the `Resources`
//! section:
//! - every resource whose `Type` the model never reads ([`super::types`]: anything but
//!   `AWS::S3::*`, `AWS::KMS::*` and `AWS::CloudFront::Distribution`) keeps only its logical
//!   id and `Type` lines;
//! - a resource of a type whose read properties are listed
//!   ([`super::types::read_properties`]: a bucket's name, encryption, ownership and ACL, a
//!   key's policy, …) keeps those properties; every other property keeps only its key
//!   (`Tags:`), its value blanked.
//!
//! Blanked text becomes spaces, newlines kept: offsets, lines and columns stay those of the
//! file, a resource still exists for `Ref` and `Fn::GetAtt`, and the parser has far less to
//! build.
//!
//! Only plain block-style entries are touched. Anything unusual (flow style, a resource
//! without a recognisable `Type` line, `Fn::ForEach` keys, properties that are not plain
//! `Name:` keys) is kept as it is: the full parse is always correct, only slower. A blanked
//! text the parser rejects is parsed again whole ([`super::template::parse_document`]), so an
//! error is always reported as the whole template gives it.

use super::compact::Compact;
use super::types::read_properties;
use std::borrow::Cow;

/// Resource types the model reads ([`super::types`]).
pub fn relevant_resource_type(rtype: &str) -> bool {
    super::types::is_modelled(rtype)
}

/// One line of the text: where it starts, its text without the line ending, and what the
/// scan asks of every line (worked out once).
struct Line<'a> {
    at: usize,
    text: &'a str,
    /// Leading spaces.
    indent: usize,
    /// Empty, only whitespace, or a comment.
    blank: bool,
}

impl<'a> Line<'a> {
    fn new(at: usize, raw: &'a str) -> Self {
        let bytes = raw.as_bytes();
        let mut end = bytes.len();
        while end > 0 && matches!(bytes[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        let text = &raw[..end];
        let indent = bytes[..end].iter().take_while(|&&b| b == b' ').count();
        Line {
            at,
            text,
            indent,
            blank: is_blank(&text[indent..]),
        }
    }
}

/// Whether a line (after its indentation) is empty, only whitespace, or a comment. Most
/// lines start with a character that settles it; the others are trimmed.
fn is_blank(rest: &str) -> bool {
    match rest.as_bytes().first() {
        None | Some(b'#') => true,
        Some(&b) if b.is_ascii() && !(b == b' ' || (b'\t'..=b'\r').contains(&b)) => false,
        Some(_) => {
            let t = rest.trim_start();
            t.is_empty() || t.starts_with('#')
        }
    }
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| s.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
        .unwrap_or(s)
}

/// The lines of `text` with their line endings, and where each starts.
fn split_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= bytes.len() {
            return None;
        }
        let end = next_newline(bytes, at).map_or(bytes.len(), |i| i + 1);
        let line = (at, &text[at..end]);
        at = end;
        Some(line)
    })
}

/// The offset of the first `\n` in `bytes` from `from` on, eight bytes at a time.
fn next_newline(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    const NEWLINES: u64 = u64::from_le_bytes([b'\n'; 8]);
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8])) ^ NEWLINES;
        // A byte of `word` is zero where the chunk has a newline; the lowest flagged byte is
        // the first newline (a false flag can only sit above a true one).
        let zeros = word.wrapping_sub(ONES) & !word & HIGHS;
        if zeros != 0 {
            return Some(i + (zeros.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    bytes[i.min(bytes.len())..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|p| i + p)
}

/// Whether `line` opens the top-level `Resources` section.
fn opens_resources(line: &str) -> bool {
    opens_section(line, "Resources")
}

/// Whether `line` opens the top-level section `name` as a block (`Name:` and nothing after).
fn opens_section(line: &str, name: &str) -> bool {
    !line.starts_with(' ')
        && unquote(line.split(':').next().unwrap_or_default()) == name
        && line.trim_end().ends_with(':')
}

/// What blanked lines are filled with, a run at a time.
const SPACES: &str = "                                                                ";

/// Appends `n` spaces to `out` (what blanked text is filled with, in both prefilters).
pub(super) fn push_spaces(out: &mut String, mut n: usize) {
    while n > 0 {
        let run = n.min(SPACES.len());
        out.push_str(&SPACES[..run]);
        n -= run;
    }
}

/// How much [`relevant_yaml_at`] blanks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    /// The resources of types the model does not read.
    pub resources: bool,
    /// Also the properties the model does not read of the resources it reads.
    pub properties: bool,
}

impl Level {
    /// Irrelevant resources and the unread properties of the others: what the checker
    /// parses.
    pub const CHECKED: Level = Level {
        resources: true,
        properties: true,
    };
    /// Irrelevant resources only: every property of the resources the model reads is
    /// parsed (for a reader of more than the model reads, such as the resolver's tests).
    pub const EVERY_PROPERTY: Level = Level {
        resources: true,
        properties: false,
    };
    /// Nothing: the template is parsed whole (for the tests that compare the others with it).
    pub const WHOLE: Level = Level {
        resources: false,
        properties: false,
    };
}

/// The template text with what cannot matter blanked (irrelevant resources, unread
/// properties), or the text itself.
pub fn relevant_yaml(text: &str) -> Cow<'_, str> {
    relevant_yaml_at(text, Level::CHECKED)
}

/// The key of a plain block mapping line (`Name:` or `Name: value`) when it is a property
/// name (letters and digits), and the offset just after its colon.
fn property_key(line: &str) -> Option<(&str, usize)> {
    let end = line.find(':')?;
    let key = &line[..end];
    let rest = &line[end + 1..];
    let plain = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric());
    (plain && (rest.is_empty() || rest.starts_with([' ', '\t']))).then_some((key, end + 1))
}

/// Blanks the values of the properties not in `read` of one resource entry (`body`: its
/// lines after the logical id; `prop_indent`: the indentation of its `Type:` line), when its
/// `Properties` is a plain block mapping of `Name:` keys; leaves the entry as it is otherwise.
fn blank_unread_properties(
    text: &str,
    body: &[Line],
    prop_indent: Option<usize>,
    read: &[&str],
    blank: &mut Vec<(usize, usize)>,
) {
    let Some(p) = body
        .iter()
        .position(|l| Some(l.indent) == prop_indent && l.text.trim() == "Properties:")
    else {
        return;
    };
    let pi = body[p].indent;
    let mut end = p + 1;
    while end < body.len() && (body[end].blank || body[end].indent > pi) {
        end += 1;
    }
    let lines = &body[p + 1..end];
    let Some(ci) = lines.iter().find(|l| !l.blank).map(|l| l.indent) else {
        return;
    };
    // The ranges of unread values, each within one line; pushed only if every property is
    // a plain key.
    let mut unread: Vec<(usize, usize)> = Vec::new();
    let (mut keep, mut value_inline) = (true, true);
    // Where the last property's ranges start in `unread`.
    let mut last_start = 0;
    for l in lines.iter().filter(|l| !l.blank) {
        let rest = &l.text[l.indent.min(l.text.len())..];
        let in_value = l.indent > ci
            // A block sequence may sit at its key's own indentation.
            || (l.indent == ci && !value_inline && (rest == "-" || rest.starts_with("- ")));
        if in_value {
            if !keep {
                unread.push((l.at, l.at + l.text.len()));
            }
            continue;
        }
        if l.indent < ci {
            return;
        }
        let Some((key, colon)) = property_key(rest) else {
            return;
        };
        keep = read.contains(&key);
        last_start = unread.len();
        value_inline = !rest[colon..].trim().is_empty();
        if !keep && value_inline {
            unread.push((l.at + l.indent + colon, l.at + l.text.len()));
        }
    }
    // The last property's value ends the `Properties` map (and often the resource), whose
    // span must stay the one the whole template gives: its last character is kept when that
    // is a letter or digit and its line has no `#` (which could start a comment after the
    // value), so that the value becomes that one-character scalar, ending where the value
    // ended; else its whole value is kept.
    if unread.len() > last_start
        && let Some(last) = unread.last_mut()
    {
        let line = &text.as_bytes()[last.0..last.1];
        match line.last() {
            Some(b) if b.is_ascii_alphanumeric() && !line.contains(&b'#') => last.1 -= 1,
            _ => unread.truncate(last_start),
        }
    }
    blank.extend(unread.into_iter().filter(|(a, b)| b > a));
}

/// Blanks the value of an `Outputs` section among the top-level sections that start at
/// `lines[0]` (which the loader never reads: it becomes null), when it is a block of indented
/// lines followed by another key or the end.
fn blank_outputs(lines: &[Line], blank: &mut Vec<(usize, usize)>) {
    let mut i = 0;
    while i < lines.len() {
        let mut end = i + 1;
        while end < lines.len() && (lines[end].blank || lines[end].indent > 0) {
            end += 1;
        }
        let next_is_key = lines.get(end).is_none_or(|l| !l.text.starts_with('-'));
        if opens_section(lines[i].text, "Outputs") && next_is_key {
            for l in lines[i + 1..end].iter().filter(|l| !l.text.is_empty()) {
                blank.push((l.at, l.at + l.text.len()));
            }
        }
        i = end;
    }
}

/// The template text with irrelevant resources blanked, and unread properties and the
/// `Outputs` after `Resources` too at `level`, or the text itself.
pub fn relevant_yaml_at(text: &str, level: Level) -> Cow<'_, str> {
    let Some(blank) = blank_ranges(text, level) else {
        return Cow::Borrowed(text);
    };
    // Whole lines are blanked (line starts and ends are character boundaries), so the
    // pieces kept are slices of the text.
    let mut out = String::with_capacity(text.len());
    let mut kept = 0;
    for (a, b) in blank {
        out.push_str(&text[kept..a]);
        push_spaces(&mut out, b - a);
        kept = b;
    }
    out.push_str(&text[kept..]);
    Cow::Owned(out)
}

/// [`relevant_yaml_at`] with every wholly blanked line left out: what the checker parses.
/// `None` when nothing is blanked.
pub fn compact_yaml_at(text: &str, level: Level) -> Option<Compact> {
    blank_ranges(text, level).map(|blank| Compact::new(text, &blank))
}

/// The byte ranges [`relevant_yaml_at`] blanks, in order, each within one line and without
/// its line ending; `None` when it blanks nothing.
fn blank_ranges(text: &str, level: Level) -> Option<Vec<(usize, usize)>> {
    if !level.resources || text.trim_start().starts_with('{') {
        return None;
    }
    let mut raw_lines = split_lines(text);
    // (A line that starts with a space cannot open the section.)
    if !raw_lines.any(|(_, raw)| !raw.starts_with(' ') && opens_resources(Line::new(0, raw).text)) {
        return None;
    }
    // The lines after `Resources:`.
    let lines: Vec<Line> = raw_lines.map(|(at, raw)| Line::new(at, raw)).collect();
    // Byte ranges to blank, in order.
    let mut blank: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    let mut entry_indent = None;
    // Where the section ends, when it ends at the next top-level key.
    let mut resources_end = None;
    while i < lines.len() {
        let line = &lines[i];
        if line.blank {
            i += 1;
            continue;
        }
        if line.indent == 0 {
            resources_end = Some(i);
            break;
        }
        let n = *entry_indent.get_or_insert(line.indent);
        if line.indent != n
            || !line.text.trim_end().ends_with(':')
            || line.text.trim_start().starts_with('-')
        {
            // Not a plain `LogicalId:` entry: leave the rest as it is.
            break;
        }
        // The entry: its lines run until the next line at indent n or less.
        let mut end = i + 1;
        while end < lines.len() && (lines[end].blank || lines[end].indent > n) {
            end += 1;
        }
        let body = &lines[i + 1..end];
        let prop_indent = body.iter().find(|l| !l.blank).map(|l| l.indent);
        let type_line = body.iter().position(|l| {
            Some(l.indent) == prop_indent && l.text.trim_start().starts_with("Type:")
        });
        if let Some(t) = type_line {
            let rtype = unquote(body[t].text.trim_start().trim_start_matches("Type:"));
            let simple = !rtype.is_empty() && !rtype.starts_with(['!', '{', '[', '&', '*']);
            if simple && !relevant_resource_type(rtype) {
                for (k, l) in body.iter().enumerate() {
                    if k != t && !l.text.is_empty() {
                        blank.push((l.at, l.at + l.text.len()));
                    }
                }
            } else if let Some(read) = read_properties(rtype).filter(|_| simple && level.properties)
            {
                blank_unread_properties(text, body, prop_indent, read, &mut blank);
            }
        }
        i = end;
    }
    if let Some(after) = resources_end.filter(|_| level.properties) {
        blank_outputs(&lines[after..], &mut blank);
    }
    (!blank.is_empty()).then_some(blank)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn irrelevant_resources_keep_only_id_and_type() {
        let text = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: q\n  \
                    Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: b\nOutputs: {}\n";
        let out = relevant_yaml(text);
        assert_eq!(out.len(), text.len());
        assert!(out.contains("  Queue:\n    Type: AWS::SQS::Queue\n"));
        assert!(!out.contains("QueueName"));
        assert!(out.contains("BucketName: b"));
        assert!(out.contains("Outputs: {}"));
    }

    #[test]
    fn outputs_after_resources_are_blanked() {
        let text = "Resources:\n  B:\n    Type: AWS::S3::Bucket\nOutputs:\n  Arn:\n    \
                    Value: !GetAtt B.Arn\n\n    # c\nMetadata: {}\n";
        let out = relevant_yaml(text);
        assert_eq!(out.len(), text.len());
        assert!(out.contains("Outputs:\n") && !out.contains("Arn") && !out.contains("# c"));
        assert!(out.ends_with("\n\n       \nMetadata: {}\n"), "{out:?}");
        assert_eq!(relevant_yaml_at(text, Level::EVERY_PROPERTY), text);
        for kept in [
            // Before `Resources`, in flow style, or followed by a sequence at the top level.
            "Outputs:\n  A:\n    Value: 1\nResources:\n  B:\n    Type: AWS::S3::Bucket\n",
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\nOutputs: {A: {Value: 1}}\n",
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\nOutputs:\n  A: 1\n- x\n",
        ] {
            assert_eq!(relevant_yaml(kept), kept);
        }
    }

    #[test]
    fn blanking_keeps_offsets_with_crlf_comments_and_multibyte_text() {
        let text = "# t\r\nResources:\r\n  Queue:\r\n    Type: 'AWS::SQS::Queue'\r\n\r\n    \
                    # c\r\n    Properties:\r\n      QueueName: \"é ü\"\r\n  Key:\r\n    Type: AWS::KMS::Key\r\n";
        let out = relevant_yaml(text);
        assert_eq!(out.len(), text.len());
        assert_eq!(out.matches('\n').count(), text.matches('\n').count());
        assert!(!out.contains("QueueName") && !out.contains('é'));
        assert!(out.contains("  Queue:\r\n    Type: 'AWS::SQS::Queue'\r\n"));
        assert!(out.ends_with("  Key:\r\n    Type: AWS::KMS::Key\r\n"));
        // Every line break is where it was.
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' || b == b'\r' {
                assert_eq!(out.as_bytes()[i], b);
            }
        }
    }

    #[test]
    fn a_quoted_section_name_and_a_last_line_without_a_newline() {
        let text =
            "\"Resources\":\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties: {TopicName: t}";
        let out = relevant_yaml(text);
        assert_eq!(out.len(), text.len());
        assert!(!out.contains("TopicName"));
        assert!(out.starts_with("\"Resources\":\n  Topic:\n    Type: AWS::SNS::Topic\n"));
    }

    #[test]
    fn newlines_are_found_where_they_are() {
        let text = "ab\ncdefghijklmnop\n\nq\u{e9}\u{2028}rstuvwxyz0123456789\n\u{10a}\nend";
        let bytes = text.as_bytes();
        for from in 0..=bytes.len() {
            let expected = bytes[from..]
                .iter()
                .position(|&b| b == b'\n')
                .map(|p| from + p);
            assert_eq!(next_newline(bytes, from), expected, "from {from}");
        }
        // Every byte value next to a newline, in every position of a word.
        for b in 0..=255u8 {
            for at in 0..16 {
                let mut v = vec![b; 24];
                v[at] = b'\n';
                let expected = v.iter().position(|&x| x == b'\n');
                assert_eq!(next_newline(&v, 0), expected, "{b} at {at}");
            }
        }
    }

    #[test]
    fn blank_lines_are_whitespace_or_comments_in_any_script() {
        for blank in ["", "# c", "\t# c", "\u{a0}", "\u{2003}# c", "\x0b", " \r"] {
            assert!(is_blank(blank), "{blank:?}");
            assert_eq!(is_blank(blank), {
                let t = blank.trim_start();
                t.is_empty() || t.starts_with('#')
            });
        }
        for text in ["a: 1", "\u{a0}x", "é", "\x01", "- x", "\t-"] {
            assert!(!is_blank(text), "{text:?}");
        }
    }

    use crate::cloudformation::yaml::parse_yaml;
    use crate::source::FileId;
    use crate::value::{Kind, Node};
    use proptest::prelude::*;

    /// Property names (read by some type or by none) and values in the layouts templates use.
    const NAMES: &[&str] = &["BucketName", "Tags", "KeyPolicy", "Description", "Bucket"];
    const VALUES: &[&str] = &[
        " plain",
        " 'quoted: yes'",
        " !Sub '${AWS::StackName}-x'",
        " [a, b]",
        " {K: v}",
        "\n        Status: Enabled\n        Rules:\n          - Id: r",
        "\n      - Key: a\n        Value: b",
        "\n        - x\n        # a comment\n\n        - y",
        " |\n        line one\n        line two",
        " [a] # a comment after the value",
        " plain # and a comment",
        " !If\n        - C\n        - v1\n        - !Ref AWS::NoValue",
        " 1",
    ];
    const TYPES: &[&str] = &[
        "AWS::S3::Bucket",
        "AWS::KMS::Key",
        "AWS::S3::BucketPolicy",
        "AWS::SQS::Queue",
    ];

    /// The `Properties` of each resource of a parsed template, by logical id.
    fn properties(root: &Node) -> Vec<(String, Option<Node>)> {
        let Some(Kind::Object(resources)) = root.get("Resources").map(|r| &r.kind) else {
            return Vec::new();
        };
        resources
            .iter()
            .map(|r| (r.key.clone(), r.value.get("Properties").cloned()))
            .collect()
    }

    proptest! {
        /// Blanking unread properties keeps the template's shape: every resource and
        /// `Properties` map spans what it spanned, every property keeps its key, and every
        /// property the model reads is the same value at the same place.
        #[test]
        fn blanking_keeps_every_read_property_and_every_span(
            resources in prop::collection::vec(
                (0..TYPES.len(), prop::collection::vec((0..NAMES.len(), 0..VALUES.len()), 1..5)),
                1..5,
            )
        ) {
            let mut text = String::from("Resources:\n");
            for (n, (t, props)) in resources.iter().enumerate() {
                text.push_str(&format!("  R{n}:\n    Type: {}\n    Properties:\n", TYPES[*t]));
                let mut seen = Vec::new();
                for (name, value) in props {
                    if seen.contains(name) {
                        continue;
                    }
                    seen.push(*name);
                    text.push_str(&format!("      {}:{}\n", NAMES[*name], VALUES[*value]));
                }
            }
            let out = relevant_yaml(&text);
            prop_assert_eq!(out.len(), text.len());
            for (a, b) in text.bytes().zip(out.bytes()) {
                prop_assert!(a == b || b == b' ', "{}", out);
            }
            let file = FileId(0);
            let whole = parse_yaml(&relevant_yaml_at(&text, Level::EVERY_PROPERTY), file).unwrap();
            let blanked = parse_yaml(&out, file).unwrap();
            // Leaving the blanked lines out changes no node and no span.
            if let Some(compact) = compact_yaml_at(&text, Level::CHECKED) {
                let compacted = compact.restore(parse_yaml(&compact.text, file).unwrap());
                prop_assert_eq!(compacted.as_ref(), Some(&blanked));
            }
            prop_assert_eq!(whole.get("Resources").map(|r| r.span), blanked.get("Resources").map(|r| r.span));
            for ((id, a), (_, b)) in properties(&whole).into_iter().zip(properties(&blanked)) {
                let (Some(a), Some(b)) = (a, b) else { continue };
                prop_assert_eq!(a.span, b.span, "{}", id);
                let (Kind::Object(a), Kind::Object(b)) = (&a.kind, &b.kind) else {
                    prop_assert_eq!(a, b);
                    continue;
                };
                let keys = |m: &[crate::value::Member]| m.iter().map(|m| m.key.clone()).collect::<Vec<_>>();
                prop_assert_eq!(keys(a), keys(b));
                let rtype = whole.get("Resources").and_then(|r| r.get(&id)).and_then(|r| r.get("Type"))
                    .and_then(|t| t.as_pstr()).and_then(|t| t.as_known()).unwrap_or_default().to_string();
                for (ma, mb) in a.iter().zip(b) {
                    if read_properties(&rtype).is_none_or(|read| read.contains(&ma.key.as_str())) {
                        prop_assert_eq!(ma, mb);
                    }
                }
            }
        }
    }

    #[test]
    fn unread_properties_keep_their_keys_and_the_last_character_of_the_last_value() {
        let text = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      \
                    Tags:\n      - Key: a\n        Value: b\n      BucketName: keep\n      \
                    Versioning:\n        Status: On\n      Description: last one\n";
        let out = relevant_yaml(text);
        assert_eq!(out.len(), text.len());
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                assert_eq!(out.as_bytes()[i], b'\n');
            }
        }
        assert!(out.contains("      Tags:\n"));
        assert!(!out.contains("Key: a") && !out.contains("Status"));
        assert!(out.contains("      BucketName: keep\n      Versioning:\n"));
        // The last value ends where it ended: one character of it is left.
        assert!(out.ends_with("      Description:        e\n"), "{out}");
        // Only resources are blanked at the lower level.
        assert_eq!(relevant_yaml_at(text, Level::EVERY_PROPERTY), text);
    }

    #[test]
    fn a_last_value_that_does_not_end_in_a_letter_or_digit_is_kept() {
        let text = "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      \
                    Description: d\n      Tags: [{Key: a, Value: b}]\n";
        let out = relevant_yaml(text);
        assert!(out.contains("      Description:  \n"));
        assert!(out.ends_with("      Tags: [{Key: a, Value: b}]\n"));
        // A comment after the last value: the value ends before it, so it is kept whole.
        let text = "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      \
                    Description: d\n      Tags: [a] # note\n";
        assert!(relevant_yaml(text).ends_with("      Tags: [a] # note\n"));
    }

    #[test]
    fn properties_that_are_not_plain_keys_are_kept() {
        for text in [
            // A function over the whole map, a quoted key, a flow map, a key at the wrong
            // indentation.
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      \
             Fn::If: [c, {Tags: []}, {}]\n      Tags: x\n",
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      \
             \"Tags\": x\n      Other: y\n",
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties: {Tags: x, Other: y}\n",
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n        \
             Tags: x\n      Other: y\n",
            // A type whose properties are all read.
            "Resources:\n  A:\n    Type: AWS::S3::AccessPoint\n    Properties:\n      \
             Tags: x\n      Other: y\n",
        ] {
            assert_eq!(relevant_yaml(text), text);
        }
    }

    #[test]
    fn unusual_layouts_are_kept() {
        for text in [
            "{\"Resources\": {}}",
            "Resources:\n  - odd\n",
            "Resources:\n  Queue:\n    Properties: {}\n    Type: !If [c, a, b]\n",
        ] {
            assert_eq!(relevant_yaml(text), text);
        }
    }
}
