//! YAML text → located [`Node`]s, built without recursion from `saphyr-parser` events.
//!
//! - Every node and key gets a byte [`Span`]. The parser's markers count characters; they are
//!   turned into byte offsets with a cursor that walks the text (ASCII texts map directly).
//! - CloudFormation short tags become the long form: `!Ref X` → `{"Ref": "X"}`, `!Sub s` →
//!   `{"Fn::Sub": s}`, `!GetAtt A.B` → `{"Fn::GetAtt": ["A", "B"]}`, `!Condition C` →
//!   `{"Condition": "C"}`, and any other `!Name` → `{"Fn::Name": …}`. The object spans the tag
//!   and its value; its key spans the tag; the value spans what follows the tag.
//! - Plain scalars: `true`/`false` (any case form YAML 1.2 allows) are booleans, decimal
//!   numbers are numbers kept as written, `null`, `~` and nothing are null, the rest strings
//!   (`yes`, `no`, `2012-10-17`, `0x1F` stay strings). Quoted and block scalars are strings.
//! - Aliases (`*name`) are rejected with a located error: CloudFormation does not accept
//!   them, and refusing them means no expansion can blow up. Anchors alone are harmless and
//!   ignored.
//! - Nesting deeper than [`MAX_DEPTH`] is a located error, so nothing downstream recurses
//!   deeply (not even dropping the tree).
//! - Duplicate keys are kept, in order.

use crate::source::{FileId, Span};
use crate::value::{Kind, Member, Node, PString};
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};
use std::borrow::Cow;

/// How many collections may be open at once (JSON templates get the same limit).
pub const MAX_DEPTH: usize = 128;

/// A YAML document that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    /// Where the problem is.
    pub span: Span,
    /// What went wrong or what was expected.
    pub message: String,
}

/// Parses one YAML document into located nodes. An empty stream is a null node.
pub fn parse_yaml(text: &str, file: FileId) -> Result<Node, YamlError> {
    Builder {
        text,
        file,
        offsets: Offsets::new(text),
        stack: Vec::new(),
        root: None,
    }
    .run()
}

/// Turns character indexes into byte offsets by walking a cursor through the text.
struct Offsets<'a> {
    text: &'a str,
    ascii: bool,
    chars: usize,
    bytes: usize,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        Offsets {
            text,
            ascii: text.is_ascii(),
            chars: 0,
            bytes: 0,
        }
    }

    fn byte(&mut self, index: usize) -> usize {
        if self.ascii {
            return index.min(self.text.len());
        }
        while self.chars < index {
            match self.text[self.bytes..].chars().next() {
                Some(c) => {
                    self.bytes += c.len_utf8();
                    self.chars += 1;
                }
                None => break,
            }
        }
        while self.chars > index {
            match self.text[..self.bytes].chars().next_back() {
                Some(c) => {
                    self.bytes -= c.len_utf8();
                    self.chars -= 1;
                }
                None => break,
            }
        }
        self.bytes
    }
}

/// What a tag asks for.
enum TagKind {
    /// `!Name`: a CloudFormation short form.
    Cfn(String),
    /// `!!str`, `!!int`, …
    Core(String),
    /// `!` alone: a string.
    NonSpecific,
}

/// A tag, where it is written, and where the tagged value itself starts.
struct TagInfo {
    kind: TagKind,
    tag_span: Span,
    inner_start: usize,
}

/// An open collection.
struct Frame {
    map: bool,
    start: usize,
    header_end: usize,
    tag: Option<TagInfo>,
    items: Vec<Node>,
    members: Vec<Member>,
    key: Option<(String, Span)>,
    last_end: usize,
}

struct Builder<'a> {
    text: &'a str,
    file: FileId,
    offsets: Offsets<'a>,
    stack: Vec<Frame>,
    root: Option<Node>,
}

