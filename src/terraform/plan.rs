//! The plan JSON front end (`terraform show -json PLAN`): resources as the plan will leave
//! them, with what is only known after apply kept unknown.
//!
//! - `resource_changes[].change.after` gives each resource's planned attributes, and
//!   `after_unknown` marks the leaves known only after apply; `actions` tells whether a
//!   bucket is created (CP304) or deleted (not checked).
//! - Data sources read at plan time (typically `aws_iam_policy_document`) live in
//!   `prior_state`, not in the changes.
//! - Where a value is unknown, the `configuration` section's references name what it comes
//!   from (`aws_s3_bucket.data.id`, `data.aws_iam_policy_document.p.json`); they become the
//!   hole ids the model links on, exactly as for the HCL front end.
//! - Policy attributes are JSON strings inside JSON: their nodes keep the span of the string
//!   literal, and the model parses them with offsets mapped through the escapes.

use crate::json::{OffsetMap, parse_json};
use crate::resource::{Lifecycle, LoadError, Mode, Resource};
use crate::source::{FileId, Sources, Span};
use crate::value::{Hole, Kind, Member, Node, PString};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// Whether `text` is plan JSON: an object with `format_version` and planned values or
/// resource changes (only the first 4 KiB and a few markers are looked at).
pub fn is_plan_json(text: &str) -> bool {
    let start = text.trim_start();
    start.starts_with('{')
        && text.contains("\"format_version\"")
        && (text.contains("\"resource_changes\"") || text.contains("\"planned_values\""))
}

/// Resource types the model reads; every other resource of a plan is skipped unparsed.
fn relevant_type(rtype: &str) -> bool {
    rtype.starts_with("aws_s3_")
        || rtype.starts_with("aws_kms_")
        || rtype == "aws_iam_policy_document"
}

/// The top level of a plan, with every section kept as raw text (serde, borrowing).
#[derive(Deserialize)]
struct RawPlan<'a> {
    format_version: Option<Cow<'a, str>>,
    #[serde(borrow)]
    resource_changes: Option<Vec<&'a RawValue>>,
    #[serde(borrow)]
    planned_values: Option<RawValues<'a>>,
    #[serde(borrow)]
    prior_state: Option<RawState<'a>>,
    #[serde(borrow)]
    configuration: Option<RawConfiguration<'a>>,
}

#[derive(Deserialize)]
struct RawState<'a> {
    #[serde(borrow)]
    values: Option<RawValues<'a>>,
}

#[derive(Deserialize)]
struct RawValues<'a> {
    #[serde(borrow)]
    root_module: Option<RawModule<'a>>,
}

#[derive(Deserialize)]
struct RawModule<'a> {
    #[serde(borrow, default)]
    resources: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    child_modules: Vec<RawModule<'a>>,
}

#[derive(Deserialize)]
struct RawConfiguration<'a> {
    #[serde(borrow)]
    root_module: Option<RawConfigModule<'a>>,
}

#[derive(Deserialize)]
struct RawConfigModule<'a> {
    #[serde(borrow, default)]
    resources: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    module_calls: std::collections::BTreeMap<String, RawModuleCall<'a>>,
}

#[derive(Deserialize)]
struct RawModuleCall<'a> {
    #[serde(borrow)]
    module: Option<RawConfigModule<'a>>,
}

/// Just enough of a resource entry to tell whether it matters.
#[derive(Deserialize)]
struct RawHead<'a> {
    #[serde(rename = "type", borrow)]
    rtype: Option<Cow<'a, str>>,
}

/// Builds the located document from the raw sections: entries of resources the model reads
/// are parsed with spans at their offset in the file; the containers get the whole file's span.
struct Assembler {
    file: FileId,
    base: usize,
    whole: Span,
}

impl Assembler {
    fn new(text: &str, file: FileId) -> Self {
        Assembler {
            file,
            base: text.as_ptr() as usize,
            whole: Span::new(file, 0, text.len()),
        }
    }

    fn located(&self, raw: &RawValue) -> Result<Node, LoadError> {
        let offset = raw.get().as_ptr() as usize - self.base;
        parse_json(raw.get(), &OffsetMap::direct(self.file, offset)).map_err(|e| {
            error(
                self.file,
                Some(e.span),
                format!("invalid plan JSON: {}", e.message),
            )
        })
    }

