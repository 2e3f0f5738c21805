//! Undecided `Fn::If`s inside a policy: statements made conditional on the template condition,
//! one variant per branch.

use super::*;

/// An undecided `{"Fn::If": [cond, a, b, why]}` as the front end leaves it.
pub(super) struct UndecidedIf<'n> {
    /// The condition's name.
    pub(super) name: String,
    /// What the condition rests on (the unknowns it reads, with the flags that settle them).
    why: String,
    pub(super) when_true: &'n Node,
    pub(super) when_false: &'n Node,
}

impl UndecidedIf<'_> {
    /// The unknown "the condition is `holds`".
    fn hole(&self, holds: bool) -> Hole {
        condition_hole(&self.name, &self.why, holds)
    }
}

pub(super) fn as_if(node: &Node) -> Option<UndecidedIf<'_>> {
    let [m] = node.as_object()? else { return None };
    if m.key != "Fn::If" {
        return None;
    }
    let Kind::Array(args) = &m.value.kind else {
        return None;
    };
    let [cond, a, b, rest @ ..] = args.as_slice() else {
        return None;
    };
    let name = cond
        .as_pstr()
        .map(|s| s.to_string())
        .unwrap_or_else(|| "?".into());
    let why = rest
        .first()
        .and_then(Node::as_pstr)
        .and_then(PString::as_known)
        .unwrap_or("set the parameters it reads with --parameter")
        .to_string();
    Some(UndecidedIf {
        name,
        why,
        when_true: a,
        when_false: b,
    })
}

pub(super) fn is_no_value(node: &Node) -> bool {
    node.get("Ref")
        .and_then(|r| r.as_pstr())
        .and_then(|s| s.as_known())
        == Some("AWS::NoValue")
}

pub(super) fn condition_hole(name: &str, why: &str, holds: bool) -> Hole {
    let state = if holds { "true" } else { "false" };
    Hole::unknown(
        format!("cfn-condition:{name}:{state}"),
        format!("whether the template's condition {name} is {state} ({why})"),
    )
}

/// Keys every request of the Clumio role carries; the guard of a conditional statement
/// tests one of them (the first the statement's own `Null` block does not use).
const GUARD_KEYS: [&str; 3] = [
    "aws:SecureTransport",
    "aws:PrincipalAccount",
    "aws:ViaAWSService",
];

/// The statement made conditional: an extra `Null` test on an always-present key whose
/// expected value is the unknown "condition holds", so the statement applies only
/// "depending on" it. A `Null` block the statement has already gets the test as one more key
/// (a second `Null` operator would be a duplicate, which AWS rejects).
pub(super) fn guarded(statement: &Node, hole: Hole) -> Node {
    let span = statement.span;
    let test = |key: &str| Member {
        key: key.into(),
        key_span: span,
        value: Node::new(Kind::Str(PString::hole(hole.clone())), span),
    };
    let Some(members) = statement.as_object() else {
        return statement.clone();
    };
    let mut members = members.to_vec();
    match members.iter_mut().find(|m| m.key == "Condition") {
        Some(c) => {
            if let Kind::Object(ops) = &mut c.value.kind {
                match ops.iter_mut().find(|o| o.key == "Null") {
                    Some(Member {
                        value:
                            Node {
                                kind: Kind::Object(keys),
                                ..
                            },
                        ..
                    }) => {
                        let free = GUARD_KEYS
                            .iter()
                            .find(|k| keys.iter().all(|m| m.key != **k))
                            .unwrap_or(&GUARD_KEYS[0]);
                        keys.push(test(free));
                    }
                    _ => ops.push(Member {
                        key: "Null".into(),
                        key_span: span,
                        value: Node::new(Kind::Object(vec![test(GUARD_KEYS[0])]), span),
                    }),
                }
            }
        }
        None => members.push(Member {
            key: "Condition".into(),
            key_span: span,
            value: Node::new(
                Kind::Object(vec![Member {
                    key: "Null".into(),
                    key_span: span,
                    value: Node::new(Kind::Object(vec![test(GUARD_KEYS[0])]), span),
                }]),
                span,
            ),
        }),
    }
    Node::new(Kind::Object(members), span)
}

/// How many undecided `Fn::If`s of one statement are expanded into variants (2^n of them);
/// the rest stay unknown values.
const MAX_STATEMENT_IFS: usize = 4;

