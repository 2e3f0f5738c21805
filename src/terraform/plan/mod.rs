//! The plan JSON front end (`terraform show -json PLAN`): resources as the plan will leave
//! them, with what is only known after apply kept unknown.
//!
//! - `resource_changes[].change.after` gives each resource's planned attributes, and
//!   `after_unknown` marks the leaves known only after apply; `actions` tells whether a
//!   bucket is created (CP304) or deleted (not checked).
//! - Data sources read at plan time (typically `aws_iam_policy_document`) live in
//!   `prior_state`, not in the changes.
//! - Where a value is unknown, the `configuration` section's references name what it comes
//!   from (`aws_s3_bucket.data.id`, `data.aws_iam_policy_document.p.json`, in nested blocks
//!   too); they become the hole ids the model links on, exactly as for the HCL front end.
//!   Only an expression that is nothing but one reference counts, and only for attributes
//!   that name a bucket, key or policy document: the references of `jsonencode({… Resource =
//!   [aws_s3_bucket.b.arn] …})` say what the policy refers to, not what it is.
//! - A policy known only after apply that is the `json` of an `aws_iam_policy_document` the
//!   plan read (in `prior_state`) is that document, as the provider rendered it; a policy
//!   nothing tells is unknown (CP902).
//! - The account the plan ran in (`data.aws_caller_identity`) is reported in
//!   [`Plan::account_id`]: the HCL front end stands for it with the profile's account hole.
//! - Policy attributes are JSON strings inside JSON: their nodes keep the span of the string
//!   literal, and the model parses them with offsets mapped through the escapes.

use crate::located_json::{OffsetMap, parse_json, parse_json_keeping};
use crate::resource::{Lifecycle, LoadError, Mode, Resource};
use crate::source::{FileId, SourceFile, Sources, Span};
use crate::value::{Hole, Kind, Member, Node, PString, Part};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// Whether `text` is plan JSON: an object with `format_version` and planned values or
/// resource changes (a few markers are looked at, not the whole document).
pub fn is_plan_json(text: &str) -> bool {
    let start = text.trim_start();
    start.starts_with('{')
        && text.contains("\"format_version\"")
        && (text.contains("\"resource_changes\"") || text.contains("\"planned_values\""))
}

/// Whether `text` is state JSON (`terraform show -json` without a plan file): an object with
/// `format_version` and `values` but neither planned values nor resource changes. An empty
/// state (`{"format_version":"1.0"}`) is state too.
pub fn is_state_json(text: &str) -> bool {
    let start = text.trim_start();
    start.starts_with('{')
        && text.contains("\"format_version\"")
        && !is_plan_json(text)
        && (text.contains("\"values\"")
            || text.contains("\"terraform_version\"")
            || is_empty_state_json(text))
}

/// Whether `text` is what `terraform show -json` prints when there is no state at all
/// (Terraform 1.11: `{"format_version":"1.0"}`): an object of `format_version` alone.
fn is_empty_state_json(text: &str) -> bool {
    // Only a short document can be this; longer ones are not parsed here.
    if text.len() > 256 {
        return false;
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(obj)) => {
            obj.len() == 1 && obj.get("format_version").is_some_and(|v| v.is_string())
        }
        _ => false,
    }
}

/// The `format_version`s this reader reads: 0.1 (Terraform 0.12 – 1.0.0), 0.2 (1.0.1 – 1.0.x)
/// and every 1.x (1.1 onwards). The fields the checker uses are the same in all of them.
pub const READ_FORMAT_VERSIONS: &str = "0.1, 0.2 and 1.x";

fn readable_version(v: &str) -> bool {
    matches!(v, "0.1" | "0.2") || v.split('.').next() == Some("1")
}

/// Resource types the front end reads ([`super::types`]: the model's, policy documents and
/// the caller identity, which says which account the plan ran in); every other resource of
/// a plan is skipped unparsed.
fn relevant_type(rtype: &str) -> bool {
    super::types::is_read(rtype)
}