    fn obj(&self, members: Vec<(&str, Node)>) -> Node {
        let members = members
            .into_iter()
            .map(|(k, v)| Member {
                key: k.to_string(),
                key_span: self.whole,
                value: v,
            })
            .collect();
        Node::new(Kind::Object(members), self.whole)
    }

    fn list(&self, items: Vec<Node>) -> Node {
        Node::new(Kind::Array(items), self.whole)
    }

    /// The entries of resources the model reads, parsed with spans.
    fn resources(&self, raws: &[&RawValue]) -> Result<Node, LoadError> {
        let items = raws
            .iter()
            .filter(|r| {
                serde_json::from_str::<RawHead>(r.get())
                    .ok()
                    .and_then(|h| h.rtype)
                    .is_some_and(|t| relevant_type(&t))
            })
            .map(|r| self.located(r))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.list(items))
    }

    /// A `planned_values` / `prior_state` module and its children.
    fn module(&self, m: &RawModule, depth: usize) -> Result<Node, LoadError> {
        let children = if depth > 64 {
            Vec::new()
        } else {
            m.child_modules
                .iter()
                .map(|c| self.module(c, depth + 1))
                .collect::<Result<Vec<_>, _>>()?
        };
        Ok(self.obj(vec![
            ("resources", self.resources(&m.resources)?),
            ("child_modules", self.list(children)),
        ]))
    }

    /// A `configuration` module and its module calls.
    fn config(&self, m: &RawConfigModule, depth: usize) -> Result<Node, LoadError> {
        let mut calls: Vec<(&str, Node)> = Vec::new();
        if depth <= 64 {
            for (name, call) in &m.module_calls {
                if let Some(module) = &call.module {
                    calls.push((
                        name.as_str(),
                        self.obj(vec![("module", self.config(module, depth + 1)?)]),
                    ));
                }
            }
        }
        Ok(self.obj(vec![
            ("resources", self.resources(&m.resources)?),
            ("module_calls", self.obj(calls)),
        ]))
    }
}

/// Reads the plan with serde (fast, borrowing, no spans), then parses with spans only the
/// entries of resources the model reads, and assembles them into one located document of
/// the usual shape. Syntax errors are located by the span-keeping parser.
fn relevant_document(text: &str, file: FileId) -> Result<Node, LoadError> {
    let raw: RawPlan = match serde_json::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let located = parse_json(text, &OffsetMap::direct(file, 0)).err();
            let (span, message) = match located {
                Some(j) => (Some(j.span), format!("invalid plan JSON: {}", j.message)),
                None => (
                    None,
                    format!(
                        "not a plan of the expected shape: {e} (line {}, column {})",
                        e.line(),
                        e.column()
                    ),
                ),
            };
            return Err(error(file, span, message));
        }
    };
    let a = Assembler::new(text, file);
    let mut top: Vec<(&str, Node)> = Vec::new();
    if let Some(v) = &raw.format_version {
        let span = text
            .find("\"format_version\"")
            .map_or(a.whole, |i| Span::new(file, i, i + 16));
        top.push((
            "format_version",
            Node::new(Kind::Str(PString::known(v.to_string())), span),
        ));
    }
    if let Some(changes) = &raw.resource_changes {
        top.push(("resource_changes", a.resources(changes)?));
    }
    if let Some(root) = raw
        .planned_values
        .as_ref()
        .and_then(|p| p.root_module.as_ref())
    {
        top.push((
            "planned_values",
            a.obj(vec![("root_module", a.module(root, 0)?)]),
        ));
    }
    let prior = raw
        .prior_state
        .as_ref()
        .and_then(|p| p.values.as_ref())
        .and_then(|v| v.root_module.as_ref());
    if let Some(root) = prior {
        let values = a.obj(vec![("root_module", a.module(root, 0)?)]);
        top.push(("prior_state", a.obj(vec![("values", values)])));
    }
    if let Some(root) = raw
        .configuration
        .as_ref()
        .and_then(|c| c.root_module.as_ref())
    {
        top.push((
            "configuration",
            a.obj(vec![("root_module", a.config(root, 0)?)]),
        ));
    }
    Ok(a.obj(top))
}

/// What a plan yielded.
#[derive(Debug, Default)]
pub struct Plan {
    /// The resources.
    pub resources: Vec<Resource>,
    /// Problems with the plan as a whole.
    pub errors: Vec<LoadError>,
}

fn error(file: FileId, span: Option<Span>, message: String) -> LoadError {
    LoadError {
        file: Some(file),
        span,
        path: None,
        message,
    }
}

