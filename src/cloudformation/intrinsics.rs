//! CloudFormation intrinsic functions, resolved as far as the template and the options allow.
//!
//! What is knowable becomes plain [`Node`]s and [`PString`]s; the rest becomes a [`Hole`] inside
//! a string, or [`Kind::Unknown`] where a whole value is unknown. Nothing here fails: a malformed
//! or unsupported function is an unknown whose `why` says so.
//!
//! - `Ref`: parameters (override, else `Default`, else the hole `Parameters.NAME`), pseudo
//!   parameters, `AWS::NoValue` (removes the property or list item), resources (the hole
//!   `LOGICALID.Ref`), `Fn::ForEach` identifiers.
//! - `Fn::GetAtt`: the hole `LOGICALID.ATTR` (`DataBucket.Arn`); the model fills in what it knows.
//! - `Fn::Sub` (both forms, `${!X}` → literal `${X}`), `Fn::Join`, `Fn::Select`, `Fn::Split`,
//!   `Fn::FindInMap` (with `DefaultValue`), `Fn::Base64`, `Fn::Length`, `Fn::ToJsonString`.
//! - `Fn::If`: decided when its condition is (`Fn::Equals`/`And`/`Or`/`Not`/`Condition` over
//!   parameters and mappings). When it is not, the value stays the object
//!   `{"Fn::If": [condition, resolved-if-true, resolved-if-false, why]}` (a removed branch is
//!   `{"Ref": "AWS::NoValue"}`; `why` is the text of what the condition rests on, the
//!   unknowns it reads, for messages to name the flag that settles it) so the model can treat
//!   it as "either"; inside a string (`Fn::Sub`, `Fn::Join`) it is a hole naming both texts.
//! - `Fn::ImportValue`, `Fn::GetAZs`, `Fn::Cidr`, `Fn::Transform`, and any function not listed
//!   stay unknown, with the reason.
//!
//! Recursion is bounded by [`MAX_RESOLVE_DEPTH`] nested calls, and the total work (including
//! what `Fn::ForEach` generates) by a step budget; both give an unknown and an error of the
//! run (located where the limit was hit), never a silently partial check.

use crate::resource::LoadError;
use crate::source::{FileId, Sources, Span};
use crate::value::{Hole, Kind, Member, Node, PString, Part};
use std::collections::{HashMap, HashSet};

/// How deep resolution may recurse (structure and function nesting together).
pub const MAX_RESOLVE_DEPTH: usize = 192;
/// How much one template may resolve to: one unit per node and per 64 bytes of text copied
/// (guards `Fn::ForEach` products and large values used many times; about 64 MB).
const STEP_BUDGET: usize = 1_000_000;
/// How many `Fn::ForEach` loops may nest.
const MAX_LOOP_NESTING: usize = 8;

/// What a parameter stands for.
#[derive(Debug, Clone)]
pub(crate) enum ParamValue {
    /// A known string.
    Str(String),
    /// A known list (`CommaDelimitedList`, `List<…>`).
    List(Vec<String>),
    /// Not known: no default and no override, or read from SSM at deploy time.
    Hole { hole: Hole, list: bool },
}

/// The pseudo parameters' values.
#[derive(Debug, Clone)]
pub(crate) struct Pseudo {
    pub account: PString,
    pub region: PString,
    pub partition: String,
}

/// One entry of a map after `Fn::ForEach` expansion: its (substituted) key, where it is
/// written, its value, and the loop identifiers bound while resolving it.
#[derive(Debug, Clone)]
pub(crate) struct Expanded<'t> {
    pub key: String,
    pub key_span: Span,
    pub entry_span: Span,
    pub value: &'t Node,
    pub bindings: Vec<(String, String)>,
}

/// Resolves intrinsic functions of one template.
pub(crate) struct Resolver<'t> {
    sources: &'t Sources,
    file: FileId,
    params: HashMap<String, ParamValue>,
    mappings: Option<&'t Node>,
    conditions: HashMap<&'t str, &'t Node>,
    resources: HashSet<String>,
    pseudo: Pseudo,
    /// `None` while a condition is being evaluated (cycles are undecidable).
    cond_cache: HashMap<String, Option<Option<bool>>>,
    /// For each undecided condition, what it rests on (the `why` of the unknowns it reads).
    cond_why: HashMap<String, Vec<String>>,
    /// The unknowns met by the conditions being evaluated.
    pending_why: Vec<String>,
    loop_vars: Vec<(String, String)>,
    notes: Vec<LoadError>,
    /// Limits hit (depth, budget): errors of the run, not notes.
    limits: Vec<LoadError>,
    budget: usize,
}

/// What copying `node` costs: one unit per node and per 64 bytes of known text, counted up
/// to `limit`.
fn weight(node: &Node, limit: usize) -> usize {
    let mut total = 0usize;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        total += 1;
        if total > limit {
            break;
        }
        match &n.kind {
            Kind::Str(s) => {
                for part in s.parts() {
                    if let Part::Lit(text) = part {
                        total += text.len() / 64;
                    }
                }
            }
            Kind::Array(items) => stack.extend(items),
            Kind::Object(members) => stack.extend(members.iter().map(|m| &m.value)),
            _ => {}
        }
    }
    total
}

/// `{"Ref": "AWS::NoValue"}`, standing for a removed branch of an undecided `Fn::If`.
fn no_value(span: Span) -> Node {
    Node::new(
        Kind::Object(vec![Member {
            key: "Ref".into(),
            key_span: span,
            value: Node::new(Kind::Str(PString::known("AWS::NoValue")), span),
        }]),
        span,
    )
}

/// The form an undecided `Fn::If` is left in: `{"Fn::If": [condition, if-true, if-false,
/// why]}` (see the module docs), with the spans of the function name, its arguments and the
/// whole call.
pub(crate) fn undecided_if(
    cond: Node,
    when_true: Node,
    when_false: Node,
    why: String,
    key_span: Span,
    args_span: Span,
    span: Span,
) -> Node {
    let why = str_node(PString::known(why), cond.span);
    Node::new(
        Kind::Object(vec![Member {
            key: "Fn::If".into(),
            key_span,
            value: Node::new(
                Kind::Array(vec![cond, when_true, when_false, why]),
                args_span,
            ),
        }]),
        span,
    )
}

