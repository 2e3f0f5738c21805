//! The front end for the human-readable text of `terraform plan` (and `terraform show PLAN`),
//! so that `terraform plan | clumio-preflight` works.
//!
//! The text is what Terraform 1.x prints, with or without colours (`-no-color`): ANSI escape
//! sequences are removed before parsing, and every span is mapped back into the original
//! text. Each resource change is a block:
//!
//! ```text
//!   # aws_s3_bucket_policy.data will be created
//!   + resource "aws_s3_bucket_policy" "data" {
//!       + bucket = "acme-data"
//!       + policy = jsonencode(
//!             {
//!               + Statement = [ … ]
//!               + Version   = "2012-10-17"
//!             }
//!         )
//!     }
//! ```
//!
//! - The `# ADDRESS …` comment says what happens: created ([`Lifecycle::Created`]), destroyed
//!   ([`Lifecycle::Deleted`]), updated in-place, imported, moved or read during apply
//!   ([`Lifecycle::Existing`]), replaced (`-/+`, `+/-`: [`Lifecycle::Created`]). Blocks of the
//!   "Objects have changed outside of Terraform" section (`has changed`, `has been deleted`)
//!   describe drift, not planned changes, and are skipped; so are deferred changes.
//! - Values follow the conventions of [`crate::resource`]: nested blocks are lists of objects,
//!   `jsonencode(…)` renders as the object (or list) itself, as HCL's `jsonencode` does,
//!   heredocs (`<<-EOT`) are strings, and `(known after apply)`, `(sensitive value)` and the
//!   like are [`Kind::Unknown`] with a hole named after the attribute
//!   (`aws_s3_bucket_policy.data.policy`).
//! - Updates keep the new value (`"old" -> "new"`), attributes and elements being removed
//!   (`- key = … -> null`) are dropped; a destroyed resource keeps the values it has.
//! - The text leaves out what a change does not touch (`# (2 unchanged attributes hidden)`):
//!   this is said once in [`TextPlan::notes`], never guessed. A `jsonencode` document with
//!   hidden parts is only partly known, so it becomes an unknown value (a policy missing its
//!   `Effect` would otherwise look invalid).
//! - The text names no references: a bucket or key given as `(known after apply)` cannot be
//!   linked, a resource the plan leaves unchanged is not shown at all (a bucket a policy names,
//!   its ownership controls), and a key's `policy = (known after apply)` may be the default
//!   policy or a computed one. Each is said once in [`TextPlan::notes`], naming what was
//!   affected; nothing is guessed. A bucket's name is read from its `id` when an update hides
//!   the unchanged `bucket` (for `aws_s3_bucket` they are the same).
//! - The account the plan ran in is read from the `data.aws_caller_identity.NAME: Read
//!   complete after … [id=…]` progress lines ([`TextPlan::account_id`]).
//! - As in the plan JSON front end, the legacy inline arguments of `aws_s3_bucket`
//!   (`policy`, `acl`, `grant`, `server_side_encryption_configuration`) are computed by the
//!   provider: when the plan shows them as unknown they are dropped, since the text cannot
//!   tell a computed value from a configured one.
//!
//! Malformed or truncated text gives a [`LoadError`] at the place where the parser stopped,
//! saying what it expected; the other resource blocks are still read.

use crate::resource::{Lifecycle, LoadError, Mode, Resource};
use crate::source::{FileId, Sources, Span};
use crate::value::{Hole, Kind, Member, Node, PString};

/// How deeply values may nest before the text is rejected.
pub const MAX_DEPTH: usize = 256;

/// The legacy inline arguments of `aws_s3_bucket` that the provider also computes.
const BUCKET_LEGACY: &[&str] = &[
    "policy",
    "acl",
    "grant",
    "server_side_encryption_configuration",
];

/// Whether `text` looks like `terraform plan` output (with or without ANSI colour codes):
/// "Terraform will perform the following actions", a `# ADDRESS will be created` comment
/// followed by a `resource "TYPE" "NAME" {` header, "Plan: N to add", "No changes.".
pub fn is_text_plan(text: &str) -> bool {
    let clean = strip_ansi(text);
    let t = clean.text.trim_start();
    if t.starts_with('{') || t.starts_with('[') {
        return false;
    }
    let lines: Vec<&str> = clean.text.lines().collect();
    let mut next_content: Option<usize> = None;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if t.contains("Terraform will perform the following actions")
            || t.contains("Terraform planned the following actions")
            || t.starts_with("No changes. Your infrastructure matches the configuration")
            || t.starts_with("No changes. Your infrastructure still matches the configuration")
            || t.starts_with("No changes. No objects need to be destroyed")
        {
            return true;
        }
        if let Some(rest) = t.strip_prefix("Plan: ")
            && rest.starts_with(|c: char| c.is_ascii_digit())
            && (rest.contains(" to add,") || rest.contains(" to import,"))
        {
            return true;
        }
        if let Some(comment) = comment_line(line)
            && comment.verb != Verb::Other
        {
            // The first line after this one that is neither blank nor a comment; found once
            // for a run of comment lines, not once per line (linear in the text).
            let next = match next_content {
                Some(n) if n > i => n,
                _ => {
                    let n = (i + 1..lines.len())
                        .find(|&j| is_content(lines[j]))
                        .unwrap_or(lines.len());
                    next_content = Some(n);
                    n
                }
            };
            if lines.get(next).is_some_and(|l| is_header_line(l)) {
                return true;
            }
        }
    }
    false
}

/// Whether a line is neither blank nor a comment.
fn is_content(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.starts_with('#')
}

/// The text with ANSI escape sequences (colours) removed: what a terminal shows of coloured
/// `terraform plan` output. The checker reads a coloured plan as this text, so that snippets
/// carry no escape codes and columns count the characters shown.
pub fn without_ansi(text: &str) -> String {
    if !text.contains('\x1b') {
        return text.to_string();
    }
    strip_ansi(text).text
}

/// What the text plan yielded.
#[derive(Debug, Default)]
pub struct TextPlan {
    /// One resource per planned resource change, in the order of the text.
    pub resources: Vec<Resource>,
    /// Text that could not be read: where, and what was expected.
    pub errors: Vec<LoadError>,
    /// What the text does not show (said once each).
    pub notes: Vec<String>,
    /// The account the plan ran in, from the `data.aws_caller_identity.NAME: Read complete
    /// after … [id=ACCOUNT]` lines Terraform prints while planning, when they all agree.
    pub account_id: Option<String>,
}

/// Stack size for parsing: nesting is bounded by [`MAX_DEPTH`], and unoptimised builds use
/// large frames.
const PARSE_STACK: usize = 32 << 20;

