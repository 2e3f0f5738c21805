//! From Terraform resources to the model: buckets, bucket policies, and the policy documents
//! of `data "aws_iam_policy_document"` rendered exactly as the AWS provider renders them.
//!
//! Linking works on the hole ids the HCL front end leaves for references
//! (`aws_s3_bucket.data.arn`): what a resource's computed attributes are is filled in here
//! (`id`, `bucket` and `arn` of a bucket whose name is known), and a policy's `bucket`
//! argument that names a bucket (by reference or by its name) links the two.

use crate::embedded::parse_embedded_json;
use crate::model::{
    Acl, Bucket, BucketPolicy, ContextConstraint, Encryption, Inventory, Key, KeyPolicy, KmsGrant,
    Ownership, PolicyDoc, PolicySyntax,
};
use crate::policy::ast::PolicyKind;
use crate::policy::parse::parse_policy;
use crate::resource::{Lifecycle, Mode, Resource};
use crate::source::{Sources, Span};
use crate::value::{Hole, Kind, Member, Node, PString, Part, has_known_holes, substitute};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// Replacement values for reference holes: attribute address → value.
type Known = HashMap<String, Node>;

/// The rendered policy documents, by `data.aws_iam_policy_document.NAME.json` address.
type Docs = HashMap<String, Node>;

/// Builds the inventory from Terraform resources.
pub fn inventory(resources: &[Resource], sources: &Sources) -> Inventory {
    let live: Vec<&Resource> = resources
        .iter()
        .filter(|r| r.lifecycle != Lifecycle::Deleted && super::types::is_read(&r.rtype))
        .collect();
    // Computed attributes are filled in only for resources something refers to: a plan
    // with many buckets and no references to them builds no table.
    let referred = referred_addresses(&live);
    let mut known = Known::new();
    for r in live
        .iter()
        .filter(|r| is_bucket(r) && referred.contains(r.address.as_str()))
    {
        let name = bucket_name(r);
        let text = |s: PString| Node::new(Kind::Str(s), r.header);
        let mut arn = PString::known("arn:aws:s3:::");
        arn.push(&name);
        for address in instance_aliases(&r.address) {
            known.insert(format!("{address}.id"), text(name.clone()));
            known.insert(format!("{address}.bucket"), text(name.clone()));
            known.insert(format!("{address}.arn"), text(arn.clone()));
        }
    }
    // `aws_s3_bucket_policy.p.id` and the like are the name of the bucket they reference.
    for r in live
        .iter()
        .filter(|r| r.mode == Mode::Managed && ATTACHED_TO_BUCKET.contains(&r.rtype.as_str()))
    {
        if let Some(name) = reference_of(r.attributes.get("bucket")).and_then(|h| known.get(h)) {
            let name = name.clone();
            known.insert(format!("{}.id", r.address), name.clone());
            known.insert(format!("{}.bucket", r.address), name);
        }
    }
    for r in live
        .iter()
        .filter(|r| r.mode == Mode::Managed && r.rtype == "aws_kms_alias")
    {
        if let Some(name) = r
            .attributes
            .get("name")
            .filter(|n| matches!(n.kind, Kind::Str(_)))
        {
            known.insert(format!("{}.name", r.address), name.clone());
            known.insert(format!("{}.id", r.address), name.clone());
        }
    }
    // Every resource's attributes with the computed attributes known statically filled in.
    // Copied only where something is filled in.
    let filled: Vec<Cow<Node>> = live
        .iter()
        .map(|r| match has_known_holes(&r.attributes, &known) {
            true => Cow::Owned(substitute(&r.attributes, &known)),
            false => Cow::Borrowed(&r.attributes),
        })
        .collect();
    let docs = render_documents(&live, &filled, sources);

    let mut inv = Inventory::default();
    inv.reserve_buckets(live.iter().filter(|r| is_bucket(r)).count());
    for r in live.iter().filter(|r| is_bucket(r)) {
        inv.add_bucket(Bucket {
            resource: r.address.clone(),
            name: bucket_name(r),
            span: r.span,
            header: r.header,
            lifecycle: r.lifecycle,
        });
    }
    link_references(&mut inv, &live, &referred);
    let managed: Vec<(&Resource, &Node)> = live
        .iter()
        .zip(&filled)
        .filter(|(r, _)| r.mode == Mode::Managed)
        .map(|(r, n)| (*r, &**n))
        .collect();
    for (r, attrs) in &managed {
        bucket_policy(&mut inv, r, attrs, &docs, sources);
    }
    for (r, attrs) in &managed {
        if matches!(r.rtype.as_str(), "aws_kms_key" | "aws_kms_replica_key") {
            key(&mut inv, r, attrs, &docs, sources);
        }
    }
    for (r, attrs) in &managed {
        match r.rtype.as_str() {
            "aws_kms_key_policy" => key_policy(&mut inv, r, attrs, &docs, sources),
            "aws_kms_alias" => alias(&mut inv, r, attrs),
            "aws_kms_grant" => kms_grant(&mut inv, r, attrs),
            _ => {}
        }
    }
    for (r, attrs) in &managed {
        match r.rtype.as_str() {
            "aws_s3_bucket" => {
                let target = (inv.bucket_of_resource(&r.address), bucket_name(r));
                for block in blocks(attrs, "server_side_encryption_configuration") {
                    encryption(&mut inv, r, block, target.clone());
                }
                inline_acl(&mut inv, r, attrs, target);
            }
            "aws_s3_bucket_server_side_encryption_configuration" => {
                let target = bucket_target(&inv, r, attrs);
                encryption(&mut inv, r, attrs, target);
            }
            "aws_s3_bucket_ownership_controls" => ownership(&mut inv, r, attrs),
            "aws_s3_bucket_acl" => acl(&mut inv, r, attrs),
            _ => {}
        }
    }
    for (r, attrs) in &managed {
        cloudfront_logs(&mut inv, r, attrs);
    }
    inv
}