/// Reads the plan JSON of `file` (already in `sources`).
pub fn load_plan(sources: &Sources, file: FileId) -> Plan {
    let text = &sources.file(file).text;
    let mut plan = Plan::default();
    let doc = match relevant_document(text, file) {
        Ok(doc) => doc,
        Err(e) => {
            plan.errors.push(e);
            return plan;
        }
    };
    match doc
        .get("format_version")
        .and_then(|v| v.as_pstr())
        .and_then(|s| s.as_known())
    {
        Some(v) if v.split('.').next() == Some("1") => {}
        Some(v) => {
            let span = doc.get("format_version").map(|n| n.span);
            plan.errors.push(error(
                file,
                span,
                format!(
                    "plan format_version \"{v}\" is not supported: this version reads format 1.x"
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
    let config = ConfigIndex::new(doc.get("configuration").and_then(|c| c.get("root_module")));
    let mut seen: HashSet<String> = HashSet::new();
    if let Some(Kind::Array(changes)) = doc.get("resource_changes").map(|n| &n.kind) {
        for rc in changes {
            if rc.get("deposed").is_some() {
                continue;
            }
            if let Some(r) = from_change(rc, &config) {
                seen.insert(r.address.clone());
                plan.resources.push(r);
            }
        }
    } else if let Some(root) = doc.get("planned_values").and_then(|p| p.get("root_module")) {
        module_values(root, Lifecycle::Unknown, &mut |r| {
            seen.insert(r.address.clone());
            plan.resources.push(r);
        });
    }
    // Data sources read while planning are only in the prior state.
    if let Some(root) = doc
        .get("prior_state")
        .and_then(|p| p.get("values"))
        .and_then(|v| v.get("root_module"))
    {
        module_values(root, Lifecycle::Existing, &mut |r| {
            if r.mode == Mode::Data && !seen.contains(&r.address) {
                plan.resources.push(r);
            }
        });
    }
    plan
}

fn text(node: Option<&Node>) -> Option<&str> {
    node.and_then(|n| n.as_pstr()).and_then(|s| s.as_known())
}

fn mode_of(node: &Node) -> Mode {
    if text(node.get("mode")) == Some("data") {
        Mode::Data
    } else {
        Mode::Managed
    }
}

/// The module prefix of an address (`module.a["x"].module.b.`), empty at the root.
fn module_prefix(address: &str, mode: Mode, rtype: &str) -> String {
    let marker = match mode {
        Mode::Data => format!("data.{rtype}."),
        Mode::Managed => format!("{rtype}."),
    };
    match address.rfind(&marker) {
        Some(i) if i == 0 || address[..i].ends_with('.') => address[..i].to_string(),
        _ => String::new(),
    }
}

/// `module.logs["a"].module.x` → `["logs", "x"]` (instance keys dropped).
fn module_names(prefix: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = prefix.trim_end_matches('.');
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '[']).unwrap_or(after.len());
        names.push(after[..end].to_string());
        rest = &after[end..];
        if let Some(i) = rest.find("].") {
            rest = &rest[i + 2..];
        } else if rest.starts_with('[') {
            rest = "";
        } else {
            rest = rest.trim_start_matches('.');
        }
    }
    names
}

/// The configuration blocks of resources, by module path and address, built once.
struct ConfigIndex<'a> {
    blocks: HashMap<(Vec<String>, String), &'a Node>,
}

impl<'a> ConfigIndex<'a> {
    fn new(root: Option<&'a Node>) -> Self {
        let mut blocks = HashMap::new();
        let mut stack: Vec<(Vec<String>, &Node)> =
            root.map(|r| (Vec::new(), r)).into_iter().collect();
        while let Some((path, module)) = stack.pop() {
            if let Some(Kind::Array(resources)) = module.get("resources").map(|r| &r.kind) {
                for r in resources {
                    if let Some(address) = text(r.get("address")) {
                        blocks.insert((path.clone(), address.to_string()), r);
                    }
                }
            }
            if let Some(calls) = module.get("module_calls").and_then(|c| c.as_object()) {
                for call in calls {
                    if let Some(m) = call.value.get("module") {
                        let mut p = path.clone();
                        p.push(call.key.clone());
                        stack.push((p, m));
                    }
                }
            }
        }
        ConfigIndex { blocks }
    }

    /// The configuration block of a resource (module calls followed by name).
    fn get(&self, prefix: &str, mode: Mode, rtype: &str, name: &str) -> Option<&'a Node> {
        let want = match mode {
            Mode::Data => format!("data.{rtype}.{name}"),
            Mode::Managed => format!("{rtype}.{name}"),
        };
        self.blocks.get(&(module_names(prefix), want)).copied()
    }
}

