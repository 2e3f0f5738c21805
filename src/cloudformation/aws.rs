//! From CloudFormation resources to the model: `AWS::S3::Bucket` (encryption, ownership,
//! `AccessControl`), `AWS::S3::BucketPolicy`, `AWS::KMS::Key` / `ReplicaKey` and
//! `AWS::KMS::Alias`.
//!
//! References are the holes the front end leaves (`DataBucket.Ref`, `DataBucket.Arn`,
//! `DataKey.Arn`); what is known of them is filled in here (a bucket's name, as far as it is
//! known, and its ARN), so a policy's `Bucket: !Ref DataBucket` links to its bucket.
//!
//! An undecided `Fn::If` inside a policy keeps both branches: each statement that only one
//! branch has is made conditional on the template condition (an unknown), so a Deny in
//! either branch is "may block", never a certain error nor a silent pass. Where the `Fn::If`
//! chooses part of a statement's structure (its `Effect`, its `Condition`, a condition
//! operator's block, its `Resource` list, …) the statement becomes one conditional variant
//! per branch, the same condition taking the same branch throughout; an `Fn::If` that
//! chooses a single value (a condition value, one ARN) is an unknown value. An `Effect`,
//! `Condition` or operator block that is wholly unknown (`!FindInMap` with unknown keys)
//! likewise makes the statement conditional on it.
//!
//! A bucket's encryption, ownership and `AccessControl` are read once per outcome of the
//! undecided conditions they depend on, and every distinct setting is checked.
//!
//! A policy given as JSON text is parsed with positions in the template, also through
//! `Fn::Sub` (the text is aligned with the template string, not the `!Sub` call).

use crate::embedded::{EmbeddedError, parse_embedded_json};
use crate::model::{
    Acl, Bucket, BucketPolicy, Encryption, Inventory, Key, KeyPolicy, Ownership, PolicyDoc,
    PolicySyntax,
};
use crate::policy::ast::PolicyKind;
use crate::policy::parse::parse_policy;
use crate::resource::{Lifecycle, Resource};
use crate::source::{Sources, Span};
use crate::value::{Hole, Kind, Member, Node, PString, substitute};
use std::collections::HashMap;

/// Builds the inventory from the resources of one template.
pub fn inventory(resources: &[Resource], sources: &Sources) -> Inventory {
    let live: Vec<&Resource> = resources
        .iter()
        .filter(|r| r.lifecycle != Lifecycle::Deleted)
        .collect();
    let mut known: HashMap<String, Node> = HashMap::new();
    for r in live.iter().filter(|r| r.rtype == "AWS::S3::Bucket") {
        let name = bucket_name(r);
        let mut arn = PString::known("arn:aws:s3:::");
        arn.push(&name);
        known.insert(
            format!("{}.Arn", r.address),
            Node::new(Kind::Str(arn), r.header),
        );
        // Always, so that `!Ref DataBucket` is the bucket's name exactly as the bucket has
        // it: a partly known `BucketName` (`!Sub acme-${AWS::Region}`), or the generated
        // name's hole (which the front end's `Ref` hole only shares the id of).
        known.insert(
            format!("{}.Ref", r.address),
            Node::new(Kind::Str(name), r.header),
        );
    }
    for r in live.iter().filter(|r| r.rtype == "AWS::KMS::Alias") {
        if let Some(name) = r
            .attributes
            .get("AliasName")
            .filter(|n| matches!(n.kind, Kind::Str(_)))
        {
            known.insert(format!("{}.Ref", r.address), name.clone());
        }
    }
    let filled: Vec<Node> = live
        .iter()
        .map(|r| substitute(&r.attributes, &known))
        .collect();

    let mut inv = Inventory::default();
    for r in live.iter().filter(|r| r.rtype == "AWS::S3::Bucket") {
        inv.add_bucket(Bucket {
            resource: r.address.clone(),
            name: bucket_name(r),
            span: r.span,
            header: r.header,
            lifecycle: r.lifecycle,
        });
    }
    for (r, attrs) in live.iter().zip(&filled) {
        match r.rtype.as_str() {
            "AWS::KMS::Key" | "AWS::KMS::ReplicaKey" => key(&mut inv, r, attrs, sources),
            "AWS::S3::BucketPolicy" => bucket_policy(&mut inv, r, attrs, sources),
            _ => {}
        }
    }
    for (r, attrs) in live.iter().zip(&filled) {
        if r.rtype == "AWS::KMS::Alias" {
            alias(&mut inv, r, attrs);
        }
    }
    for (r, attrs) in live.iter().zip(&filled) {
        if r.rtype == "AWS::S3::Bucket" {
            bucket_settings(&mut inv, r, attrs);
        }
    }
    for (r, attrs) in live.iter().zip(&filled) {
        if r.rtype == "AWS::CloudFront::Distribution" {
            cloudfront_logs(&mut inv, r, attrs);
        }
    }
    inv
}

