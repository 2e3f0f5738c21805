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

use crate::json::{OffsetMap, parse_json};
use crate::resource::{Lifecycle, LoadError, Mode, Resource};
use crate::source::{FileId, Sources, Span};
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
    /// State JSON: what is deployed.
    #[serde(borrow)]
    values: Option<RawValues<'a>>,
    /// The root module's variables, as the plan was made with them.
    #[serde(borrow)]
    variables: Option<std::collections::BTreeMap<String, RawVariable<'a>>>,
}

#[derive(Deserialize)]
struct RawVariable<'a> {
    #[serde(borrow)]
    value: Option<&'a RawValue>,
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

/// The `type` of a resource entry (raw JSON text of an object, already validated by the
/// serde pass). Terraform writes `type` third, after `address` and `mode`, so the entry is
/// only scanned up to that key (strings and nesting followed exactly), not read whole.
fn entry_type(raw: &str) -> Option<Cow<'_, str>> {
    let b = raw.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                if depth == 1 && raw.get(start..i) == Some("\"type\"") {
                    let rest = raw[i..].trim_start();
                    if let Some(value) = rest.strip_prefix(':') {
                        let value = value.trim_start();
                        let v = value.as_bytes();
                        if v.first() != Some(&b'"') {
                            return None;
                        }
                        let mut j = 1;
                        while j < v.len() && v[j] != b'"' {
                            j += if v[j] == b'\\' { 2 } else { 1 };
                        }
                        return serde_json::from_str(value.get(..j + 1)?).ok();
                    }
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Parses one resource entry with spans at its offset in the file.
#[derive(Clone, Copy)]
struct EntryParser {
    file: FileId,
    base: usize,
}

impl EntryParser {
    fn parse(&self, raw: &RawValue) -> Result<Node, LoadError> {
        let offset = raw.get().as_ptr() as usize - self.base;
        parse_json(raw.get(), &OffsetMap::direct(self.file, offset)).map_err(|e| {
            error(
                self.file,
                Some(e.span),
                format!("invalid plan JSON: {}", e.message),
            )
        })
    }
}

/// Where the assembly is: the first walk only lists the entries to parse (in document
/// order), which are then parsed on all cores; the second walk, the same code in the same
/// order, takes their nodes.
enum Stage<'t> {
    Collect(Vec<&'t RawValue>),
    Build(std::vec::IntoIter<Result<Node, LoadError>>),
}

/// Builds the located document from the raw sections: entries of resources the model reads
/// are parsed with spans at their offset in the file; the containers get the whole file's span.
struct Assembler<'t> {
    parser: EntryParser,
    whole: Span,
    stage: std::cell::RefCell<Stage<'t>>,
}

impl<'t> Assembler<'t> {
    fn new(text: &str, file: FileId) -> Self {
        Assembler {
            parser: EntryParser {
                file,
                base: text.as_ptr() as usize,
            },
            whole: Span::new(file, 0, text.len()),
            stage: std::cell::RefCell::new(Stage::Collect(Vec::new())),
        }
    }

    /// Parses the entries the first walk listed, on all cores, for the second walk.
    fn parse_collected(&self) {
        let mut stage = self.stage.borrow_mut();
        if let Stage::Collect(wanted) = &*stage {
            let parser = self.parser;
            let parsed = crate::parallel::map_chunks(wanted, |raw| parser.parse(raw));
            *stage = Stage::Build(parsed.into_iter());
        }
    }