/// The undecided conditions on the way to a statement: the branch taken for each (the same
/// condition takes the same branch everywhere in the statement), and the guard that makes
/// the statement depend on them.
#[derive(Clone, Default)]
pub(super) struct Path {
    guard: Option<Hole>,
    chosen: Vec<(String, bool)>,
}

impl Path {
    /// The branches of an undecided `Fn::If` to follow: the one this path took already, or
    /// both, each on a path that takes it.
    fn branches<'n>(&self, cond: &UndecidedIf<'n>) -> Vec<(&'n Node, Path)> {
        if let Some((_, holds)) = self.chosen.iter().find(|(n, _)| *n == cond.name) {
            let branch = if *holds {
                cond.when_true
            } else {
                cond.when_false
            };
            return vec![(branch, self.clone())];
        }
        [(cond.when_true, true), (cond.when_false, false)]
            .into_iter()
            .map(|(branch, holds)| {
                let mut chosen = self.chosen.clone();
                chosen.push((cond.name.clone(), holds));
                let guard = Some(both(self.guard.as_ref(), cond.hole(holds)));
                (branch, Path { guard, chosen })
            })
            .collect()
    }

    /// The outcomes taken, as [`choose`] wants them.
    fn outcomes(&self) -> Vec<(&str, bool)> {
        self.chosen.iter().map(|(n, b)| (n.as_str(), *b)).collect()
    }
}

/// Statements of a `Statement` value, undecided `Fn::If`s expanded into guarded branches.
pub(super) fn statements(node: &Node, path: &Path, out: &mut Vec<Node>) {
    if let Some(cond) = as_if(node) {
        for (branch, path) in path.branches(&cond) {
            if !is_no_value(branch) {
                statements(branch, &path, out);
            }
        }
        return;
    }
    match &node.kind {
        Kind::Array(items) => items.iter().for_each(|i| statements(i, path, out)),
        _ => variants(node, path, MAX_STATEMENT_IFS, out),
    }
}

/// Where an undecided `Fn::If` stands in a statement's structure: as the value of a member
/// (`Effect`, `Condition`, `Resource`, …), or as the key map of a `Condition` operator. There
/// an unknown value would change what the statement is, not just one of its values, so each
/// branch becomes a variant of the statement, guarded by the condition.
fn structural_if(statement: &Node) -> Option<(usize, Option<usize>)> {
    let members = statement.as_object()?;
    for (i, m) in members.iter().enumerate() {
        if as_if(&m.value).is_some() {
            return Some((i, None));
        }
        if m.key == "Condition"
            && let Some(ops) = m.value.as_object()
            && let Some(j) = ops.iter().position(|o| as_if(&o.value).is_some())
        {
            return Some((i, Some(j)));
        }
    }
    None
}

/// A map with its member `at` given the value `value` (`AWS::NoValue`, or `None`, removes it).
fn with_member(map: &Node, at: usize, value: Option<&Node>) -> Node {
    let members = map.as_object().unwrap_or(&[]);
    let mut out = Vec::with_capacity(members.len());
    for (i, m) in members.iter().enumerate() {
        if i != at {
            out.push(m.clone());
        } else if let Some(v) = value.filter(|v| !is_no_value(v)) {
            out.push(Member {
                key: m.key.clone(),
                key_span: m.key_span,
                value: v.clone(),
            });
        }
    }
    Node::new(Kind::Object(out), map.span)
}

/// One statement as each combination of its structural `Fn::If`s' branches.
fn variants(statement: &Node, path: &Path, budget: usize, out: &mut Vec<Node>) {
    if budget > 0
        && let Some((i, op)) = structural_if(statement)
        && let Some(members) = statement.as_object()
    {
        let member = &members[i];
        let node = match op {
            None => &member.value,
            Some(j) => member
                .value
                .as_object()
                .map_or(&member.value, |ops| &ops[j].value),
        };
        if let Some(cond) = as_if(node) {
            for (branch, path) in path.branches(&cond) {
                let variant = match op {
                    None => with_member(statement, i, Some(branch)),
                    Some(j) => with_member(
                        statement,
                        i,
                        Some(&with_member(&member.value, j, Some(branch))),
                    ),
                };
                variants(&variant, &path, budget - 1, out);
            }
            return;
        }
    }
    // What is left: `Fn::If`s on conditions this path decided take their branch; the others
    // are unknown values.
    let Some(plain) = choose(statement, &path.outcomes()) else {
        return;
    };
    for (variant, guard) in unknown_parts(plain, path.guard.clone()) {
        out.push(match guard {
            Some(h) => guarded(&variant, h),
            None => variant,
        });
    }
}