/// Parses the plan text of `file` (already in `sources`).
pub fn load_text_plan(sources: &Sources, file: FileId) -> TextPlan {
    let spawned = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("text-plan".to_string())
            .stack_size(PARSE_STACK)
            .spawn_scoped(scope, || parse(sources, file))
            .ok()
            .map(|handle| handle.join())
    });
    match spawned {
        Some(Ok(plan)) => plan,
        // A panic is a bug: report it instead of taking the run down.
        Some(Err(_)) => TextPlan {
            errors: vec![LoadError {
                file: Some(file),
                span: None,
                path: Some(sources.file(file).name.clone()),
                message: "internal error while reading the `terraform plan` text".to_string(),
            }],
            ..TextPlan::default()
        },
        None => parse(sources, file),
    }
}

fn parse(sources: &Sources, file: FileId) -> TextPlan {
    let source = sources.file(file);
    let clean = strip_ansi(&source.text);
    let mut p = Parser {
        s: &clean.text,
        b: clean.text.as_bytes(),
        map: &clean.map,
        file,
        pos: 0,
        hidden: 0,
        before: false,
        address: String::new(),
        line_starts: std::iter::once(0)
            .chain(clean.text.match_indices('\n').map(|(i, _)| i + 1))
            .collect(),
        hidden_in: Vec::new(),
        partial: Vec::new(),
    };
    let mut out = TextPlan::default();
    let mut in_drift = false;
    let mut deferred = 0usize;
    let mut no_changes = false;
    let mut failed = false;
    let mut next_content = None;
    let len = p.b.len();
    let mut pos = 0usize;
    while pos < len {
        let end = p.line_end(pos);
        let next = (end + 1).min(len);
        let line = &p.s[pos..end];
        let t = line.trim();
        if t.contains("Objects have changed outside of Terraform")
            || t.contains("Terraform detected the following changes made outside of Terraform")
        {
            in_drift = true;
        } else if t.starts_with("Unless you have made equivalent changes")
            || t.starts_with("This is a refresh-only plan")
            || t.contains("Terraform will perform the following actions")
            || t.contains("Terraform planned the following actions")
            || t.starts_with("Terraform used the selected providers")
            || t.starts_with("Note: This is a partial plan")
            || t.starts_with('─')
        {
            in_drift = false;
        }
        if t.contains("Planning failed") || t.contains("but then encountered a problem") {
            failed = true;
        }
        if t.starts_with("No changes.") {
            no_changes = true;
        }
        if let Some(comment) = comment_line(line) {
            match comment.verb {
                Verb::Other if !in_drift && next_is_header(p.s, next, &mut next_content) => {
                    out.errors.push(p.load_error(
                        sources,
                        PErr {
                            at: pos + line.find('#').unwrap_or(0),
                            message: format!(
                                "the change described as `{}` is not one this version knows; \
                                 the block was not read",
                                t.trim_start_matches('#').trim()
                            ),
                        },
                    ));
                }
                Verb::Drift | Verb::Other => {}
                Verb::Deferred => deferred += 1,
                _ if in_drift => {}
                _ => {
                    p.pos = next;
                    let hash = pos + line.find('#').unwrap_or(0);
                    match p.resource(&comment, hash) {
                        Ok(Some(r)) => {
                            out.resources.push(r);
                            pos = p.pos.min(len);
                            continue;
                        }
                        Ok(None) => {}
                        Err(e) => out.errors.push(p.load_error(sources, e)),
                    }
                }
            }
        }
        pos = next;
    }
    // Buckets the plan keeps whose ownership controls the text does not show: unchanged
    // controls would not be shown either, so CP304 on them rests on what the text leaves out.
    let unowned = existing_buckets_without_ownership(&out.resources);
    let unowned_clause = (!unowned.is_empty()).then(|| {
        format!(
            "CP304 on {} (which the plan keeps) may only mean that the text does not show \
             {} ownership controls",
            unowned.join(", "),
            if unowned.len() == 1 { "its" } else { "their" }
        )
    });
    if p.hidden > 0 {
        out.notes.push(format!(
            "the text of `terraform plan` leaves out what a change does not touch (\"# (N \
             unchanged attributes hidden)\", \"# (N unchanged blocks hidden)\"): settings this \
             plan does not change, and policies it shows only in part, were not checked{}; \
             `terraform show -json PLANFILE` gives the full picture",
            unowned_clause
                .as_ref()
                .map(|c| format!(", and {c}"))
                .unwrap_or_default()
        ));
    } else if let Some(clause) = unowned_clause {
        out.notes.push(format!(
            "the text of `terraform plan` shows only the resources a plan changes: {clause}; \
             `terraform show -json PLANFILE` gives the full picture"
        ));
    }
    if deferred > 0 {
        out.notes.push(format!(
            "{deferred} resource change{} deferred to a later plan (\"was deferred\"), and not \
             checked",
            if deferred == 1 { " is" } else { "s are" },
        ));
    }
    if failed {
        out.notes.push(
            "Terraform reported that planning failed: the plan text may not show every change"
                .to_string(),
        );
    }
    if no_changes && out.resources.is_empty() && out.errors.is_empty() {
        out.notes.push(
            "the plan has no changes, and the text of `terraform plan` shows only changes: \
             nothing was checked; scan the configuration or `terraform show -json PLANFILE` \
             instead"
                .to_string(),
        );
    }
    out.notes.append(&mut p.partial);
    link_policies_to_buckets(&mut out.resources);
    out.notes.extend(link_notes(&out.resources));
    out.account_id = caller_account(p.s);
    out
}