/// A distribution's standard (legacy) logging, `DistributionConfig.Logging.Bucket`, naming a
/// bucket: `!GetAtt Logs.DomainName` / `RegionalDomainName`, or `NAME.s3.amazonaws.com`
/// (also as `!Sub "${Logs}.s3.amazonaws.com"`). CloudFront delivers those logs through the
/// bucket ACL.
fn cloudfront_logs(inv: &mut Inventory, r: &Resource, attrs: &Node) {
    let Some(value) = attrs
        .get("DistributionConfig")
        .and_then(|c| c.get("Logging"))
        .and_then(|l| l.get("Bucket"))
        .and_then(|b| b.as_pstr())
    else {
        return;
    };
    let by_attribute = match value.parts() {
        [crate::value::Part::Hole(h)] => {
            h.id.strip_suffix(".DomainName")
                .or_else(|| h.id.strip_suffix(".RegionalDomainName"))
                .and_then(|id| inv.bucket_of_resource(id))
        }
        _ => None,
    };
    let (bucket, bucket_expr) = match by_attribute {
        Some(i) => (Some(i), inv.buckets[i].name.clone()),
        None => {
            // `NAME.s3.amazonaws.com`, `NAME.s3.REGION.amazonaws.com`: the name is what
            // comes before `.s3.` (possibly partly known).
            let mut name = PString::default();
            for part in value.parts() {
                match part {
                    crate::value::Part::Lit(t) => match t.split_once(".s3.") {
                        Some((head, _)) => {
                            name.push_str(head);
                            break;
                        }
                        None => name.push_str(t),
                    },
                    crate::value::Part::Hole(h) => name.push_hole(h.clone()),
                }
            }
            if name.parts().is_empty() || name == *value {
                return;
            }
            (inv.link_bucket(&name), name)
        }
    };
    inv.cloudfront_logs.push(crate::model::CloudFrontLogs {
        bucket,
        bucket_expr,
        resource: r.address.clone(),
        evidence: "a distribution's Logging names it".into(),
    });
}

/// `BucketName`, or the name CloudFormation generates (the hole `LID.Ref`, which is also
/// what `!Ref LID` leaves).
fn bucket_name(r: &Resource) -> PString {
    match r.attributes.get("BucketName").map(|n| &n.kind) {
        Some(Kind::Str(s)) => s.clone(),
        _ => PString::hole(Hole::unknown(
            format!("{}.Ref", r.address),
            format!(
                "the name CloudFormation gives {} (no BucketName)",
                r.address
            ),
        )),
    }
}

fn pstr(node: Option<&Node>) -> Option<PString> {
    match node.map(|n| &n.kind) {
        Some(Kind::Str(s)) => Some(s.clone()),
        Some(Kind::Unknown(h)) => Some(PString::hole(h.clone())),
        _ => None,
    }
}

fn list(node: Option<&Node>) -> Vec<&Node> {
    match node.map(|n| &n.kind) {
        Some(Kind::Array(items)) => items.iter().collect(),
        Some(Kind::Object(_)) => node.into_iter().collect(),
        _ => Vec::new(),
    }
}

fn bucket_policy(inv: &mut Inventory, r: &Resource, attrs: &Node, sources: &Sources) {
    let Some(doc) = attrs.get("PolicyDocument") else {
        return;
    };
    let expr = pstr(attrs.get("Bucket")).unwrap_or_else(|| {
        PString::hole(Hole::unknown(
            format!("{}.Bucket", r.address),
            "the Bucket property is not known",
        ))
    });
    let (doc, syntax) = policy_doc(doc, sources, PolicyKind::Bucket);
    inv.policies.push(BucketPolicy {
        resource: r.address.clone(),
        bucket: inv.link_bucket(&expr),
        bucket_expr: expr,
        span: attribute_span(attrs, "PolicyDocument").unwrap_or(r.header),
        doc,
        syntax,
    });
}

