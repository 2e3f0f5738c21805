//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning accepts it.
//!
//! One run. The driver lists every rule (code, name, short and full description, the rule's
//! documentation as help, default level, and the rule's `security-severity` and tags, from its
//! [`RuleInfo`]: this module knows no rule by its code); each result points at
//! its rule by id and index, has a region with 1-based start and end line and column
//! (columns count Unicode code points, `columnKind` says so), related locations (e.g. where a
//! plan has the resource, next to the source), and a partial fingerprint that stays the same
//! when lines move (a hash of the rule, the file, the resource and the message, without
//! positions). A finding with a fix ([`Diagnostic::fix`]) carries it as `fixes`.
//! Inputs that could not be read are tool execution notifications of the invocation.

use super::{Report, display_path, load_error_location};
use crate::rules::{Diagnostic, RULES, RuleInfo, Severity};
use crate::source::{Sources, Span};
use serde::Serialize;
use std::collections::BTreeMap;

/// The schema this output follows.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The base every artifact URI is relative to: the working directory of the run.
pub const SRCROOT: &str = "%SRCROOT%";

/// The tool's home, for `informationUri`: the package's repository when it is set, else
/// Clumio's site.
const INFORMATION_URI: &str = match option_env!("CARGO_PKG_REPOSITORY") {
    Some(uri) if !uri.is_empty() => uri,
    _ => "https://clumio.com",
};

/// The partial fingerprint's key (versioned: a change of the hash gets a new key).
pub const FINGERPRINT_KEY: &str = "clumioPreflight/v1";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: Vec<Invocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<BTreeMap<&'static str, ArtifactLocation>>,
    column_kind: &'static str,
    /// Rendered apart ([`super::json::write_with_list`]).
    results: super::json::ListSlot,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
/// A rule as SARIF describes it (`reportingDescriptor`).
struct ReportingDescriptor<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text,
    full_description: Text,
    help: MultiformatMessage<'a>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
/// Text with a Markdown form (`multiformatMessageString`).
struct MultiformatMessage<'a> {
    text: &'a str,
    markdown: &'a str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    tags: Vec<&'static str>,
    precision: &'static str,
    #[serde(rename = "problem.severity")]
    problem_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
    /// `configuration`: the configuration file applied and what it turned off.
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<InvocationProperties>,
}

#[derive(Serialize)]
struct InvocationProperties {
    configuration: super::AppliedConfig,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation>,
    partial_fingerprints: BTreeMap<&'static str, &'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    resource: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<&'a str>,
    help: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation {
    id: usize,
    physical_location: PhysicalLocation,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: Vec<ArtifactChange>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: InsertedContent,
}

#[derive(Serialize)]
struct InsertedContent {
    text: String,
}

/// SARIF `level` of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// The "What it checks." paragraph of a rule's documentation, as plain text; the summary
/// when there is none.
fn full_description(rule: &RuleInfo) -> String {
    let marker = "**What it checks.**";
    let Some(at) = rule.docs.find(marker) else {
        return rule.summary.to_string();
    };
    let paragraph = rule.docs[at + marker.len()..]
        .split("\n\n")
        .next()
        .unwrap_or_default();
    let text = paragraph
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("**", "");
    if text.is_empty() {
        rule.summary.to_string()
    } else {
        text
    }
}

/// A file name as a relative URI reference (percent-encoded, forward slashes), or an absolute
/// `file:` URI for a path outside the working directory.
pub fn uri(name: &str) -> (String, Option<&'static str>) {
    let shown = display_path(name);
    let absolute = std::path::Path::new(&shown).is_absolute();
    let mut out = String::new();
    if absolute {
        out.push_str("file://");
        if !shown.starts_with('/') {
            out.push('/');
        }
    }
    for b in shown.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char);
            }
            b'\\' if cfg!(windows) => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    (out, (!absolute).then_some(SRCROOT))
}

