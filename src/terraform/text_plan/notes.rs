//! What the text leaves out: the caller's account, links from policies to buckets, and the
//! notes saying what could not be linked.

use super::*;

/// The account id of the `data.aws_caller_identity.NAME: Read complete after 0s
/// [id=111122223333]` progress lines, when there are some and they agree.
pub(super) fn caller_account(text: &str) -> Option<String> {
    let mut found: Option<&str> = None;
    for line in text.lines() {
        let t = line.trim();
        let Some((address, rest)) = t.split_once(": Read complete after ") else {
            continue;
        };
        if !address.contains("data.aws_caller_identity.") {
            continue;
        }
        let Some(id) = rest
            .rsplit_once("[id=")
            .and_then(|(_, id)| id.strip_suffix(']'))
            .filter(|id| id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        match found {
            Some(f) if f != id => return None,
            _ => found = Some(id),
        }
    }
    found.map(str::to_string)
}

/// The buckets shown as kept (updated, moved, imported, no longer managed) that no
/// ownership controls shown name.
pub(super) fn existing_buckets_without_ownership(resources: &[Resource]) -> Vec<&Resource> {
    let owned: Vec<&str> = resources
        .iter()
        .filter(|r| {
            r.mode == Mode::Managed
                && r.rtype == "aws_s3_bucket_ownership_controls"
                && r.lifecycle != Lifecycle::Deleted
        })
        .filter_map(|r| known_str(r.attributes.get("bucket")))
        .collect();
    resources
        .iter()
        .filter(|r| {
            r.mode == Mode::Managed
                && r.rtype == "aws_s3_bucket"
                && r.lifecycle == Lifecycle::Existing
        })
        .filter(|r| known_str(r.attributes.get("bucket")).is_none_or(|b| !owned.contains(&b)))
        .collect()
}

/// The string a node holds, when fully known.
pub(super) fn known_str(node: Option<&Node>) -> Option<&str> {
    node.and_then(|n| n.as_pstr()).and_then(|s| s.as_known())
}

fn is_unknown(node: &Node) -> bool {
    match &node.kind {
        Kind::Unknown(_) => true,
        Kind::Str(s) => !s.is_known(),
        _ => false,
    }
}

/// Whether an unknown link names the resource it comes from (a reference such as
/// `aws_s3_bucket.data.id`, set by [`link_policies_to_buckets`]), not just itself.
fn names_another_resource(node: &Node, own: &str) -> bool {
    match &node.kind {
        Kind::Str(s) => matches!(s.parts(), [crate::value::Part::Hole(h)] if &*h.id != own),
        _ => false,
    }
}

/// The nodes at `path` below `node`, through nested blocks (lists of objects).
fn nodes_at<'a>(node: &'a Node, path: &[&str], out: &mut Vec<&'a Node>) {
    let Some((first, rest)) = path.split_first() else {
        out.push(node);
        return;
    };
    match node.get(first).map(|n| (n, &n.kind)) {
        Some((_, Kind::Array(items))) if !rest.is_empty() => {
            for item in items {
                nodes_at(item, rest, out);
            }
        }
        Some((n, _)) => nodes_at(n, rest, out),
        None => {}
    }
}

/// What the text cannot tell about the links between resources that the plan JSON has: a
/// bucket or key named by a value `(known after apply)`, a bucket the plan leaves unchanged
/// (so the text does not show it), a key whose policy is `(known after apply)`. Said once
/// each, never guessed at.
/// The bucket a statement's `Resource` ARNs all name (`arn:aws:s3:::NAME`, `…/key`), if one.
fn bucket_of_statements(policy: Option<&Node>) -> Option<String> {
    let Kind::Array(statements) = &policy?.get("Statement")?.kind else {
        return None;
    };
    let mut name: Option<String> = None;
    for st in statements {
        let resources: Vec<&Node> = match st.get("Resource").map(|r| &r.kind) {
            Some(Kind::Array(items)) => items.iter().collect(),
            Some(_) => st.get("Resource").into_iter().collect(),
            None => Vec::new(),
        };
        for r in resources {
            let arn = known_str(Some(r))?;
            let bucket = arn.strip_prefix("arn:aws:s3:::")?;
            let bucket = bucket.split('/').next().unwrap_or_default();
            if bucket.is_empty() || bucket.contains(['*', '?', '$']) {
                return None;
            }
            match &name {
                Some(n) if n != bucket => return None,
                _ => name = Some(bucket.to_string()),
            }
        }
    }
    name
}

/// Links each `aws_s3_bucket_policy` whose `bucket` the text hides or leaves `(known after
/// apply)` to its bucket: through its `id` (the bucket's name), else through the one bucket
/// its statements' `Resource` ARNs name, else through the bucket of the same module and name
/// shown in the plan (`aws_s3_bucket_policy.data` ↔ `aws_s3_bucket.data`), as a reference to
/// that bucket's `id`. With none of these it stays unlinked (and a note says so).
pub(super) fn link_policies_to_buckets(resources: &mut [Resource]) {
    let buckets: std::collections::HashSet<String> = resources
        .iter()
        .filter(|r| r.mode == Mode::Managed && r.rtype == "aws_s3_bucket")
        .filter(|r| r.lifecycle != Lifecycle::Deleted)
        .map(|r| r.address.clone())
        .collect();
    for r in resources.iter_mut().filter(|r| {
        r.mode == Mode::Managed
            && r.rtype == "aws_s3_bucket_policy"
            && r.lifecycle != Lifecycle::Deleted
    }) {
        let bucket = r.attributes.get("bucket");
        if bucket.is_some_and(|b| !is_unknown(b)) {
            continue;
        }
        let span = bucket.map_or(r.header, |b| b.span);
        let name = match known_str(r.attributes.get("id")) {
            Some(id) => Some(PString::known(id)),
            None => bucket_of_statements(r.attributes.get("policy")).map(PString::known),
        };
        let name = name.or_else(|| {
            let own = r.address.strip_prefix(&r.module)?;
            let own = own.strip_prefix("aws_s3_bucket_policy.")?;
            let a = format!("{}aws_s3_bucket.{own}", r.module);
            buckets.contains(&a).then(|| {
                PString::hole(Hole::unknown(
                    format!("{a}.id"),
                    format!("{a}.id is known only after apply"),
                ))
            })
        });
        let (Some(name), Kind::Object(members)) = (name, &mut r.attributes.kind) else {
            continue;
        };
        let value = Node::new(Kind::Str(name), span);
        match members.iter_mut().find(|m| m.key == "bucket") {
            Some(m) => m.value = value,
            None => members.push(Member {
                key: "bucket".into(),
                key_span: span,
                value,
            }),
        }
    }
}

