//! Located, possibly unknown values.
//!
//! Front ends turn every input (JSON, HCL, YAML) into [`Node`]s: JSON-shaped values that know
//! their [`Span`] and may be [`Kind::Unknown`] (known only after apply, or not given). Strings
//! are [`PString`]s, which may be partly known: `"arn:aws:iam::" + <account> + ":root"`.
//! IAM matching works on these directly, so that an unknown makes a verdict "depends" instead
//! of a guess.

use crate::source::Span;
use std::fmt;
use std::sync::Arc;

/// What kind of unknown a [`Hole`] stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum HoleKind {
    /// A single value nobody knows statically: any string could stand here.
    Unknown,
    /// "Some object key": backups read every object, so a pattern that matches any key
    /// matches one that Clumio reads.
    AnyKey,
}

/// An unknown part of a string. Two holes with the same `id` stand for the same value
/// (for example the account id, wherever it appears).
///
/// A hole is one pointer to shared [`HoleData`] (its fields read through it, `hole.id`): a
/// located value holds many, and cloning one is cheap.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hole(Arc<HoleData>);

/// What a [`Hole`] is: its identity, what settles it, and how matching treats it.
#[derive(Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HoleData {
    /// Identity of the unknown quantity, e.g. `account-id`.
    pub id: Arc<str>,
    /// What it is and what settles it, e.g. `the account id (--account-id)`.
    pub why: Arc<str>,
    /// How matching treats it.
    pub(crate) kind: HoleKind,
    /// Whether the value is one ARN segment or name: it never holds `:` or `/` (an account
    /// id, a role or bucket name, a region).
    pub(crate) segment: bool,
}

impl std::ops::Deref for Hole {
    type Target = HoleData;

    fn deref(&self) -> &HoleData {
        &self.0
    }
}

impl fmt::Debug for Hole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hole")
            .field("id", &self.id)
            .field("why", &self.why)
            .field("kind", &self.kind)
            .field("segment", &self.segment)
            .finish()
    }
}

impl Hole {
    fn new(id: Arc<str>, why: Arc<str>, kind: HoleKind, segment: bool) -> Self {
        Hole(Arc::new(HoleData {
            id,
            why,
            kind,
            segment,
        }))
    }

    /// An unknown value with identity `id`, described by `why`.
    pub fn unknown(id: impl Into<Arc<str>>, why: impl Into<Arc<str>>) -> Self {
        Hole::new(id.into(), why.into(), HoleKind::Unknown, false)
    }

    /// An unknown name or ARN segment (no `:` or `/` in it), with identity `id`.
    pub fn segment(id: impl Into<Arc<str>>, why: impl Into<Arc<str>>) -> Self {
        Hole::new(id.into(), why.into(), HoleKind::Unknown, true)
    }

    /// The "any object key" hole of object ARNs.
    pub fn any_key() -> Self {
        Hole::new(
            "object-key".into(),
            "the object key".into(),
            HoleKind::AnyKey,
            false,
        )
    }
}

/// One piece of a partly known string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Part {
    /// Known text.
    Lit(String),
    /// An unknown run of text.
    Hole(Hole),
}

/// A string that may be partly known. Adjacent literals are always merged.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PString {
    parts: Parts,
}

/// The parts of a [`PString`]: a single part (most strings are one known run) is kept in
/// place rather than in a vector of its own.
#[derive(Debug, Clone)]
enum Parts {
    One(Part),
    Many(Vec<Part>),
}

impl Default for Parts {
    fn default() -> Self {
        Parts::Many(Vec::new())
    }
}

impl Parts {
    fn as_slice(&self) -> &[Part] {
        match self {
            Parts::One(part) => std::slice::from_ref(part),
            Parts::Many(parts) => parts,
        }
    }

    fn last_mut(&mut self) -> Option<&mut Part> {
        match self {
            Parts::One(part) => Some(part),
            Parts::Many(parts) => parts.last_mut(),
        }
    }

    fn push(&mut self, part: Part) {
        match self {
            Parts::Many(parts) if parts.is_empty() => *self = Parts::One(part),
            Parts::Many(parts) => parts.push(part),
            Parts::One(_) => {
                if let Parts::One(first) = std::mem::take(self) {
                    *self = Parts::Many(vec![first, part]);
                }
            }
        }
    }