impl Builder<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn error(&self, start: usize, end: usize, message: impl Into<String>) -> YamlError {
        YamlError {
            span: self.span(start, end),
            message: message.into(),
        }
    }

    fn run(mut self) -> Result<Node, YamlError> {
        let mut parser = Parser::new_from_str(self.text);
        let mut documents = 0usize;
        while let Some(next) = parser.next_event() {
            let (event, marks) = match next {
                Ok(ok) => ok,
                Err(err) => {
                    let at = self.offsets.byte(err.marker().index());
                    let end = next_char_end(self.text, at);
                    let message = match err.info() {
                        // The scanner's own limit on flow nesting (255 levels).
                        "recursion limit exceeded" => {
                            format!("nesting deeper than {MAX_DEPTH} levels")
                        }
                        info => info.to_string(),
                    };
                    return Err(self.error(at, end, message));
                }
            };
            let start = self.offsets.byte(marks.start.index());
            let end = self.offsets.byte(marks.end.index()).max(start);
            match event {
                Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
                Event::DocumentStart(_) => {
                    documents += 1;
                    if documents > 1 {
                        return Err(self.error(
                            start,
                            end,
                            "a second YAML document (`---`): a template is one document",
                        ));
                    }
                }
                Event::Alias(_) => {
                    return Err(self.error(
                        start,
                        end,
                        "YAML aliases (`*name`) are not supported: CloudFormation does not accept \
                         them; write the value out",
                    ));
                }
                Event::Scalar(value, style, _anchor, tag) => {
                    self.scalar(value, style, tag, start, end)?;
                }
                Event::SequenceStart(_, tag) => self.open(false, tag, start, end)?,
                Event::MappingStart(_, tag) => self.open(true, tag, start, end)?,
                Event::SequenceEnd | Event::MappingEnd => self.close(start, end)?,
            }
        }
        Ok(self
            .root
            .unwrap_or_else(|| Node::new(Kind::Null, Span::new(self.file, 0, 0))))
    }

    /// Whether the next node completes a mapping key.
    fn at_key(&self) -> bool {
        matches!(self.stack.last(), Some(f) if f.map && f.key.is_none())
    }

    fn tag_info(
        &self,
        tag: Option<Cow<'_, Tag>>,
        start: usize,
        end: usize,
    ) -> Result<Option<TagInfo>, YamlError> {
        let Some(tag) = tag else {
            return Ok(None);
        };
        let (tag_start, tag_end, inner_start) = locate_tag(self.text, start, end);
        let tag_span = self.span(tag_start, tag_end);
        let kind = if tag.handle == "!" {
            TagKind::Cfn(tag.suffix.clone())
        } else if tag.is_yaml_core_schema() {
            TagKind::Core(tag.suffix.clone())
        } else if tag.handle.is_empty() && tag.suffix == "!" {
            TagKind::NonSpecific
        } else {
            return Err(YamlError {
                span: tag_span,
                message: format!(
                    "unsupported YAML tag `{tag}`: CloudFormation knows its short forms \
                     (`!Ref`, `!Sub`, …) and the standard `!!` tags"
                ),
            });
        };
        Ok(Some(TagInfo {
            kind,
            tag_span,
            inner_start,
        }))
    }

    fn scalar(
        &mut self,
        value: Cow<'_, str>,
        style: ScalarStyle,
        tag: Option<Cow<'_, Tag>>,
        start: usize,
        end: usize,
    ) -> Result<(), YamlError> {
        let end = match style {
            // Block scalars' spans run over the blank lines and indentation that follow.
            ScalarStyle::Literal | ScalarStyle::Folded => {
                start + self.text[start..end].trim_end().len()
            }
            _ if value.is_empty() && style == ScalarStyle::Plain && tag.is_none() => start,
            _ => end,
        };
        let tag = self.tag_info(tag, start, end)?;
        if self.at_key() {
            if let Some(tag) = &tag
                && let TagKind::Cfn(name) = &tag.kind
            {
                return Err(YamlError {
                    span: tag.tag_span,
                    message: format!("a mapping key cannot be tagged (`!{name}`)"),
                });
            }
            let span = self.span(start, end);
            if let Some(frame) = self.stack.last_mut() {
                frame.key = Some((value.into_owned(), span));
                frame.last_end = frame.last_end.max(end);
            }
            return Ok(());
        }
        let inner_start = tag.as_ref().map_or(start, |t| t.inner_start.min(end));
        let inner_span = self.span(inner_start, end);
        let kind = match tag.as_ref().map(|t| &t.kind) {
            None | Some(TagKind::Cfn(_)) => plain_kind(value, style),
            Some(TagKind::NonSpecific) => Kind::Str(PString::known(value.into_owned())),
            Some(TagKind::Core(core)) => match core.as_str() {
                "str" => Kind::Str(PString::known(value.into_owned())),
                "int" | "float" if is_number(&value) => Kind::Number(value.into_owned()),
                "bool" if matches!(value.as_ref(), "true" | "True" | "TRUE") => Kind::Bool(true),
                "bool" if matches!(value.as_ref(), "false" | "False" | "FALSE") => {
                    Kind::Bool(false)
                }
                "null" => Kind::Null,
                other => {
                    let span = tag.as_ref().map_or(inner_span, |t| t.tag_span);
                    return Err(YamlError {
                        span,
                        message: format!(
                            "`!!{other}` on `{value}` is not supported by CloudFormation templates"
                        ),
                    });
                }
            },
        };
        let node = Node::new(kind, inner_span);
        let node = self.apply_cfn_tag(tag, node, start, end);
        self.deliver(node);
        Ok(())
    }

    fn open(
        &mut self,
        map: bool,
        tag: Option<Cow<'_, Tag>>,
        start: usize,
        end: usize,
    ) -> Result<(), YamlError> {
        if self.at_key() {
            return Err(self.error(
                start,
                end,
                "a mapping or list used as a mapping key: keys must be strings",
            ));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.error(
                start,
                next_char_end(self.text, start),
                format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        // A block collection's header may end with the line break and indentation after a tag.
        let header_end = start + self.text[start..end].trim_end().len();
        let tag = self.tag_info(tag, start, end)?;
        if let Some(tag) = &tag
            && let TagKind::Core(core) = &tag.kind
            && !matches!(core.as_str(), "map" | "seq")
        {
            return Err(YamlError {
                span: tag.tag_span,
                message: format!("`!!{core}` on a collection is not supported"),
            });
        }
        self.stack.push(Frame {
            map,
            start,
            header_end,
            tag,
            items: Vec::new(),
            members: Vec::new(),
            key: None,
            last_end: header_end,
        });
        Ok(())
    }

    fn close(&mut self, start: usize, end: usize) -> Result<(), YamlError> {
        let Some(frame) = self.stack.pop() else {
            return Err(self.error(start, end, "unbalanced end of a collection"));
        };
        // Flow collections end at their bracket; block ones at their last child.
        let end = if end > start {
            end.max(frame.last_end)
        } else {
            frame.last_end
        };
        let inner_start = frame
            .tag
            .as_ref()
            .map_or(frame.start, |t| t.inner_start.min(end));
        let inner_span = self.span(inner_start, end.max(frame.header_end));
        let kind = if frame.map {
            Kind::Object(frame.members)
        } else {
            Kind::Array(frame.items)
        };
        let node = self.apply_cfn_tag(frame.tag, Node::new(kind, inner_span), frame.start, end);
        self.deliver(node);
        Ok(())
    }

    /// Wraps a value carrying a CloudFormation short tag into its long form.
    fn apply_cfn_tag(&self, tag: Option<TagInfo>, node: Node, start: usize, end: usize) -> Node {
        let Some(TagInfo {
            kind: TagKind::Cfn(name),
            tag_span,
            ..
        }) = tag
        else {
            return node;
        };
        let whole = self.span(start, end);
        let (key, value) = match name.as_str() {
            "Ref" | "Condition" => (name, node),
            "GetAtt" => ("Fn::GetAtt".to_string(), split_get_att(self.text, node)),
            _ => (format!("Fn::{name}"), node),
        };
        Node::new(
            Kind::Object(vec![Member {
                key,
                key_span: tag_span,
                value,
            }]),
            whole,
        )
    }

    /// Hands a finished node to its parent (or makes it the document).
    fn deliver(&mut self, node: Node) {
        let end = node.span.end as usize;
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(frame) => {
                frame.last_end = frame.last_end.max(end);
                if frame.map {
                    let (key, key_span) = frame
                        .key
                        .take()
                        .unwrap_or_else(|| (String::new(), node.span));
                    frame.members.push(Member {
                        key,
                        key_span,
                        value: node,
                    });
                } else {
                    frame.items.push(node);
                }
            }
        }
    }
}

