//! Inline suppressions, each with a reason, and the paths the configuration excludes.
//!
//! - Terraform: a comment `# clumio-preflight:ignore CP302 reason…` (or `//`) at the end of a
//!   line, or on its own line(s) above it. It covers the block or argument that starts on that
//!   line (a `resource` block: everything reported inside it), and any diagnostic that starts
//!   on that line (a statement of a `jsonencode` policy, say). Several codes may be listed,
//!   separated by commas or spaces; the reason is the text after them. A comment on a
//!   `module` block does not reach into the module (a diagnostic does not say which root
//!   module's call it came from, and two roots may call modules of the same name): the
//!   comment belongs in the module's own file, where it covers every instance.
//! - CloudFormation: on the resource,
//!   `Metadata: { clumio-preflight: { ignore: [{ code: CP302, reason: … }] } }`. It covers
//!   everything reported inside the resource or naming it.
//!
//! The suppressions are read by the front ends from their own parse of each file
//! ([`terraform_file`] from the Terraform loader's HCL body, [`template`] from the
//! CloudFormation front end's document) and applied here after the rules ran ([`apply`]).
//!
//! A suppression without a reason does not apply; it, one that names no rule, and one that
//! suppresses nothing are reported as CP903 notes (unless the rule is turned off in the
//! configuration, in which case there is nothing to suppress).

use crate::config::Exclude;
use crate::report::{Report, load_error_location};
use crate::rules::{self, Diagnostic, RuleInfo, cp903_unused_suppression as cp903};
use crate::source::{FileId, SourceFile, Span};
use crate::value::{Kind, Node};
use hcl_edit::Span as _;
use hcl_edit::structure::{Body, Structure};
use std::collections::HashMap;

/// The marker that starts a Terraform suppression comment.
pub const MARKER: &str = "clumio-preflight:ignore";

/// The Metadata key of a CloudFormation suppression.
pub const METADATA_KEY: &str = "clumio-preflight";

/// Drops the diagnostics and load errors located in excluded files.
pub fn drop_excluded(report: &mut Report, exclude: &Exclude) {
    if exclude.is_empty() {
        return;
    }
    let sources = &report.sources;
    report
        .diagnostics
        .retain(|d| !exclude.matches_name(&sources.file(d.span.file).name));
    report.load_errors.retain(|e| {
        let (name, _) = load_error_location(sources, e);
        !exclude.matches_name(&name)
    });
}

/// One code named by a suppression.
#[derive(Debug)]
struct SuppressedCode {
    /// As written.
    written: String,
    /// The rule, when the code names one.
    rule: Option<&'static RuleInfo>,
    /// Whether it suppressed something.
    used: bool,
}

/// What a suppression covers, in its file.
#[derive(Debug, Default)]
struct Coverage {
    /// Diagnostics starting in this byte range (a block or argument, a resource).
    range: Option<(u32, u32)>,
    /// Diagnostics starting on this 1-based line.
    line: Option<usize>,
    /// Diagnostics naming this resource (a CloudFormation logical id).
    resource: Option<String>,
}

/// One suppression comment or Metadata entry, as a front end read it.
#[derive(Debug)]
pub struct Suppression {
    /// The file's name (a file loaded twice has two ids and one name).
    name: String,
    /// Where it is written.
    span: Span,
    /// The codes it names.
    entries: Vec<SuppressedCode>,
    /// Why, when given.
    reason: Option<String>,
    /// What it covers.
    scope: Coverage,
    /// The resource it is attached to, for the CP903 note.
    resource: String,
    /// A problem with how it is written, reported as CP903 whatever else.
    malformed: Option<String>,
    /// A CloudFormation Metadata entry (else a Terraform comment).
    metadata: bool,
}

impl Suppression {
    fn covers(&self, name: &str, file: &SourceFile, d: &Diagnostic) -> bool {
        if self.name != name {
            return false;
        }
        let start = d.span.start;
        self.scope
            .range
            .is_some_and(|(from, to)| from <= start && start < to)
            || self
                .scope
                .line
                .is_some_and(|line| file.line_col(start as usize).line == line)
            || self.scope.resource.as_deref() == Some(d.resource.as_str())
    }
}