/// The account id of the `data.aws_caller_identity.NAME: Read complete after 0s
/// [id=111122223333]` progress lines, when there are some and they agree.
fn caller_account(text: &str) -> Option<String> {
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
fn existing_buckets_without_ownership(resources: &[Resource]) -> Vec<String> {
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
        .map(|r| r.address.clone())
        .collect()
}

/// The string a node holds, when fully known.
fn known_str(node: Option<&Node>) -> Option<&str> {
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
fn link_policies_to_buckets(resources: &mut [Resource]) {
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

fn link_notes(resources: &[Resource]) -> Vec<String> {
    let live: Vec<&Resource> = resources
        .iter()
        .filter(|r| r.mode == Mode::Managed && r.lifecycle != Lifecycle::Deleted)
        .collect();
    let shown: Vec<&str> = live
        .iter()
        .filter(|r| r.rtype == "aws_s3_bucket")
        .filter_map(|r| known_str(r.attributes.get("bucket")))
        .collect();
    let mut unlinked: Vec<String> = Vec::new();
    let mut unshown: Vec<(String, Vec<String>)> = Vec::new();
    let mut key_policies: Vec<String> = Vec::new();
    for r in &live {
        let mut links: Vec<(&Node, String)> = Vec::new();
        if r.rtype.starts_with("aws_s3_bucket_")
            && let Some(b) = r.attributes.get("bucket")
        {
            links.push((b, format!("{}.bucket", r.address)));
            if let Some(name) = known_str(Some(b)).filter(|n| !shown.contains(n)) {
                match unshown.iter_mut().find(|(n, _)| n == name) {
                    Some((_, by)) => by.push(r.address.clone()),
                    None => unshown.push((name.to_string(), vec![r.address.clone()])),
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
            "aws_kms_key" | "aws_kms_replica_key"
                if r.attributes.get("policy").is_some_and(is_unknown) =>
            {
                key_policies.push(r.address.clone());
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
                .map(|(_, name)| name),
        );
    }
    let mut notes = Vec::new();
    if !unlinked.is_empty() {
        notes.push(format!(
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
        ));
    }
    if !unshown.is_empty() {
        let list: Vec<String> = unshown
            .iter()
            .map(|(name, by)| format!("\"{name}\" (named by {})", by.join(", ")))
            .collect();
        let one = unshown.len() == 1;
        notes.push(format!(
            "the text of `terraform plan` shows only the resources a plan changes: bucket{} {} \
             {} not in it, so {} other settings (object ownership, encryption, another \
             policy) were not checked; `terraform show -json PLANFILE | clumio-preflight` \
             has the resources a plan keeps too",
            if one { "" } else { "s" },
            list.join(", "),
            if one { "is" } else { "are" },
            if one { "its" } else { "their" },
        ));
    }
    if !key_policies.is_empty() {
        notes.push(format!(
            "the text of `terraform plan` shows the policy of {} as `(known after apply)`, as it \
             shows a key that keeps the default key policy and a key whose policy is computed: \
             it was not checked; `terraform show -json PLANFILE | clumio-preflight` tells them \
             apart",
            key_policies.join(", ")
        ));
    }
    notes
}

/// The text with ANSI escape sequences removed, and where each byte came from.
struct Clean {
    text: String,
    /// `map[i]` is the offset in the original text of byte `i`; one more entry for the end.
    map: Vec<u32>,
}

fn strip_ansi(orig: &str) -> Clean {
    let b = orig.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut map = Vec::with_capacity(b.len() + 1);
    let mut i = 0;
    while i < b.len() {
        if b[i] != 0x1b {
            out.push(b[i]);
            map.push(i as u32);
            i += 1;
            continue;
        }
        i += 1;
        match b.get(i) {
            // CSI: parameters, intermediates, one final byte.
            Some(b'[') => {
                i += 1;
                while i < b.len() && (0x20..=0x3f).contains(&b[i]) {
                    i += 1;
                }
                if i < b.len() && (0x40..=0x7e).contains(&b[i]) {
                    i += 1;
                }
            }
            // OSC: up to BEL or ESC \.
            Some(b']') => {
                i += 1;
                while i < b.len() && b[i] != 0x07 && b[i] != 0x1b {
                    i += 1;
                }
                if i < b.len() && b[i] == 0x07 {
                    i += 1;
                } else if i + 1 < b.len() && b[i] == 0x1b && b[i + 1] == b'\\' {
                    i += 2;
                }
            }
            Some(c) if (0x40..=0x5f).contains(c) => i += 1,
            _ => {}
        }
    }
    map.push(b.len() as u32);
    // Only ASCII bytes were removed, so the rest is still UTF-8.
    let text = String::from_utf8(out).unwrap_or_default();
    Clean { text, map }
}

/// What a `# ADDRESS …` comment says will happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Create,
    Delete,
    Update,
    Replace,
    /// `must be replaced, but the existing object will not be destroyed`.
    CreateThenForget,
    Read,
    /// Moved or imported without other changes.
    NoOp,
    /// No longer managed, but not destroyed.
    Forget,
    /// Drift: `has changed`, `has been deleted`.
    Drift,
    /// `was deferred`.
    Deferred,
    /// Not a resource change (an action invocation, an unknown phrase).
    Other,
}

/// A `# ADDRESS …` comment line.
#[derive(Debug)]
struct Comment {
    address: String,
    verb: Verb,
}

/// Parses a resource change comment (`  # aws_s3_bucket.b will be created`).
fn comment_line(line: &str) -> Option<Comment> {
    let t = line.trim_end();
    let trimmed = t.trim_start_matches(' ');
    if t.len() - trimmed.len() > 3 {
        return None;
    }
    let rest = trimmed.strip_prefix("# ")?;
    let end = address_end(rest);
    let address = &rest[..end];
    if !looks_like_address(address) {
        return None;
    }
    let mut after = rest[end..].trim_start();
    if let Some(d) = after.strip_prefix("(deposed object ") {
        after = d.split_once(')').map_or("", |(_, r)| r).trim_start();
    }
    let verb = if after.starts_with("will be created") {
        Verb::Create
    } else if after.starts_with("will be destroyed") {
        Verb::Delete
    } else if after.starts_with("will be updated in-place") {
        Verb::Update
    } else if after.starts_with("must be replaced, but the existing object will not be destroyed") {
        Verb::CreateThenForget
    } else if after.starts_with("must be replaced")
        || after.starts_with("is tainted, so must be replaced")
        || after.starts_with("will be replaced")
    {
        Verb::Replace
    } else if after.starts_with("will be read during apply") {
        Verb::Read
    } else if let Some(to) = after.strip_prefix("has moved to ") {
        let to = to.trim();
        let end = address_end(to);
        if looks_like_address(&to[..end]) {
            return Some(Comment {
                address: to[..end].to_string(),
                verb: Verb::NoOp,
            });
        }
        Verb::Other
    } else if after.starts_with("will be imported") {
        Verb::NoOp
    } else if after.starts_with("will no longer be managed by Terraform")
        || after.starts_with("will be removed from Terraform state")
    {
        Verb::Forget
    } else if after.starts_with("has changed") || after.starts_with("has been deleted") {
        Verb::Drift
    } else if after.starts_with("was deferred") {
        Verb::Deferred
    } else {
        Verb::Other
    };
    Some(Comment {
        address: address.to_string(),
        verb,
    })
}

/// The end of a resource address at the start of `s`: the first space outside brackets and
/// quotes (`module.logs["a b"].aws_s3_bucket.this`).
fn address_end(s: &str) -> usize {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b' ' | b'\t' | b'\r' | b'\n' if depth == 0 => return i,
            _ => {}
        }
        i += 1;
    }
    b.len().min(i)
}

fn looks_like_address(a: &str) -> bool {
    a.starts_with(|c: char| c.is_ascii_alphabetic()) && a.contains('.')
}

/// Whether the first line from `pos` that is neither blank nor a comment is a resource header.
/// `cache` remembers the last answer, `(from, line start)`: every line between is blank or a
/// comment, so a run of comment lines is scanned once, not once per line.
fn next_is_header(s: &str, pos: usize, cache: &mut Option<(usize, usize)>) -> bool {
    let pos = pos.min(s.len());
    let start = match *cache {
        Some((from, found)) if from <= pos && pos <= found => found,
        _ => {
            let mut at = pos;
            while at < s.len() {
                let end = s[at..].find('\n').map_or(s.len(), |i| at + i);
                if is_content(&s[at..end]) {
                    break;
                }
                at = (end + 1).min(s.len());
            }
            *cache = Some((pos, at));
            at
        }
    };
    s[start..].lines().next().is_some_and(is_header_line)
}

/// `resource "TYPE" "NAME" {` or `data "TYPE" "NAME" {` after an action symbol, or indented
/// (no change: moved, imported). A block of Terraform source starts in the first column.
fn is_header_line(line: &str) -> bool {
    let t = line.trim();
    let after_symbol = ["-/+", "+/-", "+/.", "<=", "+", "-", "~", "."]
        .iter()
        .find_map(|s| t.strip_prefix(s).filter(|r| r.starts_with(' ')));
    if after_symbol.is_none() && !line.starts_with([' ', '\t']) {
        return false;
    }
    let t = after_symbol.unwrap_or(t).trim_start();
    (t.starts_with("resource \"") || t.starts_with("data \"")) && t.ends_with('{')
}

/// The module path prefix of an address (`module.logs["a"].`), empty at the root.
fn module_prefix(address: &str) -> String {
    let b = address.as_bytes();
    let mut end = 0;
    let mut i = 0;
    while address[i..].starts_with("module.") {
        let mut j = i + "module.".len();
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-') {
            j += 1;
        }
        if j < b.len() && b[j] == b'[' {
            j += 1;
            while j < b.len() && b[j] != b']' {
                if b[j] == b'"' {
                    j += 1;
                    while j < b.len() && b[j] != b'"' {
                        j += if b[j] == b'\\' { 2 } else { 1 };
                    }
                }
                j += 1;
            }
            j += 1;
        }
        if j < b.len() && b[j] == b'.' {
            end = j + 1;
            i = end;
        } else {
            break;
        }
    }
    address[..end.min(address.len())].to_string()
}

/// The action symbol in front of an attribute, element or block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sym {
    NoOp,
    Create,
    Delete,
    Update,
    Replace,
    Read,
    Forget,
    Other,
}

const SYMBOLS: &[(&str, Sym)] = &[
    ("-/+", Sym::Replace),
    ("+/-", Sym::Replace),
    ("+/.", Sym::Replace),
    ("<=", Sym::Read),
    ("+", Sym::Create),
    ("-", Sym::Delete),
    ("~", Sym::Update),
    (".", Sym::Forget),
    ("?", Sym::Other),
];

/// Where parsing stopped, and what was expected there.
#[derive(Debug)]
struct PErr {
    at: usize,
    message: String,
}

/// A block's members, and whether Terraform said its contents are sensitive.
struct Body {
    members: Vec<Member>,
    sensitive: bool,
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    map: &'a [u32],
    file: FileId,
    pos: usize,
    /// `# (N unchanged … hidden)` comments seen.
    hidden: usize,
    /// Reading the values before the change (a destroyed resource) instead of after.
    before: bool,
    /// The address of the resource being read.
    address: String,
    /// The clean offset of the start of every line, for line numbers in O(log n).
    line_starts: Vec<usize>,
    /// The path of the value each `# (N unchanged … hidden)` comment was in, in order.
    hidden_in: Vec<String>,
    /// What partly shown policies leave out (notes).
    partial: Vec<String>,
}

impl Parser<'_> {
    /// The span in the original text of clean bytes `start..end`.
    fn span(&self, start: usize, end: usize) -> Span {
        let n = self.b.len();
        let start = start.min(n);
        let end = end.min(n);
        let s = self.map[start] as usize;
        let e = if end > start {
            self.map[end - 1] as usize + 1
        } else {
            s
        };
        Span::new(self.file, s, e)
    }

    fn load_error(&self, sources: &Sources, e: PErr) -> LoadError {
        let at = e.at.min(self.b.len());
        let len = self.s[at..].chars().next().map_or(0, char::len_utf8);
        LoadError {
            file: Some(self.file),
            span: Some(self.span(at, at + len)),
            path: Some(sources.file(self.file).name.clone()),
            message: format!("cannot read the `terraform plan` text: {}", e.message),
        }
    }

    fn err<T>(&self, message: String) -> Result<T, PErr> {
        Err(PErr {
            at: self.pos,
            message,
        })
    }

    fn line_end(&self, pos: usize) -> usize {
        self.s[pos.min(self.b.len())..]
            .find('\n')
            .map_or(self.b.len(), |i| pos + i)
    }

    /// The start of the line holding clean offset `pos`: a short look back on ordinary lines,
    /// a binary search of the line index on long ones (so that many values on one very long
    /// line cost O(log n) each, not the line's length).
    fn line_start(&self, pos: usize) -> usize {
        let pos = pos.min(self.b.len());
        let window = pos.saturating_sub(256);
        match self.b[window..pos].iter().rposition(|&c| c == b'\n') {
            Some(i) => window + i + 1,
            None if window == 0 => 0,
            None => self.line_starts[self.line_no(pos) - 1],
        }
    }

    /// The 1-based line number of clean offset `pos` (a binary search of the line index).
    fn line_no(&self, pos: usize) -> usize {
        let pos = pos.min(self.b.len());
        self.line_starts
            .partition_point(|&start| start <= pos)
            .max(1)
    }

    fn col(&self, pos: usize) -> usize {
        pos - self.line_start(pos)
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn starts(&self, text: &str) -> bool {
        self.s[self.pos..].starts_with(text)
    }

    fn starts_word(&self, word: &str) -> bool {
        self.starts(word)
            && !self
                .b
                .get(self.pos + word.len())
                .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
    }

    /// What stands at the current position, for error messages.
    fn found(&self) -> String {
        if self.pos >= self.b.len() {
            return "the end of the text".to_string();
        }
        let end = self.line_end(self.pos);
        let text: String = self.s[self.pos..end].trim_end().chars().take(30).collect();
        if text.is_empty() {
            "the end of the line".to_string()
        } else {
            format!("`{text}`")
        }
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r')) {
            self.pos += 1;
        }
    }

    fn skip_blank(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
    }

    /// Skips a comment (at `#`) to the end of its line; returns its text.
    fn comment(&mut self) -> &str {
        let start = self.pos;
        let end = self.line_end(self.pos);
        self.pos = end;
        let text = &self.s[start..end];
        if text.contains("unchanged") && text.contains("hidden") {
            self.hidden += 1;
        }
        text
    }

    /// Expects the end of the line, after an optional trailing comment
    /// (`# forces replacement`).
    fn end_line(&mut self, after: &str) -> Result<(), PErr> {
        self.skip_spaces();
        if self.peek() == Some(b'#') {
            self.comment();
        }
        match self.peek() {
            None | Some(b'\n') => Ok(()),
            _ => self.err(format!(
                "expected the end of the line after {after}, found {}",
                self.found()
            )),
        }
    }

    fn sym(&mut self) -> Sym {
        for (text, sym) in SYMBOLS {
            if self.starts(text) && self.b.get(self.pos + text.len()) == Some(&b' ') {
                self.pos += text.len();
                return *sym;
            }
        }
        Sym::NoOp
    }

    /// Whether an entry with this symbol is part of the value being read.
    fn keeps(&self, sym: Sym) -> bool {
        match sym {
            Sym::Delete | Sym::Forget => self.before,
            Sym::Create => !self.before,
            _ => true,
        }
    }

    fn unknown(&self, path: &str, why: String, start: usize, end: usize) -> Node {
        Node::new(
            Kind::Unknown(Hole::unknown(path.to_string(), why)),
            self.span(start, end),
        )
    }

    /// Reads one resource block: the comment at `hash` has been read, `self.pos` is on the
    /// next line. `None` when the block is not a resource (an action invocation).
    fn resource(&mut self, comment: &Comment, hash: usize) -> Result<Option<Resource>, PErr> {
        self.address = comment.address.clone();
        self.before = matches!(comment.verb, Verb::Delete | Verb::Forget);
        // Further comment lines: `# (because …)`, `# (moved from …)`, `# Warning: …`.
        loop {
            self.skip_blank();
            if self.peek() != Some(b'#') {
                break;
            }
            let line_start = self.line_start(self.pos);
            let end = self.line_end(self.pos);
            if comment_line(&self.s[line_start..end]).is_some_and(|c| c.verb != Verb::Other) {
                break;
            }
            self.pos = end;
        }
        let sym = self.sym();
        self.skip_spaces();
        let header_start = self.pos;
        let mode = if self.starts_word("resource") {
            self.pos += "resource".len();
            Mode::Managed
        } else if self.starts_word("data") {
            self.pos += "data".len();
            Mode::Data
        } else if self.starts_word("action") {
            return Ok(None);
        } else {
            return self.err(format!(
                "expected `resource \"TYPE\" \"NAME\" {{` after the comment `# {} …`, found {}",
                comment.address,
                self.found()
            ));
        };
        self.skip_spaces();
        let expect_label = |p: &mut Self, what: &str| -> Result<String, PErr> {
            p.skip_spaces();
            if p.peek() != Some(b'"') {
                return p.err(format!(
                    "expected the {what} in quotes, found {}",
                    p.found()
                ));
            }
            Ok(p.string()?.0)
        };
        let rtype = expect_label(self, "resource type")?;
        let _name = expect_label(self, "resource name")?;
        let header_end = self.pos;
        self.skip_spaces();
        if self.peek() != Some(b'{') {
            return self.err(format!(
                "expected `{{` after `{}`, found {}",
                &self.s[header_start..header_end],
                self.found()
            ));
        }
        let open = self.pos;
        self.pos += 1;
        self.skip_spaces();
        let members = if self.peek() == Some(b'}') {
            self.pos += 1;
            Vec::new()
        } else {
            self.end_line("`{`")?;
            let what = format!("block `{}`", &self.s[header_start..header_end]);
            let address = self.address.clone();
            self.members(&address, 1, true, false, open, &what)?.members
        };
        let end = self.pos;
        let mut members = members;
        if mode == Mode::Managed && rtype == "aws_s3_bucket" {
            members.retain(|m| {
                !(BUCKET_LEGACY.contains(&m.key.as_str())
                    && matches!(m.value.kind, Kind::Unknown(_)))
            });
            // An update hides the unchanged `bucket`, but always shows `id`, which for a
            // bucket is its name.
            if !members.iter().any(|m| m.key == "bucket")
                && let Some(id) = members
                    .iter()
                    .find(|m| m.key == "id" && known_str(Some(&m.value)).is_some())
            {
                let id = Member {
                    key: "bucket".to_string(),
                    ..id.clone()
                };
                members.push(id);
            }
        }
        let lifecycle = match comment.verb {
            Verb::Create | Verb::Replace | Verb::CreateThenForget => Lifecycle::Created,
            Verb::Delete => Lifecycle::Deleted,
            Verb::Update | Verb::Read | Verb::NoOp | Verb::Forget => Lifecycle::Existing,
            _ => match sym {
                Sym::Create | Sym::Replace => Lifecycle::Created,
                Sym::Delete => Lifecycle::Deleted,
                _ => Lifecycle::Existing,
            },
        };
        Ok(Some(Resource {
            mode,
            rtype,
            module: module_prefix(&comment.address),
            address: comment.address.clone(),
            attributes: Node::new(Kind::Object(members), self.span(open, end)),
            span: self.span(hash, end),
            header: self.span(header_start, header_end),
            lifecycle,
        }))
    }

    /// The members of a block body or an object, up to the closing `}` (consumed). `open` is
    /// where the opening brace is, for messages.
    fn members(
        &mut self,
        path: &str,
        depth: usize,
        blocks: bool,
        json: bool,
        open: usize,
        what: &str,
    ) -> Result<Body, PErr> {
        if depth > MAX_DEPTH {
            return self.err(format!(
                "values nest more than {MAX_DEPTH} levels deep here"
            ));
        }
        let mut members: Vec<Member> = Vec::new();
        let mut sensitive = false;
        loop {
            self.skip_blank();
            match self.peek() {
                None => {
                    return self.err(format!(
                        "expected `}}` closing the {what} opened at line {}, found the end of the text",
                        self.line_no(open)
                    ));
                }
                Some(b'#') => {
                    let hidden = self.hidden;
                    if self.comment().contains("is (or was) sensitive") {
                        sensitive = true;
                    }
                    if self.hidden > hidden {
                        self.hidden_in.push(path.to_string());
                    }
                    continue;
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Body { members, sensitive });
                }
                _ => {}
            }
            let sym = self.sym();
            self.skip_spaces();
            let col = self.col(self.pos);
            let key_start = self.pos;
            let (key, quoted) = self.key()?;
            let key_end = self.pos;
            let child = if quoted || !is_identifier(&key) {
                format!(
                    "{path}[{}]",
                    serde_json::to_string(&key).unwrap_or_default()
                )
            } else {
                format!("{path}.{key}")
            };
            self.skip_spaces();
            match self.peek() {
                Some(b'=') => {
                    self.pos += 1;
                    self.skip_spaces();
                    let value = self.value(&child, depth, json, col)?;
                    self.skip_spaces();
                    if self.peek() == Some(b',') {
                        self.pos += 1;
                    }
                    self.end_line(&format!("the value of `{key}`"))?;
                    if self.keeps(sym) {
                        members.push(Member {
                            key,
                            key_span: self.span(key_start, key_end),
                            value,
                        });
                    }
                }
                Some(b'{' | b'"' | b'(') if blocks && !quoted => {
                    let index = match members.iter().find(|m| m.key == key).map(|m| &m.value.kind) {
                        Some(Kind::Array(items)) => items.len(),
                        _ => 0,
                    };
                    let block = self.block(&child, index, depth + 1, json, key_start, &key)?;
                    if self.keeps(sym) {
                        push_block(&mut members, key, self.span(key_start, key_end), block);
                    }
                }
                _ => {
                    return self.err(format!(
                        "expected `=` after `{key}`, found {}",
                        self.found()
                    ));
                }
            }
        }
    }

    /// A nested block after its name: labels, then `{ … }` or `(known after apply)`, then an
    /// optional `-> (known after apply)`.
    fn block(
        &mut self,
        base: &str,
        index: usize,
        depth: usize,
        json: bool,
        start: usize,
        name: &str,
    ) -> Result<Node, PErr> {
        let path = &format!("{base}[{index}]");
        while self.peek() == Some(b'"') {
            self.string()?;
            self.skip_spaces();
        }
        let first = match self.peek() {
            Some(b'(') => self.marker(base)?,
            Some(b'{') => {
                let open = self.pos;
                self.pos += 1;
                self.skip_spaces();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    Node::new(Kind::Object(Vec::new()), self.span(start, self.pos))
                } else {
                    self.end_line("`{`")?;
                    let body =
                        self.members(path, depth, true, json, open, &format!("block `{name}`"))?;
                    if body.sensitive && body.members.is_empty() {
                        self.unknown(
                            path,
                            format!("{path} is sensitive: the plan text does not show it"),
                            start,
                            self.pos,
                        )
                    } else {
                        Node::new(Kind::Object(body.members), self.span(start, self.pos))
                    }
                }
            }
            _ => {
                return self.err(format!(
                    "expected `{{` opening the block `{name}`, found {}",
                    self.found()
                ));
            }
        };
        self.skip_spaces();
        let node = if self.starts("->") {
            self.pos += 2;
            self.skip_spaces();
            let second = self.single(base, depth, json, self.col(self.pos))?;
            if self.before { first } else { second }
        } else {
            first
        };
        self.end_line(&format!("the block `{name}`"))?;
        Ok(node)
    }

    /// An attribute name or map key: an identifier or a quoted string.
    fn key(&mut self) -> Result<(String, bool), PErr> {
        if self.peek() == Some(b'"') {
            return Ok((self.string()?.0, true));
        }
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
        {
            self.pos += 1;
        }
        if self.pos == start {
            return self.err(format!(
                "expected an attribute name, a nested block or `}}`, found {}",
                self.found()
            ));
        }
        Ok((self.s[start..self.pos].to_string(), false))
    }

    /// A value, possibly an update `old -> new` (the side being read is kept).
    fn value(&mut self, path: &str, depth: usize, json: bool, col: usize) -> Result<Node, PErr> {
        let first = self.single(path, depth, json, col)?;
        self.skip_spaces();
        if self.starts("->") {
            self.pos += 2;
            self.skip_spaces();
            let second = self.single(path, depth, json, col)?;
            return Ok(if self.before { first } else { second });
        }
        Ok(first)
    }

    /// One value. `col` is the column where its entry starts (heredocs close there).
    fn single(&mut self, path: &str, depth: usize, json: bool, col: usize) -> Result<Node, PErr> {
        if depth > MAX_DEPTH {
            return self.err(format!(
                "values nest more than {MAX_DEPTH} levels deep here"
            ));
        }
        let start = self.pos;
        match self.peek() {
            Some(b'"') => {
                let (text, start, end) = self.string()?;
                Ok(Node::new(
                    Kind::Str(PString::known(text)),
                    self.span(start, end),
                ))
            }
            Some(b'<') if self.starts("<<") => self.heredoc(col),
            Some(b'[') => self.list(path, depth, json),
            Some(b'{') => {
                let open = self.pos;
                self.pos += 1;
                self.skip_spaces();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(Node::new(
                        Kind::Object(Vec::new()),
                        self.span(open, self.pos),
                    ));
                }
                self.end_line("`{`")?;
                let body = self.members(path, depth + 1, false, json, open, "object")?;
                Ok(Node::new(
                    Kind::Object(body.members),
                    self.span(open, self.pos),
                ))
            }
            Some(b'(') => self.marker(path),
            Some(b'j') if self.starts("jsonencode(") => self.jsonencode(path, depth, json),
            Some(b't') if self.starts_word("true") => {
                self.pos += 4;
                Ok(Node::new(Kind::Bool(true), self.span(start, self.pos)))
            }
            Some(b'f') if self.starts_word("false") => {
                self.pos += 5;
                Ok(Node::new(Kind::Bool(false), self.span(start, self.pos)))
            }
            Some(b'n') if self.starts_word("null") => {
                self.pos += 4;
                Ok(Node::new(Kind::Null, self.span(start, self.pos)))
            }
            Some(c) if c == b'-' || c.is_ascii_digit() => self.number(),
            _ => self.err(format!("expected a value, found {}", self.found())),
        }
    }

    /// `(known after apply)`, `(sensitive value)`, `(write-only attribute)`…: unknown.
    fn marker(&mut self, path: &str) -> Result<Node, PErr> {
        let start = self.pos;
        let end = self.line_end(self.pos);
        let Some(close) = self.s[start..end].find(')') else {
            return self.err(format!(
                "expected `(known after apply)` or a value, found {}",
                self.found()
            ));
        };
        self.pos = start + close + 1;
        let text = &self.s[start..self.pos];
        Ok(self.unknown(
            path,
            format!("{path} is {text} in the plan text"),
            start,
            self.pos,
        ))
    }

    fn number(&mut self) -> Result<Node, PErr> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.pos;
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.pos += 1;
            }
            p.pos > s
        };
        if !digits(self) {
            self.pos = start;
            return self.err(format!("expected a value, found {}", self.found()));
        }
        if self.peek() == Some(b'.') && self.b.get(self.pos + 1).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
            digits(self);
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let save = self.pos;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !digits(self) {
                self.pos = save;
            }
        }
        Ok(Node::new(
            Kind::Number(self.s[start..self.pos].to_string()),
            self.span(start, self.pos),
        ))
    }

    /// A list `[ … ]`, one element a line (`+ "a",`), or `[]`.
    fn list(&mut self, path: &str, depth: usize, json: bool) -> Result<Node, PErr> {
        let open = self.pos;
        self.pos += 1;
        self.skip_spaces();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Node::new(
                Kind::Array(Vec::new()),
                self.span(open, self.pos),
            ));
        }
        self.end_line("`[`")?;
        let mut items = Vec::new();
        loop {
            self.skip_blank();
            match self.peek() {
                None => {
                    return self.err(format!(
                        "expected `]` closing the list opened at line {}, found the end of the text",
                        self.line_no(open)
                    ));
                }
                Some(b'#') => {
                    let hidden = self.hidden;
                    self.comment();
                    if self.hidden > hidden {
                        self.hidden_in.push(path.to_string());
                    }
                    continue;
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Node::new(Kind::Array(items), self.span(open, self.pos)));
                }
                _ => {}
            }
            let sym = self.sym();
            self.skip_spaces();
            let col = self.col(self.pos);
            let item = self.value(&format!("{path}[{}]", items.len()), depth + 1, json, col)?;
            self.skip_spaces();
            if self.peek() == Some(b',') {
                self.pos += 1;
            }
            self.end_line("a list element")?;
            if self.keeps(sym) {
                items.push(item);
            }
        }
    }

    /// `jsonencode(` … `)`: the JSON value itself (an object, as HCL's `jsonencode`), or, nested
    /// in another JSON document, the string it encodes. With hidden parts, it is unknown.
    fn jsonencode(&mut self, path: &str, depth: usize, json: bool) -> Result<Node, PErr> {
        let start = self.pos;
        self.pos += "jsonencode(".len();
        let hidden = self.hidden;
        let hidden_mark = self.hidden_in.len();
        self.skip_spaces();
        let node = if matches!(self.peek(), None | Some(b'\n' | b'#')) {
            self.end_line("`jsonencode(`")?;
            self.skip_blank();
            self.sym();
            self.skip_spaces();
            let col = self.col(self.pos);
            let node = self.value(path, depth + 1, true, col)?;
            self.end_line("the `jsonencode` value")?;
            self.skip_blank();
            node
        } else {
            let col = self.col(self.pos);
            let node = self.value(path, depth + 1, true, col)?;
            self.skip_spaces();
            node
        };
        if self.peek() != Some(b')') {
            return self.err(format!(
                "expected `)` closing the `jsonencode(` at line {}, found {}",
                self.line_no(start),
                self.found()
            ));
        }
        self.pos += 1;
        let mut node = node;
        if self.hidden > hidden && !json && self.partly_shown_policy(path, hidden_mark, &mut node) {
            return Ok(node);
        }
        if self.hidden > hidden {
            return Ok(self.unknown(
                path,
                format!(
                    "{path} is only partly shown in the plan text (unchanged parts are hidden); \
                     `terraform show -json PLANFILE` shows it in full"
                ),
                start,
                self.pos,
            ));
        }
        if !json {
            return Ok(node);
        }
        Ok(match to_json(&node) {
            Some(text) => Node::new(Kind::Str(PString::known(text)), self.span(start, self.pos)),
            None => self.unknown(
                path,
                format!("{path} holds a value known only after apply"),
                start,
                self.pos,
            ),
        })
    }

    /// A bucket policy shown in part (`# (N unchanged … hidden)` inside its `jsonencode`):
    /// the statements shown in full are kept and evaluated, a statement with hidden parts is
    /// left out, and what is hidden is named in a note. A hidden `Version` is unknown. Only for
    /// `aws_s3_bucket_policy`, whose findings come from the Deny statements shown; a key policy
    /// shown in part stays unknown (a hidden Allow may be the grant a rule looks for).
    fn partly_shown_policy(&mut self, path: &str, mark: usize, node: &mut Node) -> bool {
        if !self.address.contains("aws_s3_bucket_policy.") || !path.ends_with(".policy") {
            return false;
        }
        let Kind::Object(members) = &mut node.kind else {
            return false;
        };
        let list = format!("{path}.Statement");
        let prefix = format!("{list}[");
        let mut whole_hidden = false;
        let mut partial: Vec<usize> = Vec::new();
        for at in &self.hidden_in[mark..] {
            if at == path {
                continue;
            } else if *at == list {
                whole_hidden = true;
            } else if let Some(index) = at
                .strip_prefix(&prefix)
                .and_then(|r| r.split(']').next())
                .and_then(|i| i.parse::<usize>().ok())
            {
                if !partial.contains(&index) {
                    partial.push(index);
                }
            } else {
                return false;
            }
        }
        let Some(statements) = members.iter_mut().find(|m| m.key == "Statement") else {
            return false;
        };
        let Kind::Array(items) = &mut statements.value.kind else {
            return false;
        };
        let shown = items.len();
        let mut i = 0;
        items.retain(|_| {
            i += 1;
            !partial.contains(&(i - 1))
        });
        if items.is_empty() {
            return false;
        }
        if !members.iter().any(|m| m.key == "Version") {
            let span = node.span;
            if let Kind::Object(members) = &mut node.kind {
                members.push(Member {
                    key: "Version".into(),
                    key_span: span,
                    value: Node::new(
                        Kind::Unknown(Hole::unknown(
                            format!("{path}.Version"),
                            format!("{path}.Version is hidden in the plan text (unchanged)"),
                        )),
                        span,
                    ),
                });
            }
        }
        let mut hidden = Vec::new();
        if !partial.is_empty() {
            hidden.push(format!(
                "{} of its {shown} statements shown only in part (left out)",
                partial.len()
            ));
        }
        if whole_hidden {
            hidden.push("unchanged statements not shown at all".to_string());
        }
        if !hidden.is_empty() {
            self.partial.push(format!(
                "the policy of {} is shown only in part in the plan text: the statements shown \
                 in full were checked, but not {}; `terraform show -json PLANFILE` shows them",
                self.address,
                hidden.join(", nor ")
            ));
        }
        true
    }

    /// A multi-line string `<<-EOT` … `EOT`. Its lines start four columns right of the
    /// closing marker, with the line's action symbol two columns right of it.
    fn heredoc(&mut self, col: usize) -> Result<Node, PErr> {
        let start = self.pos;
        self.pos += 2;
        if matches!(self.peek(), Some(b'-' | b'~')) {
            self.pos += 1;
        }
        let marker_start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
        {
            self.pos += 1;
        }
        if self.pos == marker_start {
            return self.err(format!(
                "expected a heredoc marker such as `EOT` after `<<`, found {}",
                self.found()
            ));
        }
        let marker = &self.s[marker_start..self.pos];
        self.end_line(&format!("`<<{marker}`"))?;
        let mut lines: Vec<&str> = Vec::new();
        let close_col;
        loop {
            if self.pos >= self.b.len() {
                return Err(PErr {
                    at: self.b.len(),
                    message: format!(
                        "expected `{marker}` closing the heredoc opened at line {}, found the end of the text",
                        self.line_no(start)
                    ),
                });
            }
            self.pos += 1; // the newline
            let ls = self.pos;
            let le = self.line_end(ls);
            let line = self.s[ls..le].trim_end_matches('\r');
            let trimmed = line.trim_start_matches(' ');
            let indent = line.len() - trimmed.len();
            if indent <= col
                && let Some(rest) = trimmed.strip_prefix(marker)
                && (rest.is_empty() || rest.starts_with([' ', '\t']))
            {
                close_col = indent;
                self.pos = ls + indent + marker.len();
                break;
            }
            lines.push(line);
            self.pos = le;
        }
        let mut text: Vec<&str> = Vec::new();
        for line in lines {
            let (sym, content) = heredoc_line(line, close_col);
            let keep = match sym {
                b'-' => self.before,
                b'+' => !self.before,
                _ => true,
            };
            if keep {
                text.push(content);
            }
        }
        Ok(Node::new(
            Kind::Str(PString::known(text.join("\n"))),
            self.span(start, self.pos),
        ))
    }

    /// A Go-quoted string (`%q`): its text, and where the literal starts and ends.
    fn string(&mut self) -> Result<(String, usize, usize), PErr> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.s[self.pos..].chars().next().filter(|&c| c != '\n') else {
                return Err(PErr {
                    at: start,
                    message: "this string has no closing `\"` on its line".to_string(),
                });
            };
            self.pos += c.len_utf8();
            match c {
                '"' => return Ok((out, start, self.pos)),
                '\\' => {
                    let Some(e) = self.s[self.pos..].chars().next().filter(|&c| c != '\n') else {
                        continue;
                    };
                    self.pos += e.len_utf8();
                    let hex = |p: &mut Self, n: usize| -> char {
                        let digits = p.s.get(p.pos..p.pos + n).unwrap_or("");
                        match u32::from_str_radix(digits, 16)
                            .ok()
                            .and_then(char::from_u32)
                        {
                            Some(c) if digits.len() == n => {
                                p.pos += n;
                                c
                            }
                            _ => '\u{FFFD}',
                        }
                    };
                    match e {
                        'a' => out.push('\u{7}'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'v' => out.push('\u{b}'),
                        '\\' | '"' | '\'' => out.push(e),
                        'x' => out.push(hex(self, 2)),
                        'u' => out.push(hex(self, 4)),
                        'U' => out.push(hex(self, 8)),
                        '0'..='7' => {
                            let digits = self.s.get(self.pos - 1..self.pos + 2).unwrap_or("");
                            match u32::from_str_radix(digits, 8).ok().and_then(char::from_u32) {
                                Some(c) if digits.len() == 3 => {
                                    self.pos += 2;
                                    out.push(c);
                                }
                                _ => out.push(e),
                            }
                        }
                        other => {
                            out.push('\\');
                            out.push(other);
                        }
                    }
                }
                c => out.push(c),
            }
        }
    }
}