/// `{"Ref": "AWS::NoValue"}`, standing for a removed branch of an undecided `Fn::If`.
pub(crate) fn no_value_node(span: Span) -> Node {
    no_value(span)
}

fn str_node(s: PString, span: Span) -> Node {
    Node::new(Kind::Str(s), span)
}

/// A scalar's text (numbers as written, booleans as `true`/`false`), or a whole-value hole.
fn to_pstring(node: &Node) -> Option<PString> {
    match &node.kind {
        Kind::Str(s) => Some(s.clone()),
        Kind::Number(n) => Some(PString::known(n.clone())),
        Kind::Bool(b) => Some(PString::known(if *b { "true" } else { "false" })),
        Kind::Unknown(h) => Some(PString::hole(h.clone())),
        _ => None,
    }
}

/// A fully known scalar's text.
fn known_text(node: &Node) -> Option<String> {
    to_pstring(node)?.as_known().map(str::to_string)
}

/// The first hole in a value, to explain why something built from it is unknown.
fn first_hole(node: &Node) -> Option<Hole> {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match &n.kind {
            Kind::Unknown(h) => return Some(h.clone()),
            Kind::Str(s) => {
                if let Some(h) = s.holes().next() {
                    return Some(h.clone());
                }
            }
            Kind::Array(items) => stack.extend(items.iter().rev()),
            Kind::Object(members) => stack.extend(members.iter().rev().map(|m| &m.value)),
            _ => {}
        }
    }
    None
}

/// Whether two partly known strings certainly differ (their known ends disagree).
fn certainly_differ(a: &PString, b: &PString) -> bool {
    let (pa, pb) = (a.known_prefix(), b.known_prefix());
    if !pa.starts_with(pb) && !pb.starts_with(pa) {
        return true;
    }
    let suffix = |s: &PString| -> String {
        match s.parts().last() {
            Some(Part::Lit(t)) => t.clone(),
            _ => String::new(),
        }
    };
    let (sa, sb) = (suffix(a), suffix(b));
    !sa.ends_with(&sb) && !sb.ends_with(&sa)
}

/// Substitutes `${id}` and `&{id}` (non-alphanumerics dropped) in a `Fn::ForEach` output key.
fn substitute_key(key: &str, bindings: &[(String, String)]) -> String {
    let mut out = key.to_string();
    for (id, value) in bindings.iter().rev() {
        out = out.replace(&format!("${{{id}}}"), value);
        let alnum: String = value
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        out = out.replace(&format!("&{{{id}}}"), &alnum);
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Appends `s` as the inside of a JSON string literal.
fn push_json_escaped(out: &mut PString, s: &str) {
    let mut buf = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => buf.push_str("\\\""),
            '\\' => buf.push_str("\\\\"),
            '\n' => buf.push_str("\\n"),
            '\r' => buf.push_str("\\r"),
            '\t' => buf.push_str("\\t"),
            c if (c as u32) < 0x20 => buf.push_str(&format!("\\u{:04x}", c as u32)),
            c => buf.push(c),
        }
    }
    out.push_str(&buf);
}

impl<'t> Resolver<'t> {
    /// A resolver for the template in `file` with these sections and pseudo parameters.
    pub(crate) fn new(
        sources: &'t Sources,
        file: FileId,
        params: HashMap<String, ParamValue>,
        mappings: Option<&'t Node>,
        conditions: HashMap<&'t str, &'t Node>,
        pseudo: Pseudo,
    ) -> Self {
        Resolver {
            sources,
            file,
            params,
            mappings,
            conditions,
            resources: HashSet::new(),
            pseudo,
            cond_cache: HashMap::new(),
            cond_why: HashMap::new(),
            pending_why: Vec::new(),
            loop_vars: Vec::new(),
            notes: Vec::new(),
            limits: Vec::new(),
            budget: STEP_BUDGET,
        }
    }

    /// Declares the template's logical ids (after `Fn::ForEach` expansion).
    pub(crate) fn set_resources(&mut self, ids: HashSet<String>) {
        self.resources = ids;
    }

    /// Records a note: something is only partly checked.
    pub(crate) fn note(&mut self, span: Span, message: impl Into<String>) {
        let message = message.into();
        if self
            .notes
            .iter()
            .any(|n| n.span == Some(span) && n.message == message)
        {
            return;
        }
        self.notes.push(LoadError {
            file: Some(self.file),
            span: Some(span),
            path: None,
            message,
        });
    }

    /// The notes gathered so far.
    pub(crate) fn take_notes(&mut self) -> Vec<LoadError> {
        std::mem::take(&mut self.notes)
    }

    /// The limits hit so far (each an error, located where it was hit).
    pub(crate) fn take_limits(&mut self) -> Vec<LoadError> {
        std::mem::take(&mut self.limits)
    }

    /// A hole for an unknown without a natural identity, named after where it is written.
    fn anon(&self, what: &str, span: Span, why: impl Into<String>) -> Hole {
        let at = self.sources.file(span.file).line_col(span.start as usize);
        Hole::unknown(format!("{what} at {at}"), why.into())
    }

    fn unknown(&self, what: &str, span: Span, why: impl Into<String>) -> Node {
        Node::new(Kind::Unknown(self.anon(what, span, why)), span)
    }

    /// Resolves `node` with `bindings` (`Fn::ForEach` identifiers) in scope.
    pub(crate) fn resolve_with(
        &mut self,
        node: &'t Node,
        bindings: &[(String, String)],
        depth: usize,
    ) -> Option<Node> {
        let mark = self.loop_vars.len();
        self.loop_vars.extend(bindings.iter().cloned());
        let out = self.resolve(node, depth);
        self.loop_vars.truncate(mark);
        out
    }