/// FNV-1a, 64 bits: small, stable across versions and platforms, and enough to tell
/// findings apart within one repository (it is not a security boundary).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The message without anything that moves when lines move: `:LINE:COLUMN` and `line N`
/// become `#`. One pass over the bytes (the patterns are ASCII, which never occurs inside
/// the encoding of another character).
pub fn normalize_message(message: &str) -> String {
    let bytes = message.as_bytes();
    let digit_at = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let mut out = String::with_capacity(message.len());
    let mut i = 0;
    while i < bytes.len() {
        // `:12` or `:12:5` right after a file name.
        if bytes[i] == b':' && digit_at(i + 1) {
            out.push_str(":#");
            i += 1;
            while digit_at(i) || (bytes.get(i) == Some(&b':') && digit_at(i + 1)) {
                i += 1;
            }
            continue;
        }
        // `line 12`, `lines 3`.
        for word in ["line ", "lines "] {
            if bytes[i..].starts_with(word.as_bytes()) && digit_at(i + word.len()) {
                out.push_str(word);
                out.push('#');
                i += word.len();
                while digit_at(i) {
                    i += 1;
                }
            }
        }
        if let Some(c) = message.get(i..).and_then(|rest| rest.chars().next()) {
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The fingerprint of a diagnostic before de-duplication: code, file, resource and
/// normalized message.
pub fn fingerprint(code: &str, file: &str, resource: &str, message: &str) -> u64 {
    let text = format!(
        "{code}\u{0}{file}\u{0}{resource}\u{0}{}",
        normalize_message(message)
    );
    fnv1a64(text.as_bytes())
}

fn region(sources: &Sources, span: Span) -> Region {
    let (start, end) = sources.range(span);
    Region {
        start_line: start.line,
        start_column: start.column,
        end_line: end.line,
        end_column: end.column.max(if end.line == start.line {
            start.column + 1
        } else {
            1
        }),
    }
}

fn physical(sources: &Sources, span: Span) -> PhysicalLocation {
    let (uri, base) = uri(&sources.file(span.file).name);
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri,
            uri_base_id: base,
        },
        region: Some(region(sources, span)),
    }
}

/// The fix the rule vouches for ([`Diagnostic::fix`]), as SARIF `fixes`: one artifact change
/// per file, when every edit still finds the text it expects.
fn fix(sources: &Sources, d: &Diagnostic) -> Option<SarifFix> {
    let fix = super::fixes::applicable(sources, d)?;
    let mut changes: Vec<(crate::source::FileId, ArtifactChange)> = Vec::new();
    for edit in &fix.edits {
        let replacement = Replacement {
            deleted_region: region(sources, edit.span),
            inserted_content: InsertedContent {
                text: edit.text.clone(),
            },
        };
        match changes.iter_mut().find(|(file, _)| *file == edit.span.file) {
            Some((_, change)) => change.replacements.push(replacement),
            None => {
                let (uri, base) = uri(&sources.file(edit.span.file).name);
                changes.push((
                    edit.span.file,
                    ArtifactChange {
                        artifact_location: ArtifactLocation {
                            uri,
                            uri_base_id: base,
                        },
                        replacements: vec![replacement],
                    },
                ));
            }
        }
    }
    Some(SarifFix {
        description: Text {
            text: fix.description.clone(),
        },
        artifact_changes: changes.into_iter().map(|(_, c)| c).collect(),
    })
}

/// One result: a diagnostic with its fingerprint.
fn result<'a>(sources: &Sources, d: &'a Diagnostic, print: &'a str) -> SarifResult<'a> {
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(FINGERPRINT_KEY, print);
    SarifResult {
        rule_id: d.rule.code,
        rule_index: RULES
            .iter()
            .position(|r| r.code == d.rule.code)
            .unwrap_or_default(),
        level: level(d.severity),
        message: Text {
            text: format!("{}\n\nhelp: {}", d.message, d.help),
        },
        locations: vec![Location {
            physical_location: physical(sources, d.span),
        }],
        related_locations: d
            .related
            .iter()
            .map(|r| (r.span, r.message.clone()))
            .chain(super::callers::related(d))
            .enumerate()
            .map(|(i, (span, message))| RelatedLocation {
                id: i + 1,
                physical_location: physical(sources, span),
                message: Text { text: message },
            })
            .collect(),
        partial_fingerprints: fingerprints,
        fixes: fix(sources, d).into_iter().collect(),
        properties: ResultProperties {
            resource: &d.resource,
            target: d.target.as_deref(),
            help: &d.help,
        },
    }
}

/// The SARIF log of a report.
pub fn render(report: &Report) -> String {
    super::pieces::to_string(|out| write(report, out))
}

/// Writes the SARIF log of a report to `out` as it is serialized (the same text as
/// [`render`], never held whole: the log of a plan with tens of thousands of findings is
/// many times the plan's size).
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let sources = &report.sources;
    let rules: Vec<ReportingDescriptor> = RULES
        .iter()
        .map(|rule| ReportingDescriptor {
            id: rule.code,
            name: rule.name,
            short_description: Text {
                text: rule.summary.to_string(),
            },
            full_description: Text {
                text: full_description(rule),
            },
            help: MultiformatMessage {
                text: rule.docs,
                markdown: rule.docs,
            },
            default_configuration: Configuration {
                level: level(rule.severity),
            },
            properties: RuleProperties {
                security_severity: rule.security_severity,
                tags: rule.tags.to_vec(),
                precision: "high",
                problem_severity: match rule.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Note => "recommendation",
                },
            },
        })
        .collect();
    let mut notifications: Vec<Notification> = report
        .load_errors
        .iter()
        .map(|e| {
            let (name, at) = load_error_location(sources, e);
            let locations = match (e.span, e.file) {
                (Some(span), _) => vec![Location {
                    physical_location: physical(sources, span),
                }],
                (None, _) if !name.is_empty() => {
                    let (uri, base) = uri(&name);
                    vec![Location {
                        physical_location: PhysicalLocation {
                            artifact_location: ArtifactLocation {
                                uri,
                                uri_base_id: base,
                            },
                            region: None,
                        },
                    }]
                }
                _ => Vec::new(),
            };
            let at = at.map(|a| format!(":{a}")).unwrap_or_default();
            Notification {
                level: "error",
                message: Text {
                    text: format!("{}{at}: {}", display_path(&name), e.message),
                },
                locations,
            }
        })
        .collect();
    notifications.extend(report.run_warnings.iter().map(|w| Notification {
        level: "warning",
        message: Text { text: w.clone() },
        locations: Vec::new(),
    }));
    notifications.extend(report.notes.iter().map(|n| Notification {
        level: "note",
        message: Text { text: n.clone() },
        locations: Vec::new(),
    }));
    let base_uri = std::env::current_dir().ok().map(|dir| {
        let (mut uri, _) = uri(&dir.to_string_lossy());
        if !uri.ends_with('/') {
            uri.push('/');
        }
        uri
    });
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "clumio-preflight",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules,
                },
            },
            invocations: vec![Invocation {
                execution_successful: report.load_errors.is_empty(),
                tool_execution_notifications: notifications,
                properties: report
                    .configuration
                    .clone()
                    .map(|configuration| InvocationProperties { configuration }),
            }],
            original_uri_base_ids: base_uri.map(|uri| {
                let mut m = BTreeMap::new();
                m.insert(
                    SRCROOT,
                    ArtifactLocation {
                        uri,
                        uri_base_id: None,
                    },
                );
                m
            }),
            column_kind: "unicodeCodePoints",
            results: super::json::ListSlot,
        }],
    };
    let skeleton = super::escape::json(serde_json::to_string_pretty(&log)?);
    let (list, prints) = (&report.diagnostics, super::fingerprint::all(report));
    // `results` is the last member of the run, the only element of `runs`.
    super::json::write_with_list(out, &skeleton, "\"results\": []", 3, list.len(), |i| {
        result(sources, &list[i], &prints[i])
    })?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_rendered_in_pieces_are_the_list_serde_writes() {
        use crate::report::json::tests::{HOSTILE, SIZES, assert_list_as_serde_writes_it, report};
        for n in SIZES {
            let report = report(n);
            let text = render(&report);
            let prints = crate::report::fingerprint::all(&report);
            let list: Vec<SarifResult> = report
                .diagnostics
                .iter()
                .zip(&prints)
                .map(|(d, print)| result(&report.sources, d, print))
                .collect();
            let span = ("\"results\": ", "\n    }\n  ]\n}\n");
            let log = assert_list_as_serde_writes_it(&text, span, &list, 3);
            let results = log["runs"][0]["results"].as_array().unwrap();
            assert_eq!(results.len(), n);
            if n > 0 {
                assert_eq!(
                    results[0]["properties"]["resource"],
                    format!("r0 {HOSTILE}")
                );
                assert_eq!(results[0]["relatedLocations"].as_array().unwrap().len(), 2);
                assert!(results[0]["fixes"][0]["artifactChanges"].is_array());
            }
        }
    }

    #[test]
    fn fnv1a64_known_values() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn positions_do_not_change_the_fingerprint() {
        assert_eq!(
            normalize_message("see main.tf:12:5 and line 40"),
            "see main.tf:# and line #"
        );
        assert_eq!(
            fingerprint("CP101", "a.tf", "r", "at main.tf:3:1"),
            fingerprint("CP101", "a.tf", "r", "at main.tf:30:7")
        );
        assert_ne!(
            fingerprint("CP101", "a.tf", "r", "m"),
            fingerprint("CP102", "a.tf", "r", "m")
        );
        assert_eq!(normalize_message("10:30 a:b"), "10:# a:b");
        // Other characters are kept whole, and only what follows the patterns goes.
        assert_eq!(
            normalize_message("é:1:2:x line 5lines 6:7 \u{202e}line x lines 08é"),
            "é:#:x line #lines #:7 \u{202e}line x lines #é"
        );
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            uri("envs/prod main/a.tf"),
            ("envs/prod%20main/a.tf".to_string(), Some(SRCROOT))
        );
        assert_eq!(uri("/nowhere/x y.tf").0, "file:///nowhere/x%20y.tf");
    }

    #[test]
    fn full_description_is_the_what_it_checks_paragraph() {
        let rule = crate::rules::find("CP302").unwrap();
        let text = full_description(rule);
        assert!(
            text.starts_with("A bucket whose object ownership"),
            "{text}"
        );
        assert!(!text.contains("**"));
    }
}