fn key(inv: &mut Inventory, r: &Resource, attrs: &Node, sources: &Sources) {
    let policy = match attrs.get("KeyPolicy") {
        Some(p) => {
            let (doc, syntax) = policy_doc(p, sources, PolicyKind::Key);
            KeyPolicy::Written {
                resource: r.address.clone(),
                span: attribute_span(attrs, "KeyPolicy").unwrap_or(p.span),
                doc,
                syntax,
            }
        }
        None => KeyPolicy::Default,
    };
    inv.keys.push(Key {
        resource: r.address.clone(),
        arn: PString::hole(Hole::unknown(
            format!("{}.Arn", r.address),
            format!(
                "the ARN of {} is known only after the stack is created",
                r.address
            ),
        )),
        refs: ["Ref", "Arn", "KeyId"]
            .iter()
            .map(|a| format!("{}.{a}", r.address))
            .collect(),
        aliases: Vec::new(),
        policy,
        span: r.span,
        header: r.header,
    });
}

fn alias(inv: &mut Inventory, r: &Resource, attrs: &Node) {
    let Some(target) = pstr(attrs.get("TargetKeyId")) else {
        return;
    };
    let Some(i) = inv.find_key(&target) else {
        return;
    };
    if let Some(name) = pstr(attrs.get("AliasName")) {
        inv.keys[i].aliases.push(name);
    }
    inv.keys[i].refs.push(format!("{}.Ref", r.address));
}

/// How many distinct undecided conditions of one bucket's properties are tried both ways
/// (2^n variants); `Fn::If`s on further conditions stay unknown values.
const MAX_SETTING_CONDITIONS: usize = 4;

/// Encryption, ownership and `AccessControl` of one bucket. Properties chosen by undecided
/// `Fn::If`s are read once per outcome of their conditions (the same condition takes the
/// same branch everywhere), and each distinct setting is kept: a bucket whose key is
/// `!If [UseCmk, !GetAtt DataKey.Arn, !Ref AWS::NoValue]` is checked against `DataKey`,
/// the key it uses whenever the condition makes it exist.
fn bucket_settings(inv: &mut Inventory, r: &Resource, attrs: &Node) {
    let mut names = Vec::new();
    undecided_conditions(attrs, &mut names);
    if names.is_empty() {
        settings_of(inv, r, attrs);
        return;
    }
    let from = (inv.encryptions.len(), inv.ownerships.len(), inv.acls.len());
    for outcome in 0..1u32 << names.len() {
        let chosen: Vec<(&str, bool)> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), outcome & (1 << i) == 0))
            .collect();
        if let Some(variant) = choose(attrs, &chosen) {
            settings_of(inv, r, &variant);
        }
    }
    dedup_from(&mut inv.encryptions, from.0);
    dedup_from(&mut inv.ownerships, from.1);
    dedup_from(&mut inv.acls, from.2);
}

/// The names of the conditions of undecided `Fn::If`s in `node`, at most
/// [`MAX_SETTING_CONDITIONS`].
fn undecided_conditions(node: &Node, names: &mut Vec<String>) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if let Some(cond) = as_if(n)
            && !names.contains(&cond.name)
        {
            if names.len() == MAX_SETTING_CONDITIONS {
                return;
            }
            names.push(cond.name);
        }
        match &n.kind {
            Kind::Array(items) => stack.extend(items.iter().rev()),
            Kind::Object(members) => stack.extend(members.iter().rev().map(|m| &m.value)),
            _ => {}
        }
    }
}

/// `node` with each undecided `Fn::If` on a `chosen` condition replaced by its branch (`None`:
/// `AWS::NoValue`, the value is removed); other `Fn::If`s become unknown values.
fn choose(node: &Node, chosen: &[(&str, bool)]) -> Option<Node> {
    if let Some(cond) = as_if(node) {
        return match chosen.iter().find(|(n, _)| *n == cond.name) {
            Some((_, true)) => choose(cond.when_true, chosen),
            Some((_, false)) => choose(cond.when_false, chosen),
            None => Some(ifs_to_unknown(node)),
        };
    }
    if is_no_value(node) {
        return None;
    }
    let kind = match &node.kind {
        Kind::Array(items) => Kind::Array(items.iter().filter_map(|i| choose(i, chosen)).collect()),
        Kind::Object(members) => Kind::Object(
            members
                .iter()
                .filter_map(|m| {
                    choose(&m.value, chosen).map(|value| Member {
                        key: m.key.clone(),
                        key_span: m.key_span,
                        value,
                    })
                })
                .collect(),
        ),
        other => other.clone(),
    };
    Some(Node::new(kind, node.span))
}