/// Whether an optional, computed argument is unset: `null`, or `""`, which the AWS provider
/// treats as not set (`policy` of `aws_s3_bucket` and `aws_kms_key`; provider schema 5.x).
fn is_unset(node: &Node) -> bool {
    match &node.kind {
        Kind::Null => true,
        Kind::Str(s) => s.as_known() == Some(""),
        _ => false,
    }
}

/// The addresses a resource instance is referred to by: its own, and `ADDRESS[0]` for a
/// resource without an instance key (one whose `count` is known only after apply is made as
/// one instance without a key, and the code refers to it as `[0]`).
fn instance_aliases(address: &str) -> Vec<String> {
    let mut out = vec![address.to_string()];
    if !address.ends_with(']') {
        out.push(format!("{address}[0]"));
    }
    out
}

/// Resources whose `id` (and `bucket`) is the name of the bucket they are attached to.
const ATTACHED_TO_BUCKET: &[&str] = &[
    "aws_s3_bucket_policy",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_acl",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_versioning",
];

/// The reference a `bucket` argument is written as, when it is exactly one (a string that is
/// one hole, or a list of one such string: a one-instance splat).
fn reference_of(node: Option<&Node>) -> Option<&str> {
    match &node?.kind {
        Kind::Str(s) => match s.parts() {
            [Part::Hole(h)] => Some(&h.id),
            _ => None,
        },
        Kind::Unknown(h) => Some(&h.id),
        _ => None,
    }
}

/// The addresses the resources' references name (`aws_s3_bucket.b` for a hole
/// `aws_s3_bucket.b.id`), and `ADDRESS` for `ADDRESS[0]` (see [`instance_aliases`]): a
/// computed attribute of any other resource is never looked up.
fn referred_addresses<'a>(live: &[&'a Resource]) -> HashSet<&'a str> {
    let mut out = HashSet::new();
    for r in live {
        visit_holes(&r.attributes, &mut |h: &'a Hole| {
            if let Some((address, _)) = h.id.rsplit_once('.') {
                out.insert(address);
                if let Some(plain) = address.strip_suffix("[0]") {
                    out.insert(plain);
                }
            }
        });
    }
    out
}

/// Indexes every reference that evaluates to a bucket's name: `BUCKET.id` and `BUCKET.bucket`
/// of the buckets in `referred`, then `ATTACHED.id` / `ATTACHED.bucket` of resources
/// attached to a bucket by reference (`bucket = aws_s3_bucket_policy.p.id`), in rounds until
/// nothing changes.
fn link_references(inv: &mut Inventory, live: &[&Resource], referred: &HashSet<&str>) {
    for r in live
        .iter()
        .filter(|r| is_bucket(r) && referred.contains(r.address.as_str()))
    {
        if let Some(i) = inv.bucket_of_resource(&r.address) {
            for address in instance_aliases(&r.address) {
                inv.add_reference(format!("{address}.id"), i);
                inv.add_reference(format!("{address}.bucket"), i);
            }
        }
    }
    let attached: Vec<&&Resource> = live
        .iter()
        .filter(|r| r.mode == Mode::Managed && ATTACHED_TO_BUCKET.contains(&r.rtype.as_str()))
        .collect();
    for _ in 0..4 {
        let mut progressed = false;
        for r in &attached {
            let Some(bucket) = reference_of(r.attributes.get("bucket")) else {
                continue;
            };
            let id = format!("{}.id", r.address);
            if inv.bucket_of_reference(&id).is_some() {
                continue;
            }
            if let Some(i) = inv.bucket_of_reference(bucket) {
                inv.add_reference(id, i);
                inv.add_reference(format!("{}.bucket", r.address), i);
                progressed = true;
            }
        }
        if !progressed {
            break;
        }
    }
}