/// `!GetAtt A.B` → `["A", "B"]` (split at the first dot: logical ids have none).
fn split_get_att(text: &str, node: Node) -> Node {
    let Some(s) = node.as_pstr().and_then(PString::as_known) else {
        return node;
    };
    let Some((id, attr)) = s.split_once('.') else {
        return node;
    };
    let (start, end) = (node.span.start as usize, node.span.end as usize);
    let written = text.get(start..end) == Some(s);
    let (id_span, attr_span) = if written {
        let dot = start + id.len();
        (
            Span::new(node.span.file, start, dot),
            Span::new(node.span.file, dot + 1, end),
        )
    } else {
        (node.span, node.span)
    };
    Node::new(
        Kind::Array(vec![
            Node::new(Kind::Str(PString::known(id)), id_span),
            Node::new(Kind::Str(PString::known(attr)), attr_span),
        ]),
        node.span,
    )
}

/// Where the tag is in `text[start..end]` (a node's properties: tag and anchor, in either
/// order, with comments and line breaks between them and the value), and where the value
/// starts.
fn locate_tag(text: &str, start: usize, end: usize) -> (usize, usize, usize) {
    let bytes = text.as_bytes();
    let end = end.min(bytes.len());
    let mut pos = start;
    let mut tag = (start, start);
    for _ in 0..2 {
        if pos >= end || !(bytes[pos] == b'!' || bytes[pos] == b'&') {
            break;
        }
        let token_start = pos;
        while pos < end && !bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if bytes[token_start] == b'!' {
            tag = (token_start, pos);
        }
        loop {
            while pos < end && bytes[pos].is_ascii_whitespace() {
                pos += 1;
            }
            if pos < end && bytes[pos] == b'#' {
                while pos < end && bytes[pos] != b'\n' {
                    pos += 1;
                }
            } else {
                break;
            }
        }
    }
    while !text.is_char_boundary(pos) {
        pos += 1;
    }
    (tag.0, tag.1, pos)
}