/// Applies the inline suppressions the front ends read to the report: suppressed diagnostics
/// are removed (and counted in `report.suppressed`), and CP903 notes are added for
/// suppressions without a reason, naming no rule, or suppressing nothing. `is_off` says
/// whether the configuration turns a rule off; files `exclude` matches are skipped.
pub fn apply(
    report: &mut Report,
    suppressions: Vec<Suppression>,
    exclude: &Exclude,
    is_off: &dyn Fn(&str) -> bool,
) {
    let mut suppressions = collect(suppressions, exclude);
    if suppressions.is_empty() {
        return;
    }
    let sources = &report.sources;
    let before = report.diagnostics.len();
    report.diagnostics.retain(|d| {
        let file = sources.file(d.span.file);
        let mut suppressed = false;
        for s in &mut suppressions {
            if s.reason.is_none() || s.malformed.is_some() || !s.covers(&file.name, file, d) {
                continue;
            }
            for e in &mut s.entries {
                if e.rule.is_some_and(|r| r.code == d.rule.code) {
                    e.used = true;
                    suppressed = true;
                }
            }
        }
        !suppressed
    });
    report.suppressed += before - report.diagnostics.len();
    let mut notes = Vec::new();
    for s in &suppressions {
        for (message, help) in problems(s, is_off) {
            notes.push(Diagnostic {
                fix: None,
                rule: &cp903::INFO,
                severity: cp903::INFO.severity,
                message,
                help,
                span: s.span,
                label: "suppression".into(),
                // Outside any resource (a comment above `locals`, say): the file.
                resource: if s.resource.is_empty() {
                    s.name.clone()
                } else {
                    s.resource.clone()
                },
                target: None,
                related: Vec::new(),
                callers: Vec::new(),
                help_parts: Vec::new(),
            });
        }
    }
    report.diagnostics.extend(notes);
    report.diagnostics.sort_by(|a, b| {
        (a.span.file, a.span.start, a.rule.code).cmp(&(b.span.file, b.span.start, b.rule.code))
    });
}

/// What is wrong with a suppression: (message, help) per problem.
fn problems(s: &Suppression, is_off: &dyn Fn(&str) -> bool) -> Vec<(String, String)> {
    let example = "# clumio-preflight:ignore CP302 only this account writes to the bucket";
    if let Some(problem) = &s.malformed {
        return vec![(
            format!("suppression not understood: {problem}"),
            format!(
                "write `{example}` on or above the resource (Terraform), or `Metadata: {{ clumio-preflight: {{ ignore: [{{ code: CP302, reason: \"…\" }}] }} }}` \
                 on the resource (CloudFormation)"
            ),
        )];
    }
    if s.entries.is_empty() {
        return vec![(
            "suppression names no rule, so it suppresses nothing".into(),
            format!("name the rule and say why: `{example}`"),
        )];
    }
    let mut out = Vec::new();
    for e in &s.entries {
        match e.rule {
            None => out.push((
                format!("suppression of `{}` names no rule, so it suppresses nothing", e.written),
                "use a code from `clumio-preflight rules` (e.g. CP302)".into(),
            )),
            Some(rule) if s.reason.is_none() => out.push((
                format!(
                    "suppression of {} has no reason, so it does not apply: every suppression must say why",
                    rule.code
                ),
                if s.metadata {
                    format!(
                        "give the entry a reason: `{{ code: {}, reason: \"<why this is safe>\" }}`",
                        rule.code
                    )
                } else {
                    format!(
                        "write the reason after the code: `# clumio-preflight:ignore {} <why this is safe>`",
                        rule.code
                    )
                },
            )),
            Some(rule) if !e.used && !is_off(rule.code) => out.push((
                format!(
                    "suppression of {} suppresses nothing: no {} diagnostic is reported where it applies",
                    rule.code, rule.code
                ),
                if s.metadata {
                    "remove the entry, or move it to the Metadata of the resource the diagnostic names".into()
                } else {
                    "remove it, or move it onto the line of the resource header (or the line above it) it is meant for"
                        .into()
                },
            )),
            Some(_) => {}
        }
    }
    out
}

/// The suppressions to apply, one per written suppression, in file order: a file loaded
/// twice (a plan's sources) is read once, under its first id; pseudo-files (`--var` values)
/// and excluded files hold none.
fn collect(mut all: Vec<Suppression>, exclude: &Exclude) -> Vec<Suppression> {
    all.sort_by_key(|s| s.span.file);
    let mut first: HashMap<&str, FileId> = HashMap::new();
    for s in &all {
        first.entry(s.name.as_str()).or_insert(s.span.file);
    }
    let keep: Vec<bool> = all
        .iter()
        .map(|s| {
            let name = s.name.as_str();
            let pseudo = name.starts_with("--") || (name.starts_with('<') && name != "<stdin>");
            first.get(name) == Some(&s.span.file) && !pseudo && !exclude.matches_name(name)
        })
        .collect();
    let mut keep = keep.into_iter();
    all.retain(|_| keep.next().unwrap_or(false));
    all
}

