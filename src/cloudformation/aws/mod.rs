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
use crate::value::{Hole, Kind, Member, Node, PString, has_known_holes, substitute};
use std::borrow::Cow;
use std::collections::HashMap;

use conditional::{as_if, ifs_to_unknown, is_no_value, is_unfolded, unfold_conditions};
use settings::{bucket_settings, choose};
use text::{SubSpans, attribute_span, policy_doc};

mod conditional;
mod settings;
#[cfg(test)]
mod tests;
mod text;

/// Builds the inventory from the resources of one template: those of the types the front
/// end's table ([`super::types`]) says the model reads; every other one is skipped.
pub fn inventory(resources: &[Resource], sources: &Sources) -> Inventory {
    let live = live(resources);
    let (known, names) = known_values(&live);
    // Copied only where something is filled in.
    let filled: Vec<Cow<Node>> = live
        .iter()
        .map(|r| match has_known_holes(&r.attributes, &known) {
            true => Cow::Owned(substitute(&r.attributes, &known)),
            false => Cow::Borrowed(&r.attributes),
        })
        .collect();
    let attrs: Vec<&Node> = filled.iter().map(|a| a.as_ref()).collect();
    build(&live, &attrs, &names, &SubSpans::default(), sources)
}

/// [`inventory`] of resources that are not needed afterwards: what is known of the holes
/// the front end left is filled in where it stands, not into copies; a policy written as a
/// `Fn::Sub` string is located through `sub_texts` (what resolving the template recorded,
/// [`super::TemplateFacts::sub_texts`]), not by parsing the template again.
pub fn inventory_owned(
    mut resources: Vec<Resource>,
    sub_texts: &super::SubTexts,
    sources: &Sources,
) -> Inventory {
    let (known, names) = known_values(&live(&resources));
    for r in resources.iter_mut().filter(|r| is_live(r)) {
        if has_known_holes(&r.attributes, &known) {
            fill_in_place(&mut r.attributes, &known, 0);
        }
    }
    let live = live(&resources);
    let attrs: Vec<&Node> = live.iter().map(|r| &r.attributes).collect();
    build(
        &live,
        &attrs,
        &names,
        &SubSpans::recorded(sub_texts),
        sources,
    )
}

/// Whether the model reads a resource.
fn is_live(r: &Resource) -> bool {
    r.lifecycle != Lifecycle::Deleted && super::types::is_modelled(&r.rtype)
}

/// The resources the model reads.
fn live(resources: &[Resource]) -> Vec<&Resource> {
    resources.iter().filter(|r| is_live(r)).collect()
}

/// What is known of the holes the front end leaves (a bucket's `Ref` and `Arn`, an alias's
/// `Ref`), and the name of each bucket among `live` (`None` for the other resources), read
/// from the properties as written.
fn known_values(live: &[&Resource]) -> (HashMap<String, Node>, Vec<Option<PString>>) {
    let mut known: HashMap<String, Node> = HashMap::new();
    let mut names = Vec::with_capacity(live.len());
    for r in live {
        if r.rtype != "AWS::S3::Bucket" {
            names.push(None);
            continue;
        }
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
            Node::new(Kind::Str(name.clone()), r.header),
        );
        names.push(Some(name));
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
    (known, names)
}

/// [`substitute`] done in place: the same value, without copying what does not change.
fn fill_in_place(node: &mut Node, known: &HashMap<String, Node>, depth: usize) {
    if depth > 64 || known.is_empty() {
        return;
    }
    match &mut node.kind {
        Kind::Str(s) if !s.is_known() => node.kind = crate::value::fill_holes(s, known),
        Kind::Unknown(h) => {
            if let Some(v) = known.get(h.id.as_ref()) {
                node.kind = v.kind.clone();
            }
        }
        Kind::Array(items) => {
            for item in items {
                fill_in_place(item, known, depth + 1);
            }
        }
        Kind::Object(members) => {
            for m in members {
                fill_in_place(&mut m.value, known, depth + 1);
            }
        }
        _ => {}
    }
}

/// The inventory of the `live` resources with their properties `attrs` (holes filled in)
/// and the bucket `names` read by [`known_values`]; `sub_spans` locate policies written as
/// `Fn::Sub` strings.
fn build(
    live: &[&Resource],
    attrs: &[&Node],
    names: &[Option<PString>],
    sub_spans: &SubSpans,
    sources: &Sources,
) -> Inventory {
    let mut inv = Inventory::default();
    for (r, name) in live.iter().zip(names) {
        let Some(name) = name else { continue };
        inv.add_bucket(Bucket {
            resource: r.address.clone(),
            name: name.clone(),
            span: r.span,
            header: r.header,
            lifecycle: r.lifecycle,
        });
    }
    for (r, attrs) in live.iter().zip(attrs) {
        match r.rtype.as_str() {
            "AWS::KMS::Key" | "AWS::KMS::ReplicaKey" => key(&mut inv, r, attrs, sources, sub_spans),
            "AWS::S3::BucketPolicy" => bucket_policy(&mut inv, r, attrs, sources, sub_spans),
            _ => {}
        }
    }
    for (r, attrs) in live.iter().zip(attrs) {
        if r.rtype == "AWS::KMS::Alias" {
            alias(&mut inv, r, attrs);
        }
    }
    for ((r, attrs), name) in live.iter().zip(attrs).zip(names) {
        if let Some(name) = name {
            bucket_settings(&mut inv, r, name, attrs);
        }
    }
    for (r, attrs) in live.iter().zip(attrs) {
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

fn bucket_policy(
    inv: &mut Inventory,
    r: &Resource,
    attrs: &Node,
    sources: &Sources,
    sub_spans: &SubSpans,
) {
    let Some(doc) = attrs.get("PolicyDocument") else {
        return;
    };
    let expr = pstr(attrs.get("Bucket")).unwrap_or_else(|| {
        PString::hole(Hole::unknown(
            format!("{}.Bucket", r.address),
            "the Bucket property is not known",
        ))
    });
    let (doc, syntax) = policy_doc(doc, sources, sub_spans, PolicyKind::Bucket);
    inv.policies.push(BucketPolicy {
        resource: r.address.clone(),
        bucket: inv.link_bucket(&expr),
        bucket_expr: expr,
        span: attribute_span(attrs, "PolicyDocument").unwrap_or(r.header),
        doc,
        syntax,
    });
}

fn key(inv: &mut Inventory, r: &Resource, attrs: &Node, sources: &Sources, sub_spans: &SubSpans) {
    let policy = match attrs.get("KeyPolicy") {
        Some(p) => {
            let (doc, syntax) = policy_doc(p, sources, sub_spans, PolicyKind::Key);
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