/// The end of the character at `at` (or `at` at the end of the text).
fn next_char_end(text: &str, at: usize) -> usize {
    text.get(at..)
        .and_then(|rest| rest.chars().next())
        .map_or(at, |c| at + c.len_utf8())
}

/// The value of an untagged scalar.
fn plain_kind(value: Cow<'_, str>, style: ScalarStyle) -> Kind {
    if style != ScalarStyle::Plain {
        return Kind::Str(PString::known(value.into_owned()));
    }
    match value.as_ref() {
        "" | "~" | "null" | "Null" | "NULL" => Kind::Null,
        "true" | "True" | "TRUE" => Kind::Bool(true),
        "false" | "False" | "FALSE" => Kind::Bool(false),
        v if is_number(v) => Kind::Number(value.into_owned()),
        _ => Kind::Str(PString::known(value.into_owned())),
    }
}

/// A decimal integer or float: `[-+]?(digits[.digits?]|.digits)([eE][-+]?digits)?`.
fn is_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return false;
    }
    if i < b.len() && matches!(b[i], b'e' | b'E') {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Node {
        parse_yaml(text, FileId(0)).unwrap()
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start as usize..span.end as usize]
    }

    #[test]
    fn numbers_are_decimal_only() {
        for yes in ["1", "-2", "+3.5", ".5", "1e10", "1.", "012345678901"] {
            assert!(is_number(yes), "{yes}");
        }
        for no in [
            "",
            ".",
            "-",
            "1e",
            "0x1F",
            "2012-10-17",
            "1_000",
            ".inf",
            "1.2.3",
        ] {
            assert!(!is_number(no), "{no}");
        }
    }

    #[test]
    fn multibyte_text_maps_to_byte_offsets() {
        let text = "a: \"é\"\nb: ü x\n";
        let node = parse(text);
        let b = node.get("b").unwrap();
        assert_eq!(slice(text, b.span), "ü x");
        let members = node.as_object().unwrap();
        assert_eq!(slice(text, members[1].key_span), "b");
    }

    #[test]
    fn tag_and_anchor_properties_are_skipped() {
        let text = "a: &x !Sub s\nb: !Join # c\n  - ''\n  - [p, q]\n";
        let node = parse(text);
        let a = node.get("a").unwrap();
        assert_eq!(slice(text, a.span), "&x !Sub s");
        let sub = a.get("Fn::Sub").unwrap();
        assert_eq!(slice(text, sub.span), "s");
        let members = a.as_object().unwrap();
        assert_eq!(slice(text, members[0].key_span), "!Sub");
        let join = node.get("b").unwrap().get("Fn::Join").unwrap();
        assert!(slice(text, join.span).starts_with("- ''"));
    }

    #[test]
    fn block_scalar_span_stops_at_its_text() {
        let text = "a: |\n  x\n  y\n\nb: 1\n";
        let node = parse(text);
        // The parser's span of a block scalar starts at its text, after the indicator.
        assert_eq!(slice(text, node.get("a").unwrap().span), "x\n  y");
    }
}