    /// Resolves every intrinsic in `node`. `None` means `AWS::NoValue`: the value is removed.
    pub(crate) fn resolve(&mut self, node: &'t Node, depth: usize) -> Option<Node> {
        if depth > MAX_RESOLVE_DEPTH || self.budget == 0 {
            return Some(self.too_deep(node.span, depth > MAX_RESOLVE_DEPTH));
        }
        self.budget -= 1;
        match &node.kind {
            Kind::Object(members) => {
                if let [m] = members.as_slice()
                    && (m.key == "Ref"
                        || (m.key.starts_with("Fn::") && !m.key.starts_with("Fn::ForEach::")))
                {
                    return self.intrinsic(m, node.span, depth + 1);
                }
                let mut out = Vec::with_capacity(members.len());
                if members.iter().any(|m| m.key.starts_with("Fn::ForEach::")) {
                    for e in self.expand_members(members, &[], depth + 1) {
                        if let Some(value) = self.resolve_with(e.value, &e.bindings, depth + 1) {
                            out.push(Member {
                                key: e.key,
                                key_span: e.key_span,
                                value,
                            });
                        }
                    }
                } else {
                    for m in members {
                        if let Some(value) = self.resolve(&m.value, depth + 1) {
                            out.push(Member {
                                key: m.key.clone(),
                                key_span: m.key_span,
                                value,
                            });
                        }
                    }
                }
                Some(Node::new(Kind::Object(out), node.span))
            }
            Kind::Array(items) => {
                let items = items
                    .iter()
                    .filter_map(|item| self.resolve(item, depth + 1))
                    .collect();
                Some(Node::new(Kind::Array(items), node.span))
            }
            _ => {
                let size = (node.span.end - node.span.start) as usize;
                if !self.charge(size) {
                    return Some(self.too_deep(node.span, false));
                }
                Some(node.clone())
            }
        }
    }

    /// Takes `bytes` worth of work from the budget; `false` (and an empty budget) when it
    /// does not cover them. Text copied into the result is charged, so that a large value
    /// used many times cannot make the output explode.
    fn charge(&mut self, bytes: usize) -> bool {
        self.charge_units(1 + bytes / 64)
    }

    /// Takes `units` from the budget; `false` (and an empty budget) when it does not cover
    /// them.
    fn charge_units(&mut self, units: usize) -> bool {
        if self.budget < units {
            self.budget = 0;
            return false;
        }
        self.budget -= units;
        true
    }

    fn too_deep(&mut self, span: Span, depth: bool) -> Node {
        let why = if depth {
            format!(
                "functions and values nested deeper than {MAX_RESOLVE_DEPTH} levels are not resolved"
            )
        } else {
            "the template expands to more values than are resolved".to_string()
        };
        self.limit(
            span,
            format!(
                "{why}; this part of the template is not checked and the findings that \
                 depend on it are not reported"
            ),
        );
        self.unknown("value", span, why)
    }

    /// Records that a limit was hit at `span`: an error of the run, once per message (the
    /// first place it was hit).
    fn limit(&mut self, span: Span, why: String) {
        let message = format!("evaluation limit: {why}");
        if !self.limits.iter().any(|l| l.message == message) {
            self.limits.push(LoadError {
                file: Some(self.file),
                span: Some(span),
                path: None,
                message,
            });
        }
    }

    /// Resolves a one-member object whose key names a function.
    fn intrinsic(&mut self, m: &'t Member, span: Span, depth: usize) -> Option<Node> {
        let arg = &m.value;
        let name = m.key.as_str();
        match name {
            "Ref" => {
                let target = self.resolve(arg, depth + 1)?;
                match known_text(&target) {
                    Some(t) => self.reference(&t, span),
                    None => Some(self.unknown(
                        "Ref",
                        span,
                        "Ref of a name that is not known statically",
                    )),
                }
            }
            "Fn::GetAtt" => Some(self.get_att(arg, span, depth)),
            "Fn::Sub" => Some(self.sub(arg, span, depth)),
            "Fn::Join" => Some(self.join(arg, span, depth)),
            "Fn::Select" => Some(self.select(arg, span, depth)),
            "Fn::Split" => Some(self.split(arg, span, depth)),
            "Fn::FindInMap" => self.find_in_map(arg, span, depth),
            "Fn::If" => self.fn_if(m, span, depth),
            "Fn::Base64" => {
                let value = self.resolve(arg, depth + 1);
                let text = value.as_ref().and_then(to_pstring);
                Some(match text.as_ref().and_then(PString::as_known) {
                    Some(t) => str_node(PString::known(base64(t.as_bytes())), span),
                    None => {
                        let why = value
                            .as_ref()
                            .and_then(first_hole)
                            .map_or("the text is not known".to_string(), |h| h.why.to_string());
                        str_node(
                            PString::hole(self.anon(
                                "Fn::Base64",
                                span,
                                format!(
                                    "the Base64 encoding of a text not known statically ({why})"
                                ),
                            )),
                            span,
                        )
                    }
                })
            }
            "Fn::ImportValue" => {
                let export = self.resolve(arg, depth + 1).as_ref().and_then(known_text);
                let hole = match export {
                    Some(e) => Hole::unknown(
                        format!("ImportValue.{e}"),
                        format!("the value another stack exports as `{e}` (Fn::ImportValue)"),
                    ),
                    None => self.anon(
                        "Fn::ImportValue",
                        span,
                        "a value another stack exports (Fn::ImportValue)",
                    ),
                };
                Some(str_node(PString::hole(hole), span))
            }
            "Fn::GetAZs" => Some(Node::new(
                Kind::Unknown(Hole::unknown(
                    "GetAZs",
                    "the Availability Zones of the region (Fn::GetAZs)",
                )),
                span,
            )),
            "Fn::Cidr" => Some(self.unknown(
                "Fn::Cidr",
                span,
                "the address blocks Fn::Cidr computes are not evaluated",
            )),
            "Fn::Transform" => {
                let macro_name = arg
                    .get("Name")
                    .and_then(known_text)
                    .unwrap_or_else(|| "?".into());
                Some(self.unknown(
                    "Fn::Transform",
                    span,
                    format!("the output of macro `{macro_name}` (Fn::Transform), known only when the stack is deployed"),
                ))
            }
            "Fn::Length" => {
                let value = self.resolve(arg, depth + 1);
                Some(match value.as_ref().map(|v| &v.kind) {
                    Some(Kind::Array(items)) => {
                        Node::new(Kind::Number(items.len().to_string()), span)
                    }
                    _ => self.unknown(
                        "Fn::Length",
                        span,
                        "the length of a list not known statically",
                    ),
                })
            }
            "Fn::ToJsonString" => {
                let value = self.resolve(arg, depth + 1)?;
                let mut out = PString::default();
                if self.json_text(&value, &mut out, 0) {
                    Some(str_node(out, span))
                } else {
                    Some(self.unknown(
                        "Fn::ToJsonString",
                        span,
                        "Fn::ToJsonString of a value whose shape is not known statically",
                    ))
                }
            }
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => {
                let mark = self.pending_why.len();
                let value = self.eval_function(name, arg, depth);
                self.pending_why.truncate(mark);
                Some(match value {
                    Some(b) => Node::new(Kind::Bool(b), span),
                    None => self.unknown(
                        name,
                        span,
                        format!("{name} over values not known statically"),
                    ),
                })
            }
            other => Some(self.unknown(other, span, format!("{other} is not evaluated"))),
        }
    }