    fn pop(&mut self) -> Option<Part> {
        match self {
            Parts::One(_) => match std::mem::take(self) {
                Parts::One(part) => Some(part),
                Parts::Many(_) => None,
            },
            Parts::Many(parts) => parts.pop(),
        }
    }
}

impl PartialEq for Parts {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Parts {}

impl std::hash::Hash for Parts {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl PString {
    /// A fully known string.
    pub fn known(text: impl Into<String>) -> Self {
        let text = text.into();
        if text.is_empty() {
            return PString::default();
        }
        PString {
            parts: Parts::One(Part::Lit(text)),
        }
    }

    /// A string that is entirely one unknown.
    pub fn hole(hole: Hole) -> Self {
        PString {
            parts: Parts::One(Part::Hole(hole)),
        }
    }

    /// Appends known text.
    pub fn push_str(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if let Some(Part::Lit(last)) = self.parts.last_mut() {
            last.push_str(text);
        } else {
            self.parts.push(Part::Lit(text.to_string()));
        }
    }

    /// Appends an unknown run.
    pub fn push_hole(&mut self, hole: Hole) {
        self.parts.push(Part::Hole(hole));
    }

    /// Appends another partly known string.
    pub fn push(&mut self, other: &PString) {
        for part in other.parts.as_slice() {
            match part {
                Part::Lit(text) => self.push_str(text),
                Part::Hole(hole) => self.push_hole(hole.clone()),
            }
        }
    }

    /// Removes whitespace at the end of the known text that ends the string (in place: a
    /// template's `~` strip marker must not copy what was built before it).
    pub fn trim_end(&mut self) {
        if let Some(Part::Lit(last)) = self.parts.last_mut() {
            let kept = last.trim_end().len();
            last.truncate(kept);
            if last.is_empty() {
                self.parts.pop();
            }
        }
    }

    /// Builder form of [`PString::push_str`].
    pub fn with_str(mut self, text: &str) -> Self {
        self.push_str(text);
        self
    }

    /// Builder form of [`PString::push_hole`].
    pub fn with_hole(mut self, hole: Hole) -> Self {
        self.push_hole(hole);
        self
    }

    /// The pieces of the string, in order.
    pub fn parts(&self) -> &[Part] {
        self.parts.as_slice()
    }

    /// The text, when the string is fully known.
    pub fn as_known(&self) -> Option<&str> {
        match self.parts() {
            [] => Some(""),
            [Part::Lit(text)] => Some(text),
            _ => None,
        }
    }

    /// Whether every part is known.
    pub fn is_known(&self) -> bool {
        self.as_known().is_some()
    }

    /// The holes in this string.
    pub fn holes(&self) -> impl Iterator<Item = &Hole> {
        self.parts().iter().filter_map(|part| match part {
            Part::Hole(hole) => Some(hole),
            Part::Lit(_) => None,
        })
    }

    /// The known text before the first hole.
    pub fn known_prefix(&self) -> &str {
        match self.parts().first() {
            Some(Part::Lit(text)) => text,
            _ => "",
        }
    }

    /// Whether the known text contains `needle` (holes never do).
    pub fn contains_known(&self, needle: &str) -> bool {
        self.parts()
            .iter()
            .any(|part| matches!(part, Part::Lit(text) if text.contains(needle)))
    }
}

impl fmt::Display for PString {
    /// Known text as is, holes as `Hole::shown` renders them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in self.parts() {
            match part {
                Part::Lit(text) => f.write_str(text)?,
                Part::Hole(hole) => f.write_str(&hole.shown())?,
            }
        }
        Ok(())
    }
}