/// The bucket a `bucket` argument names: its index when in the code, and the expression.
/// A reference to a bucket (directly or through a resource attached to it) links to that
/// bucket whatever the names say; otherwise the name decides.
fn bucket_target(inv: &Inventory, r: &Resource, attrs: &Node) -> (Option<usize>, PString) {
    if let Some(i) =
        reference_of(r.attributes.get("bucket")).and_then(|h| inv.bucket_of_reference(h))
    {
        return (Some(i), inv.buckets[i].name.clone());
    }
    let expr = attrs
        .get("bucket")
        .and_then(|b| b.as_pstr())
        .cloned()
        .unwrap_or_else(|| {
            PString::hole(Hole::unknown(
                format!("{}.bucket", r.address),
                "the bucket argument is not known",
            ))
        });
    (inv.link_bucket(&expr), expr)
}

/// An inline `policy` of `aws_s3_bucket`, or an `aws_s3_bucket_policy`.
fn bucket_policy(inv: &mut Inventory, r: &Resource, attrs: &Node, docs: &Docs, sources: &Sources) {
    let (bucket, bucket_expr, policy_node) = match r.rtype.as_str() {
        "aws_s3_bucket" => match attrs.get("policy") {
            Some(p) if !is_unset(p) => (inv.bucket_of_resource(&r.address), bucket_name(r), p),
            _ => return,
        },
        "aws_s3_bucket_policy" => {
            let Some(p) = attrs.get("policy") else { return };
            let (bucket, expr) = bucket_target(inv, r, attrs);
            (bucket, expr, p)
        }
        _ => return,
    };
    let (doc, syntax) = policy_doc(policy_node, docs, sources, PolicyKind::Bucket);
    inv.policies.push(BucketPolicy {
        resource: r.address.clone(),
        bucket,
        bucket_expr,
        span: policy_node.span,
        doc,
        syntax,
    });
}

/// `aws_kms_key` / `aws_kms_replica_key`, with its inline policy or the default one.
fn key(inv: &mut Inventory, r: &Resource, attrs: &Node, docs: &Docs, sources: &Sources) {
    let policy = match attrs.get("policy").filter(|p| !is_unset(p)) {
        Some(p) => {
            let (doc, syntax) = policy_doc(p, docs, sources, PolicyKind::Key);
            KeyPolicy::Written {
                resource: r.address.clone(),
                span: p.span,
                doc,
                syntax,
            }
        }
        None => KeyPolicy::Default,
    };
    let mut refs: Vec<String> = ["arn", "key_id", "id"]
        .iter()
        .map(|a| format!("{}.{a}", r.address))
        .collect();
    // A key that exists already (a plan's) has a known ARN and id: they name it too.
    let known = |a: &str| {
        attrs
            .get(a)
            .and_then(|n| n.as_pstr())
            .and_then(|s| s.as_known())
            .map(str::to_string)
    };
    refs.extend(["arn", "key_id", "id"].iter().filter_map(|a| known(a)));
    let arn = match known("arn") {
        Some(arn) => PString::known(arn),
        None => PString::hole(Hole::unknown(
            format!("{}.arn", r.address),
            format!("{}.arn is known only after apply", r.address),
        )),
    };
    inv.keys.push(Key {
        resource: r.address.clone(),
        arn,
        refs,
        aliases: Vec::new(),
        policy,
        span: r.span,
        header: r.header,
    });
}

/// `aws_kms_key_policy`: the policy of a key defined elsewhere in the code.
fn key_policy(inv: &mut Inventory, r: &Resource, attrs: &Node, docs: &Docs, sources: &Sources) {
    let (Some(key_id), Some(p)) = (
        attrs.get("key_id").and_then(|k| k.as_pstr()),
        attrs.get("policy"),
    ) else {
        return;
    };
    let (doc, syntax) = policy_doc(p, docs, sources, PolicyKind::Key);
    let Some(i) = inv.find_key(key_id) else {
        return;
    };
    inv.keys[i].policy = KeyPolicy::Written {
        resource: r.address.clone(),
        span: p.span,
        doc,
        syntax,
    };
}