    /// The value of `Ref name`.
    fn reference(&mut self, name: &str, span: Span) -> Option<Node> {
        if let Some((_, v)) = self.loop_vars.iter().rev().find(|(id, _)| id == name) {
            let v = v.clone();
            if !self.charge(v.len()) {
                return Some(self.too_deep(span, false));
            }
            return Some(str_node(PString::known(v), span));
        }
        if let Some(p) = self.params.get(name) {
            let units = match p {
                ParamValue::Str(s) => 1 + s.len() / 64,
                ParamValue::List(items) => {
                    1 + items.len() + items.iter().map(String::len).sum::<usize>() / 64
                }
                ParamValue::Hole { .. } => 1,
            };
            if !self.charge_units(units) {
                return Some(self.too_deep(span, false));
            }
            let p = self.params.get(name)?;
            return Some(match p {
                ParamValue::Str(s) => str_node(PString::known(s.clone()), span),
                ParamValue::List(items) => Node::new(
                    Kind::Array(
                        items
                            .iter()
                            .map(|s| str_node(PString::known(s.clone()), span))
                            .collect(),
                    ),
                    span,
                ),
                ParamValue::Hole { hole, list: true } => {
                    Node::new(Kind::Unknown(hole.clone()), span)
                }
                ParamValue::Hole { hole, list: false } => {
                    str_node(PString::hole(hole.clone()), span)
                }
            });
        }
        let pseudo = |s: PString| Some(str_node(s, span));
        match name {
            "AWS::AccountId" => pseudo(self.pseudo.account.clone()),
            "AWS::Region" => pseudo(self.pseudo.region.clone()),
            "AWS::Partition" => pseudo(PString::known(self.pseudo.partition.clone())),
            "AWS::URLSuffix" => pseudo(PString::known(match self.pseudo.partition.as_str() {
                "aws-cn" => "amazonaws.com.cn",
                "aws-iso" => "c2s.ic.gov",
                "aws-iso-b" => "sc2s.sgov.gov",
                _ => "amazonaws.com",
            })),
            "AWS::StackName" => pseudo(PString::hole(Hole::unknown(
                "AWS::StackName",
                "the stack's name, chosen when it is deployed",
            ))),
            "AWS::StackId" => pseudo(PString::hole(Hole::unknown(
                "AWS::StackId",
                "the stack's id, known only after the stack is created",
            ))),
            "AWS::NotificationARNs" => Some(Node::new(
                Kind::Unknown(Hole::unknown(
                    "AWS::NotificationARNs",
                    "the stack's notification ARNs, set when it is deployed",
                )),
                span,
            )),
            "AWS::NoValue" => None,
            _ if name.starts_with("AWS::") => {
                Some(self.unknown(name, span, format!("`{name}` is not a pseudo parameter")))
            }
            _ => {
                let why = if self.resources.contains(name) {
                    format!("Ref {name} is known only after the stack is created")
                } else {
                    format!("`{name}` is not a parameter or resource of this template")
                };
                pseudo(PString::hole(Hole::unknown(format!("{name}.Ref"), why)))
            }
        }
    }

    fn get_att_hole(&self, id: &str, attr: &str) -> Hole {
        let why = if self.resources.contains(id) {
            format!("{id}.{attr} is known only after the stack is created")
        } else {
            format!("{id}.{attr}: `{id}` is not a resource of this template")
        };
        Hole::unknown(format!("{id}.{attr}"), why)
    }

    fn get_att(&mut self, arg: &'t Node, span: Span, depth: usize) -> Node {
        let pair = match &arg.kind {
            Kind::Array(items) if items.len() == 2 => {
                let id = self
                    .resolve(&items[0], depth + 1)
                    .as_ref()
                    .and_then(known_text);
                let attr = self
                    .resolve(&items[1], depth + 1)
                    .as_ref()
                    .and_then(known_text);
                id.zip(attr)
            }
            Kind::Str(s) => s
                .as_known()
                .and_then(|t| t.split_once('.'))
                .map(|(a, b)| (a.to_string(), b.to_string())),
            _ => None,
        };
        match pair {
            Some((id, attr)) => str_node(PString::hole(self.get_att_hole(&id, &attr)), span),
            None => self.unknown(
                "Fn::GetAtt",
                span,
                "Fn::GetAtt needs [logical id, attribute] known statically",
            ),
        }
    }

