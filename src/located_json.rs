//! A JSON reader that keeps a span on every node, also for documents nested in strings.
//!
//! Parsing is done by `jsonc-parser` in strict mode (no comments, no trailing commas, no
//! JSON5 extensions), which reports a byte range for every value and key and keeps duplicate
//! keys. An [`OffsetMap`] turns offsets in the parsed text into spans of the file the user
//! edits: directly for a file, or through the escapes of a string literal when a policy is
//! a JSON string inside plan JSON, a CloudFormation template or an HCL string.

use crate::source::{FileId, Span};
use crate::value::{Kind, Member, Node, PString};
use jsonc_parser::ast;
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};

/// Maps byte offsets of a parsed text to spans of a source file.
#[derive(Debug, Clone)]
pub enum OffsetMap {
    /// The text is the file's text starting at byte `base`.
    Direct {
        /// The file.
        file: FileId,
        /// Offset of the text's first byte in the file.
        base: usize,
    },
    /// The text was decoded from an escaped literal: `offsets[i]` is where inner byte `i`
    /// starts in the file, with one more entry for the end.
    Table {
        /// The file.
        file: FileId,
        /// File offset of each inner byte, plus the end.
        offsets: Vec<u32>,
    },
    /// Every offset maps to one span (used when no finer map can be built).
    Coarse(Span),
}

impl OffsetMap {
    /// The text is the whole of `file` (or starts at `base` in it).
    pub fn direct(file: FileId, base: usize) -> Self {
        OffsetMap::Direct { file, base }
    }

    /// The span of inner bytes `start..end`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        match self {
            OffsetMap::Direct { file, base } => Span::new(*file, base + start, base + end),
            OffsetMap::Table { file, offsets } => {
                let at = |i: usize| offsets[i.min(offsets.len() - 1)] as usize;
                Span::new(*file, at(start), at(end))
            }
            OffsetMap::Coarse(span) => *span,
        }
    }

    /// Decodes a JSON string literal `raw` (with its quotes), written at byte `base` of
    /// `file`, into its text and a map from the text back to the file. `None` when `raw`
    /// is not a well-formed JSON string literal.
    pub fn from_json_literal(raw: &str, file: FileId, base: usize) -> Option<(String, OffsetMap)> {
        let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
        let base = base + 1;
        let mut text = String::with_capacity(inner.len());
        let mut offsets = Vec::with_capacity(inner.len() + 1);
        let bytes = inner.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let start = i;
            let decoded: char = if bytes[i] == b'\\' {
                let esc = *bytes.get(i + 1)?;
                i += 2;
                match esc {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    b'u' => {
                        let hi = hex4(inner.get(i..i + 4)?)?;
                        i += 4;
                        if (0xD800..0xDC00).contains(&hi) && inner.get(i..i + 2) == Some("\\u") {
                            let lo = hex4(inner.get(i + 2..i + 6)?)?;
                            i += 6;
                            char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                        } else {
                            char::from_u32(hi)?
                        }
                    }
                    _ => return None,
                }
            } else {
                let c = inner[i..].chars().next()?;
                if c == '"' {
                    return None;
                }
                i += c.len_utf8();
                c
            };
            for _ in 0..decoded.len_utf8() {
                offsets.push((base + start) as u32);
            }
            text.push(decoded);
        }
        offsets.push((base + inner.len()) as u32);
        Some((text, OffsetMap::Table { file, offsets }))
    }
}