/// The one unknown a value wholly is (`Kind::Unknown`, or a string that is one hole).
fn whole_unknown(node: &Node) -> Option<Hole> {
    match &node.kind {
        Kind::Unknown(h) => Some(h.clone()),
        Kind::Str(s) => match s.parts() {
            [crate::value::Part::Hole(h)] => Some(h.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// A statement whose `Effect`, `Condition` or condition operator block is a value not known
/// statically (`!FindInMap` with unknown keys, `!Ref` of a parameter without a default): as
/// written it would be misread (an unknown `Condition` as none at all, an unknown `Effect` as
/// no statement). The unknown becomes a guard instead: the statement without that block, or
/// with each `Effect`, applies only "depending on" it.
pub(super) fn unknown_parts(statement: Node, guard: Option<Hole>) -> Vec<(Node, Option<Hole>)> {
    let Some(members) = statement.as_object() else {
        return vec![(statement, guard)];
    };
    let mut guard = guard;
    let mut kept = Vec::with_capacity(members.len());
    let mut effect = None;
    for m in members {
        match m.key.as_str() {
            "Condition" => {
                if let Some(h) = whole_unknown(&m.value) {
                    guard = Some(both(guard.as_ref(), h));
                    continue;
                }
                let mut m = m.clone();
                if let Kind::Object(ops) = &mut m.value.kind {
                    ops.retain(|o| match whole_unknown(&o.value) {
                        Some(h) => {
                            guard = Some(both(guard.as_ref(), h));
                            false
                        }
                        None => true,
                    });
                }
                kept.push(m);
            }
            "Effect" => match whole_unknown(&m.value) {
                Some(h) => {
                    effect = Some(h);
                    kept.push(m.clone());
                }
                None => kept.push(m.clone()),
            },
            _ => kept.push(m.clone()),
        }
    }
    let statement = Node::new(Kind::Object(kept), statement.span);
    let Some(unknown) = effect else {
        return vec![(statement, guard)];
    };
    let Some(at) = statement
        .as_object()
        .and_then(|ms| ms.iter().position(|m| m.key == "Effect"))
    else {
        return vec![(statement, guard)];
    };
    ["Deny", "Allow"]
        .into_iter()
        .map(|effect| {
            let span = statement
                .as_object()
                .map_or(statement.span, |ms| ms[at].value.span);
            let value = Node::new(Kind::Str(PString::known(effect)), span);
            let hole = Hole::unknown(
                format!("{}={effect}", unknown.id),
                format!(
                    "whether the statement's Effect, {}, is {effect}",
                    unknown.why
                ),
            );
            (
                with_member(&statement, at, Some(&value)),
                Some(both(guard.as_ref(), hole)),
            )
        })
        .collect()
}

/// Any other undecided `Fn::If` is a value not known statically.
pub(super) fn ifs_to_unknown(node: &Node) -> Node {
    if let Some(cond) = as_if(node) {
        return Node::new(
            Kind::Unknown(Hole::unknown(
                format!("cfn-condition:{}", cond.name),
                format!(
                    "a value chosen by the template's condition {} ({})",
                    cond.name, cond.why
                ),
            )),
            node.span,
        );
    }
    match &node.kind {
        Kind::Array(items) => Node::new(
            Kind::Array(
                items
                    .iter()
                    .filter(|i| !is_no_value(i))
                    .map(ifs_to_unknown)
                    .collect(),
            ),
            node.span,
        ),
        Kind::Object(members) => Node::new(
            Kind::Object(
                members
                    .iter()
                    .filter(|m| !is_no_value(&m.value))
                    .map(|m| Member {
                        key: m.key.clone(),
                        key_span: m.key_span,
                        value: ifs_to_unknown(&m.value),
                    })
                    .collect(),
            ),
            node.span,
        ),
        _ => node.clone(),
    }
}

/// The statements and `Version` of a document chosen by undecided `Fn::If`s (possibly
/// nested), each statement guarded by the conditions that choose it.
fn documents(doc: &Node, path: &Path, out: &mut Vec<Node>, version: &mut Option<Node>) {
    if let Some(cond) = as_if(doc) {
        for (branch, path) in path.branches(&cond) {
            documents(branch, &path, out, version);
        }
        return;
    }
    if let Some(st) = doc.get("Statement") {
        statements(st, path, out);
    }
    if version.is_none() {
        *version = doc.get("Version").cloned();
    }
}

/// The guard of a branch inside another branch: both conditions as one unknown.
fn both(outer: Option<&Hole>, inner: Hole) -> Hole {
    match outer {
        None => inner,
        Some(o) => Hole::unknown(
            format!("{}&{}", o.id, inner.id),
            format!("{}; and {}", o.why, inner.why),
        ),
    }
}

/// Whether [`unfold_conditions`] would give `doc` back unchanged, so that the caller can use
/// the document as it is instead of a copy: a map with no undecided `Fn::If` and no
/// `AWS::NoValue` anywhere, whose `Statement` is a statement or a list of statements (no
/// nested list) none of which has an `Effect`, a `Condition` or a condition operator block
/// that is wholly unknown. Walks the tree without building anything.
pub(super) fn is_unfolded(doc: &Node) -> bool {
    let Some(members) = doc.as_object() else {
        return false;
    };
    let mut stack = vec![doc];
    while let Some(n) = stack.pop() {
        if as_if(n).is_some() || is_no_value(n) {
            return false;
        }
        match &n.kind {
            Kind::Array(items) => stack.extend(items),
            Kind::Object(members) => stack.extend(members.iter().map(|m| &m.value)),
            _ => {}
        }
    }
    members
        .iter()
        .filter(|m| m.key == "Statement")
        .all(|m| match &m.value.kind {
            Kind::Object(_) => plain_statement(&m.value),
            Kind::Array(items) => items
                .iter()
                .all(|s| !matches!(s.kind, Kind::Array(_)) && plain_statement(s)),
            _ => false,
        })
}

/// A statement that [`unknown_parts`] keeps as it is: no wholly unknown `Effect`,
/// `Condition` or operator block (anything but a map is kept as it is).
fn plain_statement(statement: &Node) -> bool {
    statement.as_object().is_none_or(|members| {
        members.iter().all(|m| match m.key.as_str() {
            "Effect" => whole_unknown(&m.value).is_none(),
            "Condition" => {
                whole_unknown(&m.value).is_none()
                    && m.value
                        .as_object()
                        .is_none_or(|ops| ops.iter().all(|o| whole_unknown(&o.value).is_none()))
            }
            _ => true,
        })
    })
}

/// The policy document with undecided `Fn::If`s unfolded (see the module docs).
pub(super) fn unfold_conditions(doc: &Node) -> Node {
    if as_if(doc).is_some() {
        let mut all = Vec::new();
        let mut version = None;
        documents(doc, &Path::default(), &mut all, &mut version);
        let mut members = Vec::new();
        if let Some(v) = version {
            members.push(Member {
                key: "Version".into(),
                key_span: v.span,
                value: v,
            });
        }
        members.push(Member {
            key: "Statement".into(),
            key_span: doc.span,
            value: Node::new(Kind::Array(all), doc.span),
        });
        return Node::new(Kind::Object(members), doc.span);
    }
    let Some(members) = doc.as_object() else {
        return ifs_to_unknown(doc);
    };
    let members = members
        .iter()
        .map(|m| {
            if m.key == "Statement" {
                let mut all = Vec::new();
                statements(&m.value, &Path::default(), &mut all);
                let value = match (&m.value.kind, all.len()) {
                    (Kind::Object(_), 1) => all.pop().unwrap_or_else(|| m.value.clone()),
                    _ => Node::new(Kind::Array(all), m.value.span),
                };
                Member {
                    key: m.key.clone(),
                    key_span: m.key_span,
                    value,
                }
            } else {
                Member {
                    key: m.key.clone(),
                    key_span: m.key_span,
                    value: ifs_to_unknown(&m.value),
                }
            }
        })
        .collect();
    Node::new(Kind::Object(members), doc.span)
}