/// `aws_kms_alias`: another name for a key in the code.
fn alias(inv: &mut Inventory, r: &Resource, attrs: &Node) {
    let Some(target) = attrs.get("target_key_id").and_then(|k| k.as_pstr()) else {
        return;
    };
    let Some(i) = inv.find_key(target) else {
        return;
    };
    if let Some(name) = attrs.get("name").and_then(|n| n.as_pstr()) {
        inv.keys[i].aliases.push(name.clone());
    }
    inv.keys[i].refs.push(format!("{}.arn", r.address));
    inv.keys[i]
        .refs
        .push(format!("{}.target_key_arn", r.address));
}

/// One `rule` (or the whole configuration) of default encryption.
fn encryption(inv: &mut Inventory, r: &Resource, config: &Node, target: (Option<usize>, PString)) {
    for rule in blocks(config, "rule") {
        let default = blocks(rule, "apply_server_side_encryption_by_default");
        let Some(default) = default.first() else {
            continue;
        };
        let algorithm = default
            .get("sse_algorithm")
            .and_then(|a| a.as_pstr())
            .cloned()
            .unwrap_or_default();
        let key_node = default.get("kms_master_key_id");
        let key_value = key_node.and_then(|k| match &k.kind {
            Kind::Str(s) => Some(s.clone()),
            Kind::Unknown(h) => Some(PString::hole(h.clone())),
            _ => None,
        });
        let key = inv.key_ref(&algorithm, key_value.as_ref());
        let span = key_node
            .or(default.get("sse_algorithm"))
            .map_or(rule.span, |n| n.span);
        let bucket_key = matches!(
            rule.get("bucket_key_enabled").map(|n| &n.kind),
            Some(Kind::Bool(true))
        );
        inv.encryptions.push(Encryption {
            bucket: target.0,
            bucket_expr: target.1.clone(),
            resource: r.address.clone(),
            span,
            algorithm,
            key,
            bucket_key,
        });
    }
}

/// `aws_s3_bucket_ownership_controls`.
fn ownership(inv: &mut Inventory, r: &Resource, attrs: &Node) {
    let (bucket, bucket_expr) = bucket_target(inv, r, attrs);
    for rule in blocks(attrs, "rule") {
        let Some(setting) = rule.get("object_ownership") else {
            continue;
        };
        let value = match &setting.kind {
            Kind::Str(s) => s.clone(),
            Kind::Unknown(h) => PString::hole(h.clone()),
            _ => continue,
        };
        inv.ownerships.push(Ownership {
            bucket,
            bucket_expr: bucket_expr.clone(),
            resource: r.address.clone(),
            span: setting.span,
            setting: value,
        });
    }
}

/// `aws_s3_bucket_acl`: a canned ACL other than `private`, or explicit grants.
fn acl(inv: &mut Inventory, r: &Resource, attrs: &Node) {
    let (bucket, bucket_expr) = bucket_target(inv, r, attrs);
    let mut push = |span: Span, what: String| {
        inv.acls.push(Acl {
            bucket,
            bucket_expr: bucket_expr.clone(),
            resource: r.address.clone(),
            span,
            what,
        })
    };
    if let Some(a) = attrs.get("acl")
        && let Some(s) = a.as_pstr()
        && s.as_known() != Some("private")
    {
        push(a.span, format!("acl = \"{s}\""));
    }
    for policy in blocks(attrs, "access_control_policy") {
        push(policy.span, "access_control_policy grants".into());
    }
}

/// The provider-v3 inline `acl` (other than `private`) and `grant` blocks of a bucket.
fn inline_acl(inv: &mut Inventory, r: &Resource, attrs: &Node, target: (Option<usize>, PString)) {
    let mut found: Vec<(Span, String)> = Vec::new();
    if let Some(a) = attrs.get("acl")
        && let Some(s) = a.as_pstr()
        && s.as_known() != Some("private")
    {
        found.push((a.span, format!("acl = \"{s}\"")));
    }
    for g in blocks(attrs, "grant") {
        found.push((g.span, "grant".into()));
    }
    for (span, what) in found {
        inv.acls.push(Acl {
            bucket: target.0,
            bucket_expr: target.1.clone(),
            resource: r.address.clone(),
            span,
            what,
        });
    }
}

fn is_bucket(r: &Resource) -> bool {
    r.mode == Mode::Managed && r.rtype == "aws_s3_bucket"
}