mod changes;
mod document;
mod stream;

pub use document::Layout;
pub use stream::{FromFile, read_plan_file};

use changes::*;
use document::*;

/// What a plan yielded.
#[derive(Debug, Default)]
pub struct Plan {
    /// The resources.
    pub resources: Vec<Resource>,
    /// Problems with the plan as a whole.
    pub errors: Vec<LoadError>,
    /// The account the plan ran in (`account_id` of the `aws_caller_identity` data sources
    /// read while planning), when they all agree. The HCL front end stands for that account
    /// with the profile's account hole; in a plan its value is literal.
    pub account_id: Option<String>,
    /// The root module's variables as the plan was made with them (`variables`), located in
    /// the plan; empty for state JSON, which records none.
    pub variables: Vec<(String, Node)>,
    /// Whether this is state JSON (what is deployed) rather than a plan.
    pub is_state: bool,
}

fn error(file: FileId, span: Option<Span>, message: String) -> LoadError {
    LoadError {
        file: Some(file),
        span,
        path: None,
        message,
    }
}

/// The file of plan or state JSON `text` named `name`, and its layout: the file keeps only
/// the entries the model reads ([`SourceFile::sparse`]), so that the rest of a large plan
/// is not held while it is checked. JSON that does not read as a plan is kept whole, for
/// its error to be located ([`load_plan`]).
pub fn read_plan(name: String, text: Cow<'_, str>) -> (SourceFile, Option<Layout>) {
    match Layout::read(&text) {
        Ok(layout) => (
            SourceFile::sparse(name, &text, &layout.kept()),
            Some(layout),
        ),
        Err(_) => (SourceFile::named(name, text.into_owned()), None),
    }
}