/// The action symbol and the text of one heredoc line whose closing marker is at
/// `close_col`.
fn heredoc_line(line: &str, close_col: usize) -> (u8, &str) {
    let b = line.as_bytes();
    let sym_at = close_col + 2;
    let text_at = close_col + 4;
    let prefix_ok = (0..text_at.min(b.len()))
        .all(|i| b[i] == b' ' || (i == sym_at && matches!(b[i], b'+' | b'-' | b'~')));
    if prefix_ok {
        let sym = b.get(sym_at).copied().unwrap_or(b' ');
        (sym, line.get(text_at..).unwrap_or(""))
    } else {
        (b' ', line.trim_start())
    }
}

/// Adds a nested block to the list under its name.
fn push_block(members: &mut Vec<Member>, key: String, key_span: Span, block: Node) {
    if let Some(m) = members.iter_mut().find(|m| m.key == key) {
        match &mut m.value.kind {
            Kind::Array(items) => {
                m.value.span = m.value.span.to(block.span);
                items.push(block);
            }
            _ => {
                let span = m.value.span.to(block.span);
                let old = std::mem::replace(&mut m.value, Node::new(Kind::Null, span));
                m.value = Node::new(Kind::Array(vec![old, block]), span);
            }
        }
        return;
    }
    let value = match block.kind {
        Kind::Unknown(_) => block,
        _ => {
            let span = block.span;
            Node::new(Kind::Array(vec![block]), span)
        }
    };
    members.push(Member {
        key,
        key_span,
        value,
    });
}