/// Removes the entries from `from` on that repeat an earlier one of them.
fn dedup_from<T: PartialEq>(items: &mut Vec<T>, from: usize) {
    let tail = items.split_off(from);
    for item in tail {
        if !items[from..].contains(&item) {
            items.push(item);
        }
    }
}

/// Encryption, ownership and `AccessControl` as written in one variant of the properties.
fn settings_of(inv: &mut Inventory, r: &Resource, attrs: &Node) {
    let index = inv.bucket_of_resource(&r.address);
    let name = bucket_name(r);
    if let Kind::Unknown(hole) = &attrs.kind {
        // Properties not known statically: the ownership setting is unknown, never absent
        // (an absent one would read as "no setting", CP304).
        inv.ownerships.push(Ownership {
            bucket: index,
            bucket_expr: name,
            resource: r.address.clone(),
            span: attrs.span,
            setting: PString::hole(hole.clone()),
        });
        return;
    }
    let encryption = attrs
        .get("BucketEncryption")
        .and_then(|e| e.get("ServerSideEncryptionConfiguration"));
    for rule in list(encryption) {
        let Some(default) = rule.get("ServerSideEncryptionByDefault") else {
            continue;
        };
        let algorithm = pstr(default.get("SSEAlgorithm")).unwrap_or_default();
        let key_node = default.get("KMSMasterKeyID");
        let key = inv.key_ref(&algorithm, pstr(key_node).as_ref());
        inv.encryptions.push(Encryption {
            bucket: index,
            bucket_expr: name.clone(),
            resource: r.address.clone(),
            span: key_node
                .or(default.get("SSEAlgorithm"))
                .map_or(rule.span, |n| n.span),
            algorithm,
            key,
            bucket_key: matches!(
                rule.get("BucketKeyEnabled").map(|n| &n.kind),
                Some(Kind::Bool(true))
            ) || pstr(rule.get("BucketKeyEnabled"))
                .is_some_and(|s| s.as_known() == Some("true")),
        });
    }
    let rules = attrs.get("OwnershipControls").and_then(|o| o.get("Rules"));
    for rule in list(rules) {
        let Some(setting) = rule.get("ObjectOwnership") else {
            continue;
        };
        let Some(value) = pstr(Some(setting)) else {
            continue;
        };
        inv.ownerships.push(Ownership {
            bucket: index,
            bucket_expr: name.clone(),
            resource: r.address.clone(),
            span: setting.span,
            setting: value,
        });
    }
    if let Some(acl) = attrs.get("AccessControl")
        && let Some(value) = pstr(Some(acl))
        && value.as_known() != Some("Private")
    {
        inv.acls.push(Acl {
            bucket: index,
            bucket_expr: name,
            resource: r.address.clone(),
            span: acl.span,
            what: format!("AccessControl: {value}"),
        });
    }
}

/// A property as written, from its name to the end of its value (`KeyPolicy:` and the
/// policy under it), so that a finding about the whole policy starts on the line that names
/// it in YAML as in JSON.
fn attribute_span(attrs: &Node, name: &str) -> Option<Span> {
    let m = attrs.as_object()?.iter().find(|m| m.key == name)?;
    Some(if m.key_span.file == m.value.span.file {
        m.key_span.to(m.value.span)
    } else {
        m.value.span
    })
}