    /// A value as text inside a string: a hole for an undecided `Fn::If` or a non-scalar.
    fn text_of(&self, node: &Node) -> Option<PString> {
        if let Some(s) = to_pstring(node) {
            return Some(s);
        }
        if let Some(Kind::Array(args)) = node.get("Fn::If").map(|n| &n.kind)
            && let [cond, a, b, rest @ ..] = args.as_slice()
        {
            let show =
                |n: &Node| to_pstring(n).map_or("(no value)".to_string(), |s| format!("`{s}`"));
            let cond = to_pstring(cond).map_or_else(|| "?".to_string(), |s| s.to_string());
            let why = rest
                .first()
                .and_then(known_text)
                .map_or_else(String::new, |w| format!(", which is undecided because {w}"));
            return Some(PString::hole(self.anon(
                "Fn::If",
                node.span,
                format!(
                    "{} or {}, depending on condition {cond}{why}",
                    show(a),
                    show(b)
                ),
            )));
        }
        None
    }

    fn sub(&mut self, arg: &'t Node, span: Span, depth: usize) -> Node {
        let (template, vars_node) = match &arg.kind {
            Kind::Array(items) if items.len() == 2 => (&items[0], Some(&items[1])),
            Kind::Array(_) => {
                return self.unknown(
                    "Fn::Sub",
                    span,
                    "Fn::Sub needs a string or [string, {variables}]",
                );
            }
            _ => (arg, None),
        };
        let mut vars: Vec<(String, Option<Node>)> = Vec::new();
        if let Some(vars_node) = vars_node {
            match self.resolve(vars_node, depth + 1).map(|n| n.kind) {
                Some(Kind::Object(members)) => {
                    vars = members
                        .into_iter()
                        .map(|m| (m.key, Some(m.value)))
                        .collect();
                }
                _ => {
                    return self.unknown(
                        "Fn::Sub",
                        span,
                        "the variables of Fn::Sub are not a map known statically",
                    );
                }
            }
        }
        let Some(template) = self.resolve(template, depth + 1) else {
            return self.unknown("Fn::Sub", span, "Fn::Sub of no value");
        };
        let Kind::Str(template) = template.kind else {
            return self.unknown("Fn::Sub", span, "Fn::Sub of a value that is not a string");
        };
        let mut out = PString::default();
        for part in template.parts() {
            match part {
                Part::Lit(text) => self.sub_text(text, &vars, span, &mut out),
                Part::Hole(h) => out.push_hole(h.clone()),
            }
        }
        str_node(out, span)
    }