/// The most specific reference of a configuration expression (`aws_s3_bucket.b.id`).
fn reference(config: Option<&Node>, attr: &str) -> Option<String> {
    let Kind::Array(refs) = &config?
        .get("expressions")?
        .get(attr)?
        .get("references")?
        .kind
    else {
        return None;
    };
    refs.iter()
        .filter_map(|r| text(Some(r)))
        .find(|r| !r.starts_with("each.") && !r.starts_with("count."))
        .map(str::to_string)
}

fn from_change(rc: &Node, config: &ConfigIndex) -> Option<Resource> {
    let address = text(rc.get("address"))?.to_string();
    let rtype = text(rc.get("type"))?.to_string();
    let name = text(rc.get("name")).unwrap_or_default().to_string();
    let mode = mode_of(rc);
    let change = rc.get("change")?;
    let actions: Vec<&str> = match change.get("actions").map(|a| &a.kind) {
        Some(Kind::Array(items)) => items.iter().filter_map(|i| text(Some(i))).collect(),
        _ => Vec::new(),
    };
    let lifecycle = match actions.as_slice() {
        ["delete"] => Lifecycle::Deleted,
        a if a.contains(&"create") => Lifecycle::Created,
        _ => Lifecycle::Existing,
    };
    let prefix = text(rc.get("module_address"))
        .map(|m| format!("{m}."))
        .unwrap_or_else(|| module_prefix(&address, mode, &rtype));
    let cfg = config.get(&prefix, mode, &rtype, &name);
    let after = change
        .get("after")
        .filter(|a| !matches!(a.kind, Kind::Null));
    let unknown = change.get("after_unknown");
    let span = rc.span;
    let mut members: Vec<Member> = Vec::new();
    if let Some(Kind::Object(attrs)) = after.map(|a| &a.kind) {
        for m in attrs {
            if !configured(&rtype, cfg, &m.key) {
                continue;
            }
            let value = merge(
                Some(&m.value),
                unknown.and_then(|u| u.get(&m.key)),
                &address,
                &m.key,
                &prefix,
                cfg,
            );
            members.push(Member {
                key: m.key.clone(),
                key_span: m.key_span,
                value,
            });
        }
    }
    if let Some(Kind::Object(unknowns)) = unknown.map(|u| &u.kind) {
        for m in unknowns {
            if members.iter().any(|x| x.key == m.key) {
                continue;
            }
            // An attribute the configuration does not set is computed by the provider
            // (`arn`, `id`, a bucket's legacy `policy`): not something the user wrote.
            if cfg.is_some_and(|c| c.get("expressions").and_then(|e| e.get(&m.key)).is_none()) {
                continue;
            }
            if matches!(m.value.kind, Kind::Bool(true)) {
                members.push(Member {
                    key: m.key.clone(),
                    key_span: m.key_span,
                    value: unknown_leaf(&address, &m.key, &prefix, cfg, m.value.span),
                });
            }
        }
    }
    let attributes = Node::new(Kind::Object(members), after.map_or(span, |a| a.span));
    Some(Resource {
        mode,
        rtype,
        header: rc.get("address").map_or(span, |a| a.span),
        address,
        module: prefix,
        attributes,
        span,
        lifecycle,
    })
}

/// The legacy inline arguments of `aws_s3_bucket` are also computed: a plan fills them from
/// the bucket's actual state (the policy an `aws_s3_bucket_policy` set, the owner's ACL
/// grant). They count only when the configuration sets them.
const BUCKET_LEGACY: &[&str] = &[
    "policy",
    "acl",
    "grant",
    "server_side_encryption_configuration",
];

fn configured(rtype: &str, cfg: Option<&Node>, attr: &str) -> bool {
    if rtype != "aws_s3_bucket" || !BUCKET_LEGACY.contains(&attr) {
        return true;
    }
    match cfg {
        Some(c) => c.get("expressions").and_then(|e| e.get(attr)).is_some(),
        None => true,
    }
}