/// Where the text of a policy given as a string is written, for positions inside it to map
/// back into the template. A `Fn::Sub`'s value spans the whole call (`!Sub |` and the text,
/// or `{"Fn::Sub": "…"}`), which the JSON inside cannot be aligned with: its template
/// string is found again in the template, and that is where the text is.
fn text_span(node: &Node, sources: &Sources) -> Span {
    let raw = sources.slice(node.span);
    let json_call = raw
        .strip_prefix('{')
        .is_some_and(|rest| rest.trim_start().starts_with("\"Fn::Sub\""));
    if !raw.starts_with("!Sub") && !json_call {
        return node.span;
    }
    let file = node.span.file;
    let Ok(doc) = super::template::parse_document(&sources.file(file).text, file) else {
        return node.span;
    };
    let contains = |n: &Node| n.span.start <= node.span.start && node.span.end <= n.span.end;
    let mut stack = vec![&doc];
    while let Some(n) = stack.pop() {
        if !contains(n) {
            continue;
        }
        if n.span == node.span
            && let Some([m]) = n.as_object()
            && m.key == "Fn::Sub"
        {
            let template = match &m.value.kind {
                Kind::Array(items) => items.first(),
                _ => Some(&m.value),
            };
            return template
                .filter(|t| matches!(t.kind, Kind::Str(_)))
                .map_or(node.span, |t| t.span);
        }
        match &n.kind {
            Kind::Array(items) => stack.extend(items.iter()),
            Kind::Object(members) => stack.extend(members.iter().map(|m| &m.value)),
            _ => {}
        }
    }
    node.span
}

/// A policy written as a map (YAML or JSON) or as a JSON string.
fn policy_doc(node: &Node, sources: &Sources, kind: PolicyKind) -> (PolicyDoc, PolicySyntax) {
    let yaml = !sources
        .file(node.span.file)
        .text
        .trim_start()
        .starts_with('{');
    let map_syntax = if yaml {
        PolicySyntax::Yaml
    } else {
        PolicySyntax::Json
    };
    let syntax = if json_text(node) {
        PolicySyntax::Json
    } else {
        map_syntax
    };
    match &node.kind {
        Kind::Unknown(h) => (PolicyDoc::Unknown(h.clone()), syntax),
        _ => {
            let parsed =
                parse_texts(node, sources).map(|doc| parse_policy(&unfold_conditions(&doc), kind));
            (PolicyDoc::from_parse(parsed), syntax)
        }
    }
}

/// Whether a policy is written as JSON text (possibly in each branch of an undecided
/// `Fn::If`).
fn json_text(node: &Node) -> bool {
    match as_if(node) {
        Some(cond) => [cond.when_true, cond.when_false]
            .iter()
            .any(|b| json_text(b)),
        None => matches!(node.kind, Kind::Str(_)),
    }
}

/// The document with the JSON text it is written as (as a whole, or in the branches of an
/// undecided `Fn::If`) parsed into maps located in the template.
fn parse_texts(node: &Node, sources: &Sources) -> Result<Node, EmbeddedError> {
    if let Some(cond) = as_if(node)
        && let Some([m]) = node.as_object()
        && let Kind::Array(args) = &m.value.kind
    {
        let mut args = args.clone();
        args[1] = parse_texts(cond.when_true, sources)?;
        args[2] = parse_texts(cond.when_false, sources)?;
        return Ok(Node::new(
            Kind::Object(vec![Member {
                key: m.key.clone(),
                key_span: m.key_span,
                value: Node::new(Kind::Array(args), m.value.span),
            }]),
            node.span,
        ));
    }
    match &node.kind {
        Kind::Str(s) => parse_embedded_json(sources, s, text_span(node, sources)),
        _ => Ok(node.clone()),
    }
}

/// An undecided `{"Fn::If": [cond, a, b, why]}` as the front end leaves it.
struct UndecidedIf<'n> {
    /// The condition's name.
    name: String,
    /// What the condition rests on (the unknowns it reads, with the flags that settle them).
    why: String,
    when_true: &'n Node,
    when_false: &'n Node,
}

impl UndecidedIf<'_> {
    /// The unknown "the condition is `holds`".
    fn hole(&self, holds: bool) -> Hole {
        condition_hole(&self.name, &self.why, holds)
    }
}

fn as_if(node: &Node) -> Option<UndecidedIf<'_>> {
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

fn is_no_value(node: &Node) -> bool {
    node.get("Ref")
        .and_then(|r| r.as_pstr())
        .and_then(|s| s.as_known())
        == Some("AWS::NoValue")
}