    fn sub_text(
        &mut self,
        text: &str,
        vars: &[(String, Option<Node>)],
        span: Span,
        out: &mut PString,
    ) {
        let mut rest = text;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            if let Some(literal) = after.strip_prefix('!') {
                // `${!X}` is the literal text `${X}`.
                out.push_str("${");
                rest = literal;
                continue;
            }
            let Some(close) = after.find('}') else {
                out.push_str(&rest[i..]);
                return;
            };
            let name = after[..close].trim();
            let value = self.sub_variable(name, vars, span);
            out.push(&value);
            rest = &after[close + 1..];
        }
        out.push_str(rest);
    }

    fn sub_variable(&mut self, name: &str, vars: &[(String, Option<Node>)], span: Span) -> PString {
        let value = if let Some((_, v)) = vars.iter().find(|(k, _)| k == name) {
            v.clone()
        } else if !name.starts_with("AWS::")
            && !self.params.contains_key(name)
            && !self.loop_vars.iter().any(|(id, _)| id == name)
            && let Some((id, attr)) = name.split_once('.')
        {
            return PString::hole(self.get_att_hole(id, attr));
        } else {
            self.reference(name, span)
        };
        match value.as_ref().and_then(|v| self.text_of(v)) {
            Some(s) => s,
            None => PString::hole(self.anon(
                "Fn::Sub",
                span,
                format!("`${{{name}}}` in Fn::Sub is not a string"),
            )),
        }
    }

    fn join(&mut self, arg: &'t Node, span: Span, depth: usize) -> Node {
        let Kind::Array(args) = &arg.kind else {
            return self.unknown("Fn::Join", span, "Fn::Join needs [delimiter, [values]]");
        };
        let [delimiter, list] = args.as_slice() else {
            return self.unknown("Fn::Join", span, "Fn::Join needs [delimiter, [values]]");
        };
        let delimiter = self
            .resolve(delimiter, depth + 1)
            .as_ref()
            .and_then(known_text);
        let list = self.resolve(list, depth + 1);
        let Some(delimiter) = delimiter else {
            return self.unknown(
                "Fn::Join",
                span,
                "the delimiter of Fn::Join is not known statically",
            );
        };
        let items = match list.map(|l| l.kind) {
            Some(Kind::Array(items)) => items,
            Some(Kind::Unknown(h)) => {
                return str_node(
                    PString::hole(self.anon(
                        "Fn::Join",
                        span,
                        format!("Fn::Join of a list not known statically ({})", h.why),
                    )),
                    span,
                );
            }
            _ => return self.unknown("Fn::Join", span, "Fn::Join of a value that is not a list"),
        };
        let mut out = PString::default();
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(&delimiter);
            }
            match self.text_of(item) {
                Some(s) => out.push(&s),
                None => {
                    return self.unknown(
                        "Fn::Join",
                        span,
                        "Fn::Join of a list holding a list or a map",
                    );
                }
            }
        }
        str_node(out, span)
    }

    fn select(&mut self, arg: &'t Node, span: Span, depth: usize) -> Node {
        let Kind::Array(args) = &arg.kind else {
            return self.unknown("Fn::Select", span, "Fn::Select needs [index, list]");
        };
        let [index, list] = args.as_slice() else {
            return self.unknown("Fn::Select", span, "Fn::Select needs [index, list]");
        };
        let index = self.resolve(index, depth + 1).as_ref().and_then(known_text);
        let list = self.resolve(list, depth + 1);
        let Some(index) = index.and_then(|i| i.trim().parse::<usize>().ok()) else {
            return self.unknown(
                "Fn::Select",
                span,
                "the index of Fn::Select is not a number known statically",
            );
        };
        match list.map(|l| l.kind) {
            Some(Kind::Array(items)) => match items.into_iter().nth(index) {
                Some(item) => item,
                None => self.unknown(
                    "Fn::Select",
                    span,
                    format!("Fn::Select index {index} is out of range of the list"),
                ),
            },
            Some(Kind::Unknown(h)) => Node::new(
                Kind::Unknown(Hole::unknown(
                    format!("{}[{index}]", h.id),
                    format!("item {index} of {}", h.why),
                )),
                span,
            ),
            _ => self.unknown(
                "Fn::Select",
                span,
                "Fn::Select from a value that is not a list",
            ),
        }
    }

    fn split(&mut self, arg: &'t Node, span: Span, depth: usize) -> Node {
        let Kind::Array(args) = &arg.kind else {
            return self.unknown("Fn::Split", span, "Fn::Split needs [delimiter, string]");
        };
        let [delimiter, source] = args.as_slice() else {
            return self.unknown("Fn::Split", span, "Fn::Split needs [delimiter, string]");
        };
        let delimiter = self
            .resolve(delimiter, depth + 1)
            .as_ref()
            .and_then(known_text);
        let source = self.resolve(source, depth + 1);
        let text = source.as_ref().and_then(known_text);
        match (delimiter, text) {
            (Some(d), Some(t)) if !d.is_empty() => Node::new(
                Kind::Array(
                    t.split(d.as_str())
                        .map(|piece| str_node(PString::known(piece), span))
                        .collect(),
                ),
                span,
            ),
            _ => {
                let why = source
                    .as_ref()
                    .and_then(first_hole)
                    .map_or_else(|| "its text".to_string(), |h| h.why.to_string());
                self.unknown(
                    "Fn::Split",
                    span,
                    format!("Fn::Split of a text not known statically ({why})"),
                )
            }
        }
    }

    fn find_in_map(&mut self, arg: &'t Node, span: Span, depth: usize) -> Option<Node> {
        let Kind::Array(args) = &arg.kind else {
            return Some(self.unknown(
                "Fn::FindInMap",
                span,
                "Fn::FindInMap needs [map, key, key]",
            ));
        };
        if args.len() != 3 && args.len() != 4 {
            return Some(self.unknown(
                "Fn::FindInMap",
                span,
                "Fn::FindInMap needs [map, key, key]",
            ));
        }
        let mut keys = Vec::with_capacity(3);
        for key in &args[..3] {
            let value = self.resolve(key, depth + 1);
            keys.push((value.as_ref().and_then(known_text), value));
        }
        let default = args.get(3).and_then(|d| d.get("DefaultValue"));
        if keys.iter().all(|(k, _)| k.is_some()) {
            let names: Vec<&str> = keys.iter().filter_map(|(k, _)| k.as_deref()).collect();
            let found = self
                .mappings
                .and_then(|m| m.get(names[0]))
                .and_then(|m| m.get(names[1]))
                .and_then(|m| m.get(names[2]));
            return match (found, default) {
                (Some(v), _) => {
                    // Charged by what the copy holds (nodes and text), not by the length of
                    // its source: `[a, a, …]` is three bytes a node.
                    if !self.charge_units(weight(v, self.budget.saturating_add(1))) {
                        return Some(self.too_deep(span, false));
                    }
                    let mut v = v.clone();
                    v.span = span;
                    Some(v)
                }
                (None, Some(d)) => self.resolve(d, depth + 1),
                (None, None) => Some(self.unknown(
                    "Fn::FindInMap",
                    span,
                    format!(
                        "Mappings has no entry {}.{}.{}",
                        names[0], names[1], names[2]
                    ),
                )),
            };
        }
        let shown: Vec<String> = keys
            .iter()
            .map(|(k, v)| match (k, v) {
                (Some(k), _) => k.clone(),
                (None, Some(v)) => to_pstring(v).map_or("?".into(), |s| s.to_string()),
                (None, None) => "?".into(),
            })
            .collect();
        let because = keys
            .iter()
            .find_map(|(_, v)| v.as_ref().and_then(first_hole))
            .map_or_else(String::new, |h| format!(" ({})", h.why));
        Some(self.unknown(
            "Fn::FindInMap",
            span,
            format!(
                "Fn::FindInMap [{}] with keys not known statically{because}",
                shown.join(", ")
            ),
        ))
    }

    fn fn_if(&mut self, m: &'t Member, span: Span, depth: usize) -> Option<Node> {
        let arg = &m.value;
        let Kind::Array(args) = &arg.kind else {
            return Some(self.unknown(
                "Fn::If",
                span,
                "Fn::If needs [condition, value if true, value if false]",
            ));
        };
        let [cond, when_true, when_false] = args.as_slice() else {
            return Some(self.unknown(
                "Fn::If",
                span,
                "Fn::If needs [condition, value if true, value if false]",
            ));
        };
        let decided = match known_text(cond) {
            Some(name) => self.condition(&name, cond.span, depth + 1),
            None => None,
        };
        match decided {
            Some(true) => self.resolve(when_true, depth + 1),
            Some(false) => self.resolve(when_false, depth + 1),
            None => {
                let a = self
                    .resolve(when_true, depth + 1)
                    .unwrap_or_else(|| no_value(when_true.span));
                let b = self
                    .resolve(when_false, depth + 1)
                    .unwrap_or_else(|| no_value(when_false.span));
                let name = known_text(cond).unwrap_or_default();
                let why = self.condition_why(&name);
                Some(undecided_if(
                    cond.clone(),
                    a,
                    b,
                    why,
                    m.key_span,
                    arg.span,
                    span,
                ))
            }
        }
    }

    /// The value of the named condition, when it can be decided ([`Resolver::condition_why`]
    /// says what an undecided one rests on).
    pub(crate) fn condition(&mut self, name: &str, at: Span, depth: usize) -> Option<bool> {
        let mark = self.pending_why.len();
        let value = self.condition_at(name, at, depth);
        self.pending_why.truncate(mark);
        value
    }

    /// [`Resolver::condition`] inside the evaluation of another condition: what an undecided
    /// one rests on is added to the reasons of the one being evaluated.
    fn condition_at(&mut self, name: &str, at: Span, depth: usize) -> Option<bool> {
        match self.cond_cache.get(name) {
            Some(Some(Some(v))) => return Some(*v),
            Some(Some(None)) => {
                let why = self.cond_why.get(name).cloned().unwrap_or_default();
                self.pending_why.extend(why);
                return None;
            }
            Some(None) => {
                self.pending_why
                    .push(format!("condition {name}, which refers to itself"));
                return None;
            }
            None => {}
        }
        let Some(node) = self.conditions.get(name).copied() else {
            self.note(
                at,
                format!("condition `{name}` is not defined in Conditions"),
            );
            self.pending_why
                .push(format!("condition {name}, which is not defined"));
            return None;
        };
        self.cond_cache.insert(name.to_string(), None);
        let mark = self.pending_why.len();
        let value = self.eval_condition(node, depth + 1);
        if value.is_none() {
            let mut why: Vec<String> = Vec::new();
            for w in self.pending_why.drain(mark..) {
                if !why.contains(&w) {
                    why.push(w);
                }
            }
            self.pending_why.extend(why.iter().cloned());
            self.cond_why.insert(name.to_string(), why);
        }
        self.cond_cache.insert(name.to_string(), Some(value));
        value
    }

    /// What an undecided condition rests on, for messages: the unknowns it reads.
    pub(crate) fn condition_why(&self, name: &str) -> String {
        match self.cond_why.get(name) {
            Some(why) if !why.is_empty() => why.join("; "),
            _ => "it cannot be decided statically".to_string(),
        }
    }

    fn eval_condition(&mut self, node: &'t Node, depth: usize) -> Option<bool> {
        if depth > MAX_RESOLVE_DEPTH {
            self.pending_why
                .push("a condition nested too deeply to evaluate".into());
            return None;
        }
        let mark = self.pending_why.len();
        let value = self.eval_condition_at(node, depth);
        if value.is_some() {
            // Unknowns that did not matter (`Fn::Or` with a true operand) are not reasons.
            self.pending_why.truncate(mark);
        }
        value
    }

    fn eval_condition_at(&mut self, node: &'t Node, depth: usize) -> Option<bool> {
        if let Some([m]) = node.as_object() {
            match m.key.as_str() {
                "Condition" => {
                    let Some(name) = known_text(&m.value) else {
                        self.pending_why
                            .push("a condition whose name is not a string".into());
                        return None;
                    };
                    return self.condition_at(&name, m.value.span, depth + 1);
                }
                "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => {
                    return self.eval_function(&m.key, &m.value, depth + 1);
                }
                _ => {}
            }
        }
        let value = self.resolve(node, depth + 1);
        let decided = match value.as_ref().map(|v| &v.kind) {
            Some(Kind::Bool(b)) => Some(*b),
            Some(Kind::Str(s)) => match s.as_known() {
                Some("true") => Some(true),
                Some("false") => Some(false),
                _ => None,
            },
            _ => None,
        };
        if decided.is_none() {
            self.push_why(value.as_ref(), "a condition that is not true or false");
        }
        decided
    }

    /// Records why a condition's operand is not known.
    fn push_why(&mut self, value: Option<&Node>, otherwise: &str) {
        let why = value
            .and_then(first_hole)
            .map_or_else(|| otherwise.to_string(), |h| h.why.to_string());
        self.pending_why.push(why);
    }

    fn eval_function(&mut self, name: &str, arg: &'t Node, depth: usize) -> Option<bool> {
        let Kind::Array(args) = &arg.kind else {
            return None;
        };
        match name {
            "Fn::Equals" => {
                let [a, b] = args.as_slice() else {
                    return None;
                };
                let a = self.resolve(a, depth + 1);
                let b = self.resolve(b, depth + 1);
                let (Some(x), Some(y)) = (&a, &b) else {
                    self.pending_why.push("Fn::Equals of AWS::NoValue".into());
                    return None;
                };
                let value = equals(x, y);
                if value.is_none() {
                    for v in [&a, &b] {
                        if v.as_ref().and_then(first_hole).is_some() {
                            self.push_why(v.as_ref(), "");
                        }
                    }
                }
                value
            }
            "Fn::Not" => {
                let [a] = args.as_slice() else {
                    return None;
                };
                self.eval_condition(a, depth + 1).map(|v| !v)
            }
            "Fn::And" | "Fn::Or" => {
                let want = name == "Fn::Or";
                let mut unknown = false;
                for a in args {
                    match self.eval_condition(a, depth + 1) {
                        Some(v) if v == want => return Some(want),
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
                if unknown { None } else { Some(!want) }
            }
            _ => None,
        }
    }

    /// Writes a resolved value as JSON text (`Fn::ToJsonString`); `false` when its shape is
    /// not known (a whole unknown value or an undecided `Fn::If`).
    fn json_text(&self, node: &Node, out: &mut PString, depth: usize) -> bool {
        if depth > MAX_RESOLVE_DEPTH {
            return false;
        }
        match &node.kind {
            Kind::Null => out.push_str("null"),
            Kind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Kind::Number(n) => out.push_str(n),
            Kind::Str(s) => {
                out.push_str("\"");
                for part in s.parts() {
                    match part {
                        Part::Lit(t) => push_json_escaped(out, t),
                        Part::Hole(h) => out.push_hole(h.clone()),
                    }
                }
                out.push_str("\"");
            }
            Kind::Array(items) => {
                out.push_str("[");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(",");
                    }
                    if !self.json_text(item, out, depth + 1) {
                        return false;
                    }
                }
                out.push_str("]");
            }
            Kind::Object(members) => {
                if node.get("Fn::If").is_some() && members.len() == 1 {
                    return false;
                }
                out.push_str("{");
                for (i, m) in members.iter().enumerate() {
                    if i > 0 {
                        out.push_str(",");
                    }
                    out.push_str("\"");
                    push_json_escaped(out, &m.key);
                    out.push_str("\":");
                    if !self.json_text(&m.value, out, depth + 1) {
                        return false;
                    }
                }
                out.push_str("}");
            }
            Kind::Unknown(_) => return false,
        }
        true
    }

    /// Expands `Fn::ForEach::Name` entries of a map (resource or property level) whose
    /// collections are known; others are left out with a note.
    pub(crate) fn expand_members(
        &mut self,
        members: &'t [Member],
        bindings: &[(String, String)],
        depth: usize,
    ) -> Vec<Expanded<'t>> {
        let mut out = Vec::new();
        self.expand_into(members, bindings, depth, 0, &mut out);
        out
    }

    fn expand_into(
        &mut self,
        members: &'t [Member],
        bindings: &[(String, String)],
        depth: usize,
        loops: usize,
        out: &mut Vec<Expanded<'t>>,
    ) {
        for m in members {
            let Some(loop_name) = m.key.strip_prefix("Fn::ForEach::") else {
                out.push(Expanded {
                    key: substitute_key(&m.key, bindings),
                    key_span: m.key_span,
                    entry_span: m.key_span.to(m.value.span),
                    value: &m.value,
                    bindings: bindings.to_vec(),
                });
                continue;
            };
            if loops >= MAX_LOOP_NESTING {
                self.limit(
                    m.key_span,
                    format!(
                        "Fn::ForEach::{loop_name} is nested in more than {MAX_LOOP_NESTING} \
                         loops; what it generates is not checked"
                    ),
                );
                continue;
            }
            match self.loop_items(&m.value, bindings, depth) {
                Ok((identifier, values, body)) => {
                    for value in values {
                        if self.budget < 1_000 {
                            // The entries after this loop are still expanded: only what
                            // the loop generates beyond the budget is left out.
                            self.limit(
                                m.key_span,
                                format!(
                                    "Fn::ForEach::{loop_name} generates more than the template's \
                                     step budget of {STEP_BUDGET} covers; the rest of what it \
                                     generates is not checked"
                                ),
                            );
                            break;
                        }
                        self.budget -= 100;
                        let mut inner = bindings.to_vec();
                        inner.push((identifier.clone(), value));
                        self.expand_into(body, &inner, depth + 1, loops + 1, out);
                    }
                }
                Err(why) => self.note(
                    m.key_span,
                    format!("Fn::ForEach::{loop_name} is not expanded ({why}); what it generates is not checked"),
                ),
            }
        }
    }

    /// The identifier, the collection's values and the output map of a `Fn::ForEach`.
    #[allow(clippy::type_complexity)]
    fn loop_items(
        &mut self,
        value: &'t Node,
        bindings: &[(String, String)],
        depth: usize,
    ) -> Result<(String, Vec<String>, &'t [Member]), String> {
        let Kind::Array(args) = &value.kind else {
            return Err("it needs [identifier, collection, {output}]".into());
        };
        let [identifier, collection, output] = args.as_slice() else {
            return Err("it needs [identifier, collection, {output}]".into());
        };
        let Some(identifier) = identifier.as_pstr().and_then(PString::as_known) else {
            return Err("its identifier is not a string".into());
        };
        let Some(body) = output.as_object() else {
            return Err("its output is not a map".into());
        };
        let collection = self.resolve_with(collection, bindings, depth + 1);
        let items = match collection.map(|c| c.kind) {
            Some(Kind::Array(items)) => items,
            Some(Kind::Unknown(h)) => return Err(format!("its collection is {}", h.why)),
            _ => return Err("its collection is not a list".into()),
        };
        let mut values = Vec::with_capacity(items.len());
        for item in &items {
            match known_text(item) {
                Some(v) => values.push(v),
                None => {
                    let why = first_hole(item)
                        .map_or("a list or a map".to_string(), |h| h.why.to_string());
                    return Err(format!(
                        "its collection holds a value not known statically: {why}"
                    ));
                }
            }
        }
        Ok((identifier.to_string(), values, body))
    }
}