/// A block or argument of an HCL body: (start, end, address for top-level resource, data
/// and module blocks).
type Extent = (usize, usize, Option<String>);

/// The extents of the blocks and arguments of `body`, nested ones included.
fn structures(body: &Body, out: &mut Vec<Extent>, depth: usize) {
    for s in body.iter() {
        match s {
            Structure::Attribute(attr) => {
                if let Some(r) = attr.span() {
                    out.push((r.start, r.end, None));
                }
            }
            Structure::Block(block) => {
                let Some(r) = block.span() else { continue };
                let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
                let address = match (block.ident.as_str(), labels.as_slice()) {
                    ("resource", [t, n]) if depth == 0 => Some(format!("{t}.{n}")),
                    ("data", [t, n]) if depth == 0 => Some(format!("data.{t}.{n}")),
                    ("module", [n]) if depth == 0 => Some(format!("module.{n}")),
                    _ => None,
                };
                out.push((r.start, r.end, address));
                if depth < 32 {
                    structures(&block.body, out, depth + 1);
                }
            }
        }
    }
}

/// Whether a line holds nothing but a comment (or nothing).
fn is_comment_or_blank(line: &str) -> bool {
    let t = line.trim_start();
    t.is_empty() || t.starts_with('#') || t.starts_with("//") || t.starts_with("/*")
}

/// The suppression comments of a Terraform file (`*.tf`), with the body the Terraform
/// loader parsed from it (`None` when it did not parse): the blocks a comment covers are
/// those of that body, and the resource blocks the loader's prefilter left out
/// ([`crate::terraform::prefilter`]).
pub fn terraform_file(id: FileId, file: &SourceFile, body: Option<&Body>) -> Vec<Suppression> {
    if !file.name.ends_with(".tf") || !file.text.contains(MARKER) {
        return Vec::new();
    }
    let mut blocks = Vec::new();
    if let Some(body) = body {
        structures(body, &mut blocks, 0);
        blocks.extend(crate::terraform::prefilter::left_out_resources(&file.text));
    }
    let lines: Vec<&str> = file.text.split_inclusive('\n').collect();
    let mut offset = 0usize;
    let mut out = Vec::new();
    for (index, raw) in lines.iter().enumerate() {
        let line_start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let Some(at) = line.find(MARKER) else {
            continue;
        };
        let before = line[..at].trim_end();
        let comment_start = if let Some(b) = before.strip_suffix('#') {
            b.len()
        } else if let Some(b) = before.strip_suffix("//") {
            b.len()
        } else {
            continue;
        };
        let code_before = !line[..comment_start].trim().is_empty();
        let number = index + 1;
        let target = if code_before {
            Some(number)
        } else {
            (index + 1..lines.len())
                .find(|&j| !is_comment_or_blank(lines[j]))
                .map(|j| j + 1)
        };
        let (entries, reason) = parse_marker(&line[at + MARKER.len()..]);
        let mut scope = Coverage {
            line: target,
            ..Coverage::default()
        };
        let mut resource = String::new();
        if let Some(target) = target {
            // The outermost block or argument starting on the target line.
            let outermost = blocks
                .iter()
                .filter(|(start, _, _)| file.line_col(*start).line == target)
                .max_by_key(|(start, end, _)| end - start);
            if let Some((start, end, address)) = outermost {
                scope.range = Some((*start as u32, *end as u32));
                // A comment inside a block names the resource the block belongs to.
                resource = address
                    .clone()
                    .or_else(|| {
                        blocks
                            .iter()
                            .find(|(s, e, a)| a.is_some() && s <= start && end <= e)
                            .and_then(|(_, _, a)| a.clone())
                    })
                    .unwrap_or_default();
            }
        }
        out.push(Suppression {
            name: file.name.clone(),
            span: Span::new(id, line_start + comment_start, line_start + line.len()),
            entries,
            reason,
            scope,
            resource,
            malformed: None,
            metadata: false,
        });
    }
    out
}

/// Whether `token` is written like a rule code (`CP302`), or is a rule's name.
fn looks_like_code(token: &str) -> bool {
    let b = token.as_bytes();
    (b.len() == 5
        && b[..2].iter().all(u8::is_ascii_alphabetic)
        && b[2..].iter().all(u8::is_ascii_digit))
        || rules::find(token).is_some()
}