/// Reads the plan JSON of `file` (already in `sources`), whose layout [`read_plan`] gave
/// (`None`: read from the file's text, which is then the whole plan).
pub fn load_plan(sources: &Sources, file: FileId, layout: Option<&Layout>) -> Plan {
    let source = sources.file(file);
    let text = &source.text;
    let mut plan = Plan::default();
    let read;
    let layout = match layout {
        Some(layout) => layout,
        None => match Layout::read(text) {
            Ok(layout) => {
                read = layout;
                &read
            }
            Err(e) => {
                plan.errors.push(read_error(text, file, e));
                return plan;
            }
        },
    };
    // A change entry that does not parse comes first in the document: its error is the one
    // reported, whatever else is wrong.
    let change_error = || change_entries(source, file, layout, |_| ()).err();
    let mut doc = match relevant_document(source, file, layout) {
        Ok(doc) => doc,
        Err(e) => {
            plan.errors.push(change_error().unwrap_or(e));
            return plan;
        }
    };
    let version = doc
        .get("format_version")
        .and_then(|v| v.as_pstr())
        .and_then(|s| s.as_known());
    if !version.is_some_and(readable_version)
        && let Some(e) = change_error()
    {
        plan.errors.push(e);
        return plan;
    }
    match version {
        Some(v) if readable_version(v) => {}
        Some(v) => {
            let span = doc.get("format_version").map(|n| n.span);
            plan.errors.push(error(
                file,
                span,
                format!(
                    "plan format_version \"{v}\" is not supported: this version reads format_version \
                     {READ_FORMAT_VERSIONS} (Terraform 0.12 and later)"
                ),
            ));
            return plan;
        }
        None => {
            plan.errors.push(error(
                file,
                Some(doc.span),
                "plan JSON has no format_version".into(),
            ));
            return plan;
        }
    }
    // The configuration is only read; resources' values are moved out of the document, not
    // copied (a plan's resources are most of its memory).
    let configuration = take_member(&mut doc, "configuration");
    let config = ConfigIndex::new(configuration.as_ref().and_then(|c| c.get("root_module")));
    if doc.get("resource_changes").is_some() {
        let read = |mut rc: Node| match rc.get("deposed") {
            Some(_) => None,
            None => from_change(&mut rc, &config),
        };
        match change_entries(source, file, layout, read) {
            Ok(resources) => {
                plan.resources.reserve_exact(resources.len());
                plan.resources.extend(resources.into_iter().flatten());
            }
            Err(e) => {
                plan.errors.push(e);
                return plan;
            }
        }
    } else if let Some(root) = member_mut(&mut doc, &["planned_values", "root_module"]) {
        module_values(root, Lifecycle::Unknown, &mut |r| plan.resources.push(r));
    } else if doc.get("prior_state").is_none() && configuration.is_none() {
        // State JSON: every resource in it exists.
        plan.is_state = true;
        if let Some(root) = member_mut(&mut doc, &["values", "root_module"]) {
            module_values(root, Lifecycle::Existing, &mut |r| plan.resources.push(r));
        }
    }
    if let Some(Kind::Object(vars)) = doc.get("variables").map(|v| &v.kind) {
        plan.variables = vars
            .iter()
            .map(|m| (m.key.clone(), m.value.clone()))
            .collect();
    }
    // Data sources read while planning are only in the prior state.
    if let Some(root) = member_mut(&mut doc, &["prior_state", "values", "root_module"]) {
        let mut data = Vec::new();
        module_values(root, Lifecycle::Existing, &mut |r| {
            if r.mode == Mode::Data {
                data.push(r);
            }
        });
        if !data.is_empty() {
            let seen: HashSet<&str> = plan.resources.iter().map(|r| r.address.as_str()).collect();
            let unseen: Vec<Resource> = data
                .into_iter()
                .filter(|r| !seen.contains(r.address.as_str()))
                .collect();
            plan.resources.extend(unseen);
        }
    }
    // What is left of a large document (every entry's other members) is freed on another
    // thread.
    drop(config);
    if text.len() > 1 << 20 {
        crate::parallel::drop_beside((doc, configuration));
    }
    plan.account_id = caller_account(&plan.resources);
    for r in &mut plan.resources {
        if r.mode == Mode::Data && r.rtype == "aws_iam_policy_document" {
            normalize_document(&mut r.attributes);
        }
    }
    recover_documents(&mut plan.resources);
    plan
}

/// The `account_id` of the `aws_caller_identity` data sources, when known and the same.
fn caller_account(resources: &[Resource]) -> Option<String> {
    let mut ids = resources
        .iter()
        .filter(|r| r.mode == Mode::Data && r.rtype == "aws_caller_identity")
        .filter_map(|r| text(r.attributes.get("account_id")));
    let first = ids.next()?;
    ids.all(|id| id == first).then(|| first.to_string())
}

/// A policy document's statement blocks as the provider stores them list every argument,
/// unset ones as empty lists (`not_actions = []`) or an empty `sid`; as configuration, unset
/// arguments are absent. Drops them, so that the document renders as it was written.
fn normalize_document(attrs: &mut Node) {
    let Kind::Object(members) = &mut attrs.kind else {
        return;
    };
    for m in members.iter_mut().filter(|m| m.key == "statement") {
        let Kind::Array(statements) = &mut m.value.kind else {
            continue;
        };
        for st in statements {
            if let Kind::Object(args) = &mut st.kind {
                args.retain(|a| match &a.value.kind {
                    Kind::Null => false,
                    Kind::Array(items) => !items.is_empty(),
                    Kind::Str(s) if a.key == "sid" => s.as_known() != Some(""),
                    _ => true,
                });
            }
        }
    }
}