/// A value known only after apply: named after what the configuration says it comes from.
fn unknown_leaf(address: &str, path: &str, prefix: &str, cfg: Option<&Node>, span: Span) -> Node {
    let hole = match reference(cfg, path) {
        Some(r) => Hole::unknown(
            format!("{prefix}{r}"),
            format!("{address}.{path} is known only after apply (from {r})"),
        ),
        None => Hole::unknown(
            format!("{address}.{path}"),
            format!("{address}.{path} is known only after apply"),
        ),
    };
    Node::new(Kind::Unknown(hole), span)
}

/// `after` with the leaves `after_unknown` marks replaced by unknowns.
fn merge(
    after: Option<&Node>,
    unknown: Option<&Node>,
    address: &str,
    path: &str,
    prefix: &str,
    cfg: Option<&Node>,
) -> Node {
    let span = after.map_or_else(
        || unknown.map_or(Span::new(FileId(0), 0, 0), |u| u.span),
        |a| a.span,
    );
    if let Some(u) = unknown
        && matches!(u.kind, Kind::Bool(true))
    {
        // Only top-level attributes have configuration references.
        let cfg = if path.contains('.') { None } else { cfg };
        return unknown_leaf(address, path, prefix, cfg, span);
    }
    let Some(after) = after else {
        return Node::new(Kind::Null, span);
    };
    match (&after.kind, unknown.map(|u| &u.kind)) {
        (Kind::Object(members), Some(Kind::Object(_))) => {
            let mut out: Vec<Member> = members
                .iter()
                .map(|m| Member {
                    key: m.key.clone(),
                    key_span: m.key_span,
                    value: merge(
                        Some(&m.value),
                        unknown.and_then(|u| u.get(&m.key)),
                        address,
                        &format!("{path}.{}", m.key),
                        prefix,
                        cfg,
                    ),
                })
                .collect();
            if let Some(Kind::Object(unknowns)) = unknown.map(|u| &u.kind) {
                for m in unknowns {
                    if !out.iter().any(|x| x.key == m.key)
                        && matches!(m.value.kind, Kind::Bool(true))
                    {
                        out.push(Member {
                            key: m.key.clone(),
                            key_span: m.key_span,
                            value: unknown_leaf(
                                address,
                                &format!("{path}.{}", m.key),
                                prefix,
                                None,
                                m.value.span,
                            ),
                        });
                    }
                }
            }
            Node::new(Kind::Object(out), after.span)
        }
        (Kind::Array(items), Some(Kind::Array(unknowns))) => {
            let mut out: Vec<Node> = items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    merge(
                        Some(item),
                        unknowns.get(i),
                        address,
                        &format!("{path}.{i}"),
                        prefix,
                        cfg,
                    )
                })
                .collect();
            for (i, u) in unknowns.iter().enumerate().skip(items.len()) {
                if matches!(u.kind, Kind::Bool(true)) {
                    out.push(unknown_leaf(
                        address,
                        &format!("{path}.{i}"),
                        prefix,
                        None,
                        u.span,
                    ));
                }
            }
            Node::new(Kind::Array(out), after.span)
        }
        _ => after.clone(),
    }
}

/// Resources of `planned_values` / `prior_state.values` modules, recursively.
fn module_values(module: &Node, lifecycle: Lifecycle, sink: &mut dyn FnMut(Resource)) {
    let mut stack = vec![module];
    while let Some(m) = stack.pop() {
        if let Some(Kind::Array(resources)) = m.get("resources").map(|r| &r.kind) {
            for r in resources {
                let (Some(address), Some(rtype)) = (text(r.get("address")), text(r.get("type")))
                else {
                    continue;
                };
                let mode = mode_of(r);
                let attributes = r
                    .get("values")
                    .cloned()
                    .unwrap_or_else(|| Node::new(Kind::Object(Vec::new()), r.span));
                sink(Resource {
                    mode,
                    rtype: rtype.to_string(),
                    address: address.to_string(),
                    module: module_prefix(address, mode, rtype),
                    attributes,
                    span: r.span,
                    header: r.get("address").map_or(r.span, |a| a.span),
                    lifecycle,
                });
            }
        }
        if let Some(Kind::Array(children)) = m.get("child_modules").map(|c| &c.kind) {
            stack.extend(children.iter().rev());
        }
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
    fn detects_plans_by_content() {
        assert!(is_plan_json(
            "{\"format_version\":\"1.2\",\"resource_changes\":[]}"
        ));
        assert!(!is_plan_json(
            "{\"AWSTemplateFormatVersion\":\"2010-09-09\"}"
        ));
        assert!(!is_plan_json("resource \"aws_s3_bucket\" \"b\" {}"));
    }
}