/// A bucket's name: its `bucket` argument, or a hole when AWS picks it.
fn bucket_name(r: &Resource) -> PString {
    match r.attributes.get("bucket").map(|n| &n.kind) {
        Some(Kind::Str(s)) => s.clone(),
        _ => PString::hole(Hole::unknown(
            format!("{}.bucket", r.address),
            format!(
                "the name of {} (chosen at apply: no `bucket` argument)",
                r.address
            ),
        )),
    }
}

fn render_documents(live: &[&Resource], filled: &[Cow<Node>], sources: &Sources) -> Docs {
    let mut docs = Docs::new();
    let pending: Vec<(&Resource, &Node)> = live
        .iter()
        .zip(filled)
        .filter(|(r, _)| r.mode == Mode::Data && r.rtype == "aws_iam_policy_document")
        .map(|(r, n)| (*r, &**n))
        .collect();
    // The ids under which resources refer to a document.
    let doc_ids: HashSet<String> = pending
        .iter()
        .flat_map(|(r, _)| {
            [
                format!("{}.json", r.address),
                format!("{}.minified_json", r.address),
            ]
        })
        .collect();
    // Documents may merge other documents: render in rounds until nothing changes. The
    // attributes already hold the buckets' computed values; only documents are filled in.
    for _ in 0..=pending.len() {
        let mut progressed = false;
        for (r, attrs) in &pending {
            let key = format!("{}.json", r.address);
            if docs.contains_key(&key) {
                continue;
            }
            let attrs = substitute(attrs, &docs);
            let mut waits = false;
            visit_holes(&attrs, &mut |h| {
                waits |= doc_ids.contains(h.id.as_ref()) && !docs.contains_key(h.id.as_ref())
            });
            if waits {
                continue;
            }
            let doc = render_document(&attrs, r.span, sources);
            docs.insert(format!("{}.minified_json", r.address), doc.clone());
            docs.insert(key, doc);
            progressed = true;
        }
        if !progressed {
            break;
        }
    }
    docs
}

fn visit_holes<'a>(node: &'a Node, f: &mut dyn FnMut(&'a Hole)) {
    match &node.kind {
        Kind::Str(s) => s.holes().for_each(&mut *f),
        Kind::Unknown(h) => f(h),
        Kind::Array(items) => items.iter().for_each(|n| visit_holes(n, f)),
        Kind::Object(members) => members.iter().for_each(|m| visit_holes(&m.value, f)),
        _ => {}
    }
}

fn member(key: &str, value: Node) -> Member {
    Member {
        key: key.to_string(),
        key_span: value.span,
        value,
    }
}

/// `&{…}` is how Terraform escapes IAM policy variables: it renders as `${…}`.
fn unescape_vars(node: &Node) -> Node {
    match &node.kind {
        Kind::Str(s) if s.contains_known("&{") => {
            let mut out = PString::default();
            for part in s.parts() {
                match part {
                    Part::Lit(t) => out.push_str(&t.replace("&{", "${")),
                    Part::Hole(h) => out.push_hole(h.clone()),
                }
            }
            Node::new(Kind::Str(out), node.span)
        }
        Kind::Array(items) => Node::new(
            Kind::Array(items.iter().map(unescape_vars).collect()),
            node.span,
        ),
        _ => node.clone(),
    }
}

/// The blocks named `key` (a list of objects; a single object is accepted too).
fn blocks<'a>(node: &'a Node, key: &str) -> Vec<&'a Node> {
    match node.get(key) {
        Some(n) => match &n.kind {
            Kind::Array(items) => items.iter().collect(),
            Kind::Object(_) => vec![n],
            _ => Vec::new(),
        },
        None => Vec::new(),
    }
}

fn text_of(node: Option<&Node>) -> Option<String> {
    node.and_then(|n| n.as_pstr())
        .and_then(|s| s.as_known())
        .map(str::to_string)
}

fn sid_of(st: &Node) -> Option<String> {
    text_of(st.get("Sid")).filter(|s| !s.is_empty())
}

/// Adds a statement; with `replace`, one with the same non-empty Sid takes the old one's place.
fn merge_in(statements: &mut Vec<Node>, st: Node, replace: bool) {
    if replace
        && let Some(sid) = sid_of(&st)
        && let Some(slot) = statements
            .iter_mut()
            .find(|s| sid_of(s).as_deref() == Some(sid.as_str()))
    {
        *slot = st;
        return;
    }
    statements.push(st);
}

