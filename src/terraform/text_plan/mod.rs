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
//! - Only resources of the types the front end's table ([`crate::terraform::types`]) reads
//!   are kept; a block of any other type is still parsed (its errors and hidden parts count).
//! - Every note is located: at the first place it concerns (the first hidden part, the first
//!   value that cannot be linked, the line that says planning failed, …).
//!
//! Malformed or truncated text gives a [`LoadError`] at the place where the parser stopped,
//! saying what it expected; the other resource blocks are still read.

use crate::resource::{Lifecycle, LoadError, Mode, Resource};
use crate::source::{FileId, Sources, Span};
use crate::terraform::types;
use crate::value::{Hole, Kind, Member, Node, PString};

use detect::{is_content, strip_ansi};
use header::{Comment, Verb, comment_line, is_header_line, module_prefix, next_is_header};
use notes::{
    caller_account, existing_buckets_without_ownership, known_str, link_notes,
    link_policies_to_buckets,
};
use parser::{PErr, TextPlanParser};
use values::{is_identifier, push_block};

mod detect;
mod header;
mod notes;
mod parser;
mod values;

pub use detect::{is_text_plan, without_ansi};

/// How deeply values may nest before the text is rejected.
pub const MAX_DEPTH: usize = 256;

/// The legacy inline arguments of `aws_s3_bucket` that the provider also computes.
const BUCKET_LEGACY: &[&str] = &[
    "policy",
    "acl",
    "grant",
    "server_side_encryption_configuration",
];

/// What the text plan yielded.
#[derive(Debug, Default)]
pub struct TextPlan {
    /// One resource per planned resource change, in the order of the text.
    pub resources: Vec<Resource>,
    /// Text that could not be read: where, and what was expected.
    pub errors: Vec<LoadError>,
    /// What the text does not show (said once each), located at the first place it concerns.
    pub notes: Vec<LoadError>,
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
    let mut p = TextPlanParser {
        s: &clean.text,
        b: clean.text.as_bytes(),
        map: &clean.map,
        file,
        pos: 0,
        hidden: 0,
        first_hidden: None,
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
    // Counted, and where the first one is (the notes point there).
    let mut deferred = (0usize, None);
    let mut no_changes = None;
    let mut failed = None;
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
        let trimmed = || p.span(pos + (line.len() - line.trim_start().len()), end);
        if (t.contains("Planning failed") || t.contains("but then encountered a problem"))
            && failed.is_none()
        {
            failed = Some(trimmed());
        }
        if t.starts_with("No changes.") && no_changes.is_none() {
            no_changes = Some(trimmed());
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
                Verb::Deferred => {
                    deferred.0 += 1;
                    deferred.1 = deferred.1.or_else(|| Some(trimmed()));
                }
                _ if in_drift => {}
                _ => {
                    p.pos = next;
                    let hash = pos + line.find('#').unwrap_or(0);
                    match p.resource(&comment, hash) {
                        Ok(Some(r)) => {
                            // The front end's table: a resource of a type no front end
                            // reads is parsed (its errors and hidden parts count) but not
                            // kept, as the plan JSON reader skips it.
                            if types::is_read(&r.rtype) {
                                out.resources.push(r);
                            }
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
        let addresses: Vec<&str> = unowned.iter().map(|r| r.address.as_str()).collect();
        format!(
            "CP304 on {} (which the plan keeps) may only mean that the text does not show \
             {} ownership controls",
            addresses.join(", "),
            if unowned.len() == 1 { "its" } else { "their" }
        )
    });
    if let Some(first_hidden) = p.first_hidden {
        let note = p.note(
            first_hidden,
            format!(
                "the text of `terraform plan` leaves out what a change does not touch (\"# (N \
             unchanged attributes hidden)\", \"# (N unchanged blocks hidden)\"): settings this \
             plan does not change, and policies it shows only in part, were not checked{}; \
             `terraform show -json PLANFILE` gives the full picture",
                unowned_clause
                    .as_ref()
                    .map(|c| format!(", and {c}"))
                    .unwrap_or_default()
            ),
        );
        out.notes.push(note);
    } else if let (Some(clause), Some(first)) = (unowned_clause, unowned.first()) {
        out.notes.push(p.note(
            first.header,
            format!(
                "the text of `terraform plan` shows only the resources a plan changes: \
                 {clause}; `terraform show -json PLANFILE` gives the full picture"
            ),
        ));
    }
    if let (count @ 1.., Some(at)) = deferred {
        out.notes.push(p.note(
            at,
            format!(
                "{count} resource change{} deferred to a later plan (\"was deferred\"), and \
                 not checked",
                if count == 1 { " is" } else { "s are" },
            ),
        ));
    }
    if let Some(at) = failed {
        out.notes.push(
            p.note(
                at,
                "Terraform reported that planning failed: the plan text may not show every change"
                    .to_string(),
            ),
        );
    }
    if let Some(at) = no_changes
        && out.resources.is_empty()
        && out.errors.is_empty()
    {
        out.notes.push(
            p.note(
                at,
                "the plan has no changes, and the text of `terraform plan` shows only changes: \
             nothing was checked; scan the configuration or `terraform show -json PLANFILE` \
             instead"
                    .to_string(),
            ),
        );
    }
    out.notes.append(&mut p.partial);
    link_policies_to_buckets(&mut out.resources);
    out.notes.extend(
        link_notes(&out.resources)
            .into_iter()
            .map(|(at, message)| p.note(at, message)),
    );
    out.account_id = caller_account(p.s);
    out
}
