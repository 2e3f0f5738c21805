//! From CloudFormation resources to the model: `AWS::S3::Bucket` (encryption, ownership,
//! `AccessControl`), `AWS::S3::BucketPolicy`, `AWS::KMS::Key` / `ReplicaKey` and
//! `AWS::KMS::Alias`.
//!
//! References are the holes the front end leaves (`DataBucket.Ref`, `DataBucket.Arn`,
//! `DataKey.Arn`); what is known of them is filled in here (a bucket's name and ARN when
//! `BucketName` is given), so a policy's `Bucket: !Ref DataBucket` links to its bucket.
//!
//! An undecided `Fn::If` inside a policy keeps both branches: each statement that only one
//! branch has is made conditional on the template condition (an unknown), so a Deny in
//! either branch is "may block", never a certain error nor a silent pass. An undecided
//! `Fn::If` anywhere else is an unknown value.

use crate::embedded::parse_embedded_json;
use crate::model::{
    Acl, Bucket, BucketPolicy, Encryption, Inventory, Key, KeyPolicy, Ownership, PolicyDoc,
    PolicySyntax,
};
use crate::policy::ast::PolicyKind;
use crate::policy::parse::parse_policy;
use crate::resource::{Lifecycle, Resource};
use crate::source::Sources;
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
        if name.as_known().is_some() {
            known.insert(
                format!("{}.Ref", r.address),
                Node::new(Kind::Str(name), r.header),
            );
        }
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
        inv.buckets.push(Bucket {
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
    inv
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
        span: attrs.get("PolicyDocument").map_or(r.header, |n| n.span),
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
                span: p.span,
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

/// Encryption, ownership and `AccessControl` of one bucket.
fn bucket_settings(inv: &mut Inventory, r: &Resource, attrs: &Node) {
    let index = inv.buckets.iter().position(|b| b.resource == r.address);
    let name = bucket_name(r);
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
    match &node.kind {
        Kind::Str(s) => {
            let parsed = parse_embedded_json(sources, s, node.span)
                .map(|doc| parse_policy(&unfold_conditions(&doc), kind));
            (PolicyDoc::from_parse(parsed), PolicySyntax::Json)
        }
        Kind::Unknown(h) => (PolicyDoc::Unknown(h.clone()), map_syntax),
        _ => (
            PolicyDoc::from_parse(Ok(parse_policy(&unfold_conditions(node), kind))),
            map_syntax,
        ),
    }
}

/// The condition name and branches of an undecided `{"Fn::If": [cond, a, b]}`.
fn as_if(node: &Node) -> Option<(String, &Node, &Node)> {
    let [m] = node.as_object()? else { return None };
    if m.key != "Fn::If" {
        return None;
    }
    let Kind::Array(args) = &m.value.kind else {
        return None;
    };
    let [cond, a, b] = args.as_slice() else {
        return None;
    };
    let name = cond
        .as_pstr()
        .map(|s| s.to_string())
        .unwrap_or_else(|| "?".into());
    Some((name, a, b))
}

fn is_no_value(node: &Node) -> bool {
    node.get("Ref")
        .and_then(|r| r.as_pstr())
        .and_then(|s| s.as_known())
        == Some("AWS::NoValue")
}

fn condition_hole(name: &str, holds: bool) -> Hole {
    let state = if holds { "true" } else { "false" };
    Hole::unknown(
        format!("cfn-condition:{name}:{state}"),
        format!(
            "whether the template's condition {name} is {state} (set the parameters it reads with --parameter)"
        ),
    )
}

/// The statement made conditional: an extra test on an always-present key whose expected
/// value is the unknown "condition holds", so the statement applies only "depending on" it.
fn guarded(statement: &Node, hole: Hole) -> Node {
    let span = statement.span;
    let test = Node::new(
        Kind::Object(vec![Member {
            key: "aws:SecureTransport".into(),
            key_span: span,
            value: Node::new(Kind::Str(PString::hole(hole)), span),
        }]),
        span,
    );
    let Some(members) = statement.as_object() else {
        return statement.clone();
    };
    let mut members = members.to_vec();
    match members.iter_mut().find(|m| m.key == "Condition") {
        Some(c) => {
            if let Kind::Object(ops) = &mut c.value.kind {
                ops.push(Member {
                    key: "Null".into(),
                    key_span: span,
                    value: test,
                });
            }
        }
        None => members.push(Member {
            key: "Condition".into(),
            key_span: span,
            value: Node::new(
                Kind::Object(vec![Member {
                    key: "Null".into(),
                    key_span: span,
                    value: test,
                }]),
                span,
            ),
        }),
    }
    Node::new(Kind::Object(members), span)
}

/// Statements of a `Statement` value, undecided `Fn::If`s expanded into guarded branches.
fn statements(node: &Node, guard: Option<&Hole>, out: &mut Vec<Node>) {
    if let Some((name, a, b)) = as_if(node) {
        for (branch, holds) in [(a, true), (b, false)] {
            if !is_no_value(branch) {
                statements(branch, Some(&condition_hole(&name, holds)), out);
            }
        }
        return;
    }
    match &node.kind {
        Kind::Array(items) => items.iter().for_each(|i| statements(i, guard, out)),
        _ => {
            let plain = ifs_to_unknown(node);
            out.push(match guard {
                Some(h) => guarded(&plain, h.clone()),
                None => plain,
            });
        }
    }
}

/// Any other undecided `Fn::If` is a value not known statically.
fn ifs_to_unknown(node: &Node) -> Node {
    if let Some((name, _, _)) = as_if(node) {
        return Node::new(
            Kind::Unknown(Hole::unknown(
                format!("cfn-condition:{name}"),
                format!(
                    "a value chosen by the template's condition {name} (set the parameters it reads with --parameter)"
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

/// The policy document with undecided `Fn::If`s unfolded (see the module docs).
fn unfold_conditions(doc: &Node) -> Node {
    if let Some((name, a, b)) = as_if(doc) {
        let mut all = Vec::new();
        let mut version = None;
        for (branch, holds) in [(a, true), (b, false)] {
            if let Some(st) = branch.get("Statement") {
                statements(st, Some(&condition_hole(&name, holds)), &mut all);
            }
            version = version.or_else(|| branch.get("Version").cloned());
        }
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
                statements(&m.value, None, &mut all);
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
        let g = guarded(&st, condition_hole("IsProd", true));
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
}