fn hex4(s: &str) -> Option<u32> {
    if s.len() != 4 {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

/// A JSON syntax error at a location.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonError {
    /// Where the parser stopped.
    pub span: Span,
    /// What was wrong, e.g. `Expected colon`.
    pub message: String,
}

/// Parses strict JSON `text` into located nodes, mapping positions through `map`.
///
/// Well-formed JSON of the usual kind is read by `fast::parse` in one pass straight into
/// nodes; anything it is not sure of (an error, a surrogate escape, deep nesting) is read by
/// `jsonc-parser`, which gives the same nodes and the located error message.
pub fn parse_json(text: &str, map: &OffsetMap) -> Result<Node, JsonError> {
    if let Some(node) = fast::parse(text, map) {
        return Ok(node);
    }
    parse_json_jsonc(text, map)
}

/// Decides whether a member of an object is kept as the object is read: given the depth of
/// the object (0 for the document), the key its object is the value of (`None` for the
/// document and for array items), the members of its object kept before it, and the member.
pub type Keep<'k> = &'k dyn Fn(usize, Option<&str>, &[Member], &Member) -> bool;

/// [`parse_json`], leaving out the members `keep` refuses. A member left out is dropped as
/// soon as it is read, so what is read next reuses its memory (a large document whose
/// unread parts are dropped after the whole is built is left full of holes); the errors are
/// those of the whole text.
pub fn parse_json_keeping(text: &str, map: &OffsetMap, keep: Keep) -> Result<Node, JsonError> {
    if let Some(node) = fast::parse_keeping(text, map, Some(keep)) {
        return Ok(node);
    }
    let mut node = parse_json_jsonc(text, map)?;
    leave_out(&mut node, 0, None, keep);
    Ok(node)
}

/// Removes from `node`, at depth `depth` as the value of `key`, every member `keep` refuses,
/// as [`parse_json_keeping`]'s reader does while it reads.
fn leave_out(node: &mut Node, depth: usize, key: Option<&str>, keep: Keep) {
    match &mut node.kind {
        Kind::Object(members) => {
            let mut kept: Vec<Member> = Vec::with_capacity(members.len());
            for mut member in std::mem::take(members) {
                leave_out(&mut member.value, depth + 1, Some(&member.key), keep);
                if keep(depth, key, &kept, &member) {
                    kept.push(member);
                }
            }
            kept.shrink_to_fit();
            *members = kept;
        }
        Kind::Array(items) => {
            for item in items {
                leave_out(item, depth + 1, None, keep);
            }
        }
        _ => {}
    }
}

/// [`parse_json`]'s one-pass reader alone: the nodes of well-formed JSON of the usual kind,
/// `None` for anything else (an error, a surrogate escape, nesting deeper than 128 levels,
/// which it never goes into).
pub fn parse_json_fast(text: &str, map: &OffsetMap) -> Option<Node> {
    fast::parse(text, map)
}

/// [`parse_json`] through `jsonc-parser` alone: the reference the fast path agrees with.
fn parse_json_jsonc(text: &str, map: &OffsetMap) -> Result<Node, JsonError> {
    let options = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let collect = CollectOptions {
        comments: CommentCollectionStrategy::Off,
        tokens: false,
    };
    let parsed = jsonc_parser::parse_to_ast(text, &collect, &options).map_err(|err| {
        let range = err.range();
        JsonError {
            span: map.span(range.start, range.end),
            message: err.kind().to_string(),
        }
    })?;
    match parsed.value {
        Some(value) => Ok(convert(value, map)),
        None => Err(JsonError {
            span: map.span(0, text.len()),
            message: "expected a JSON value, found nothing".to_string(),
        }),
    }
}

fn convert(value: ast::Value<'_>, map: &OffsetMap) -> Node {
    match value {
        ast::Value::StringLit(s) => Node::new(
            Kind::Str(PString::known(s.value.into_owned())),
            map.span(s.range.start, s.range.end),
        ),
        ast::Value::NumberLit(n) => Node::new(
            Kind::Number(n.value.to_string()),
            map.span(n.range.start, n.range.end),
        ),
        ast::Value::BooleanLit(b) => {
            Node::new(Kind::Bool(b.value), map.span(b.range.start, b.range.end))
        }
        ast::Value::NullKeyword(n) => Node::new(Kind::Null, map.span(n.range.start, n.range.end)),
        ast::Value::Array(a) => {
            let span = map.span(a.range.start, a.range.end);
            let items = a.elements.into_iter().map(|v| convert(v, map)).collect();
            Node::new(Kind::Array(items), span)
        }
        ast::Value::Object(o) => {
            let span = map.span(o.range.start, o.range.end);
            let members = o
                .properties
                .into_iter()
                .map(|prop| {
                    let key_range = match &prop.name {
                        ast::ObjectPropName::String(s) => s.range,
                        ast::ObjectPropName::Word(w) => w.range,
                    };
                    Member {
                        key_span: map.span(key_range.start, key_range.end),
                        key: prop.name.into_string(),
                        value: convert(prop.value, map),
                    }
                })
                .collect();
            Node::new(Kind::Object(members), span)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Sources;
    use proptest::prelude::*;

    /// The fast path and `jsonc-parser` give the same nodes (kinds, keys, spans).
    fn same_as_jsonc(text: &str) {
        let map = OffsetMap::direct(FileId(3), 7);
        let fast = fast::parse(text, &map);
        let reference = parse_json_jsonc(text, &map);
        match (fast, reference) {
            (Some(f), Ok(r)) => assert_eq!(f, r, "{text}"),
            (Some(f), Err(e)) => panic!("fast path accepted {text:?} as {f:?}; jsonc: {e:?}"),
            (None, _) => {}
        }
    }

    #[test]
    fn fast_path_agrees_with_jsonc() {
        let cases = [
            r#"{"a": [1, -2.5e10, 0, 0.25, true, false, null, "x\n\"y\u00e9\/"]}"#,
            "  {\n\t\"k\" :\r\n {\"k\": {}, \"k\": []} }  ",
            r#"[{"é": "→", "": ""}, [], [[]], "\u00e9\u20AC", 1E+2, -0.0e-1]"#,
            "\"just a string\"",
            "12",
            "{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\"}]}",
        ];
        for text in cases {
            same_as_jsonc(text);
            assert!(
                fast::parse(text, &OffsetMap::direct(FileId(0), 0)).is_some(),
                "{text}"
            );
        }
    }

    #[test]
    fn fast_path_leaves_errors_and_odd_input_to_jsonc() {
        for text in [
            "",
            " ",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            "-",
            ".5",
            "+1",
            "1e",
            "[1 2]",
            "{\"a\" 1}",
            "{a: 1}",
            "'a'",
            "\"a",
            "\"\\q\"",
            "\"\u{1}\"",
            "nul",
            "truex",
            "[1] x",
            "\u{feff}{}",
            "\"\\ud800\"",
            "{\"a\":1}//",
            "\"\\ud83d\\ude00\"",
        ] {
            assert!(
                fast::parse(text, &OffsetMap::direct(FileId(0), 0)).is_none(),
                "{text:?}"
            );
            same_as_jsonc(text);
        }
        let deep = format!("{}{}", "[".repeat(500), "]".repeat(500));
        assert!(fast::parse(&deep, &OffsetMap::direct(FileId(0), 0)).is_none());
        assert!(parse_json(&deep, &OffsetMap::direct(FileId(0), 0)).is_ok());
    }

    proptest! {
        #[test]
        fn fast_path_agrees_with_jsonc_on_generated_json(
            value in prop::collection::vec(
                (
                    "[a-zé→\"\\\\/\n\t ]{0,6}",
                    prop_oneof![
                        any::<i64>().prop_map(serde_json::Value::from),
                        any::<f64>()
                            .prop_filter("finite", |f| f.is_finite())
                            .prop_map(serde_json::Value::from),
                        "[a-z\"\\\\é]{0,5}".prop_map(serde_json::Value::from),
                        any::<bool>().prop_map(serde_json::Value::from),
                        Just(serde_json::Value::Null),
                    ],
                ),
                0..8,
            ),
            pretty in any::<bool>(),
        ) {
            let object: serde_json::Map<String, serde_json::Value> = value.into_iter().collect();
            let doc = serde_json::Value::Array(vec![
                serde_json::Value::Object(object.clone()),
                serde_json::Value::Object(object),
            ]);
            let text = if pretty {
                serde_json::to_string_pretty(&doc).unwrap()
            } else {
                serde_json::to_string(&doc).unwrap()
            };
            let map = OffsetMap::direct(FileId(0), 0);
            prop_assert_eq!(fast::parse(&text, &map), parse_json_jsonc(&text, &map).ok());
            // Leaving members out as they are read gives the tree of leaving them out after.
            let keep: Keep = &|depth, key, before, member| {
                (member.key.len() + depth + before.len() + key.map_or(0, str::len)) % 3 != 0
            };
            let kept = fast::parse_keeping(&text, &map, Some(keep));
            let mut after = parse_json_jsonc(&text, &map).unwrap();
            leave_out(&mut after, 0, None, keep);
            prop_assert_eq!(kept, Some(after.clone()));
            prop_assert_eq!(parse_json_keeping(&text, &map, keep).unwrap(), after);
        }
    }

    #[test]
    fn members_left_out_are_gone_at_every_depth_and_errors_stay() {
        let map = OffsetMap::direct(FileId(0), 0);
        let text = r#"{"a": {"x": 1, "tags": {"k": "v"}}, "tags": [{"tags": 2, "y": 3}]}"#;
        let keep: Keep = &|_, _, _, member| member.key != "tags";
        let kept = parse_json_keeping(text, &map, keep).unwrap();
        let keys = |n: &Node| match &n.kind {
            Kind::Object(m) => m.iter().map(|m| m.key.clone()).collect::<Vec<_>>(),
            _ => Vec::new(),
        };
        assert_eq!(keys(&kept), ["a"]);
        assert_eq!(keys(kept.get("a").unwrap()), ["x"]);
        // The span of an object with members left out is still all of its text.
        let inner = r#"{"x": 1, "tags": {"k": "v"}}"#;
        let start = text.find(inner).unwrap();
        assert_eq!(
            kept.get("a").unwrap().span,
            Span::new(FileId(0), start, start + inner.len())
        );
        // The jsonc path (a surrogate pair sends it there) leaves out the same members.
        let odd = r#"{"s": "\ud83d\ude00", "tags": 1, "b": {"tags": 2}}"#;
        assert!(fast::parse(odd, &map).is_none());
        let kept = parse_json_keeping(odd, &map, keep).unwrap();
        assert_eq!(keys(&kept), ["s", "b"]);
        assert!(keys(kept.get("b").unwrap()).is_empty());
        let broken = r#"{"tags": [1, }"#;
        assert_eq!(
            parse_json_keeping(broken, &map, keep).unwrap_err(),
            parse_json(broken, &map).unwrap_err()
        );
    }

    #[test]
    fn spans_cover_values_and_keys() {
        let mut sources = Sources::new();
        let text = r#"{"Effect": "Deny", "Action": ["s3:*"]}"#;
        let id = sources.add("p.json", text);
        let node = parse_json(text, &OffsetMap::direct(id, 0)).unwrap();
        let effect = node.get("Effect").unwrap();
        assert_eq!(sources.slice(effect.span), "\"Deny\"");
        let members = node.as_object().unwrap();
        assert_eq!(sources.slice(members[1].key_span), "\"Action\"");
    }

    #[test]
    fn strict_mode_rejects_comments_and_trailing_commas() {
        let mut sources = Sources::new();
        for text in [r#"{"a": 1,}"#, "{\"a\": 1 // c\n}", "{'a': 1}", "{a: 1}"] {
            let id = sources.add("bad.json", text);
            assert!(
                parse_json(text, &OffsetMap::direct(id, 0)).is_err(),
                "{text}"
            );
        }
    }

    #[test]
    fn error_is_located() {
        let mut sources = Sources::new();
        let text = "{\n  \"a\": 1\n  \"b\": 2\n}";
        let id = sources.add("bad.json", text);
        let err = parse_json(text, &OffsetMap::direct(id, 0)).unwrap_err();
        // The parser stops right after the value that lacks its comma.
        let (start, _) = sources.range(err.span);
        assert_eq!((start.line, start.column), (2, 9), "{err:?}");
        assert_eq!(err.message, "Expected comma");
    }

    #[test]
    fn duplicate_keys_are_kept() {
        let mut sources = Sources::new();
        let text = r#"{"a": 1, "a": 2}"#;
        let id = sources.add("d.json", text);
        let node = parse_json(text, &OffsetMap::direct(id, 0)).unwrap();
        assert_eq!(node.as_object().unwrap().len(), 2);
    }

    #[test]
    fn embedded_document_maps_back_to_the_outer_file() {
        let mut sources = Sources::new();
        let outer = "{\"policy\": \"{\\\"Effect\\\":\\n \\\"Deny\\\"}\"}";
        let id = sources.add("plan.json", outer);
        let node = parse_json(outer, &OffsetMap::direct(id, 0)).unwrap();
        let policy = node.get("policy").unwrap();
        let raw = sources.slice(policy.span).to_string();
        let (inner, map) =
            OffsetMap::from_json_literal(&raw, id, policy.span.start as usize).unwrap();
        assert_eq!(inner, "{\"Effect\":\n \"Deny\"}");
        let doc = parse_json(&inner, &map).unwrap();
        let effect = doc.get("Effect").unwrap();
        assert_eq!(sources.slice(effect.span), "\\\"Deny\\\"");
    }

    #[test]
    fn unicode_escapes_decode_with_surrogates() {
        let (text, _) =
            OffsetMap::from_json_literal(r#""a\u00e9\ud83d\ude00b""#, FileId(0), 0).unwrap();
        assert_eq!(text, "aé😀b");
        assert!(OffsetMap::from_json_literal(r#""bad\q""#, FileId(0), 0).is_none());
    }
}

/// The one-pass reader behind [`parse_json`]: strict JSON straight into nodes, with no
/// intermediate tree. It returns `None` for anything it does not read exactly as
/// `jsonc-parser` would (every error, surrogate `\u` escapes, nesting deeper than
/// [`MAX_DEPTH`](fast::MAX_DEPTH)), and the caller falls back to `jsonc-parser`.
mod fast {
    use super::{Keep, OffsetMap};
    use crate::value::{Kind, Member, Node, PString};

    /// Deeper documents are left to `jsonc-parser`.
    pub const MAX_DEPTH: usize = 128;

    /// The nodes of `text`, or `None` when the fast path is not sure.
    pub fn parse(text: &str, map: &OffsetMap) -> Option<Node> {
        parse_keeping(text, map, None)
    }

    /// [`parse`], keeping only the members `keep` accepts (all without it).
    pub fn parse_keeping(text: &str, map: &OffsetMap, keep: Option<Keep>) -> Option<Node> {
        let mut reader = Reader {
            text,
            bytes: text.as_bytes(),
            at: 0,
            map,
            members: Vec::new(),
            items: Vec::new(),
            keep,
        };
        reader.skip_space();
        let node = reader.value(0, None)?;
        reader.skip_space();
        (reader.at == reader.bytes.len()).then_some(node)
    }

    struct Reader<'t, 'm> {
        text: &'t str,
        bytes: &'t [u8],
        at: usize,
        map: &'m OffsetMap,
        /// The members of the objects being read, innermost last: each object takes its
        /// own off the top when it closes, into a list of exactly their number (a list
        /// grown a member at a time would be allocated again and again, and shrunk).
        members: Vec<Member>,
        /// The same for the items of the arrays being read.
        items: Vec<Node>,
        /// Which members are kept (all without it).
        keep: Option<Keep<'m>>,
    }

    impl Reader<'_, '_> {
        fn skip_space(&mut self) {
            while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
                self.at += 1;
            }
        }

        fn node(&self, kind: Kind, start: usize) -> Node {
            Node::new(kind, self.map.span(start, self.at))
        }

        /// The value at `self.at`, at `depth`, the value of member `key` (`None` for the
        /// document and array items).
        fn value(&mut self, depth: usize, key: Option<&str>) -> Option<Node> {
            let start = self.at;
            match *self.bytes.get(self.at)? {
                b'{' => self.object(depth, key),
                b'[' => self.array(depth),
                b'"' => {
                    let text = self.string()?;
                    Some(self.node(Kind::Str(PString::known(text)), start))
                }
                b't' => self.word("true", Kind::Bool(true)),
                b'f' => self.word("false", Kind::Bool(false)),
                b'n' => self.word("null", Kind::Null),
                b'-' | b'0'..=b'9' => {
                    self.number()?;
                    let raw = self.text[start..self.at].to_string();
                    Some(self.node(Kind::Number(raw), start))
                }
                _ => None,
            }
        }

        fn word(&mut self, word: &str, kind: Kind) -> Option<Node> {
            let start = self.at;
            if !self.bytes[start..].starts_with(word.as_bytes()) {
                return None;
            }
            self.at += word.len();
            // `truex` is not `true` followed by something else to jsonc either way: leave it.
            if self
                .bytes
                .get(self.at)
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
            {
                return None;
            }
            Some(self.node(kind, start))
        }

        fn digits(&mut self) -> usize {
            let start = self.at;
            while self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
                self.at += 1;
            }
            self.at - start
        }

        /// Skips a strict JSON number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
        fn number(&mut self) -> Option<()> {
            if self.bytes.get(self.at) == Some(&b'-') {
                self.at += 1;
            }
            match self.bytes.get(self.at)? {
                b'0' => self.at += 1,
                b'1'..=b'9' => {
                    self.digits();
                }
                _ => return None,
            }
            if self.bytes.get(self.at) == Some(&b'.') {
                self.at += 1;
                if self.digits() == 0 {
                    return None;
                }
            }
            if let Some(b'e' | b'E') = self.bytes.get(self.at) {
                self.at += 1;
                if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                    self.at += 1;
                }
                if self.digits() == 0 {
                    return None;
                }
            }
            match self.bytes.get(self.at) {
                Some(b) if b.is_ascii_alphanumeric() || *b == b'.' || *b == b'_' => None,
                _ => Some(()),
            }
        }

        /// Reads a string literal at `self.at` (on its opening quote) and decodes it.
        fn string(&mut self) -> Option<String> {
            self.at += 1;
            let body = self.at;
            // The common case: no escape, one slice.
            loop {
                match *self.bytes.get(self.at)? {
                    b'"' => {
                        let s = self.text[body..self.at].to_string();
                        self.at += 1;
                        return Some(s);
                    }
                    b'\\' => break,
                    b if b < 0x20 => return None,
                    _ => self.at += 1,
                }
            }
            let mut out = String::with_capacity(self.at - body + 16);
            out.push_str(&self.text[body..self.at]);
            let mut run = self.at;
            loop {
                match *self.bytes.get(self.at)? {
                    b'"' => {
                        out.push_str(&self.text[run..self.at]);
                        self.at += 1;
                        return Some(out);
                    }
                    b'\\' => {
                        out.push_str(&self.text[run..self.at]);
                        let decoded = match *self.bytes.get(self.at + 1)? {
                            b'"' => '"',
                            b'\\' => '\\',
                            b'/' => '/',
                            b'b' => '\u{8}',
                            b'f' => '\u{c}',
                            b'n' => '\n',
                            b'r' => '\r',
                            b't' => '\t',
                            b'u' => {
                                let hex = self.text.get(self.at + 2..self.at + 6)?;
                                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                                    return None;
                                }
                                let code = u32::from_str_radix(hex, 16).ok()?;
                                // Surrogates (pairs or lone) are left to jsonc.
                                self.at += 4;
                                char::from_u32(code)?
                            }
                            _ => return None,
                        };
                        out.push(decoded);
                        self.at += 2;
                        run = self.at;
                    }
                    b if b < 0x20 => return None,
                    _ => self.at += 1,
                }
            }
        }

        fn array(&mut self, depth: usize) -> Option<Node> {
            if depth >= MAX_DEPTH {
                return None;
            }
            let start = self.at;
            self.at += 1;
            let mark = self.items.len();
            self.skip_space();
            if self.bytes.get(self.at) == Some(&b']') {
                self.at += 1;
                return Some(self.node(Kind::Array(Vec::new()), start));
            }
            loop {
                let item = self.value(depth + 1, None)?;
                self.items.push(item);
                self.skip_space();
                match *self.bytes.get(self.at)? {
                    b',' => {
                        self.at += 1;
                        self.skip_space();
                    }
                    b']' => {
                        self.at += 1;
                        // Exact capacity, as a collected list has: a plan holds many.
                        let items = self.items.drain(mark..).collect();
                        return Some(self.node(Kind::Array(items), start));
                    }
                    _ => return None,
                }
            }
        }

        fn object(&mut self, depth: usize, object_key: Option<&str>) -> Option<Node> {
            if depth >= MAX_DEPTH {
                return None;
            }
            let start = self.at;
            self.at += 1;
            let mark = self.members.len();
            self.skip_space();
            if self.bytes.get(self.at) == Some(&b'}') {
                self.at += 1;
                return Some(self.node(Kind::Object(Vec::new()), start));
            }
            loop {
                if self.bytes.get(self.at) != Some(&b'"') {
                    return None;
                }
                let key_start = self.at;
                let key = self.string()?;
                let key_span = self.map.span(key_start, self.at);
                self.skip_space();
                if self.bytes.get(self.at) != Some(&b':') {
                    return None;
                }
                self.at += 1;
                self.skip_space();
                let value = self.value(depth + 1, Some(&key))?;
                let member = Member {
                    key,
                    key_span,
                    value,
                };
                if self
                    .keep
                    .is_none_or(|keep| keep(depth, object_key, &self.members[mark..], &member))
                {
                    self.members.push(member);
                }
                self.skip_space();
                match *self.bytes.get(self.at)? {
                    b',' => {
                        self.at += 1;
                        self.skip_space();
                    }
                    b'}' => {
                        self.at += 1;
                        let members = self.members.drain(mark..).collect();
                        return Some(self.node(Kind::Object(members), start));
                    }
                    _ => return None,
                }
            }
        }
    }
}