/// The codes and the reason after the marker: ` CP302, CP303 reason…`.
fn parse_marker(rest: &str) -> (Vec<SuppressedCode>, Option<String>) {
    let mut entries = Vec::new();
    let mut rest = rest;
    loop {
        let trimmed = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        let end = trimmed
            .find(|c: char| c.is_whitespace() || c == ',' || c == ':')
            .unwrap_or(trimmed.len());
        let token = &trimmed[..end];
        if token.is_empty() || !looks_like_code(token) {
            rest = trimmed;
            break;
        }
        entries.push(SuppressedCode {
            written: token.to_string(),
            rule: rules::find(token),
            used: false,
        });
        rest = &trimmed[end..];
    }
    let reason = rest
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '-' | '–' | '—' | ':'))
        .trim_end()
        .trim_end_matches("*/")
        .trim_end();
    let reason = (!reason.is_empty()).then(|| reason.to_string());
    (entries, reason)
}

/// The suppressions in the `Metadata` of a CloudFormation template's resources, from the
/// document the front end parsed (`root`) from `file`.
pub fn template(file: &SourceFile, root: &Node) -> Vec<Suppression> {
    if !file.text.contains(METADATA_KEY) {
        return Vec::new();
    }
    let Some(resources) = root.get("Resources").and_then(Node::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for member in resources {
        let Some(meta) = member
            .value
            .get("Metadata")
            .and_then(|m| m.get(METADATA_KEY))
        else {
            continue;
        };
        let logical_id = member.key.clone();
        let scope = || Coverage {
            range: Some((member.key_span.start, member.value.span.end)),
            line: None,
            resource: Some(logical_id.clone()),
        };
        let base = |span: Span| Suppression {
            name: file.name.clone(),
            span,
            entries: Vec::new(),
            reason: None,
            scope: scope(),
            resource: logical_id.clone(),
            malformed: None,
            metadata: true,
        };
        let ignore = match meta.as_object() {
            Some(members) => {
                if let Some(other) = members.iter().find(|m| m.key != "ignore") {
                    let mut s = base(other.key_span);
                    s.malformed = Some(format!(
                        "unknown key `{}` under `{METADATA_KEY}`; only `ignore` is read",
                        other.key
                    ));
                    out.push(s);
                }
                match meta.get("ignore") {
                    Some(list) => list,
                    None => continue,
                }
            }
            None => {
                let mut s = base(meta.span);
                s.malformed = Some(format!(
                    "`{METADATA_KEY}` must be a mapping with an `ignore` list, not {}",
                    meta.shape()
                ));
                out.push(s);
                continue;
            }
        };
        let items: Vec<&Node> = match &ignore.kind {
            Kind::Array(items) => items.iter().collect(),
            _ => vec![ignore],
        };
        for item in items {
            let mut s = base(item.span);
            let text = |n: &Node| n.as_pstr().and_then(|p| p.as_known()).map(str::to_string);
            let (code, reason) = match &item.kind {
                Kind::Str(_) => (text(item), None),
                Kind::Object(members) => {
                    if let Some(other) = members
                        .iter()
                        .find(|m| m.key != "code" && m.key != "reason")
                    {
                        s.malformed = Some(format!(
                            "unknown key `{}` in an ignore entry; write `{{ code: CP302, reason: \"…\" }}`",
                            other.key
                        ));
                    }
                    (
                        item.get("code").and_then(text),
                        item.get("reason").and_then(text),
                    )
                }
                _ => {
                    s.malformed = Some(format!(
                        "an ignore entry must be `{{ code: CP302, reason: \"…\" }}`, not {}",
                        item.shape()
                    ));
                    (None, None)
                }
            };
            if let Some(code) = code {
                let code = code.trim().to_string();
                s.entries.push(SuppressedCode {
                    rule: rules::find(&code),
                    written: code,
                    used: false,
                });
            } else if s.malformed.is_none() {
                s.malformed = Some("the ignore entry has no `code`".into());
            }
            s.reason = reason
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty());
            out.push(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_codes_and_reason() {
        let (entries, reason) = parse_marker(" CP302, cp303 -- only we write here");
        let codes: Vec<&str> = entries.iter().map(|e| e.written.as_str()).collect();
        assert_eq!(codes, ["CP302", "cp303"]);
        assert_eq!(entries[1].rule.map(|r| r.code), Some("CP303"));
        assert_eq!(reason.as_deref(), Some("only we write here"));
        let (entries, reason) = parse_marker(" CP302");
        assert_eq!(entries.len(), 1);
        assert_eq!(reason, None);
        let (entries, reason) = parse_marker(" acl-in-use legacy logging bucket");
        assert_eq!(entries[0].rule.map(|r| r.code), Some("CP303"));
        assert_eq!(reason.as_deref(), Some("legacy logging bucket"));
        let (entries, reason) = parse_marker("");
        assert!(entries.is_empty() && reason.is_none());
        let (entries, _) = parse_marker(" XX999 why");
        assert!(entries[0].rule.is_none());
    }
}