fn condition_hole(name: &str, why: &str, holds: bool) -> Hole {
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
fn guarded(statement: &Node, hole: Hole) -> Node {
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
struct Path {
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
fn statements(node: &Node, path: &Path, out: &mut Vec<Node>) {
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
fn unknown_parts(statement: Node, guard: Option<Hole>) -> Vec<(Node, Option<Hole>)> {
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
fn ifs_to_unknown(node: &Node) -> Node {
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

/// The policy document with undecided `Fn::If`s unfolded (see the module docs).
fn unfold_conditions(doc: &Node) -> Node {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guarded_statement_gets_an_unknown_null_test() {
        let span = crate::source::Span::new(crate::source::FileId(0), 0, 1);
        let st = Node::new(
            Kind::Object(vec![Member {
                key: "Effect".into(),
                key_span: span,
                value: Node::new(Kind::Str("Deny".into()), span),
            }]),
            span,
        );
        let g = guarded(&st, condition_hole("IsProd", "the parameter Env", true));
        let null = g
            .get("Condition")
            .and_then(|c| c.get("Null"))
            .and_then(|n| n.get("aws:SecureTransport"))
            .unwrap();
        assert!(
            null.as_pstr()
                .unwrap()
                .holes()
                .any(|h| h.why.contains("IsProd"))
        );
    }

    fn yaml(text: &str) -> Node {
        crate::cloudformation::yaml::parse_yaml(text, crate::source::FileId(0)).unwrap()
    }

    fn guard_whys(statement: &Node) -> Vec<String> {
        let null = statement.get("Condition").and_then(|c| c.get("Null"));
        null.and_then(Node::as_object)
            .unwrap_or(&[])
            .iter()
            .filter_map(|m| m.value.as_pstr())
            .flat_map(|s| s.holes().map(|h| h.why.to_string()).collect::<Vec<_>>())
            .collect()
    }

    #[test]
    fn a_statement_null_block_gets_the_guard_as_one_more_key() {
        let st = yaml("Effect: Deny\nCondition:\n  Null:\n    aws:SecureTransport: 'false'\n");
        let g = guarded(&st, condition_hole("C", "x", true));
        let ops = g.get("Condition").and_then(Node::as_object).unwrap();
        assert_eq!(ops.iter().filter(|o| o.key == "Null").count(), 1);
        let keys: Vec<&str> = ops[0]
            .value
            .as_object()
            .unwrap()
            .iter()
            .map(|m| m.key.as_str())
            .collect();
        assert_eq!(keys, ["aws:SecureTransport", "aws:PrincipalAccount"]);
    }

    #[test]
    fn an_if_in_the_structure_of_a_statement_gives_one_guarded_variant_per_branch() {
        let st = yaml(
            "Effect: {Fn::If: [IsProd, Deny, Allow, the parameter Env]}\n\
             Condition:\n  StringNotEquals: {Fn::If: [IsProd, {aws:SourceVpc: v}, {Ref: AWS::NoValue}, the parameter Env]}\n",
        );
        let mut out = Vec::new();
        statements(&st, &Path::default(), &mut out);
        assert_eq!(out.len(), 2);
        let effects: Vec<&str> = out
            .iter()
            .map(|s| {
                s.get("Effect")
                    .and_then(Node::as_pstr)
                    .and_then(PString::as_known)
                    .unwrap()
            })
            .collect();
        assert_eq!(effects, ["Deny", "Allow"]);
        // The same condition takes the same branch in both places.
        assert!(
            out[0]
                .get("Condition")
                .and_then(|c| c.get("StringNotEquals"))
                .is_some()
        );
        assert!(
            out[1]
                .get("Condition")
                .and_then(|c| c.get("StringNotEquals"))
                .is_none()
        );
        assert!(guard_whys(&out[0])[0].contains("IsProd is true (the parameter Env"));
        assert!(guard_whys(&out[1])[0].contains("IsProd is false"));
    }

    #[test]
    fn an_if_in_a_value_leaves_one_statement_with_an_unknown_value() {
        let st = yaml(
            "Effect: Deny\nCondition:\n  StringNotEquals:\n    aws:SourceVpc: {Fn::If: [C, a, b, w]}\n",
        );
        let mut out = Vec::new();
        statements(&st, &Path::default(), &mut out);
        assert_eq!(out.len(), 1);
        let value = out[0]
            .get("Condition")
            .and_then(|c| c.get("StringNotEquals"))
            .and_then(|c| c.get("aws:SourceVpc"))
            .unwrap();
        assert!(matches!(&value.kind, Kind::Unknown(h) if h.why.contains("condition C")));
        assert!(guard_whys(&out[0]).is_empty());
    }

    #[test]
    fn nested_ifs_guard_their_statements_with_both_conditions() {
        let doc = yaml(
            "Statement:\n  - Fn::If: [A, {Fn::If: [B, {Effect: Deny}, {Ref: AWS::NoValue}, wb]}, {Ref: AWS::NoValue}, wa]\n",
        );
        let unfolded = unfold_conditions(&doc);
        let Some(Kind::Array(items)) = unfolded.get("Statement").map(|s| &s.kind) else {
            panic!("{unfolded:?}")
        };
        assert_eq!(items.len(), 1);
        let why = &guard_whys(&items[0])[0];
        assert!(
            why.contains("condition A is true") && why.contains("condition B is true"),
            "{why}"
        );
    }

    #[test]
    fn a_condition_takes_the_same_branch_inside_the_statement_it_chose() {
        let doc = yaml(
            "Statement:\n  - Fn::If: [C, {Effect: Deny, Resource: {Fn::If: [C, a, b, w]}}, {Ref: AWS::NoValue}, w]\n",
        );
        let unfolded = unfold_conditions(&doc);
        let Some(Kind::Array(items)) = unfolded.get("Statement").map(|s| &s.kind) else {
            panic!("{unfolded:?}")
        };
        assert_eq!(items.len(), 1);
        let resource = items[0].get("Resource").and_then(Node::as_pstr);
        assert_eq!(resource.and_then(PString::as_known), Some("a"));
    }

    #[test]
    fn unknown_condition_blocks_and_effects_become_guards() {
        let hole = |id: &str| {
            Node::new(
                Kind::Unknown(Hole::unknown(id, id)),
                Span::new(crate::source::FileId(0), 0, 1),
            )
        };
        let mut st = yaml(
            "Effect: Deny\nCondition:\n  StringNotEquals: x\n  Bool: {aws:SecureTransport: 'false'}\n",
        );
        if let Kind::Object(members) = &mut st.kind {
            let Kind::Object(ops) = &mut members[1].value.kind else {
                panic!()
            };
            ops[0].value = hole("keys");
        }
        let parts = unknown_parts(st, None);
        assert_eq!(parts.len(), 1);
        let ops: Vec<&str> = parts[0]
            .0
            .get("Condition")
            .and_then(Node::as_object)
            .unwrap()
            .iter()
            .map(|o| o.key.as_str())
            .collect();
        assert_eq!(ops, ["Bool"]);
        assert_eq!(parts[0].1.as_ref().map(|h| &*h.id), Some("keys"));

        let mut st = yaml("Effect: x\nCondition: y\n");
        if let Kind::Object(members) = &mut st.kind {
            members[0].value = hole("effect");
            members[1].value = hole("condition");
        }
        let parts = unknown_parts(st, None);
        let effects: Vec<&str> = parts
            .iter()
            .map(|(s, _)| {
                s.get("Effect")
                    .and_then(Node::as_pstr)
                    .and_then(PString::as_known)
                    .unwrap()
            })
            .collect();
        assert_eq!(effects, ["Deny", "Allow"]);
        assert!(parts.iter().all(|(s, _)| s.get("Condition").is_none()));
        let why = parts[0].1.as_ref().unwrap().why.to_string();
        assert!(
            why.contains("condition") && why.contains("Effect, effect, is Deny"),
            "{why}"
        );
    }

    #[test]
    fn choose_takes_the_branch_of_each_condition_and_drops_no_value() {
        let node = yaml("K: {Fn::If: [C, x, {Ref: AWS::NoValue}, w]}\nL: {Fn::If: [D, y, z, w]}\n");
        let picked = choose(&node, &[("C", false)]).unwrap();
        assert!(picked.get("K").is_none());
        assert!(matches!(
            picked.get("L").map(|n| &n.kind),
            Some(Kind::Unknown(_))
        ));
        let picked = choose(&node, &[("C", true), ("D", false)]).unwrap();
        assert_eq!(
            picked
                .get("K")
                .and_then(Node::as_pstr)
                .and_then(PString::as_known),
            Some("x")
        );
        assert_eq!(
            picked
                .get("L")
                .and_then(Node::as_pstr)
                .and_then(PString::as_known),
            Some("z")
        );
    }

    #[test]
    fn dedup_from_keeps_earlier_entries_and_first_repeats() {
        let mut v = vec![1, 2, 3, 2, 3, 4];
        dedup_from(&mut v, 2);
        assert_eq!(v, [1, 2, 3, 2, 4]);
    }
}
