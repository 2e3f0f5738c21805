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

use strings::base64;

mod conditions;
mod foreach;
mod refs;
mod strings;

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
    /// Where the template string of each `Fn::Sub` call resolved is written.
    sub_texts: SubTexts,
}

/// Where the template string of each `Fn::Sub` call is written (by the span of the call),
/// for text inside the resolved string to be located in the template.
pub type SubTexts = HashMap<Span, Span>;

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

/// Whether a map's members are a function call (`Ref`, `Fn::…`) or hold a `Fn::ForEach`
/// loop: what [`Resolver::resolve`] does not simply resolve member by member.
fn is_function_or_loop(members: &[Member]) -> bool {
    if let [m] = members
        && (m.key == "Ref" || (m.key.starts_with("Fn::") && !m.key.starts_with("Fn::ForEach::")))
    {
        return true;
    }
    members.iter().any(|m| m.key.starts_with("Fn::ForEach::"))
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
            sub_texts: HashMap::new(),
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

    /// Where the template strings of the `Fn::Sub` calls resolved so far are written.
    pub(crate) fn take_sub_texts(&mut self) -> SubTexts {
        std::mem::take(&mut self.sub_texts)
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
        node: &Node,
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
    pub(crate) fn resolve(&mut self, node: &Node, depth: usize) -> Option<Node> {
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

    /// [`Resolver::resolve`] of a value that is not needed afterwards: what resolves to
    /// itself (plain scalars, and maps and lists around them) is moved into the result
    /// rather than copied. The same work is charged and the same notes are made.
    pub(crate) fn resolve_owned(&mut self, node: Node, depth: usize) -> Option<Node> {
        if depth > MAX_RESOLVE_DEPTH || self.budget == 0 {
            return Some(self.too_deep(node.span, depth > MAX_RESOLVE_DEPTH));
        }
        match node.kind {
            Kind::Object(members) if !is_function_or_loop(&members) => {
                self.budget -= 1;
                let members = members
                    .into_iter()
                    .filter_map(|m| {
                        let value = self.resolve_owned(m.value, depth + 1)?;
                        Some(Member {
                            key: m.key,
                            key_span: m.key_span,
                            value,
                        })
                    })
                    .collect();
                Some(Node::new(Kind::Object(members), node.span))
            }
            Kind::Array(items) => {
                self.budget -= 1;
                let items = items
                    .into_iter()
                    .filter_map(|item| self.resolve_owned(item, depth + 1))
                    .collect();
                Some(Node::new(Kind::Array(items), node.span))
            }
            Kind::Object(_) => self.resolve(&node, depth),
            _ => {
                self.budget -= 1;
                let size = (node.span.end - node.span.start) as usize;
                if !self.charge(size) {
                    return Some(self.too_deep(node.span, false));
                }
                Some(node)
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
    fn intrinsic(&mut self, m: &Member, span: Span, depth: usize) -> Option<Node> {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A resolver over `template`'s `Mappings` and `Conditions`, with a parameter `Env`
    /// unknown, and a step budget of `budget`.
    fn resolver<'t>(
        sources: &'t Sources,
        file: FileId,
        root: &'t Node,
        budget: usize,
    ) -> Resolver<'t> {
        let mut params = HashMap::new();
        params.insert(
            "Env".to_string(),
            ParamValue::Hole {
                hole: Hole::unknown("Parameters.Env", "no default"),
                list: false,
            },
        );
        params.insert("Name".to_string(), ParamValue::Str("data".into()));
        let conditions = root
            .get("Conditions")
            .and_then(Node::as_object)
            .unwrap_or(&[])
            .iter()
            .map(|m| (m.key.as_str(), &m.value))
            .collect();
        let pseudo = Pseudo {
            account: PString::known("111122223333"),
            region: PString::known("eu-west-1"),
            partition: "aws".into(),
        };
        let mut r = Resolver::new(
            sources,
            file,
            params,
            root.get("Mappings"),
            conditions,
            pseudo,
        );
        r.budget = budget;
        r
    }

    #[test]
    fn resolving_a_value_by_move_is_resolving_it_by_reference() {
        let text = "Mappings:\n  M: {a: {b: [x, y]}}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\n\
                    Values:\n\
                    \x20 - {A: 1, B: [true, null, !Ref AWS::NoValue], C: {D: ~, E: 'text'}}\n\
                    \x20 - {Name: !Sub '${Name}-${AWS::Region}', L: !FindInMap [M, a, b], J: !Join ['', [a, !Ref Env]]}\n\
                    \x20 - [!If [IsProd, a, !Ref AWS::NoValue], !GetAtt B.Arn, {Ref: Name}, !Select [0, [q]]]\n\
                    \x20 - {Fn::ForEach::L: [X, [p, q], {'K${X}': !Ref X}], Z: 1}\n\
                    \x20 - {Deep: [[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]}\n\
                    \x20 - !Ref AWS::NoValue\n\
                    \x20 - {Bad: !Cidr [a, 1, 2], Odd: !Sub [1, 2, 3]}\n";
        let mut sources = Sources::new();
        let file = sources.add("t.yaml", text);
        let root = crate::cloudformation::yaml::parse_yaml(text, file).unwrap();
        let Some(Kind::Array(values)) = root.get("Values").map(|v| &v.kind) else {
            panic!("no values");
        };
        // The full budget, one that runs out part way, and depths near the limit.
        for (budget, depth) in [
            (STEP_BUDGET, 0),
            (7, 0),
            (40, 0),
            (STEP_BUDGET, MAX_RESOLVE_DEPTH - 10),
        ] {
            for value in values {
                let mut by_ref = resolver(&sources, file, &root, budget);
                let mut by_move = resolver(&sources, file, &root, budget);
                let a = by_ref.resolve(value, depth);
                let b = by_move.resolve_owned(value.clone(), depth);
                assert_eq!(a, b, "{value:?} (budget {budget}, depth {depth})");
                assert_eq!(by_ref.budget, by_move.budget);
                assert_eq!(by_ref.take_notes(), by_move.take_notes());
                assert_eq!(by_ref.take_limits(), by_move.take_limits());
            }
        }
    }
}