/// Renders one `aws_iam_policy_document` (attributes already substituted) into a policy
/// node; statements keep the spans of their blocks and attributes.
pub fn render_document(attrs: &Node, span: Span, sources: &Sources) -> Node {
    let mut statements: Vec<Node> = Vec::new();
    for key in ["source_policy_documents", "source_json"] {
        for src in list_items(attrs.get(key)) {
            for st in document_statements(&src, sources) {
                merge_in(&mut statements, st, false);
            }
        }
    }
    // `dynamic "statement"` over a collection known only after apply: statements known only
    // after apply (never an empty statement).
    match attrs.get("statement").map(|n| &n.kind) {
        Some(Kind::Unknown(_)) => statements.extend(attrs.get("statement").cloned()),
        _ => {
            for block in blocks(attrs, "statement") {
                match block.kind {
                    Kind::Unknown(_) => statements.push(block.clone()),
                    _ => merge_in(&mut statements, render_statement(block), true),
                }
            }
        }
    }
    for key in ["override_policy_documents", "override_json"] {
        for ovr in list_items(attrs.get(key)) {
            for st in document_statements(&ovr, sources) {
                merge_in(&mut statements, st, true);
            }
        }
    }
    let version = attrs
        .get("version")
        .filter(|v| matches!(v.kind, Kind::Str(_)))
        .cloned()
        .unwrap_or_else(|| Node::new(Kind::Str(PString::known("2012-10-17")), span));
    let mut members = vec![member("Version", version)];
    if let Some(id) = attrs
        .get("policy_id")
        .filter(|v| matches!(v.kind, Kind::Str(_)))
    {
        members.push(member("Id", id.clone()));
    }
    members.push(member(
        "Statement",
        Node::new(Kind::Array(statements), span),
    ));
    Node::new(Kind::Object(members), span)
}

fn list_items(node: Option<&Node>) -> Vec<Node> {
    match node {
        Some(n) => match &n.kind {
            Kind::Array(items) => items.clone(),
            Kind::Null => Vec::new(),
            _ => vec![n.clone()],
        },
        None => Vec::new(),
    }
}

/// The statements of a merged-in document (a rendered node, or JSON text).
fn document_statements(doc: &Node, sources: &Sources) -> Vec<Node> {
    let parsed = match &doc.kind {
        Kind::Object(_) => Some(doc.clone()),
        Kind::Str(s) => parse_embedded_json(sources, s, doc.span).ok(),
        _ => None,
    };
    match parsed.as_ref().and_then(|d| d.get("Statement")) {
        Some(n) => match &n.kind {
            Kind::Array(items) => items.clone(),
            Kind::Object(_) => vec![n.clone()],
            _ => Vec::new(),
        },
        None => Vec::new(),
    }
}

fn render_statement(block: &Node) -> Node {
    let mut members = Vec::new();
    if let Some(sid) = block.get("sid").filter(|n| matches!(n.kind, Kind::Str(_))) {
        members.push(member("Sid", sid.clone()));
    }
    let effect = block
        .get("effect")
        .filter(|n| matches!(n.kind, Kind::Str(_) | Kind::Unknown(_)))
        .cloned()
        .unwrap_or_else(|| Node::new(Kind::Str(PString::known("Allow")), block.span));
    members.push(member("Effect", effect));
    for (hcl, json) in [
        ("principals", "Principal"),
        ("not_principals", "NotPrincipal"),
    ] {
        if let Some(p) = render_principals(block, hcl) {
            members.push(member(json, p));
        }
    }
    for (hcl, json) in [
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ] {
        if let Some(v) = block.get(hcl).filter(|n| !matches!(n.kind, Kind::Null)) {
            members.push(member(json, unescape_vars(v)));
        }
    }
    if let Some(c) = render_conditions(block) {
        members.push(member("Condition", c));
    }
    Node::new(Kind::Object(members), block.span)
}

/// `principals { type, identifiers }` blocks, grouped by type; `type = "*"` renders `"*"`.
fn render_principals(block: &Node, key: &str) -> Option<Node> {
    let list = blocks(block, key);
    let first = list.first()?;
    let mut by_type: Vec<(String, Span, Vec<Node>)> = Vec::new();
    for p in &list {
        let ty = text_of(p.get("type")).unwrap_or_else(|| "AWS".into());
        let ids: Vec<Node> = match p.get("identifiers") {
            Some(n) => match &n.kind {
                Kind::Array(items) => items.iter().map(unescape_vars).collect(),
                _ => vec![unescape_vars(n)],
            },
            None => Vec::new(),
        };
        if ty == "*" {
            return Some(Node::new(Kind::Str(PString::known("*")), p.span));
        }
        match by_type.iter_mut().find(|(t, _, _)| *t == ty) {
            Some((_, _, all)) => all.extend(ids),
            None => by_type.push((ty, p.span, ids)),
        }
    }
    let members = by_type
        .into_iter()
        .map(|(ty, span, ids)| Member {
            key: ty,
            key_span: span,
            value: Node::new(Kind::Array(ids), span),
        })
        .collect();
    Some(Node::new(Kind::Object(members), first.span))
}