fn is_identifier(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The compact JSON text of a value, `None` when part of it is unknown.
fn to_json(node: &Node) -> Option<String> {
    Some(match &node.kind {
        Kind::Null => "null".to_string(),
        Kind::Bool(b) => b.to_string(),
        Kind::Number(n) => n.clone(),
        Kind::Str(s) => serde_json::to_string(s.as_known()?).ok()?,
        Kind::Array(items) => {
            let parts: Option<Vec<String>> = items.iter().map(to_json).collect();
            format!("[{}]", parts?.join(","))
        }
        Kind::Object(members) => {
            let parts: Option<Vec<String>> = members
                .iter()
                .map(|m| {
                    Some(format!(
                        "{}:{}",
                        serde_json::to_string(&m.key).ok()?,
                        to_json(&m.value)?
                    ))
                })
                .collect();
            format!("{{{}}}", parts?.join(","))
        }
        Kind::Unknown(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansi_is_stripped_and_offsets_map_back() {
        let text = "\u{1b}[1m  # a.b\u{1b}[0m will be created";
        let clean = strip_ansi(text);
        assert_eq!(clean.text, "  # a.b will be created");
        let hash = clean.text.find('#').unwrap();
        assert_eq!(&text[clean.map[hash] as usize..][..1], "#");
        assert_eq!(clean.map.len(), clean.text.len() + 1);
    }

    #[test]
    fn module_prefixes() {
        assert_eq!(module_prefix("aws_s3_bucket.b"), "");
        assert_eq!(
            module_prefix("module.logs[\"a\"].aws_s3_bucket.this"),
            "module.logs[\"a\"]."
        );
        assert_eq!(
            module_prefix("module.a.module.b[0].data.x.y"),
            "module.a.module.b[0]."
        );
    }

    #[test]
    fn comment_lines() {
        let c = comment_line("  # module.m[\"a b\"].aws_s3_bucket.b will be destroyed").unwrap();
        assert_eq!(c.address, "module.m[\"a b\"].aws_s3_bucket.b");
        assert_eq!(c.verb, Verb::Delete);
        let c = comment_line("  # aws_s3_bucket.b (deposed object 1a2b3c4d) will be destroyed")
            .unwrap();
        assert_eq!(
            (c.address.as_str(), c.verb),
            ("aws_s3_bucket.b", Verb::Delete)
        );
        let c = comment_line("  # aws_s3_bucket.a has moved to aws_s3_bucket.b").unwrap();
        assert_eq!(
            (c.address.as_str(), c.verb),
            ("aws_s3_bucket.b", Verb::NoOp)
        );
        assert!(comment_line("      # (3 unchanged attributes hidden)").is_none());
        assert!(comment_line("  # (config refers to values not yet known)").is_none());
    }

    #[test]
    fn heredoc_lines_split_symbol_and_text() {
        assert_eq!(heredoc_line("              {", 8), (b' ', "  {"));
        assert_eq!(heredoc_line("          + x", 8), (b'+', "x"));
        assert_eq!(heredoc_line("", 8), (b' ', ""));
    }
}