/// A policy known only after apply whose configuration says it is the `json` (or
/// `minified_json`) of an `aws_iam_policy_document` the plan read: that document, as the
/// provider rendered it (with its spans in the plan).
fn recover_documents(resources: &mut [Resource]) {
    let mut docs: HashMap<String, Node> = HashMap::new();
    for r in resources
        .iter()
        .filter(|r| r.mode == Mode::Data && r.rtype == "aws_iam_policy_document")
    {
        for attr in ["json", "minified_json"] {
            if let Some(node) = r.attributes.get(attr).filter(|n| text(Some(n)).is_some()) {
                docs.insert(format!("{}.{attr}", r.address), node.clone());
            }
        }
    }
    if docs.is_empty() {
        return;
    }
    for r in resources.iter_mut().filter(|r| r.mode == Mode::Managed) {
        resolve_documents(&mut r.attributes, &docs, 0);
    }
}

fn resolve_documents(node: &mut Node, docs: &HashMap<String, Node>, depth: usize) {
    if depth > 64 {
        return;
    }
    match &mut node.kind {
        Kind::Str(s) => {
            if let [Part::Hole(h)] = s.parts()
                && let Some(doc) = docs.get(h.id.as_ref())
            {
                *node = doc.clone();
            }
        }
        Kind::Array(items) => {
            for item in items {
                resolve_documents(item, docs, depth + 1);
            }
        }
        Kind::Object(members) => {
            for m in members {
                resolve_documents(&mut m.value, docs, depth + 1);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_prefix_and_names() {
        assert_eq!(
            module_prefix(
                "module.a[\"x\"].aws_s3_bucket.b",
                Mode::Managed,
                "aws_s3_bucket"
            ),
            "module.a[\"x\"]."
        );
        assert_eq!(
            module_prefix("aws_s3_bucket.b[0]", Mode::Managed, "aws_s3_bucket"),
            ""
        );
        assert_eq!(
            module_names("module.a[\"x\"].module.b."),
            vec!["a".to_string(), "b".to_string()]
        );
        assert_eq!(module_names("module.a[0]."), vec!["a".to_string()]);
    }

    #[test]
    fn the_located_document_keeps_only_what_is_read() {
        let text = r#"{"format_version":"1.2",
          "planned_values":{"root_module":{"resources":[
            {"address":"aws_s3_bucket.a","mode":"managed","type":"aws_s3_bucket","values":{}}]}},
          "resource_changes":[
            {"address":"aws_s3_bucket.a","mode":"managed","type":"aws_s3_bucket","name":"a",
             "change":{"actions":["create"],"before":null,"after":{"bucket":"a"},
                       "after_unknown":{"arn":true},"before_sensitive":false,"after_sensitive":{}}},
            {"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket","name":"b",
             "change":{"actions":["delete"],"before":{"bucket":"b"},"after":null,
                       "after_unknown":{},"before_sensitive":{},"after_sensitive":false}},
            {"address":"aws_s3_bucket.c","mode":"managed","type":"aws_s3_bucket","name":"c",
             "change":{"actions":["update"],"before":{"bucket":"c"},
                       "after":{"bucket":"c","tags":{"k":"v"},"tags_all":{"k":"v"}},
                       "after_unknown":{"tags_all":{}}}},
            {"address":"aws_s3_bucket.d","mode":"managed","type":"aws_s3_bucket","name":"d",
             "change":{"before":{"bucket":"d"},"actions":["update"],"after":{"bucket":"d"}}}],
          "prior_state":{"values":{"root_module":{"resources":[
            {"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket","values":{}},
            {"address":"data.aws_iam_policy_document.p","mode":"data",
             "type":"aws_iam_policy_document","values":{"json":"{}"}}]}}}}"#;
        let (sparse, layout) = read_plan("plan.json".into(), text.into());
        let mut sparse_sources = Sources::new();
        let id = sparse_sources.add_file(sparse);
        let layout = layout.unwrap();
        let doc = relevant_document(sparse_sources.file(id), id, &layout).unwrap();
        // The planned values are not read when there are changes.
        assert!(doc.get("planned_values").is_none());
        // The prior state gives only its data sources.
        let prior = doc
            .get("prior_state")
            .and_then(|p| p.get("values"))
            .and_then(|v| v.get("root_module"))
            .and_then(|m| m.get("resources"));
        let Some(Kind::Array(prior)) = prior.map(|p| &p.kind) else {
            panic!("no prior state resources");
        };
        assert_eq!(prior.len(), 1);
        assert_eq!(text_of(prior[0].get("mode")), Some("data"));
        // The changes are read apart, one entry at a time: the document holds a `null` for
        // each.
        let Some(Kind::Array(placeholders)) = doc.get("resource_changes").map(|c| &c.kind) else {
            panic!("no changes");
        };
        assert!(placeholders.iter().all(|p| p.kind == Kind::Null));
        // Each change keeps what is read of it: `before` only for a deletion.
        let changes = change_entries(sparse_sources.file(id), id, &layout, |n| n).unwrap();
        assert_eq!(changes.len(), placeholders.len());
        let keys = |i: usize| -> Vec<&str> {
            let change = changes[i]
                .get("change")
                .and_then(|c| c.as_object())
                .unwrap();
            change.iter().map(|m| m.key.as_str()).collect()
        };
        assert_eq!(keys(0), ["actions", "after", "after_unknown"]);
        assert_eq!(keys(1), ["actions", "before", "after", "after_unknown"]);
        assert_eq!(keys(2), ["actions", "after", "after_unknown"]);
        // A `before` read before the `actions` is dropped once the entry is read.
        assert_eq!(keys(3), ["actions", "after"]);
        // No resource's tags are kept.
        let members = |i: usize, part: &str| -> Vec<&str> {
            let part = changes[i].get("change").and_then(|c| c.get(part)).unwrap();
            let members = part.as_object().unwrap();
            members.iter().map(|m| m.key.as_str()).collect()
        };
        assert_eq!(members(2, "after"), ["bucket"]);
        assert!(members(2, "after_unknown").is_empty());
        // And the plan read from it has all four buckets, the deleted one with its values.
        let mut sources = Sources::new();
        let file = sources.add("plan.json", text);
        let plan = load_plan(&sources, file, None);
        assert!(plan.errors.is_empty(), "{:?}", plan.errors);
        let bucket_of = |address: &str| {
            let r = plan
                .resources
                .iter()
                .find(|r| r.address == address)
                .unwrap();
            text_of(r.attributes.get("bucket")).map(str::to_string)
        };
        assert_eq!(bucket_of("aws_s3_bucket.a").as_deref(), Some("a"));
        assert_eq!(bucket_of("aws_s3_bucket.b").as_deref(), Some("b"));
        assert_eq!(bucket_of("aws_s3_bucket.c").as_deref(), Some("c"));
        assert_eq!(bucket_of("aws_s3_bucket.d").as_deref(), Some("d"));
    }

    #[test]
    fn configuration_blocks_keep_what_the_index_reads() {
        let text = r#"{"format_version":"1.2",
          "resource_changes":[],
          "configuration":{"root_module":{"resources":[
            {"address":"aws_s3_bucket.a","mode":"managed","type":"aws_s3_bucket","name":"a",
             "provider_config_key":"aws","schema_version":0,"count_expression":{},
             "depends_on":["x"],
             "expressions":{"bucket":{"constant_value":"a","schema_version":1}}}]}}}"#;
        let (sparse, layout) = read_plan("plan.json".into(), text.into());
        let mut sources = Sources::new();
        let id = sources.add_file(sparse);
        let doc = relevant_document(sources.file(id), id, &layout.unwrap()).unwrap();
        let block = doc
            .get("configuration")
            .and_then(|c| c.get("root_module"))
            .and_then(|m| m.get("resources"))
            .and_then(|r| match &r.kind {
                Kind::Array(items) => items.first().cloned(),
                _ => None,
            })
            .unwrap();
        let keys: Vec<&str> = block
            .as_object()
            .unwrap()
            .iter()
            .map(|m| m.key.as_str())
            .collect();
        assert_eq!(keys, ["address", "mode", "type", "name", "expressions"]);
        // Below the block's own members, nothing is left out.
        let bucket = block
            .get("expressions")
            .and_then(|e| e.get("bucket"))
            .unwrap();
        assert!(bucket.get("schema_version").is_some());
    }

    /// A plan with one bucket change whose `after` holds `after`, one configuration block
    /// whose expressions hold `config`, and `format_version` `version`.
    fn plan_with(version: &str, after: &str, config: &str) -> String {
        format!(
            r#"{{"format_version":"{version}","resource_changes":[
              {{"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket","name":"b",
                "change":{{"actions":["create"],"after":{{"bucket":"b","x":{after}}},"after_unknown":{{}}}}}}],
              "configuration":{{"root_module":{{"resources":[
              {{"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket","name":"b",
                "expressions":{{"y":{config}}}}}]}}}}}}"#
        )
    }

    #[test]
    fn the_first_entry_that_does_not_parse_is_the_error_whatever_else_is_wrong() {
        // Deeper than the located reader goes: the entry does not parse.
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        let errors = |text: String| {
            let mut sources = Sources::new();
            let file = sources.add("plan.json", text.clone());
            let plan = load_plan(&sources, file, None);
            let starts: Vec<usize> = plan
                .errors
                .iter()
                .map(|e| e.span.map_or(usize::MAX, |s| s.start as usize))
                .collect();
            (
                starts,
                plan.errors
                    .iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>(),
                text,
            )
        };
        let change_at = |text: &str| text.find(r#""x":"#).unwrap();
        let config_at = |text: &str| text.find(r#""y":"#).unwrap();
        // A change that does not parse comes before the configuration that does not either.
        let (starts, messages, text) = errors(plan_with("1.2", &deep, &deep));
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            starts[0] > change_at(&text) && starts[0] < config_at(&text),
            "{starts:?}"
        );
        // And before an unsupported version.
        let (starts, messages, text) = errors(plan_with("9.9", &deep, "1"));
        assert!(messages[0].starts_with("invalid plan JSON"), "{messages:?}");
        assert!(
            starts[0] > change_at(&text) && starts[0] < config_at(&text),
            "{starts:?}"
        );
        // A configuration that does not parse, with changes that do.
        let (starts, messages, text) = errors(plan_with("1.2", "1", &deep));
        assert!(messages[0].starts_with("invalid plan JSON"), "{messages:?}");
        assert!(starts[0] > config_at(&text), "{starts:?}");
        // An unsupported version alone.
        let (_, messages, _) = errors(plan_with("9.9", "1", "1"));
        assert!(
            messages[0].contains("format_version \"9.9\""),
            "{messages:?}"
        );
        // And nothing wrong: the bucket is read.
        let mut sources = Sources::new();
        let file = sources.add("plan.json", plan_with("1.2", "1", "1"));
        let plan = load_plan(&sources, file, None);
        assert!(plan.errors.is_empty(), "{:?}", plan.errors);
        assert_eq!(plan.resources.len(), 1);
    }

    fn text_of(node: Option<&Node>) -> Option<&str> {
        node.and_then(|n| n.as_pstr()).and_then(|s| s.as_known())
    }

    #[test]
    fn entry_is_data_reads_the_top_level_mode_key_only() {
        assert!(entry_is_data(
            r#"{"address":"data.x.y","mode":"data","type":"x"}"#
        ));
        assert!(!entry_is_data(
            r#"{"address":"x.y","mode":"managed","type":"x"}"#
        ));
        // A value "mode": "data" nested in the entry, or a key named so in its address.
        assert!(!entry_is_data(
            r#"{"address":"x[\"\\\"mode\\\":\"]","values":{"mode":"data"},"mode":"managed"}"#
        ));
        assert!(!entry_is_data(r#"{"values":{"mode":"data"}}"#));
        assert!(!entry_is_data(r#"{"mode":3}"#));
    }

    #[test]
    fn entry_type_reads_the_top_level_type_key_only() {
        let t = |raw: &str| entry_type(raw).map(|c| c.into_owned());
        assert_eq!(
            t(r#"{"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket"}"#),
            Some("aws_s3_bucket".into())
        );
        // A key "type" inside a value, a value "type", and quotes in an address.
        assert_eq!(
            t(
                r#"{"address":"x.y[\"\\\"type\\\":\"]","values":{"type":"no"},"name":"type","type" : "aws_kms_key"}"#
            ),
            Some("aws_kms_key".into())
        );
        assert_eq!(t(r#"{"type":"a_b"}"#), Some("a_b".into()));
        assert_eq!(t(r#"{"values":{"type":"aws_s3_bucket"}}"#), None);
        assert_eq!(t(r#"{"type":3}"#), None);
    }

    #[test]
    fn link_references_are_single_references_of_link_attributes() {
        let expr = |refs: &[&str]| {
            let text = serde_json::json!({ "references": refs }).to_string();
            parse_json(&text, &OffsetMap::direct(FileId(0), 0)).unwrap()
        };
        let id = expr(&["aws_s3_bucket.b.id", "aws_s3_bucket.b"]);
        assert_eq!(
            link_reference(Some(&id), "bucket").as_deref(),
            Some("aws_s3_bucket.b.id")
        );
        // Not a link attribute: a list of ARNs is not the bucket's ARN.
        assert_eq!(link_reference(Some(&id), "resources"), None);
        // jsonencode({… aws_s3_bucket.b.arn …}) is not the bucket's ARN.
        let arn = expr(&["aws_s3_bucket.b.arn", "aws_s3_bucket.b"]);
        assert_eq!(link_reference(Some(&arn), "policy"), None);
        let doc = expr(&[
            "data.aws_iam_policy_document.p.json",
            "data.aws_iam_policy_document.p",
        ]);
        assert_eq!(
            link_reference(Some(&doc), "policy").as_deref(),
            Some("data.aws_iam_policy_document.p.json")
        );
        // Two references: a conditional or a template, not one of them.
        let two = expr(&[
            "aws_s3_bucket.a.id",
            "aws_s3_bucket.a",
            "aws_s3_bucket.b.id",
        ]);
        assert_eq!(link_reference(Some(&two), "bucket"), None);
        let keyed = expr(&[
            "aws_s3_bucket.b[\"x\"].id",
            "aws_s3_bucket.b[\"x\"]",
            "aws_s3_bucket.b",
        ]);
        assert_eq!(
            link_reference(Some(&keyed), "bucket").as_deref(),
            Some("aws_s3_bucket.b[\"x\"].id")
        );
        assert_eq!(
            link_reference(Some(&expr(&["each.value.id", "each.value"])), "bucket"),
            None
        );
    }

    #[test]
    fn detects_plans_by_content() {
        assert!(is_plan_json(
            "{\"format_version\":\"1.2\",\"resource_changes\":[]}"
        ));
        assert!(!is_plan_json(
            "{\"AWSTemplateFormatVersion\":\"2010-09-09\"}"
        ));
        assert!(!is_plan_json("resource \"aws_s3_bucket\" \"b\" {}"));
        // What `terraform show -json` prints with no state at all is state.
        assert!(is_state_json("{\"format_version\":\"1.0\"}"));
        assert!(is_state_json(" {\"format_version\": \"1.0\"}\n"));
        assert!(!is_state_json(
            "{\"format_version\":\"1.0\",\"valid\":true}"
        ));
        assert!(!is_state_json("{\"format_version\":1}"));
    }
}