    fn located(&self, raw: &'t RawValue) -> Result<Node, LoadError> {
        match &mut *self.stage.borrow_mut() {
            Stage::Collect(wanted) => {
                wanted.push(raw);
                Ok(Node::new(Kind::Null, self.whole))
            }
            // Both walks take the same entries in the same order; were they ever to differ,
            // the entry is parsed here.
            Stage::Build(parsed) => parsed.next().unwrap_or_else(|| self.parser.parse(raw)),
        }
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
    fn resources(&self, raws: &[&'t RawValue]) -> Result<Node, LoadError> {
        let items = raws
            .iter()
            .filter(|r| entry_type(r.get()).is_some_and(|t| relevant_type(&t)))
            .map(|r| self.located(r))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.list(items))
    }

    /// A `planned_values` / `prior_state` module and its children.
    fn module(&self, m: &RawModule<'t>, depth: usize) -> Result<Node, LoadError> {
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
    fn config(&self, m: &RawConfigModule<'t>, depth: usize) -> Result<Node, LoadError> {
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
/// entries of resources the model reads (on all cores), and assembles them into one located
/// document of the usual shape. Syntax errors are located by the span-keeping parser.
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
    // The first walk cannot fail: it only lists the entries.
    assemble(text, &raw, &a)?;
    a.parse_collected();
    assemble(text, &raw, &a)
}

/// One walk over the plan's sections (see [`Stage`]).
fn assemble<'t>(text: &str, raw: &RawPlan<'t>, a: &Assembler<'t>) -> Result<Node, LoadError> {
    let file = a.parser.file;
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
    if let Some(root) = raw.values.as_ref().and_then(|v| v.root_module.as_ref()) {
        top.push(("values", a.obj(vec![("root_module", a.module(root, 0)?)])));
    }
    if let Some(vars) = &raw.variables {
        let mut members = Vec::new();
        for (name, var) in vars {
            if let Some(value) = var.value {
                members.push((name.as_str(), a.located(value)?));
            }
        }
        top.push(("variables", a.obj(members)));
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

/// Reads the plan JSON of `file` (already in `sources`).
pub fn load_plan(sources: &Sources, file: FileId) -> Plan {
    let text = &sources.file(file).text;
    let mut plan = Plan::default();
    let mut doc = match relevant_document(text, file) {
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
    } else if let Some(root) = member_mut(&mut doc, &["planned_values", "root_module"]) {
        module_values(root, Lifecycle::Unknown, &mut |r| {
            seen.insert(r.address.clone());
            plan.resources.push(r);
        });
    } else if doc.get("prior_state").is_none() && configuration.is_none() {
        // State JSON: every resource in it exists.
        plan.is_state = true;
        if let Some(root) = member_mut(&mut doc, &["values", "root_module"]) {
            module_values(root, Lifecycle::Existing, &mut |r| {
                seen.insert(r.address.clone());
                plan.resources.push(r);
            });
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
        module_values(root, Lifecycle::Existing, &mut |r| {
            if r.mode == Mode::Data && !seen.contains(&r.address) {
                plan.resources.push(r);
            }
        });
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

/// Attributes whose value names another resource: the bucket, key or policy document the
/// model links on.
const LINK_ATTRIBUTES: &[&str] = &[
    "bucket",
    "policy",
    "kms_master_key_id",
    "key_id",
    "target_key_id",
];

/// The reference a configuration expression is, when it is nothing but that reference
/// (`bucket = aws_s3_bucket.b.id`: references `aws_s3_bucket.b.id` and `aws_s3_bucket.b`)
/// and the attribute names another resource. The configuration only lists what an expression
/// refers to: `jsonencode({Resource = [aws_s3_bucket.b.arn]})` refers to the bucket's ARN
/// too, but is not its value, so a policy is only taken for the `json` of a policy document
/// (or another resource's `policy`).
fn link_reference(expr: Option<&Node>, attr: &str) -> Option<String> {
    if !LINK_ATTRIBUTES.contains(&attr) {
        return None;
    }
    let Kind::Array(refs) = &expr?.get("references")?.kind else {
        return None;
    };
    let refs: Vec<&str> = refs.iter().filter_map(|r| text(Some(r))).collect();
    let longest = *refs.iter().max_by_key(|r| r.len())?;
    if ["each.", "count.", "self."]
        .iter()
        .any(|p| longest.starts_with(p))
    {
        return None;
    }
    let one = refs.iter().all(|r| {
        longest
            .strip_prefix(r)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    });
    if !one {
        return None;
    }
    if attr == "policy" {
        let last = longest.rsplit('.').next().unwrap_or_default();
        if !matches!(last, "json" | "minified_json" | "policy") {
            return None;
        }
    }
    Some(longest.to_string())
}

/// Whether a configuration expression is one attribute's (`{"references": …}`,
/// `{"constant_value": …}`) rather than a nested block's map of expressions.
fn is_leaf_expr(expr: &Node) -> bool {
    expr.get("references").is_some() || expr.get("constant_value").is_some()
}

/// The configuration expression of attribute or nested block `key` within a block's map.
fn child_expr<'a>(expr: Option<&'a Node>, key: &str) -> Option<&'a Node> {
    expr.filter(|e| !is_leaf_expr(e))?.get(key)
}

/// The expressions of block `i` of `len` nested blocks (Terraform lists each block of the
/// configuration; `dynamic` blocks are left out, so counts that differ match nothing).
fn item_expr(expr: Option<&Node>, i: usize, len: usize) -> Option<&Node> {
    match &expr?.kind {
        Kind::Array(items) if items.len() == len => items.get(i),
        _ => None,
    }
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
    let exprs = cfg.and_then(|c| c.get("expressions"));
    // A deleted resource keeps the values it had.
    let (after, unknown) = if lifecycle == Lifecycle::Deleted {
        (change.get("before"), None)
    } else {
        (change.get("after"), change.get("after_unknown"))
    };
    let after = after.filter(|a| !matches!(a.kind, Kind::Null));
    let span = rc.span;
    let leaf = Leaf {
        address: &address,
        prefix: &prefix,
    };
    let mut members: Vec<Member> = Vec::new();
    if let Some(Kind::Object(attrs)) = after.map(|a| &a.kind) {
        for m in attrs {
            if !configured(&rtype, cfg, &m.key) {
                continue;
            }
            let value = merge(
                Some(&m.value),
                unknown.and_then(|u| u.get(&m.key)),
                child_expr(exprs, &m.key),
                &m.key,
                &m.key,
                &leaf,
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
            if cfg.is_some() && child_expr(exprs, &m.key).is_none() {
                continue;
            }
            if matches!(m.value.kind, Kind::Bool(true)) {
                members.push(Member {
                    key: m.key.clone(),
                    key_span: m.key_span,
                    value: leaf.unknown(&m.key, &m.key, child_expr(exprs, &m.key), m.value.span),
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

/// The resource whose values are being merged, for naming what is unknown.
struct Leaf<'a> {
    address: &'a str,
    prefix: &'a str,
}

impl Leaf<'_> {
    /// A value known only after apply at `path` (attribute `key`): when the configuration
    /// says it is another resource's attribute, a string hole named after that attribute
    /// (what the HCL front end leaves for the same reference), else a hole named after
    /// itself.
    fn unknown(&self, path: &str, key: &str, expr: Option<&Node>, span: Span) -> Node {
        let (address, prefix) = (self.address, self.prefix);
        match link_reference(expr, key) {
            Some(r) => Node::new(
                Kind::Str(PString::hole(Hole::unknown(
                    format!("{prefix}{r}"),
                    format!("{address}.{path} is known only after apply (from {r})"),
                ))),
                span,
            ),
            None => Node::new(
                Kind::Unknown(Hole::unknown(
                    format!("{address}.{path}"),
                    format!("{address}.{path} is known only after apply"),
                )),
                span,
            ),
        }
    }
}

/// `after` with the leaves `after_unknown` marks replaced by unknowns. `expr` is the
/// configuration expression of the value (a nested block's map of expressions, or a list of
/// them), `key` the attribute or block it is under.
fn merge(
    after: Option<&Node>,
    unknown: Option<&Node>,
    expr: Option<&Node>,
    path: &str,
    key: &str,
    leaf: &Leaf,
) -> Node {
    let span = after.map_or_else(
        || unknown.map_or(Span::new(FileId(0), 0, 0), |u| u.span),
        |a| a.span,
    );
    if let Some(u) = unknown
        && matches!(u.kind, Kind::Bool(true))
    {
        return leaf.unknown(path, key, expr, span);
    }
    let Some(after) = after else {
        return Node::new(Kind::Null, span);
    };
    match (&after.kind, unknown.map(|u| &u.kind)) {
        (Kind::Object(members), Some(Kind::Object(unknowns))) => {
            let mut out: Vec<Member> = members
                .iter()
                .map(|m| Member {
                    key: m.key.clone(),
                    key_span: m.key_span,
                    value: merge(
                        Some(&m.value),
                        unknown.and_then(|u| u.get(&m.key)),
                        child_expr(expr, &m.key),
                        &format!("{path}.{}", m.key),
                        &m.key,
                        leaf,
                    ),
                })
                .collect();
            for m in unknowns {
                if !out.iter().any(|x| x.key == m.key) && matches!(m.value.kind, Kind::Bool(true)) {
                    out.push(Member {
                        key: m.key.clone(),
                        key_span: m.key_span,
                        value: leaf.unknown(
                            &format!("{path}.{}", m.key),
                            &m.key,
                            child_expr(expr, &m.key),
                            m.value.span,
                        ),
                    });
                }
            }
            Node::new(Kind::Object(out), after.span)
        }
        (Kind::Array(items), Some(Kind::Array(unknowns))) => {
            let len = items.len().max(unknowns.len());
            let mut out: Vec<Node> = items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    merge(
                        Some(item),
                        unknowns.get(i),
                        item_expr(expr, i, len),
                        &format!("{path}.{i}"),
                        key,
                        leaf,
                    )
                })
                .collect();
            for (i, u) in unknowns.iter().enumerate().skip(items.len()) {
                if matches!(u.kind, Kind::Bool(true)) {
                    // An element of a list (not a nested block) names no reference of its own.
                    out.push(leaf.unknown(&format!("{path}.{i}"), key, None, u.span));
                }
            }
            Node::new(Kind::Array(out), after.span)
        }
        _ => after.clone(),
    }
}

/// Takes the member `key` out of object `node` (the first one of that name).
fn take_member(node: &mut Node, key: &str) -> Option<Node> {
    let Kind::Object(members) = &mut node.kind else {
        return None;
    };
    let i = members.iter().position(|m| m.key == key)?;
    Some(members.remove(i).value)
}

/// The member at `path` (keys of nested objects, the first of each name), for changing.
fn member_mut<'n>(node: &'n mut Node, path: &[&str]) -> Option<&'n mut Node> {
    let mut at = node;
    for key in path {
        let Kind::Object(members) = &mut at.kind else {
            return None;
        };
        at = &mut members.iter_mut().find(|m| m.key == *key)?.value;
    }
    Some(at)
}

/// Resources of `planned_values` / `prior_state.values` modules, recursively. Each
/// resource's `values` are moved into the resource (the module is left without them).
fn module_values(module: &mut Node, lifecycle: Lifecycle, sink: &mut dyn FnMut(Resource)) {
    let mut stack = vec![module];
    while let Some(m) = stack.pop() {
        let Kind::Object(members) = &mut m.kind else {
            continue;
        };
        let (mut resources, mut children) = (None, None);
        for member in members.iter_mut() {
            let Kind::Array(items) = &mut member.value.kind else {
                continue;
            };
            if member.key == "resources" && resources.is_none() {
                resources = Some(items);
            } else if member.key == "child_modules" && children.is_none() {
                children = Some(items);
            }
        }
        for r in resources.into_iter().flatten() {
            let (Some(address), Some(rtype)) = (text(r.get("address")), text(r.get("type"))) else {
                continue;
            };
            let (address, rtype) = (address.to_string(), rtype.to_string());
            let mode = mode_of(r);
            let header = r.get("address").map_or(r.span, |a| a.span);
            let span = r.span;
            let attributes = member_mut(r, &["values"])
                .map(|v| std::mem::replace(v, Node::new(Kind::Null, span)))
                .unwrap_or_else(|| Node::new(Kind::Object(Vec::new()), span));
            sink(Resource {
                mode,
                module: module_prefix(&address, mode, &rtype),
                rtype,
                address,
                attributes,
                span,
                header,
                lifecycle,
            });
        }
        if let Some(children) = children {
            stack.extend(children.iter_mut().rev());
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