/// `condition { test, variable, values }` blocks: different tests or variables are ANDed;
/// blocks with the same test and variable merge into one OR list, as the provider does.
fn render_conditions(block: &Node) -> Option<Node> {
    let list = blocks(block, "condition");
    let first = list.first()?;
    let mut ops: Vec<Member> = Vec::new();
    for c in &list {
        let (Some(test), Some(variable)) = (text_of(c.get("test")), text_of(c.get("variable")))
        else {
            continue;
        };
        let values: Vec<Node> = match c.get("values") {
            Some(n) => match &n.kind {
                Kind::Array(items) => items.iter().map(unescape_vars).collect(),
                _ => vec![unescape_vars(n)],
            },
            None => Vec::new(),
        };
        let op_idx = match ops.iter().position(|m| m.key == test) {
            Some(i) => i,
            None => {
                ops.push(Member {
                    key: test.clone(),
                    key_span: c.get("test").map_or(c.span, |n| n.span),
                    value: Node::new(Kind::Object(Vec::new()), c.span),
                });
                ops.len() - 1
            }
        };
        let Kind::Object(vars) = &mut ops[op_idx].value.kind else {
            continue;
        };
        match vars.iter_mut().find(|m| m.key == variable) {
            Some(existing) => {
                if let Kind::Array(all) = &mut existing.value.kind {
                    all.extend(values);
                }
                existing.value.span = existing.value.span.to(c.span);
            }
            None => vars.push(Member {
                key: variable,
                key_span: c.get("variable").map_or(c.span, |n| n.span),
                value: Node::new(Kind::Array(values), c.span),
            }),
        }
    }
    Some(Node::new(Kind::Object(ops), first.span))
}

/// Reads a policy attribute: a rendered policy document, a `jsonencode` object, JSON text,
/// or a value known only after apply.
fn policy_doc(
    node: &Node,
    docs: &Docs,
    sources: &Sources,
    kind: PolicyKind,
) -> (PolicyDoc, PolicySyntax) {
    match &node.kind {
        Kind::Str(s) => {
            if let [Part::Hole(h)] = s.parts() {
                return match docs.get(h.id.as_ref()) {
                    Some(doc) => (
                        PolicyDoc::from_parse(Ok(parse_policy(doc, kind))),
                        PolicySyntax::PolicyDocument,
                    ),
                    None => (PolicyDoc::Unknown(h.clone()), PolicySyntax::Json),
                };
            }
            let parsed =
                parse_embedded_json(sources, s, node.span).map(|doc| parse_policy(&doc, kind));
            (PolicyDoc::from_parse(parsed), PolicySyntax::Json)
        }
        Kind::Unknown(h) => (PolicyDoc::Unknown(h.clone()), PolicySyntax::Json),
        _ => (
            PolicyDoc::from_parse(Ok(parse_policy(node, kind))),
            PolicySyntax::HclJsonencode,
        ),
    }
}