impl Hole {
    /// The unknown as a user would write it where its value goes: a Terraform reference as
    /// the interpolation the user wrote (`${var.bucket_name}`, `${aws_s3_bucket.data.arn}`),
    /// a CloudFormation parameter or attribute as `!Sub` writes it (`${Env}`,
    /// `${DataBucket.Arn}`), an `Fn::If` or `Fn::ImportValue` described in words, and a
    /// quantity of the profile as a placeholder (`<account-id>`).
    pub(crate) fn shown(&self) -> String {
        let id: &str = &self.id;
        if let Some(rest) = id.strip_prefix("cfn-condition:") {
            let name = rest.split(':').next().unwrap_or(rest);
            return format!("(the value condition {name} picks)");
        }
        if let Some(export) = id.strip_prefix("ImportValue.") {
            return format!("(the value another stack exports as {export})");
        }
        if let Some(param) = id.strip_prefix("Parameters.") {
            return format!("${{{param}}}");
        }
        if id.contains(' ') {
            return format!("({id})");
        }
        if id.contains('.') {
            return format!("${{{}}}", id.strip_suffix(".Ref").unwrap_or(id));
        }
        format!("<{id}>")
    }
}

impl Hole {
    /// The unknown in words, saying when it becomes known: "variable bucket_name, not known
    /// statically", "aws_s3_bucket.data.id, known only after apply", "the value another
    /// stack exports as shared-bucket".
    pub fn in_words(&self) -> String {
        let id: &str = &self.id;
        let shown = self.shown();
        if let Some(words) = shown.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
            return words.to_string();
        }
        if let Some(param) = id.strip_prefix("Parameters.") {
            return format!("parameter {param}, not known statically");
        }
        if self.why.contains("after apply") {
            return format!("{}, known only after apply", id.trim_end_matches(".Ref"));
        }
        // A Terraform reference, perhaps inside module calls: `module.a.var.name`.
        let mut rest = id;
        let mut module = "";
        while let Some(after) = rest.strip_prefix("module.")
            && let Some((_, tail)) = after.split_once('.')
        {
            rest = tail;
            module = &id[..id.len() - rest.len() - 1];
        }
        let of_module = if module.is_empty() {
            String::new()
        } else {
            format!(" of {module}")
        };
        if let Some(name) = rest.strip_prefix("var.") {
            return format!("variable {name}{of_module}, not known statically");
        }
        if let Some(name) = rest.strip_prefix("local.") {
            return format!("local value {name}{of_module}, not known statically");
        }
        if rest.starts_with("data.") {
            return format!("{id}, read from AWS when Terraform runs");
        }
        if rest.split('.').count() >= 3 && rest.contains('_') {
            return format!("{id}, known only after apply");
        }
        format!(
            "{}, not known statically",
            shown.trim_start_matches('<').trim_end_matches('>')
        )
    }
}

impl From<&str> for PString {
    fn from(text: &str) -> Self {
        PString::known(text)
    }
}

/// A JSON-shaped value that knows where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub kind: Kind,
    /// Where the value is written.
    pub span: Span,
}

/// The shapes a [`Node`] can take.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, kept as written.
    Number(String),
    /// A (possibly partly known) string.
    Str(PString),
    /// A list.
    Array(Vec<Node>),
    /// An object; members keep their order and duplicates.
    Object(Vec<Member>),
    /// A value not known statically.
    Unknown(Hole),
}

/// One `key: value` member of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The key text.
    pub key: String,
    /// Where the key is written.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

impl Node {
    /// A node of `kind` at `span`.
    pub fn new(kind: Kind, span: Span) -> Self {
        Node { kind, span }
    }

    /// The members, when this is an object.
    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.kind {
            Kind::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The string, when this is a string.
    pub fn as_pstr(&self) -> Option<&PString> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The first member named `key` (exact match), when this is an object.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_object()?
            .iter()
            .find(|m| m.key == key)
            .map(|m| &m.value)
    }

    /// A short name of the value's shape, for error messages.
    pub fn shape(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Number(_) => "a number",
            Kind::Str(_) => "a string",
            Kind::Array(_) => "a list",
            Kind::Object(_) => "an object",
            Kind::Unknown(_) => "an unknown value",
        }
    }
}

/// Whether [`substitute`] would change `node`: some hole in it has a value in `known`.
/// Walks the tree without building anything, so callers can keep the node when it would not.
pub fn has_known_holes(node: &Node, known: &std::collections::HashMap<String, Node>) -> bool {
    fn walk(node: &Node, known: &std::collections::HashMap<String, Node>, depth: usize) -> bool {
        if depth > 64 {
            return false;
        }
        match &node.kind {
            Kind::Str(s) => s
                .parts()
                .iter()
                .any(|p| matches!(p, Part::Hole(h) if known.contains_key(h.id.as_ref()))),
            Kind::Unknown(h) => known.contains_key(h.id.as_ref()),
            Kind::Array(items) => items.iter().any(|n| walk(n, known, depth + 1)),
            Kind::Object(members) => members.iter().any(|m| walk(&m.value, known, depth + 1)),
            _ => false,
        }
    }
    !known.is_empty() && walk(node, known, 0)
}