/// What could not be linked, each note with where the first value it names is.
pub(super) fn link_notes(resources: &[Resource]) -> Vec<(Span, String)> {
    let live: Vec<&Resource> = resources
        .iter()
        .filter(|r| r.mode == Mode::Managed && r.lifecycle != Lifecycle::Deleted)
        .collect();
    let shown: Vec<&str> = live
        .iter()
        .filter(|r| r.rtype == "aws_s3_bucket")
        .filter_map(|r| known_str(r.attributes.get("bucket")))
        .collect();
    let mut unlinked: Vec<(Span, String)> = Vec::new();
    let mut unshown: Vec<(Span, String, Vec<String>)> = Vec::new();
    let mut key_policies: Vec<(Span, String)> = Vec::new();
    for r in &live {
        let mut links: Vec<(&Node, String)> = Vec::new();
        if r.rtype.starts_with("aws_s3_bucket_")
            && let Some(b) = r.attributes.get("bucket")
        {
            links.push((b, format!("{}.bucket", r.address)));
            if let Some(name) = known_str(Some(b)).filter(|n| !shown.contains(n)) {
                match unshown.iter_mut().find(|(_, n, _)| n == name) {
                    Some((_, _, by)) => by.push(r.address.clone()),
                    None => unshown.push((b.span, name.to_string(), vec![r.address.clone()])),
                }
            }
        }
        let mut keys = Vec::new();
        let sse = [
            "rule",
            "apply_server_side_encryption_by_default",
            "kms_master_key_id",
        ];
        match r.rtype.as_str() {
            "aws_s3_bucket_server_side_encryption_configuration" => {
                nodes_at(&r.attributes, &sse, &mut keys);
            }
            "aws_s3_bucket" => {
                let mut path = vec!["server_side_encryption_configuration"];
                path.extend(sse);
                nodes_at(&r.attributes, &path, &mut keys);
            }
            "aws_kms_key_policy" => keys.extend(r.attributes.get("key_id")),
            "aws_kms_alias" => keys.extend(r.attributes.get("target_key_id")),
            "aws_kms_key" | "aws_kms_replica_key" => {
                if let Some(policy) = r.attributes.get("policy").filter(|p| is_unknown(p)) {
                    key_policies.push((policy.span, r.address.clone()));
                }
            }
            _ => {}
        }
        for k in keys {
            let name = match &k.kind {
                Kind::Unknown(h) => h.id.to_string(),
                _ => r.address.clone(),
            };
            links.push((k, name));
        }
        unlinked.extend(
            links
                .into_iter()
                .filter(|(n, name)| is_unknown(n) && !names_another_resource(n, name))
                .map(|(n, name)| (n.span, name)),
        );
    }
    let mut notes = Vec::new();
    if let Some((at, _)) = unlinked.first() {
        let at = *at;
        let unlinked: Vec<&str> = unlinked.iter().map(|(_, name)| name.as_str()).collect();
        notes.push((at, format!(
            "the text of `terraform plan` shows `(known after apply)` where the plan JSON names \
             the resource a value comes from: which bucket or key {} name{} could not be told, \
             so {} checked without it; `terraform show -json PLANFILE | clumio-preflight` \
             links them",
            unlinked.join(", "),
            if unlinked.len() == 1 { "s" } else { "" },
            if unlinked.len() == 1 {
                "it was"
            } else {
                "they were"
            },
        )));
    }
    if let Some((at, _, _)) = unshown.first() {
        let list: Vec<String> = unshown
            .iter()
            .map(|(_, name, by)| format!("\"{name}\" (named by {})", by.join(", ")))
            .collect();
        let one = unshown.len() == 1;
        notes.push((
            *at,
            format!(
                "the text of `terraform plan` shows only the resources a plan changes: bucket{} {} \
             {} not in it, so {} other settings (object ownership, encryption, another \
             policy) were not checked; `terraform show -json PLANFILE | clumio-preflight` \
             has the resources a plan keeps too",
                if one { "" } else { "s" },
                list.join(", "),
                if one { "is" } else { "are" },
                if one { "its" } else { "their" },
            ),
        ));
    }
    if let Some((at, _)) = key_policies.first() {
        let keys: Vec<&str> = key_policies.iter().map(|(_, k)| k.as_str()).collect();
        notes.push((*at, format!(
            "the text of `terraform plan` shows the policy of {} as `(known after apply)`, as it \
             shows a key that keeps the default key policy and a key whose policy is computed: \
             it was not checked; `terraform show -json PLANFILE | clumio-preflight` tells them \
             apart",
            keys.join(", ")
        )));
    }
    notes
}