/// `aws_kms_grant`: a grant on a key (of the code, when `key_id` names one) to a grantee
/// principal for some operations, with optional encryption-context constraints.
fn kms_grant(inv: &mut Inventory, r: &Resource, attrs: &Node) {
    let unknown = |what: &str| {
        Hole::unknown(
            format!("{}.{what}", r.address),
            format!("the {what} of {} (known only after apply)", r.address),
        )
    };
    let string = |node: Option<&Node>, what: &str| match node.map(|n| &n.kind) {
        Some(Kind::Str(s)) => s.clone(),
        _ => PString::hole(unknown(what)),
    };
    let key_expr = string(attrs.get("key_id"), "key_id");
    let operations = match attrs.get("operations").map(|n| &n.kind) {
        Some(Kind::Array(items)) => Ok(items
            .iter()
            .map(|i| match &i.kind {
                Kind::Str(s) => s.clone(),
                _ => PString::hole(unknown("operations")),
            })
            .collect()),
        _ => Err(unknown("operations")),
    };
    let pairs = |node: &Node| -> Result<Vec<(String, PString)>, Hole> {
        let members = node.as_object().ok_or_else(|| unknown("constraints"))?;
        Ok(members
            .iter()
            .map(|m| {
                let value = match &m.value.kind {
                    Kind::Str(s) => s.clone(),
                    _ => PString::hole(unknown("constraints")),
                };
                (m.key.clone(), value)
            })
            .collect())
    };
    let mut constraints = Vec::new();
    for block in blocks(attrs, "constraints") {
        for (name, make) in [
            (
                "encryption_context_equals",
                ContextConstraint::Equals as fn(_) -> _,
            ),
            ("encryption_context_subset", ContextConstraint::Subset),
        ] {
            if let Some(node) = block.get(name).filter(|n| !matches!(n.kind, Kind::Null)) {
                constraints.push(pairs(node).map_or_else(ContextConstraint::Unknown, make));
            }
        }
    }
    if let Some(node) = attrs.get("constraints")
        && matches!(node.kind, Kind::Unknown(_))
    {
        constraints.push(ContextConstraint::Unknown(unknown("constraints")));
    }
    inv.grants.push(KmsGrant {
        resource: r.address.clone(),
        header: r.header,
        key: inv.find_key(&key_expr),
        grantee: string(attrs.get("grantee_principal"), "grantee_principal"),
        key_expr,
        operations,
        constraints,
    });
}

/// Signs that a bucket receives CloudFront standard (legacy) access logs: a distribution's
/// `logging_config { bucket }` naming it (`aws_s3_bucket.x.bucket_domain_name`, or the
/// literal `NAME.s3.amazonaws.com`), or an ACL grant to CloudFront's `awslogsdelivery`
/// account (`aws_s3_bucket_acl` `access_control_policy`, or a v3 inline `grant`).
fn cloudfront_logs(inv: &mut Inventory, r: &Resource, attrs: &Node) {
    let delivery_grant = |grant: &Node| {
        blocks(grant, "grantee")
            .into_iter()
            .chain(std::iter::once(grant))
            .filter_map(|g| text_of(g.get("id")))
            .any(|id| id == crate::model::AWSLOGSDELIVERY_CANONICAL_ID)
    };
    let evidence = "an ACL grant to awslogsdelivery, CloudFront's log-delivery account";
    let found: Vec<(Option<usize>, PString, String)> = match r.rtype.as_str() {
        "aws_s3_bucket_acl" => {
            let grants = blocks(attrs, "access_control_policy")
                .into_iter()
                .flat_map(|p| blocks(p, "grant"));
            if grants.into_iter().any(delivery_grant) {
                let (bucket, expr) = bucket_target(inv, r, attrs);
                vec![(bucket, expr, evidence.to_string())]
            } else {
                Vec::new()
            }
        }
        "aws_s3_bucket" if blocks(attrs, "grant").into_iter().any(delivery_grant) => vec![(
            inv.bucket_of_resource(&r.address),
            bucket_name(r),
            evidence.to_string(),
        )],
        "aws_cloudfront_distribution" => blocks(attrs, "logging_config")
            .into_iter()
            .filter_map(|l| l.get("bucket").and_then(|b| b.as_pstr()))
            .filter_map(|b| log_bucket(inv, b))
            .map(|(bucket, expr)| {
                let what = "a distribution's logging_config names it".to_string();
                (bucket, expr, what)
            })
            .collect(),
        _ => Vec::new(),
    };
    for (bucket, bucket_expr, evidence) in found {
        inv.cloudfront_logs.push(crate::model::CloudFrontLogs {
            bucket,
            bucket_expr,
            resource: r.address.clone(),
            evidence,
        });
    }
}

/// The bucket a distribution's `logging_config.bucket` names: a reference to a bucket's
/// `bucket_domain_name` / `bucket_regional_domain_name`, or `NAME.s3[.REGION].amazonaws.com`.
fn log_bucket(inv: &Inventory, value: &PString) -> Option<(Option<usize>, PString)> {
    if let [Part::Hole(h)] = value.parts() {
        let address =
            h.id.strip_suffix(".bucket_domain_name")
                .or_else(|| h.id.strip_suffix(".bucket_regional_domain_name"))?;
        let i = inv.bucket_of_resource(address)?;
        return Some((Some(i), inv.buckets[i].name.clone()));
    }
    let text = value.as_known()?;
    let name = text
        .split_once(".s3.")
        .or_else(|| text.split_once(".s3-"))?
        .0;
    let name = PString::known(name);
    Some((inv.link_bucket(&name), name))
}