/// The value of the partly known string `s` once the holes `known` gives values are filled:
/// that value itself when `s` is one such hole, else `s` with each known string in its hole's
/// place (other holes stay).
pub fn fill_holes(s: &PString, known: &std::collections::HashMap<String, Node>) -> Kind {
    if let [Part::Hole(h)] = s.parts()
        && let Some(v) = known.get(h.id.as_ref())
    {
        return v.kind.clone();
    }
    let mut out = PString::default();
    for part in s.parts() {
        match part {
            Part::Hole(h) => match known.get(h.id.as_ref()).map(|n| &n.kind) {
                Some(Kind::Str(v)) => out.push(v),
                _ => out.push_hole(h.clone()),
            },
            Part::Lit(t) => out.push_str(t),
        }
    }
    Kind::Str(out)
}

/// Replaces holes whose id `known` has a value: a string that is one hole becomes the known
/// node (which may be an object); holes inside strings take a known string's text. Bounded
/// in depth; everything else is kept as is.
pub fn substitute(node: &Node, known: &std::collections::HashMap<String, Node>) -> Node {
    substitute_at(node, known, 0)
}

fn substitute_at(
    node: &Node,
    known: &std::collections::HashMap<String, Node>,
    depth: usize,
) -> Node {
    if depth > 64 || known.is_empty() {
        return node.clone();
    }
    match &node.kind {
        Kind::Str(s) if !s.is_known() => Node::new(fill_holes(s, known), node.span),
        Kind::Unknown(h) => match known.get(h.id.as_ref()) {
            Some(v) => Node::new(v.kind.clone(), node.span),
            None => node.clone(),
        },
        Kind::Array(items) => Node::new(
            Kind::Array(
                items
                    .iter()
                    .map(|n| substitute_at(n, known, depth + 1))
                    .collect(),
            ),
            node.span,
        ),
        Kind::Object(members) => Node::new(
            Kind::Object(
                members
                    .iter()
                    .map(|m| Member {
                        key: m.key.clone(),
                        key_span: m.key_span,
                        value: substitute_at(&m.value, known, depth + 1),
                    })
                    .collect(),
            ),
            node.span,
        ),
        _ => node.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjacent_literals_merge_and_known_text_is_exposed() {
        let s = PString::known("arn:aws:iam::")
            .with_str("")
            .with_hole(Hole::unknown("account-id", "the account id"))
            .with_str(":root");
        assert_eq!(s.parts().len(), 3);
        assert!(!s.is_known());
        assert_eq!(s.known_prefix(), "arn:aws:iam::");
        assert_eq!(s.to_string(), "arn:aws:iam::<account-id>:root");
        let k = PString::known("a").with_str("b");
        assert_eq!(k.as_known(), Some("ab"));
    }

    #[test]
    fn a_string_is_the_same_however_its_parts_are_held() {
        use std::hash::{BuildHasher, RandomState};
        let hole = Hole::unknown("x", "x");
        // One part held in place, and the same part left alone in a vector by `trim_end`.
        let mut trimmed = PString::hole(hole.clone()).with_str("  ");
        trimmed.trim_end();
        let one = PString::hole(hole.clone());
        assert_eq!(trimmed, one);
        let hasher = RandomState::new();
        assert_eq!(hasher.hash_one(&trimmed), hasher.hash_one(&one));
        assert_eq!(trimmed.parts(), one.parts());
        // Pushing onto a single part keeps both, in order.
        let two = PString::known("a").with_hole(hole.clone()).with_str("b");
        assert_eq!(two.parts().len(), 3);
        assert_eq!(two.known_prefix(), "a");
        assert_eq!(PString::known("a").with_str("b").as_known(), Some("ab"));
        assert_eq!(PString::default().with_str("c").as_known(), Some("c"));
    }
}