/// Whether two resolved values are equal, when that can be decided (`Fn::Equals` compares
/// texts: `1` equals `"1"`).
fn equals(a: &Node, b: &Node) -> Option<bool> {
    match (&a.kind, &b.kind) {
        (Kind::Array(x), Kind::Array(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut all = Some(true);
            for (p, q) in x.iter().zip(y) {
                match equals(p, q) {
                    Some(false) => return Some(false),
                    Some(true) => {}
                    None => all = None,
                }
            }
            all
        }
        _ => {
            let (x, y) = (to_pstring(a)?, to_pstring(b)?);
            match (x.as_known(), y.as_known()) {
                (Some(p), Some(q)) => Some(p == q),
                _ if certainly_differ(&x, &y) => Some(false),
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_alphabet_with_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn loop_keys_substitute_both_forms() {
        let b = vec![("Name".to_string(), "log-a.b".to_string())];
        assert_eq!(substitute_key("${Name}Bucket", &b), "log-a.bBucket");
        assert_eq!(substitute_key("&{Name}Bucket", &b), "logabBucket");
    }

    #[test]
    fn partly_known_strings_that_disagree_differ() {
        let h = Hole::unknown("x", "x");
        let a = PString::known("prod-").with_hole(h.clone());
        assert!(certainly_differ(&a, &PString::known("dev-1")));
        assert!(!certainly_differ(&a, &PString::known("prod-1")));
        let b = PString::hole(h).with_str("-eu");
        assert!(certainly_differ(&b, &PString::known("x-us")));
    }
}
