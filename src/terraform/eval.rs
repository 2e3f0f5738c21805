//! Evaluating a root module into resources: expressions into located [`Node`]s.
//!
//! What is knowable without a cloud is evaluated: literals, templates (interpolation, `%{if}`
//! and `%{for}` directives, strip markers), heredocs, locals, variables (defaults, `.tfvars`,
//! `--var-file`, `--var`, module inputs), module outputs, conditionals, operators, `for`
//! expressions, splats, `count` / `for_each` instances, `dynamic` blocks and the functions of
//! [`super::functions`]. Everything else becomes unknown with a reason, never an error and
//! never a guess:
//! - a managed resource attribute is a hole whose id is the attribute's full address,
//!   module-qualified (`module.logs.aws_s3_bucket.this.arn`), with the instance key only
//!   when the reference has one (`aws_s3_bucket.b[0].arn`);
//! - a data source attribute likewise (`data.aws_iam_policy_document.p.json`), except the
//!   account id, partition and region, which come from the options;
//! - a variable without a value is the hole `var.NAME` (module-qualified);
//! - an unknown function is a hole saying so.
//!
//! Values keep the span of the expression they were written as; a reference returns the
//! referenced value with its own spans (a local's value points into the local's definition).
//! A string built by a template has the template's span; a plain `<<EOF` heredoc has the
//! span of exactly its text, and so has a `file()` result (in a new [`Sources`] entry), so
//! that a JSON document inside can be parsed with [`OffsetMap::direct`](crate::json::OffsetMap).
//!
//! Evaluation is bounded: expressions nest at most [`MAX_DEPTH`] levels, every root module
//! has a step budget (for-expressions, instances, copies of values and function results all
//! spend it, charged before they are built), no function call or template builds more than
//! [`MAX_VALUE_BYTES`] of text, a reference cycle between locals ends as an unknown, and a
//! module that calls itself is reported instead of followed. A chain of locals does not nest:
//! the locals a local reads are evaluated first, one at a time. A limit that is hit is an
//! error of the run ([`RootOutput::errors`], `evaluation limit: …`, located where it was
//! hit), never only an unknown value.

use super::functions::{self, error, first_hole, is_error, string_node, to_pstring, unknown};
use super::hcl::{BlockBody, BodyKind, Expr, ExprKind, Module};
use super::{fileset, walk};
use crate::fsbound::Refusal;
use crate::resource::{Lifecycle, LoadError, Mode, Resource};
use crate::source::{FileId, Sources, Span};
use crate::value::{Hole, Kind, Member, Node, PString, Part};
use hcl_edit::Span as _;
use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, FuncCall, ObjectKey, TraversalOperator, UnaryOperator,
};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::template::{Directive, Element, Template};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

mod documents;

/// How deep expressions may nest, counting references followed.
pub const MAX_DEPTH: usize = 256;
/// How deep module calls may nest.
pub const MAX_MODULE_DEPTH: usize = 32;
/// The most instances one `count` or `for_each` may create.
pub const MAX_INSTANCES: usize = 10_000;
/// Evaluation steps every root module may spend, plus [`STEPS_PER_BYTE`] per byte of source.
pub const BASE_STEPS: u64 = 2_000_000;
/// Extra steps per byte of a root module's files (its own and its modules').
pub const STEPS_PER_BYTE: u64 = 16;

/// The largest text one function call or template may build; anything larger is an
/// evaluation-limit error (checked before the text is built).
pub const MAX_VALUE_BYTES: u64 = 4 << 20;
/// How many limit errors one root module reports.
const MAX_LIMIT_ERRORS: usize = 20;

/// The largest file `file()` and `templatefile()` read.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// Meta-arguments of `resource` / `data` blocks, which are not resource attributes.
const META_ATTRIBUTES: &[&str] = &["count", "for_each", "provider", "depends_on"];
/// Meta-blocks of `resource` / `data` blocks.
const META_BLOCKS: &[&str] = &["lifecycle", "provisioner", "connection"];
/// Arguments that are maps, not nested blocks, in Terraform JSON syntax.
const JSON_MAP_ATTRIBUTES: &[&str] = &["tags", "tags_all", "variables", "environment", "triggers"];
/// Resource attributes that are strings in the AWS provider: a reference to one of them is a
/// string made of one hole rather than a value of unknown shape.
const STRING_ATTRIBUTES: &[&str] = &[
    "arn",
    "id",
    "bucket",
    "json",
    "minified_json",
    "key_id",
    "name",
    "policy",
    "account_id",
    "region",
    "partition",
    "target_key_arn",
    "target_key_id",
    "bucket_domain_name",
    "bucket_regional_domain_name",
];

/// What evaluation may know from the command line.
#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    /// `--account-id`: the value of `data.aws_caller_identity.*.account_id`.
    pub account_id: Option<String>,
    /// `--region`: the value of `data.aws_region.*.name`.
    pub region: Option<String>,
    /// Where `file()` and `templatefile()` may read.
    pub boundary: std::sync::Arc<crate::fsbound::Boundary>,
}

/// A root module to evaluate.
#[derive(Debug, Clone)]
pub struct RootInput {
    /// The module (index into the loaded modules).
    pub module: usize,
    /// The directory Terraform would run in; `file()` paths are relative to it first.
    pub dir: PathBuf,
    /// Variable values from `.tfvars` files, `--var-file` and `--var`, the last one winning.
    pub values: HashMap<String, Expr>,
}

/// What evaluating a root module produced.
#[derive(Debug, Default)]
pub struct RootOutput {
    /// One resource per resource or data source instance, module instances included.
    pub resources: Vec<Resource>,
    /// Module cycles, an exhausted budget.
    pub errors: Vec<LoadError>,
    /// Files read by `file()` and `templatefile()`.
    pub files_read: usize,
    /// Module calls (instances of calls) whose remote code is not on disk.
    pub not_loaded: Vec<crate::model::ModuleNotLoaded>,
    /// Every module instance's address prefix (`module.logs["a"].`) with the `module` block
    /// that created it.
    pub module_calls: Vec<(String, Span)>,
}

/// Evaluates the root module `root` of `modules`. Files read by `file()` are added to
/// `sources`.
pub fn evaluate_root(
    modules: &[Module],
    sources: &mut Sources,
    root: &RootInput,
    opts: &EvalOptions,
) -> RootOutput {
    let bytes: usize = modules.iter().map(|m| m.bytes).sum();
    let mut ev = Evaluator {
        modules,
        sources,
        opts,
        root,
        insts: Vec::new(),
        bindings: Vec::new(),
        depth: 0,
        steps: BASE_STEPS.saturating_add(STEPS_PER_BYTE.saturating_mul(bytes as u64)),
        exhausted: false,
        exhausted_at: None,
        limits: Vec::new(),
        files: HashMap::new(),
        files_read: 0,
        errors: Vec::new(),
        not_loaded: Vec::new(),
        documents: HashMap::new(),
    };
    ev.insts.push(Instance::new(
        root.module,
        String::new(),
        PathBuf::from("."),
        None,
    ));
    ev.build(0, 0);
    let resources = ev.resources();
    if ev.exhausted {
        let budget = BASE_STEPS.saturating_add(STEPS_PER_BYTE.saturating_mul(bytes as u64));
        ev.errors.push(LoadError {
            file: ev.exhausted_at.map(|s| s.file),
            span: ev.exhausted_at,
            path: Some(root.dir.display().to_string()),
            message: format!(
                "evaluation limit: {} used up its budget of {budget} steps ({BASE_STEPS} plus \
                 {STEPS_PER_BYTE} per byte of source) here; the values not yet evaluated are \
                 unknown and the findings that depend on them are not reported",
                root.dir.display()
            ),
        });
    }
    ev.errors.append(&mut ev.limits);
    let module_calls = ev
        .insts
        .iter()
        .filter_map(|inst| {
            let parent = inst.parent.as_ref()?;
            let caller = &ev.modules[ev.insts[parent.inst].module];
            Some((inst.prefix.clone(), caller.calls.get(parent.call)?.span))
        })
        .collect();
    RootOutput {
        resources,
        errors: ev.errors,
        files_read: ev.files_read,
        not_loaded: ev.not_loaded,
        module_calls,
    }
}

/// Names bound to values (`each`, `count`, `for` variables, `dynamic` iterators).
type Bindings = Vec<(String, Node)>;

/// A `count` or `for_each` instance key.
#[derive(Debug, Clone, PartialEq)]
enum Key {
    Int(usize),
    Str(String),
}

impl Key {
    /// `[0]` or `["a"]`, as Terraform writes addresses.
    fn render(&self) -> String {
        match self {
            Key::Int(i) => format!("[{i}]"),
            Key::Str(s) => format!("[{}]", quote(s)),
        }
    }
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// A local, variable or output being evaluated, or its value.
#[derive(Debug, Clone)]
enum Slot {
    Busy,
    Done(Node),
}

/// The instances of one module call.
#[derive(Debug, Clone)]
enum Children {
    One(usize),
    Keyed(Vec<(Key, usize)>),
}

/// How a module instance was called.
#[derive(Debug, Clone)]
struct Parent {
    inst: usize,
    call: usize,
    bindings: Vec<(String, Node)>,
}

/// One instance of a module: the root, or one `count`/`for_each` instance of a call.
#[derive(Debug)]
struct Instance {
    module: usize,
    /// `module.logs["a"].`, empty at the root.
    prefix: String,
    /// `path.module`: the module's directory relative to the root module.
    rel: PathBuf,
    parent: Option<Parent>,
    vars: HashMap<String, Slot>,
    locals: HashMap<String, Slot>,
    outputs: HashMap<String, Slot>,
    children: HashMap<String, Children>,
}

impl Instance {
    fn new(module: usize, prefix: String, rel: PathBuf, parent: Option<Parent>) -> Self {
        Instance {
            module,
            prefix,
            rel,
            parent,
            vars: HashMap::new(),
            locals: HashMap::new(),
            outputs: HashMap::new(),
            children: HashMap::new(),
        }
    }
}

/// The instances a `count` or `for_each` creates.
enum Expansion {
    /// Neither is set.
    One,
    /// Known instances with their `count` / `each` bindings.
    Keys(Vec<(Key, Vec<(String, Node)>)>),
    /// Not known: one instance without a key, `count.index` / `each` unknown.
    Unknown(Vec<(String, Node)>),
}

/// Where an expression is written: spans are byte ranges of `file`, unless `coarse` is set
/// (a template inside a JSON string), in which case every span is `coarse`.
#[derive(Debug, Clone, Copy)]
struct Cx {
    inst: usize,
    file: FileId,
    coarse: Option<Span>,
}

impl Cx {
    fn span(&self, range: Option<std::ops::Range<usize>>) -> Span {
        match (self.coarse, range) {
            (Some(span), _) => span,
            (None, Some(r)) => Span::new(self.file, r.start, r.end),
            (None, None) => Span::new(self.file, 0, 0),
        }
    }
}

/// Collects the members of a body: arguments in order, nested blocks grouped by name at the
/// place of the first one.
#[derive(Default)]
struct Members {
    entries: Vec<Entry>,
    /// Position of each block group in `entries`.
    groups: HashMap<String, usize>,
}

enum Entry {
    Attr(Member),
    Blocks {
        name: String,
        key_span: Span,
        items: Vec<Node>,
        unknown: Option<Hole>,
    },
}

impl Members {
    fn attr(&mut self, member: Member) {
        self.entries.push(Entry::Attr(member));
    }

    fn group(&mut self, name: &str, key_span: Span) -> (&mut Vec<Node>, &mut Option<Hole>) {
        let index = match self.groups.get(name) {
            Some(&index) => index,
            None => {
                self.entries.push(Entry::Blocks {
                    name: name.to_string(),
                    key_span,
                    items: Vec::new(),
                    unknown: None,
                });
                self.groups.insert(name.to_string(), self.entries.len() - 1);
                self.entries.len() - 1
            }
        };
        match &mut self.entries[index] {
            Entry::Blocks { items, unknown, .. } => (items, unknown),
            Entry::Attr(_) => unreachable!("index found among block groups"),
        }
    }

    fn block(&mut self, name: &str, key_span: Span, node: Node) {
        self.group(name, key_span).0.push(node);
    }

    fn unknown_blocks(&mut self, name: &str, key_span: Span, hole: Hole) {
        let slot = self.group(name, key_span).1;
        slot.get_or_insert(hole);
    }

    /// The members: a block group is a list of objects; blocks from a `dynamic` whose
    /// `for_each` is unknown make the group unknown, or add an unknown element after the
    /// known blocks.
    fn finish(self) -> Vec<Member> {
        self.entries
            .into_iter()
            .map(|entry| match entry {
                Entry::Attr(member) => member,
                Entry::Blocks {
                    name,
                    key_span,
                    mut items,
                    unknown: hole,
                } => {
                    let span = match (items.first(), items.last()) {
                        (Some(a), Some(b)) if a.span.file == b.span.file => a.span.to(b.span),
                        _ => key_span,
                    };
                    let value = match hole {
                        Some(hole) if items.is_empty() => Node::new(Kind::Unknown(hole), span),
                        Some(hole) => {
                            items.push(Node::new(Kind::Unknown(hole), key_span));
                            Node::new(Kind::Array(items), span)
                        }
                        None => Node::new(Kind::Array(items), span),
                    };
                    Member {
                        key: name,
                        key_span,
                        value,
                    }
                }
            })
            .collect()
    }
}

struct Evaluator<'m, 's> {
    modules: &'m [Module],
    sources: &'s mut Sources,
    opts: &'m EvalOptions,
    root: &'m RootInput,
    insts: Vec<Instance>,
    /// Names bound by `for`, `count`, `each`, `dynamic` iterators and `templatefile` vars.
    bindings: Vec<(String, Node)>,
    depth: usize,
    steps: u64,
    exhausted: bool,
    /// Where the budget first ran out.
    exhausted_at: Option<Span>,
    /// Limits hit (depth, value size): each one an error, located.
    limits: Vec<LoadError>,
    files: HashMap<PathBuf, FileId>,
    files_read: usize,
    errors: Vec<LoadError>,
    not_loaded: Vec<crate::model::ModuleNotLoaded>,
    /// Rendered `aws_iam_policy_document` instances (`None` while being rendered).
    documents: HashMap<documents::DocKey, Option<Node>>,
}

/// The size of `node` for the budget: nodes and holes plus string bytes / 64, counted up to
/// `limit`.
fn weight(node: &Node, limit: u64) -> u64 {
    let mut total = 0u64;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        total += 1;
        if total > limit {
            break;
        }
        match &n.kind {
            Kind::Str(s) => {
                for part in s.parts() {
                    total += match part {
                        Part::Lit(text) => text.len() as u64 / 64,
                        // A hole is a record of its own: a string of many holes is large.
                        Part::Hole(_) => 1,
                    };
                }
            }
            Kind::Array(items) => stack.extend(items),
            Kind::Object(members) => stack.extend(members.iter().map(|m| &m.value)),
            _ => {}
        }
    }
    total
}

/// Moves `node` and everything in it to `at`.
fn relocate(node: &mut Node, at: Span) {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        node.span = at;
        match &mut node.kind {
            Kind::Array(items) => stack.extend(items.iter_mut()),
            Kind::Object(members) => {
                for member in members.iter_mut() {
                    member.key_span = at;
                    stack.push(&mut member.value);
                }
            }
            _ => {}
        }
    }
}

/// The names `NAME` of the mentions `local.NAME` in the text of `expr`.
fn local_mentions<'a>(sources: &'a Sources, expr: &Expr) -> Vec<&'a str> {
    let range = match &expr.kind {
        ExprKind::Hcl(e) | ExprKind::Relocated(e, _) => e.span(),
        ExprKind::Json(n) => Some(n.span.start as usize..n.span.end as usize),
        ExprKind::Literal(_) => None,
    };
    let text = sources.file(expr.file).text.as_str();
    let Some(text) = range.and_then(|r| text.get(r)) else {
        return Vec::new();
    };
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("local.") {
        let start = from + at + "local.".len();
        let before = (from + at).checked_sub(1).map(|i| bytes[i]);
        let end = bytes[start..]
            .iter()
            .position(|&b| !ident(b))
            .map_or(bytes.len(), |n| start + n);
        if !before.is_some_and(|b| ident(b) || b == b'.') && end > start {
            out.push(&text[start..end]);
        }
        from = end.max(start);
    }
    out
}

/// The entries a collection iterates over: list index or map key (sorted, as Terraform
/// iterates maps), and value.
fn entries(node: &Node, span: Span) -> Result<Vec<(Node, Node)>, Node> {
    match &node.kind {
        Kind::Array(items) => Ok(items
            .iter()
            .enumerate()
            .map(|(i, item)| (functions::number_node(i as f64, item.span), item.clone()))
            .collect()),
        Kind::Object(members) => {
            let mut sorted: Vec<&Member> = members.iter().collect();
            sorted.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(sorted
                .into_iter()
                .map(|m| (string_node(m.key.clone(), m.key_span), m.value.clone()))
                .collect())
        }
        Kind::Unknown(hole) => Err(unknown(hole.clone(), span)),
        Kind::Str(s) if !s.is_known() => {
            Err(unknown(first_hole(node).unwrap_or_else(|| s_hole(s)), span))
        }
        _ => Err(error(span, format!("cannot iterate over {}", node.shape()))),
    }
}

fn s_hole(s: &PString) -> Hole {
    s.holes()
        .next()
        .cloned()
        .unwrap_or_else(|| Hole::unknown("unknown", "an unknown value"))
}

/// An object node `{ name = value, … }` at `span`.
fn object(members: Vec<(&str, Node)>, span: Span) -> Node {
    Node::new(
        Kind::Object(
            members
                .into_iter()
                .map(|(key, value)| Member {
                    key: key.to_string(),
                    key_span: value.span,
                    value,
                })
                .collect(),
        ),
        span,
    )
}

/// The known text of `node`, if it is a fully known string (or number or bool).
fn known_text(node: &Node) -> Option<String> {
    match &node.kind {
        Kind::Str(s) => s.as_known().map(str::to_string),
        Kind::Number(_) | Kind::Bool(_) => to_pstring(node).ok()?.as_known().map(str::to_string),
        _ => None,
    }
}

/// The hole that makes `node` unknown at the top, or a generic one.
fn hole_of(node: &Node) -> Hole {
    first_hole(node).unwrap_or_else(|| Hole::unknown("unknown", "an unknown value"))
}

/// A hole, as a string when the value is known to be a string.
fn hole_node(hole: Hole, string: bool, span: Span) -> Node {
    if string {
        Node::new(Kind::Str(PString::hole(hole)), span)
    } else {
        Node::new(Kind::Unknown(hole), span)
    }
}

/// Template output being built, with the pending effect of a `~` strip marker.
#[derive(Default)]
struct TemplateOut {
    text: PString,
    strip_next: bool,
    /// Bytes pushed so far (an upper bound of the text's length).
    len: u64,
}

impl TemplateOut {
    fn lit(&mut self, text: &str) {
        let text = if std::mem::take(&mut self.strip_next) {
            text.trim_start()
        } else {
            text
        };
        self.text.push_str(text);
    }

    fn value(&mut self, s: &PString) {
        self.strip_next = false;
        self.text.push(s);
    }

    /// `~` before a marker: whitespace before it is dropped.
    fn strip_before(&mut self, yes: bool) {
        if !yes {
            return;
        }
        self.text.trim_end();
    }
}

impl<'m, 's> Evaluator<'m, 's> {
    // ----- bookkeeping -------------------------------------------------------------------

    fn charge(&mut self, cost: u64) -> bool {
        if self.exhausted || self.steps < cost {
            self.steps = 0;
            self.exhausted = true;
            return false;
        }
        self.steps -= cost;
        true
    }

    /// The value of something not evaluated because the budget ran out; remembers where that
    /// first happened for the error.
    fn budget_node(&mut self, span: Span) -> Node {
        self.exhausted_at.get_or_insert(span);
        Node::new(
            Kind::Unknown(Hole::unknown(
                "evaluation-budget",
                "evaluation stopped: the step budget of this root module was used up",
            )),
            span,
        )
    }

    /// Records that a limit was hit at `span` (an error of the run, located) and returns the
    /// error value that stands for what was not evaluated. At most [`MAX_LIMIT_ERRORS`] are
    /// kept per root module; the last one says how many more there were.
    fn limit(&mut self, span: Span, message: String) -> Node {
        let message = format!("evaluation limit: {message}");
        if self.limits.len() < MAX_LIMIT_ERRORS {
            self.limits.push(LoadError {
                file: Some(span.file),
                span: Some(span),
                path: None,
                message: message.clone(),
            });
        } else if self.limits.len() == MAX_LIMIT_ERRORS {
            self.limits.push(LoadError {
                file: Some(span.file),
                span: Some(span),
                path: None,
                message: format!("{message} (more limits were hit after this one)"),
            });
        }
        error(span, message)
    }

    /// Nesting deeper than [`MAX_DEPTH`]: an error of the run.
    fn too_deep(&mut self, span: Span, what: &str) -> Node {
        self.limit(
            span,
            format!("{what} nested more than {MAX_DEPTH} levels deep is not evaluated"),
        )
    }

    /// Charges `units` for a new value with a text of `bytes` bytes about to be built at
    /// `span`; `Err` (an error of the run, nothing allocated) when the text would be longer
    /// than [`MAX_VALUE_BYTES`] or the budget does not cover the units.
    fn afford(&mut self, bytes: u64, units: u64, span: Span, what: &str) -> Result<(), Node> {
        if bytes > MAX_VALUE_BYTES {
            return Err(self.limit(
                span,
                format!(
                    "{what} would build a value of {bytes} bytes, more than the {MAX_VALUE_BYTES} \
                     bytes one value may have"
                ),
            ));
        }
        if self.charge(units) {
            Ok(())
        } else {
            Err(self.budget_node(span))
        }
    }

    /// Charges `w` (the [`weight`] of a stored value at `span`) and only then copies it with
    /// `clone`: nothing is allocated for a copy the budget does not cover.
    fn copy_weighed(&mut self, w: u64, span: Span, clone: impl FnOnce(&Self) -> Node) -> Node {
        if self.charge(w) {
            clone(self)
        } else {
            self.budget_node(span)
        }
    }

    /// Charges for `bytes` more bytes of template output, refusing output longer than
    /// [`MAX_VALUE_BYTES`].
    fn grow(&mut self, out: &mut TemplateOut, bytes: u64, span: Span) -> Result<(), Node> {
        out.len = out.len.saturating_add(bytes);
        self.afford(out.len, bytes / 64, span, "a template")
    }

    /// Charges for copying `node` out of a memo table.
    fn copy(&mut self, node: &Node) -> Node {
        let w = weight(node, self.steps.saturating_add(1));
        if self.charge(w) {
            node.clone()
        } else {
            self.budget_node(node.span)
        }
    }

    fn binding(&self, name: &str) -> Option<&Node> {
        self.bindings
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    fn with_bindings<T>(
        &mut self,
        bindings: Vec<(String, Node)>,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let saved = std::mem::replace(&mut self.bindings, bindings);
        let result = f(self);
        self.bindings = saved;
        result
    }

    fn module(&self, inst: usize) -> &'m Module {
        &self.modules[self.insts[inst].module]
    }

    // ----- module instances --------------------------------------------------------------

    /// Creates the module instances called from `inst`, depth first.
    fn build(&mut self, inst: usize, depth: usize) {
        let module = self.module(inst);
        for (index, call) in module.calls.iter().enumerate() {
            let Some(target) = call.target else {
                if let (Some(reason), Some(source)) = (&call.not_loaded, &call.source) {
                    self.not_loaded.push(crate::model::ModuleNotLoaded {
                        address: format!("{}module.{}", self.insts[inst].prefix, call.name),
                        source: source.clone(),
                        reason: reason.clone(),
                        span: call.span,
                    });
                }
                continue;
            };
            if depth >= MAX_MODULE_DEPTH || self.ancestors(inst).contains(&target) {
                self.errors.push(LoadError {
                    file: Some(call.span.file),
                    span: Some(call.span),
                    path: Some(self.modules[target].dir.display().to_string()),
                    message: format!(
                        "module \"{}\" calls a module that is already being expanded (a cycle of module calls); not followed",
                        call.name
                    ),
                });
                continue;
            }
            let rel = self.module_rel(inst, call.source.as_deref(), target);
            let base = format!("{}module.{}", self.insts[inst].prefix, call.name);
            let expansion = self.expand(&call.body, inst, call.span);
            let mut created = Vec::new();
            let children = match expansion {
                Expansion::One | Expansion::Unknown(_) => {
                    let bindings = match expansion {
                        Expansion::Unknown(b) => b,
                        _ => Vec::new(),
                    };
                    let child =
                        self.new_instance(target, format!("{base}."), &rel, inst, index, bindings);
                    created.push(child);
                    Children::One(child)
                }
                Expansion::Keys(keys) => {
                    let mut keyed = Vec::new();
                    for (key, bindings) in keys {
                        let prefix = format!("{base}{}.", key.render());
                        let child = self.new_instance(target, prefix, &rel, inst, index, bindings);
                        created.push(child);
                        keyed.push((key, child));
                    }
                    Children::Keyed(keyed)
                }
            };
            self.insts[inst]
                .children
                .insert(call.name.clone(), children);
            for child in created {
                self.build(child, depth + 1);
            }
        }
    }

    /// `path.module` of a module called from `inst` with `source`: the local source joined
    /// to the caller's, or where `terraform init` put a remote module (relative to the root).
    fn module_rel(&self, inst: usize, source: Option<&str>, target: usize) -> PathBuf {
        match source {
            Some(source) if !walk::is_local_source(source) => {
                let dir = &self.modules[target].dir;
                walk::normalize(dir.strip_prefix(&self.root.dir).unwrap_or(dir))
            }
            source => walk::normalize(&self.insts[inst].rel.join(source.unwrap_or("."))),
        }
    }

    fn new_instance(
        &mut self,
        module: usize,
        prefix: String,
        rel: &Path,
        parent: usize,
        call: usize,
        bindings: Vec<(String, Node)>,
    ) -> usize {
        self.insts.push(Instance::new(
            module,
            prefix,
            rel.to_path_buf(),
            Some(Parent {
                inst: parent,
                call,
                bindings,
            }),
        ));
        self.insts.len() - 1
    }

    fn ancestors(&self, inst: usize) -> Vec<usize> {
        let mut out = vec![self.insts[inst].module];
        let mut at = inst;
        while let Some(parent) = &self.insts[at].parent {
            at = parent.inst;
            out.push(self.insts[at].module);
        }
        out
    }

    /// The instances `count` / `for_each` of `body` create, evaluated in `inst`.
    fn expand(&mut self, body: &BlockBody, inst: usize, span: Span) -> Expansion {
        if let Some(expr) = body.attribute("count") {
            let value = self.eval(&expr, inst);
            let n = match &value.kind {
                Kind::Number(n) => functions::parse_number(n),
                Kind::Str(s) => s.as_known().and_then(functions::parse_number),
                _ => None,
            };
            let unknown_index = |hole: Hole| {
                Expansion::Unknown(vec![(
                    "count".to_string(),
                    object(
                        vec![("index", Node::new(Kind::Unknown(hole), value.span))],
                        value.span,
                    ),
                )])
            };
            return match n {
                Some(n) if n >= 0.0 && n.fract() == 0.0 && (n as usize) <= MAX_INSTANCES => {
                    let n = n as usize;
                    if !self.charge(n as u64) {
                        return unknown_index(hole_of(&self.budget_node(span)));
                    }
                    Expansion::Keys(
                        (0..n)
                            .map(|i| {
                                let index = functions::number_node(i as f64, value.span);
                                (
                                    Key::Int(i),
                                    vec![(
                                        "count".to_string(),
                                        object(vec![("index", index)], value.span),
                                    )],
                                )
                            })
                            .collect(),
                    )
                }
                Some(_) => unknown_index(hole_of(&error(
                    value.span,
                    format!("count must be a whole number from 0 to {MAX_INSTANCES}"),
                ))),
                None => unknown_index(hole_of(&value)),
            };
        }
        let Some(expr) = body.attribute("for_each") else {
            return Expansion::One;
        };
        let value = self.eval(&expr, inst);
        let unknown_each = |hole: Hole, span: Span| {
            Expansion::Unknown(vec![(
                "each".to_string(),
                object(
                    vec![
                        (
                            "key",
                            Node::new(Kind::Str(PString::hole(hole.clone())), span),
                        ),
                        ("value", Node::new(Kind::Unknown(hole), span)),
                    ],
                    span,
                ),
            )])
        };
        let pairs: Vec<(String, Node, Node)> = match &value.kind {
            Kind::Object(members) => {
                let mut sorted: Vec<&Member> = members.iter().collect();
                sorted.sort_by(|a, b| a.key.cmp(&b.key));
                sorted
                    .into_iter()
                    .map(|m| {
                        (
                            m.key.clone(),
                            string_node(m.key.clone(), m.key_span),
                            m.value.clone(),
                        )
                    })
                    .collect()
            }
            Kind::Array(items) => {
                let mut pairs = Vec::new();
                for item in items {
                    match known_text(item) {
                        Some(text) if matches!(item.kind, Kind::Str(_)) => {
                            pairs.push((text, item.clone(), item.clone()))
                        }
                        _ => {
                            let hole = match item.kind {
                                Kind::Str(_) | Kind::Unknown(_) => hole_of(item),
                                _ => {
                                    hole_of(&error(item.span, "for_each over a set needs strings"))
                                }
                            };
                            return unknown_each(hole, value.span);
                        }
                    }
                }
                pairs
            }
            Kind::Null => {
                return unknown_each(hole_of(&error(value.span, "for_each is null")), value.span);
            }
            _ => return unknown_each(hole_of(&value), value.span),
        };
        if pairs.len() > MAX_INSTANCES || !self.charge(pairs.len() as u64) {
            return unknown_each(
                hole_of(&error(
                    value.span,
                    format!(
                        "for_each has more than {MAX_INSTANCES} instances or used up the budget"
                    ),
                )),
                value.span,
            );
        }
        let mut seen = std::collections::HashSet::new();
        Expansion::Keys(
            pairs
                .into_iter()
                .filter(|(key, _, _)| seen.insert(key.clone()))
                .map(|(key, key_node, value_node)| {
                    let each = object(vec![("key", key_node), ("value", value_node)], value.span);
                    (Key::Str(key), vec![("each".to_string(), each)])
                })
                .collect(),
        )
    }

    // ----- resources ---------------------------------------------------------------------

    fn resources(&mut self) -> Vec<Resource> {
        let mut out = Vec::new();
        for inst in 0..self.insts.len() {
            let module = self.module(inst);
            for block in &module.resources {
                let prefix = self.insts[inst].prefix.clone();
                let base = match block.mode {
                    Mode::Data => format!("{prefix}data.{}.{}", block.rtype, block.name),
                    Mode::Managed => format!("{prefix}{}.{}", block.rtype, block.name),
                };
                let instances = match self.expand(&block.body, inst, block.span) {
                    Expansion::One => vec![(base, Vec::new())],
                    Expansion::Unknown(bindings) => vec![(base, bindings)],
                    Expansion::Keys(keys) => keys
                        .into_iter()
                        .map(|(key, bindings)| (format!("{base}{}", key.render()), bindings))
                        .collect(),
                };
                for (address, bindings) in instances {
                    let attributes = self
                        .with_bindings(bindings, |ev| ev.body(&block.body, inst, true, block.span));
                    out.push(Resource {
                        mode: block.mode,
                        rtype: block.rtype.clone(),
                        address,
                        module: prefix.clone(),
                        attributes,
                        span: block.span,
                        header: block.header,
                        lifecycle: Lifecycle::Unknown,
                    });
                }
            }
        }
        out
    }

    /// The arguments and nested blocks of `body` as an object at `span`; `top` drops the
    /// meta-arguments of a resource block.
    fn body(&mut self, body: &BlockBody, inst: usize, top: bool, span: Span) -> Node {
        let cx = Cx {
            inst,
            file: body.file,
            coarse: None,
        };
        match &body.kind {
            BodyKind::Hcl(b) => self.body_hcl(b, cx, top, span),
            BodyKind::Json(n) => self.body_json(n, cx, top),
        }
    }

    fn body_hcl(&mut self, body: &Body, cx: Cx, top: bool, span: Span) -> Node {
        if self.depth >= MAX_DEPTH {
            return self.too_deep(span, "blocks");
        }
        self.depth += 1;
        let mut members = Members::default();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => {
                    let key = attr.key.as_str();
                    if top && META_ATTRIBUTES.contains(&key) {
                        continue;
                    }
                    let value = self.expr(&attr.value, cx);
                    members.attr(Member {
                        key: key.to_string(),
                        key_span: cx.span(attr.key.span()),
                        value,
                    });
                }
                Structure::Block(block) => {
                    let name = block.ident.as_str();
                    if top && META_BLOCKS.contains(&name) {
                        continue;
                    }
                    if name == "dynamic" {
                        self.dynamic_hcl(block, cx, &mut members);
                    } else {
                        let node = self.body_hcl(&block.body, cx, false, cx.span(block.span()));
                        members.block(name, cx.span(block.ident.span()), node);
                    }
                }
            }
        }
        self.depth -= 1;
        Node::new(Kind::Object(members.finish()), span)
    }

    /// Expands `dynamic "name" { for_each = …  iterator = …  content { … } }`.
    fn dynamic_hcl(&mut self, block: &Block, cx: Cx, members: &mut Members) {
        let Some(label) = block.labels.first() else {
            return;
        };
        let name = label.as_str();
        let key_span = cx.span(label.span());
        let Some(for_each) = block.body.get_attribute("for_each") else {
            return;
        };
        let Some(content) = block.body.get_blocks("content").next() else {
            return;
        };
        let iterator = block
            .body
            .get_attribute("iterator")
            .and_then(|a| a.value.as_variable().map(|v| v.as_str().to_string()))
            .unwrap_or_else(|| name.to_string());
        let collection = self.expr(&for_each.value, cx);
        let span = cx.span(content.span());
        match entries(&collection, collection.span) {
            Err(node) => members.unknown_blocks(name, key_span, hole_of(&node)),
            Ok(items) => {
                for (key, value) in items {
                    if !self.charge(1) {
                        members.unknown_blocks(name, key_span, hole_of(&self.budget_node(span)));
                        break;
                    }
                    let it = object(vec![("key", key), ("value", value)], span);
                    self.bindings.push((iterator.clone(), it));
                    let node = self.body_hcl(&content.body, cx, false, span);
                    self.bindings.pop();
                    members.block(name, key_span, node);
                }
            }
        }
    }

    fn body_json(&mut self, node: &Node, cx: Cx, top: bool) -> Node {
        let Some(object_members) = node.as_object() else {
            return self.json(node, cx);
        };
        if self.depth >= MAX_DEPTH {
            return self.too_deep(node.span, "blocks");
        }
        self.depth += 1;
        let mut members = Members::default();
        for m in object_members {
            let key = m.key.as_str();
            if key == "//"
                || (top && (META_ATTRIBUTES.contains(&key) || META_BLOCKS.contains(&key)))
            {
                continue;
            }
            if key == "dynamic" {
                for (label, label_span, spec) in super::hcl::json_entries(&m.value) {
                    self.dynamic_json(label, label_span, spec, cx, &mut members);
                }
            } else if is_json_block(key, &m.value) {
                let blocks: Vec<&Node> = match &m.value.kind {
                    Kind::Array(items) => items.iter().collect(),
                    _ => vec![&m.value],
                };
                for block in blocks {
                    let value = self.body_json(block, cx, false);
                    members.block(key, m.key_span, value);
                }
            } else {
                let value = self.json(&m.value, cx);
                members.attr(Member {
                    key: m.key.clone(),
                    key_span: m.key_span,
                    value,
                });
            }
        }
        self.depth -= 1;
        Node::new(Kind::Object(members.finish()), node.span)
    }

    fn dynamic_json(
        &mut self,
        name: &str,
        key_span: Span,
        spec: &Node,
        cx: Cx,
        members: &mut Members,
    ) {
        let (Some(for_each), Some(content)) = (spec.get("for_each"), spec.get("content")) else {
            return;
        };
        let iterator = spec
            .get("iterator")
            .and_then(Node::as_pstr)
            .and_then(|s| s.as_known())
            .unwrap_or(name)
            .to_string();
        let collection = self.json(for_each, cx);
        match entries(&collection, collection.span) {
            Err(node) => members.unknown_blocks(name, key_span, hole_of(&node)),
            Ok(items) => {
                for (key, value) in items {
                    if !self.charge(1) {
                        members.unknown_blocks(
                            name,
                            key_span,
                            hole_of(&self.budget_node(content.span)),
                        );
                        break;
                    }
                    let it = object(vec![("key", key), ("value", value)], content.span);
                    self.bindings.push((iterator.clone(), it));
                    let node = self.body_json(content, cx, false);
                    self.bindings.pop();
                    members.block(name, key_span, node);
                }
            }
        }
    }

    // ----- named values ------------------------------------------------------------------

    /// Evaluates a stored expression in instance `inst` (bindings as they are).
    fn eval(&mut self, expr: &Expr, inst: usize) -> Node {
        let cx = Cx {
            inst,
            file: expr.file,
            coarse: None,
        };
        match &expr.kind {
            ExprKind::Hcl(e) => self.expr(e, cx),
            ExprKind::Json(n) => self.json(n, cx),
            ExprKind::Literal(n) => self.copy(n),
            ExprKind::Relocated(e, at) => {
                let mut node = self.expr(e, cx);
                relocate(&mut node, *at);
                node
            }
        }
    }

    fn local(&mut self, inst: usize, name: &str, span: Span) -> Node {
        match self.insts[inst].locals.get(name) {
            Some(Slot::Done(node)) => {
                let w = weight(node, self.steps.saturating_add(1));
                return self.copy_weighed(w, node.span, |ev| {
                    match ev.insts[inst].locals.get(name) {
                        Some(Slot::Done(node)) => node.clone(),
                        _ => Node::new(Kind::Null, span),
                    }
                });
            }
            Some(Slot::Busy) => {
                let id = format!("{}local.{name}", self.insts[inst].prefix);
                let why = format!("{id} refers to itself (a cycle of locals)");
                return Node::new(Kind::Unknown(Hole::unknown(id, why)), span);
            }
            None => {}
        }
        let Some(expr) = self.module(inst).locals.get(name) else {
            return error(span, format!("there is no local value named \"{name}\""));
        };
        self.insts[inst].locals.insert(name.to_string(), Slot::Busy);
        self.prepare_locals(inst, name, span);
        let value = self.with_bindings(Vec::new(), |ev| ev.eval(expr, inst));
        self.insts[inst]
            .locals
            .insert(name.to_string(), Slot::Done(value.clone()));
        value
    }

    /// Evaluates the locals that `name` (marked busy) reads, directly or through other
    /// locals, those read last first, so that when `name` is evaluated every local it reads is
    /// already done (or busy: a cycle, which ends as an unknown as before): a
    /// chain of locals of any length is evaluated one link at a time instead of nesting one
    /// evaluation inside the next. The references are found in the text of each definition
    /// (a mention that is not a reference only evaluates a local early, which is harmless:
    /// Terraform evaluates every local anyway).
    fn prepare_locals(&mut self, inst: usize, name: &str, span: Span) {
        let module = self.module(inst);
        let Some((first, _)) = module.locals.get_key_value(name) else {
            return;
        };
        let mut order: Vec<&'m str> = Vec::new();
        let mut seen: std::collections::HashSet<&'m str> = std::collections::HashSet::new();
        let mut stack: Vec<(&'m str, bool)> = vec![(first.as_str(), false)];
        while let Some((local, expanded)) = stack.pop() {
            if expanded {
                order.push(local);
                continue;
            }
            // `name` itself is already marked busy by the caller.
            if !seen.insert(local)
                || (local != first.as_str() && self.insts[inst].locals.contains_key(local))
            {
                continue;
            }
            let Some(expr) = module.locals.get(local) else {
                continue;
            };
            stack.push((local, true));
            for read in local_mentions(self.sources, expr) {
                if let Some((key, _)) = module.locals.get_key_value(read)
                    && !seen.contains(key.as_str())
                {
                    stack.push((key.as_str(), false));
                }
            }
        }
        // The last one is `name` itself, which the caller evaluates.
        order.pop();
        for local in order {
            if !self.insts[inst].locals.contains_key(local) {
                self.local(inst, local, span);
            }
        }
    }

    fn var(&mut self, inst: usize, name: &str, span: Span) -> Node {
        let prefix = self.insts[inst].prefix.clone();
        match self.insts[inst].vars.get(name) {
            Some(Slot::Done(node)) => {
                let w = weight(node, self.steps.saturating_add(1));
                return self.copy_weighed(w, node.span, |ev| match ev.insts[inst].vars.get(name) {
                    Some(Slot::Done(node)) => node.clone(),
                    _ => Node::new(Kind::Null, span),
                });
            }
            Some(Slot::Busy) => {
                let id = format!("{prefix}var.{name}");
                let why = format!("{id} refers to itself (a cycle)");
                return Node::new(Kind::Unknown(Hole::unknown(id, why)), span);
            }
            None => {}
        }
        let Some(decl) = self.module(inst).variable(name) else {
            return error(span, format!("there is no variable named \"{name}\""));
        };
        self.insts[inst].vars.insert(name.to_string(), Slot::Busy);
        let given: Option<(Expr, usize, Bindings)> = match &self.insts[inst].parent {
            None => self
                .root
                .values
                .get(name)
                .map(|e| (e.clone(), inst, Vec::new())),
            Some(parent) => {
                let call = &self.module(parent.inst).calls[parent.call];
                call.body
                    .attribute(name)
                    .map(|e| (e, parent.inst, parent.bindings.clone()))
            }
        };
        let value = match (given, &decl.default) {
            (Some((expr, at, bindings)), _) => {
                self.with_bindings(bindings, |ev| ev.eval(&expr, at))
            }
            (None, Some(default)) => self.with_bindings(Vec::new(), |ev| ev.eval(default, inst)),
            (None, None) => {
                let id = format!("{prefix}var.{name}");
                let why = if prefix.is_empty() {
                    format!("variable {name} has no value (set it in a .tfvars file or with --var)")
                } else {
                    format!(
                        "variable {name} of {} has no value",
                        prefix.trim_end_matches('.')
                    )
                };
                hole_node(Hole::unknown(id, why), decl.is_string, span)
            }
        };
        self.insts[inst]
            .vars
            .insert(name.to_string(), Slot::Done(value.clone()));
        value
    }

    fn output(&mut self, inst: usize, name: &str, span: Span) -> Node {
        match self.insts[inst].outputs.get(name) {
            Some(Slot::Done(node)) => {
                let w = weight(node, self.steps.saturating_add(1));
                return self.copy_weighed(w, node.span, |ev| {
                    match ev.insts[inst].outputs.get(name) {
                        Some(Slot::Done(node)) => node.clone(),
                        _ => Node::new(Kind::Null, span),
                    }
                });
            }
            Some(Slot::Busy) => {
                let id = format!("{}output.{name}", self.insts[inst].prefix);
                let why = format!("{id} refers to itself (a cycle)");
                return Node::new(Kind::Unknown(Hole::unknown(id, why)), span);
            }
            None => {}
        }
        let Some(expr) = self.module(inst).outputs.get(name) else {
            return error(
                span,
                format!("{}has no output \"{name}\"", self.insts[inst].prefix),
            );
        };
        self.insts[inst]
            .outputs
            .insert(name.to_string(), Slot::Busy);
        let value = self.with_bindings(Vec::new(), |ev| ev.eval(expr, inst));
        self.insts[inst]
            .outputs
            .insert(name.to_string(), Slot::Done(value.clone()));
        value
    }

    // ----- expressions -------------------------------------------------------------------

    fn expr(&mut self, e: &Expression, cx: Cx) -> Node {
        let span = cx.span(e.span());
        if !self.charge(1) {
            return self.budget_node(span);
        }
        if self.depth >= MAX_DEPTH {
            return self.too_deep(span, "an expression");
        }
        self.depth += 1;
        let value = self.expr_inner(e, cx, span);
        self.depth -= 1;
        value
    }

    fn expr_inner(&mut self, e: &Expression, cx: Cx, span: Span) -> Node {
        match e {
            Expression::Null(_) => Node::new(Kind::Null, span),
            Expression::Bool(b) => Node::new(Kind::Bool(*b.value()), span),
            Expression::Number(n) => Node::new(Kind::Number(n.value().to_string()), span),
            Expression::String(s) => string_node(s.value().clone(), span),
            Expression::Array(items) => {
                let items = items.iter().map(|item| self.expr(item, cx)).collect();
                Node::new(Kind::Array(items), span)
            }
            Expression::Object(object) => {
                let mut members: Vec<Member> = Vec::new();
                // Position of each key in `members` (a repeated key overrides: linear, not
                // quadratic, in the number of keys).
                let mut at: HashMap<String, usize> = HashMap::new();
                for (key, value) in object.iter() {
                    let (key, key_span) = match key {
                        ObjectKey::Ident(ident) => {
                            (ident.as_str().to_string(), cx.span(ident.span()))
                        }
                        ObjectKey::Expression(k) => {
                            let node = self.expr(k, cx);
                            match known_text(&node) {
                                Some(text) => (text, node.span),
                                None if is_error(&node) => return node,
                                None => return unknown(hole_of(&node), span),
                            }
                        }
                    };
                    let value = self.expr(value.expr(), cx);
                    match at.get(&key) {
                        Some(&i) => {
                            members[i].value = value;
                            members[i].key_span = key_span;
                        }
                        None => {
                            at.insert(key.clone(), members.len());
                            members.push(Member {
                                key,
                                key_span,
                                value,
                            });
                        }
                    }
                }
                Node::new(Kind::Object(members), span)
            }
            Expression::StringTemplate(t) => self.template(t, cx, span),
            Expression::HeredocTemplate(h) => {
                let span = self.heredoc_span(h, cx).unwrap_or(span);
                self.template(&h.template, cx, span)
            }
            Expression::Parenthesis(p) => self.expr(p.inner(), cx),
            Expression::Variable(v) => match self.binding(v.as_str()) {
                Some(node) => {
                    let w = weight(node, self.steps.saturating_add(1));
                    let name = v.as_str();
                    self.copy_weighed(w, node.span, |ev| {
                        ev.binding(name)
                            .cloned()
                            .unwrap_or_else(|| Node::new(Kind::Null, span))
                    })
                }
                None => self.reference(v.as_str(), &[], cx, span),
            },
            Expression::Conditional(c) => {
                let cond = self.expr(&c.cond_expr, cx);
                match truth(&cond) {
                    Ok(true) => self.expr(&c.true_expr, cx),
                    Ok(false) => self.expr(&c.false_expr, cx),
                    Err(node) => Node::new(node.kind, span),
                }
            }
            Expression::FuncCall(f) => self.call(f, cx, span),
            Expression::Traversal(t) => {
                let ops: Vec<&TraversalOperator> =
                    t.operators.iter().map(|op| op.value()).collect();
                match &t.expr {
                    Expression::Variable(v) if self.binding(v.as_str()).is_none() => {
                        self.reference(v.as_str(), &ops, cx, span)
                    }
                    base => {
                        let base = self.expr(base, cx);
                        self.apply(base, &ops, cx, span)
                    }
                }
            }
            Expression::UnaryOp(op) => {
                let value = self.expr(&op.expr, cx);
                unary(*op.operator.value(), value, span)
            }
            Expression::BinaryOp(op) => self.binary(op, cx, span),
            Expression::ForExpr(f) => self.for_expr(f, cx, span),
        }
    }

    /// The span of exactly the text of a plain `<<EOF` heredoc without interpolation, so a
    /// document inside maps straight into the file; `None` otherwise.
    fn heredoc_span(&self, h: &hcl_edit::template::HeredocTemplate, cx: Cx) -> Option<Span> {
        if cx.coarse.is_some() || h.indent().is_some() {
            return None;
        }
        let literal = match h.template.as_single_element() {
            Some(Element::Literal(l)) => l,
            _ => return None,
        };
        let span = cx.span(Some(literal.span()?));
        (self.sources.slice(span) == literal.value().as_str()).then_some(span)
    }

    fn binary(&mut self, op: &hcl_edit::expr::BinaryOp, cx: Cx, span: Span) -> Node {
        let operator = *op.operator.value();
        let lhs = self.expr(&op.lhs_expr, cx);
        // Short-circuit what is decided by the left side alone.
        match (operator, &lhs.kind) {
            (BinaryOperator::And, Kind::Bool(false)) => return Node::new(Kind::Bool(false), span),
            (BinaryOperator::Or, Kind::Bool(true)) => return Node::new(Kind::Bool(true), span),
            _ => {}
        }
        let rhs = self.expr(&op.rhs_expr, cx);
        binary(operator, &lhs, &rhs, span)
    }

    fn for_expr(&mut self, f: &ForExpr, cx: Cx, span: Span) -> Node {
        let collection = self.expr(&f.intro.collection_expr, cx);
        let items = match entries(&collection, span) {
            Ok(items) => items,
            Err(node) => return node,
        };
        let mark = self.bindings.len();
        let mut list = Vec::new();
        let mut members: Vec<Member> = Vec::new();
        // Position of each key in `members`.
        let mut at: HashMap<String, usize> = HashMap::new();
        let mut result = None;
        for (key, value) in items {
            if !self.charge(1) {
                result = Some(self.budget_node(span));
                break;
            }
            if let Some(key_var) = &f.intro.key_var {
                self.bindings.push((key_var.as_str().to_string(), key));
            }
            self.bindings
                .push((f.intro.value_var.as_str().to_string(), value));
            let keep = match &f.cond {
                None => Ok(true),
                Some(cond) => truth(&self.expr(&cond.expr, cx)),
            };
            match keep {
                Ok(true) => {}
                Ok(false) => {
                    self.bindings.truncate(mark);
                    continue;
                }
                Err(node) => {
                    result = Some(Node::new(node.kind, span));
                    self.bindings.truncate(mark);
                    break;
                }
            }
            match &f.key_expr {
                None => list.push(self.expr(&f.value_expr, cx)),
                Some(key_expr) => {
                    let k = self.expr(key_expr, cx);
                    let Some(text) = known_text(&k) else {
                        result = Some(Node::new(
                            if is_error(&k) {
                                k.kind
                            } else {
                                Kind::Unknown(hole_of(&k))
                            },
                            span,
                        ));
                        self.bindings.truncate(mark);
                        break;
                    };
                    let v = self.expr(&f.value_expr, cx);
                    let existing = at.get(&text).map(|&i| &mut members[i]);
                    match (existing, f.grouping) {
                        (Some(m), true) => {
                            if let Kind::Array(group) = &mut m.value.kind {
                                group.push(v);
                            }
                        }
                        (Some(m), false) => m.value = v,
                        (None, grouping) => {
                            at.insert(text.clone(), members.len());
                            members.push(Member {
                                key: text,
                                key_span: k.span,
                                value: if grouping {
                                    Node::new(Kind::Array(vec![v]), span)
                                } else {
                                    v
                                },
                            });
                        }
                    }
                }
            }
            self.bindings.truncate(mark);
        }
        self.bindings.truncate(mark);
        if let Some(node) = result {
            return node;
        }
        match f.key_expr {
            None => Node::new(Kind::Array(list), span),
            Some(_) => Node::new(Kind::Object(members), span),
        }
    }

    // ----- templates ---------------------------------------------------------------------

    fn template(&mut self, t: &Template, cx: Cx, span: Span) -> Node {
        if let Some(Element::Interpolation(i)) = t.as_single_element() {
            // "${x}" is x itself, not its text.
            return self.expr(&i.expr, cx);
        }
        let mut out = TemplateOut::default();
        match self.template_into(t, cx, &mut out, span) {
            Ok(()) => Node::new(Kind::Str(out.text), span),
            Err(node) => Node::new(node.kind, span),
        }
    }

    fn template_into(
        &mut self,
        t: &Template,
        cx: Cx,
        out: &mut TemplateOut,
        span: Span,
    ) -> Result<(), Node> {
        for element in t.iter() {
            match element {
                Element::Literal(l) => {
                    self.grow(out, l.value().len() as u64, span)?;
                    out.lit(l.value());
                }
                Element::Interpolation(i) => {
                    out.strip_before(i.strip.strip_start());
                    let value = self.expr(&i.expr, cx);
                    let text = to_pstring(&value).map_err(|why| error(value.span, why))?;
                    let bytes = text
                        .parts()
                        .iter()
                        .map(|p| match p {
                            Part::Lit(t) => t.len() as u64,
                            // A hole is counted as the size of its record.
                            Part::Hole(_) => 64,
                        })
                        .sum();
                    self.grow(out, bytes, span)?;
                    out.value(&text);
                    out.strip_next = i.strip.strip_end();
                }
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(d) => {
                        out.strip_before(d.if_expr.strip.strip_start());
                        let cond = self.expr(&d.if_expr.cond_expr, cx);
                        match truth(&cond) {
                            Ok(true) => {
                                out.strip_next = d.if_expr.strip.strip_end();
                                self.template_into(&d.if_expr.template, cx, out, span)?;
                                if let Some(e) = &d.else_expr {
                                    out.strip_before(e.strip.strip_start());
                                }
                            }
                            Ok(false) => {
                                if let Some(e) = &d.else_expr {
                                    out.strip_next = e.strip.strip_end();
                                    self.template_into(&e.template, cx, out, span)?;
                                }
                            }
                            Err(node) => {
                                if is_error(&node) {
                                    return Err(node);
                                }
                                out.value(&PString::hole(hole_of(&node)));
                            }
                        }
                        out.strip_before(d.endif_expr.strip.strip_start());
                        out.strip_next = d.endif_expr.strip.strip_end();
                    }
                    Directive::For(d) => {
                        let f = &d.for_expr;
                        out.strip_before(f.strip.strip_start());
                        let collection = self.expr(&f.collection_expr, cx);
                        let span = collection.span;
                        match entries(&collection, span) {
                            Err(node) => {
                                if is_error(&node) {
                                    return Err(node);
                                }
                                out.value(&PString::hole(hole_of(&node)));
                            }
                            Ok(items) => {
                                let mark = self.bindings.len();
                                for (key, value) in items {
                                    if !self.charge(1) {
                                        self.bindings.truncate(mark);
                                        return Err(self.budget_node(span));
                                    }
                                    if let Some(k) = &f.key_var {
                                        self.bindings.push((k.as_str().to_string(), key));
                                    }
                                    self.bindings
                                        .push((f.value_var.as_str().to_string(), value));
                                    out.strip_next = f.strip.strip_end();
                                    let r = self.template_into(&f.template, cx, out, span);
                                    out.strip_before(d.endfor_expr.strip.strip_start());
                                    self.bindings.truncate(mark);
                                    r?;
                                }
                            }
                        }
                        out.strip_next = d.endfor_expr.strip.strip_end();
                    }
                },
            }
        }
        Ok(())
    }

    // ----- Terraform JSON syntax ---------------------------------------------------------

    /// Evaluates a value of Terraform JSON syntax: strings are templates.
    fn json(&mut self, node: &Node, cx: Cx) -> Node {
        if !self.charge(1) {
            return self.budget_node(node.span);
        }
        if self.depth >= MAX_DEPTH {
            return self.too_deep(node.span, "a value");
        }
        self.depth += 1;
        let value = match &node.kind {
            Kind::Str(s) => match s.as_known() {
                Some(text) if text.contains("${") || text.contains("%{") => {
                    match hcl_edit::parser::parse_template(text) {
                        Ok(template) => {
                            let cx = Cx {
                                coarse: Some(node.span),
                                ..cx
                            };
                            self.template(&template, cx, node.span)
                        }
                        Err(err) => {
                            error(node.span, format!("invalid template: {}", err.message()))
                        }
                    }
                }
                _ => node.clone(),
            },
            Kind::Array(items) => Node::new(
                Kind::Array(items.iter().map(|i| self.json(i, cx)).collect()),
                node.span,
            ),
            Kind::Object(members) => Node::new(
                Kind::Object(
                    members
                        .iter()
                        .map(|m| Member {
                            key: m.key.clone(),
                            key_span: m.key_span,
                            value: self.json(&m.value, cx),
                        })
                        .collect(),
                ),
                node.span,
            ),
            _ => node.clone(),
        };
        self.depth -= 1;
        value
    }

    // ----- references --------------------------------------------------------------------

    /// Evaluates the reference `root.ops…` that is not a local binding.
    fn reference(&mut self, root: &str, ops: &[&TraversalOperator], cx: Cx, span: Span) -> Node {
        let inst = cx.inst;
        match root {
            "var" | "local" => {
                let Some((name, rest)) = first_attr(ops) else {
                    return error(span, format!("{root} must be followed by .NAME"));
                };
                let value = if root == "var" {
                    self.var(inst, name, span)
                } else {
                    self.local(inst, name, span)
                };
                self.apply(value, rest, cx, span)
            }
            "module" => self.module_ref(ops, cx, span),
            "data" => {
                let Some((rtype, rest)) = first_attr(ops) else {
                    return error(span, "data must be followed by .TYPE.NAME");
                };
                let Some((name, rest)) = first_attr(rest) else {
                    return error(span, "data must be followed by .TYPE.NAME");
                };
                self.resource_ref(Mode::Data, rtype, name, rest, cx, span)
            }
            "path" => {
                let Some((name, rest)) = first_attr(ops) else {
                    return error(span, "path must be followed by .module, .root or .cwd");
                };
                let value = match name {
                    "module" => self.insts[inst].rel.display().to_string(),
                    "root" => ".".to_string(),
                    "cwd" => self.root.dir.display().to_string(),
                    _ => return error(span, format!("path.{name} does not exist")),
                };
                let value = string_node(value, span);
                self.apply(value, rest, cx, span)
            }
            "terraform" => match first_attr(ops) {
                Some(("workspace", rest)) => {
                    let value = string_node("default", span);
                    self.apply(value, rest, cx, span)
                }
                _ => unknown(Hole::unknown("terraform", "a terraform.* value"), span),
            },
            "count" | "each" => error(
                span,
                format!(
                    "{root} is only available in a block with {}",
                    if root == "count" { "count" } else { "for_each" }
                ),
            ),
            "self" => unknown(
                Hole::unknown("self", "self is only known inside a provisioner"),
                span,
            ),
            rtype => match first_attr(ops) {
                Some((name, rest)) => self.resource_ref(Mode::Managed, rtype, name, rest, cx, span),
                None => error(span, format!("unknown name \"{rtype}\"")),
            },
        }
    }

    /// A reference to a resource or data source attribute: a hole named by its address,
    /// except the data sources whose values the options give.
    fn resource_ref(
        &mut self,
        mode: Mode,
        rtype: &str,
        name: &str,
        ops: &[&TraversalOperator],
        cx: Cx,
        span: Span,
    ) -> Node {
        if mode == Mode::Data
            && rtype == "aws_iam_policy_document"
            && let Some(doc) = self.policy_document_ref(name, ops, cx, span)
        {
            return doc;
        }
        // Optional instance key.
        let mut rest = ops;
        let mut key = String::new();
        if let Some(op) = rest.first()
            && matches!(
                op,
                TraversalOperator::Index(_)
                    | TraversalOperator::LegacyIndex(_)
                    | TraversalOperator::AttrSplat(_)
                    | TraversalOperator::FullSplat(_)
            )
        {
            key = self.render_op(op, cx);
            rest = &rest[1..];
            // `aws_s3_bucket.b[*].id` of known instances: the list of each instance's value.
            // With a `count` known only after apply the resource is one instance without a
            // key (as [`Self::resources`] makes it): the list of that instance's value.
            let splat = matches!(
                op,
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_)
            );
            let instances = if splat {
                self.splat_instances(mode, rtype, name, cx, span)
            } else {
                None
            };
            if let Some(Node {
                kind: Kind::Array(items),
                ..
            }) = instances
            {
                let items = items
                    .into_iter()
                    .map(|item| self.apply(item, rest, cx, span))
                    .collect();
                return Node::new(Kind::Array(items), span);
            }
        }
        if mode == Mode::Data
            && let Some((attr, after)) = first_attr(rest)
            && let Some(value) = self.known_data(rtype, attr, span)
        {
            return self.apply(value, after, cx, span);
        }
        if key.is_empty()
            && rest.is_empty()
            && let Some(instances) = self.whole_resource(mode, rtype, name, cx, span)
        {
            return instances;
        }
        let mut id = self.insts[cx.inst].prefix.clone();
        if mode == Mode::Data {
            id.push_str("data.");
        }
        id.push_str(&format!("{rtype}.{name}{key}"));
        let mut last_attr = None;
        for op in rest {
            id.push_str(&self.render_op(op, cx));
            last_attr = match op {
                TraversalOperator::GetAttr(a) => Some(a.as_str()),
                _ => None,
            };
        }
        let why = match mode {
            Mode::Managed => format!("{id} is known only after apply"),
            Mode::Data => format!("{id} is read by the data source, not known statically"),
        };
        // A splat makes a list; otherwise a known string attribute is a string.
        let string =
            !id.contains("[*]") && last_attr.is_some_and(|a| STRING_ATTRIBUTES.contains(&a));
        hole_node(Hole::unknown(id, why), string, span)
    }

    /// A whole resource with `count` / `for_each` of known keys (`for_each =
    /// aws_s3_bucket.data`): a list or map of its instances, each an unknown named by the
    /// instance's address, so that `each.value.id` is the hole `aws_s3_bucket.data["a"].id`.
    fn whole_resource(
        &mut self,
        mode: Mode,
        rtype: &str,
        name: &str,
        cx: Cx,
        span: Span,
    ) -> Option<Node> {
        let module = self.module(cx.inst);
        let block = module
            .resources
            .iter()
            .find(|b| b.mode == mode && b.rtype == rtype && b.name == name)?
            .clone();
        let Expansion::Keys(keys) = self.expand(&block.body, cx.inst, span) else {
            return None;
        };
        let mut base = self.insts[cx.inst].prefix.clone();
        if mode == Mode::Data {
            base.push_str("data.");
        }
        base.push_str(&format!("{rtype}.{name}"));
        let instance = |key: &Key| {
            let id = format!("{base}{}", key.render());
            let why = format!("{id} is known only after apply");
            Node::new(Kind::Unknown(Hole::unknown(id, why)), span)
        };
        if keys.iter().all(|(k, _)| matches!(k, Key::Int(_))) {
            return Some(Node::new(
                Kind::Array(keys.iter().map(|(k, _)| instance(k)).collect()),
                span,
            ));
        }
        let members = keys
            .iter()
            .map(|(k, _)| {
                let name = match k {
                    Key::Str(s) => s.clone(),
                    Key::Int(i) => i.to_string(),
                };
                Member {
                    key: name,
                    key_span: span,
                    value: instance(k),
                }
            })
            .collect();
        Some(Node::new(Kind::Object(members), span))
    }

    /// The instances a splat of a resource goes over: the known instances, or the one instance
    /// without a key of a resource whose `count` is known only after apply.
    fn splat_instances(
        &mut self,
        mode: Mode,
        rtype: &str,
        name: &str,
        cx: Cx,
        span: Span,
    ) -> Option<Node> {
        if let Some(list) = self.whole_resource(mode, rtype, name, cx, span) {
            return Some(list);
        }
        let block = self
            .module(cx.inst)
            .resources
            .iter()
            .find(|b| b.mode == mode && b.rtype == rtype && b.name == name)?
            .clone();
        if !block.body.has_attribute("count")
            || !matches!(
                self.expand(&block.body, cx.inst, span),
                Expansion::Unknown(_)
            )
        {
            return None;
        }
        let mut id = self.insts[cx.inst].prefix.clone();
        if mode == Mode::Data {
            id.push_str("data.");
        }
        id.push_str(&format!("{rtype}.{name}"));
        let why = format!("{id} is known only after apply");
        Some(Node::new(
            Kind::Array(vec![Node::new(Kind::Unknown(Hole::unknown(id, why)), span)]),
            span,
        ))
    }

    /// The data source attributes the options settle: account id, partition, region.
    fn known_data(&mut self, rtype: &str, attr: &str, span: Span) -> Option<Node> {
        match (rtype, attr) {
            ("aws_caller_identity", "account_id" | "id") => Some(match &self.opts.account_id {
                Some(id) => string_node(id.clone(), span),
                None => Node::new(
                    Kind::Str(PString::hole(crate::profile::account_hole())),
                    span,
                ),
            }),
            ("aws_partition", "partition" | "id") => Some(string_node("aws", span)),
            ("aws_partition", "dns_suffix") => Some(string_node("amazonaws.com", span)),
            ("aws_region", "name" | "region" | "id") => Some(match &self.opts.region {
                Some(region) => string_node(region.clone(), span),
                None => Node::new(
                    Kind::Str(PString::hole(Hole::segment(
                        "region",
                        "the AWS region (--region)",
                    ))),
                    span,
                ),
            }),
            _ => None,
        }
    }

    /// `module.NAME.OUTPUT` or `module.NAME[KEY].OUTPUT`.
    fn module_ref(&mut self, ops: &[&TraversalOperator], cx: Cx, span: Span) -> Node {
        let Some((name, rest)) = first_attr(ops) else {
            return error(span, "module must be followed by .NAME");
        };
        let prefix = self.insts[cx.inst].prefix.clone();
        let call = self.module(cx.inst).calls.iter().find(|c| c.name == name);
        let Some(call) = call else {
            return error(span, format!("there is no module call named \"{name}\""));
        };
        let mut rest = rest;
        let mut key_text = String::new();
        let child = match self.insts[cx.inst].children.get(name).cloned() {
            Some(Children::One(child)) => Some(child),
            Some(Children::Keyed(keyed)) => match rest.first() {
                Some(op @ (TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_))) => {
                    key_text = self.render_op(op, cx);
                    rest = &rest[1..];
                    keyed
                        .iter()
                        .find(|(k, _)| k.render() == key_text)
                        .map(|(_, child)| *child)
                }
                _ => None,
            },
            None => None,
        };
        let Some((output, after)) = first_attr(rest) else {
            let id = format!("{prefix}module.{name}{key_text}");
            return unknown(
                Hole::unknown(id.clone(), format!("{id} as a whole is not evaluated")),
                span,
            );
        };
        match child {
            Some(child) => {
                let value = self.output(child, output, span);
                self.apply(value, after, cx, span)
            }
            None => {
                let id = format!("{prefix}module.{name}{key_text}.{output}");
                let why = match &call.source {
                    Some(source) if call.target.is_none() => {
                        format!("{id} comes from module source \"{source}\", which is not scanned")
                    }
                    _ => format!("{id} is not known statically"),
                };
                unknown(Hole::unknown(id, why), span)
            }
        }
    }

    /// `.attr`, `[0]`, `["k"]`, `[*]` as written in an address; an unknown index is `[?]`.
    fn render_op(&mut self, op: &TraversalOperator, cx: Cx) -> String {
        match op {
            TraversalOperator::GetAttr(a) => format!(".{}", a.as_str()),
            TraversalOperator::LegacyIndex(i) => format!("[{}]", i.value()),
            TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => "[*]".to_string(),
            TraversalOperator::Index(e) => {
                let index = self.expr(e, cx);
                match &index.kind {
                    Kind::Number(n) => match functions::parse_number(n) {
                        Some(v) => format!("[{}]", functions::format_number(v)),
                        None => format!("[{n}]"),
                    },
                    Kind::Str(s) => match s.as_known() {
                        Some(text) => format!("[{}]", quote(text)),
                        None => "[?]".to_string(),
                    },
                    _ => "[?]".to_string(),
                }
            }
        }
    }

    /// Applies attribute accesses, indexes and splats to `node`.
    fn apply(&mut self, node: Node, ops: &[&TraversalOperator], cx: Cx, span: Span) -> Node {
        let mut node = node;
        for (i, op) in ops.iter().enumerate() {
            if let Kind::Unknown(hole) = &node.kind {
                return self.extend_hole(hole.clone(), &ops[i..], cx, span);
            }
            node = match op {
                TraversalOperator::GetAttr(attr) => match &node.kind {
                    Kind::Object(_) => match node.get(attr.as_str()) {
                        Some(value) => value.clone(),
                        None => return error(span, format!("no attribute \"{}\"", attr.as_str())),
                    },
                    _ => {
                        return error(
                            span,
                            format!(
                                "cannot read attribute \"{}\" of {}",
                                attr.as_str(),
                                node.shape()
                            ),
                        );
                    }
                },
                TraversalOperator::Index(e) => {
                    let index = self.expr(e, cx);
                    index_into(&node, &index, span)
                }
                TraversalOperator::LegacyIndex(n) => {
                    let index = functions::number_node(*n.value() as f64, span);
                    index_into(&node, &index, span)
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let rest = &ops[i + 1..];
                    let items = match node.kind {
                        Kind::Array(items) => items,
                        Kind::Null => Vec::new(),
                        _ => vec![node],
                    };
                    let mut out = Vec::with_capacity(items.len());
                    for item in items {
                        out.push(self.apply(item, rest, cx, span));
                    }
                    return Node::new(Kind::Array(out), span);
                }
            };
        }
        node
    }

    /// Reading into an unknown reference names what is read: `local.b.arn` where `local.b`
    /// is the resource `aws_s3_bucket.b` is the hole `aws_s3_bucket.b.arn`. Other unknowns
    /// (errors, functions, the account id, …) stay as they are.
    fn extend_hole(&mut self, hole: Hole, ops: &[&TraversalOperator], cx: Cx, span: Span) -> Node {
        let fixed = [
            "evaluation-budget",
            "unknown",
            "account-id",
            "region",
            "self",
            "terraform",
        ];
        if hole.id.starts_with(functions::ERROR_PREFIX)
            || hole.id.contains("()@")
            || fixed.contains(&&*hole.id)
        {
            return unknown(hole, span);
        }
        let mut id = hole.id.to_string();
        let mut last_attr = None;
        for op in ops {
            id.push_str(&self.render_op(op, cx));
            last_attr = match op {
                TraversalOperator::GetAttr(a) => Some(a.as_str()),
                _ => None,
            };
        }
        let why = hole.why.replace(&*hole.id, &id);
        let string =
            !id.contains("[*]") && last_attr.is_some_and(|a| STRING_ATTRIBUTES.contains(&a));
        hole_node(Hole::unknown(id, why), string, span)
    }

    // ----- functions ---------------------------------------------------------------------

    fn call(&mut self, f: &FuncCall, cx: Cx, span: Span) -> Node {
        let name = f.name.name.as_str();
        if f.name.is_namespaced() || !functions::SUPPORTED.contains(&name) {
            let full = f
                .name
                .namespace
                .iter()
                .map(|n| format!("{}::", n.as_str()))
                .collect::<String>()
                + name;
            return unknown(
                Hole::unknown(
                    format!("{full}()@{}:{}", span.file.0, span.start),
                    format!("function {full}() is not evaluated"),
                ),
                span,
            );
        }
        match name {
            "try" => {
                for arg in f.args.iter() {
                    let value = self.expr(arg, cx);
                    if !is_error(&value) {
                        return value;
                    }
                }
                return error(span, "no argument of try() could be evaluated");
            }
            "can" => {
                let Some(arg) = f.args.iter().next() else {
                    return error(span, "can() needs an argument");
                };
                let value = self.expr(arg, cx);
                if is_error(&value) {
                    return Node::new(Kind::Bool(false), span);
                }
                return match first_hole(&value) {
                    Some(hole) => unknown(hole, span),
                    None => Node::new(Kind::Bool(true), span),
                };
            }
            _ => {}
        }
        let mut args: Vec<Node> = f.args.iter().map(|a| self.expr(a, cx)).collect();
        if f.args.expand_final()
            && let Some(last) = args.pop()
        {
            match last.kind {
                Kind::Array(items) => args.extend(items),
                Kind::Unknown(hole) => return unknown(hole, span),
                _ => return error(span, "only a list can be expanded with ..."),
            }
        }
        match name {
            "fileset" => self.fileset(&args, span),
            "file" => self.file(&args, cx, span),
            "templatefile" => self.templatefile(&args, cx, span),
            _ => {
                let (bytes, units) = functions::output_size(name, &args);
                if let Err(refused) = self.afford(bytes, units, span, &format!("{name}()")) {
                    return refused;
                }
                functions::call(name, &args, span, self.sources)
                    .unwrap_or_else(|| error(span, format!("function {name}() is missing")))
            }
        }
    }

    /// Reads the file `path` names: relative to the root module (as Terraform does), else to
    /// the calling module's directory. Each file is registered in `sources` once.
    fn read_file(&mut self, path: &Node, cx: Cx, span: Span, what: &str) -> Result<FileId, Node> {
        let text = match to_pstring(path) {
            Ok(s) => match s.as_known() {
                Some(text) => text.to_string(),
                None => return Err(unknown(s_hole(&s), span)),
            },
            Err(why) => return Err(error(span, format!("{what}(): {why}"))),
        };
        let given = Path::new(&text);
        let candidates: Vec<PathBuf> = if given.is_absolute() {
            vec![given.to_path_buf()]
        } else {
            vec![
                walk::normalize(&self.root.dir.join(given)),
                walk::normalize(&self.module(cx.inst).dir.join(given)),
            ]
        };
        // Outside the boundary nothing is looked at, not even whether the file exists: the
        // value is unknown and the read is reported.
        let boundary = &self.opts.boundary;
        let mut refused = None;
        let mut found = None;
        for candidate in &candidates {
            match boundary.resolve(candidate) {
                Ok(real) if real.exists() => {
                    found = Some((candidate.clone(), real));
                    break;
                }
                Ok(_) => {}
                Err(refusal) => refused = refused.or(Some(refusal)),
            }
        }
        let Some((found, key)) = found else {
            if let Some(refusal) = refused {
                let message = format!("{what}(\"{text}\"): {refusal}");
                if !self
                    .errors
                    .iter()
                    .any(|e| e.span == Some(span) && e.message == message)
                {
                    // Located by its span; `file` stays empty, since the calling file itself
                    // was checked.
                    self.errors.push(LoadError {
                        file: None,
                        span: Some(span),
                        path: Some(self.sources.file(span.file).name.clone()),
                        message,
                    });
                }
                return Err(unknown(
                    Hole::unknown(format!("{what}()"), format!("{what}(): {refusal}")),
                    span,
                ));
            }
            return Err(error(
                span,
                format!(
                    "{what}(): no file \"{text}\" in {}",
                    self.root.dir.display()
                ),
            ));
        };
        if let Some(&id) = self.files.get(&key) {
            return Ok(id);
        }
        let name = found.display().to_string();
        match boundary.read_text(&found, MAX_FILE_BYTES) {
            Ok(content) => {
                if !self.charge(content.len() as u64 / 64) {
                    return Err(self.budget_node(span));
                }
                let id = self.sources.add(name, content);
                self.files_read += 1;
                self.files.insert(key, id);
                Ok(id)
            }
            Err(Refusal::NotUtf8 { lossy, offset }) => {
                let id = self.sources.add(name, lossy);
                self.errors.push(LoadError {
                    file: None,
                    span: Some(Span::new(id, offset, offset)),
                    path: Some(found.display().to_string()),
                    message: format!("{what}(): not UTF-8 text"),
                });
                Err(error(
                    span,
                    format!("{what}(): {} is not UTF-8 text", found.display()),
                ))
            }
            Err(refusal) => Err(error(
                span,
                format!("{what}(): {}: {refusal}", found.display()),
            )),
        }
    }

    /// `file(path)`: the text, located as the whole of the file (a new [`Sources`] entry).
    fn file(&mut self, args: &[Node], cx: Cx, span: Span) -> Node {
        let Some(path) = args.first() else {
            return error(span, "file() needs a path");
        };
        match self.read_file(path, cx, span, "file") {
            Ok(id) => {
                let text = self.sources.file(id).text.clone();
                let len = text.len();
                Node::new(Kind::Str(PString::known(text)), Span::new(id, 0, len))
            }
            Err(node) => node,
        }
    }

    /// `templatefile(path, vars)`: the file as a template, seeing only `vars`.
    fn templatefile(&mut self, args: &[Node], cx: Cx, span: Span) -> Node {
        let (Some(path), Some(vars)) = (args.first(), args.get(1)) else {
            return error(span, "templatefile() needs a path and a map of variables");
        };
        let bindings: Vec<(String, Node)> = match &vars.kind {
            Kind::Object(members) => members
                .iter()
                .map(|m| (m.key.clone(), m.value.clone()))
                .collect(),
            Kind::Unknown(hole) => return unknown(hole.clone(), span),
            _ => return error(span, "templatefile(): the variables must be a map"),
        };
        let id = match self.read_file(path, cx, span, "templatefile") {
            Ok(id) => id,
            Err(node) => return node,
        };
        let text = self.sources.file(id).text.clone();
        let whole = Span::new(id, 0, text.len());
        let template = match hcl_edit::parser::parse_template(&text) {
            Ok(t) => t,
            Err(err) => {
                let at = err.location();
                return error(
                    whole,
                    format!(
                        "templatefile(): {}:{}:{}: {}",
                        self.sources.file(id).name,
                        at.line(),
                        at.column(),
                        err.message()
                    ),
                );
            }
        };
        let tcx = Cx {
            inst: cx.inst,
            file: id,
            coarse: None,
        };
        self.with_bindings(bindings, |ev| ev.template(&template, tcx, whole))
    }
}

impl Evaluator<'_, '_> {
    /// `fileset(path, pattern)`: the matching files under `path` (relative to the root
    /// module's directory, as Terraform resolves it), sorted, inside the boundary.
    fn fileset(&mut self, args: &[Node], span: Span) -> Node {
        let (Some(path), Some(pattern)) = (args.first(), args.get(1)) else {
            return error(span, "fileset() needs a path and a pattern");
        };
        let mut known = Vec::new();
        for arg in [path, pattern] {
            match to_pstring(arg) {
                Ok(s) => match s.as_known() {
                    Some(text) => known.push(text.to_string()),
                    None => return unknown(s_hole(&s), span),
                },
                Err(why) => return error(span, format!("fileset(): {why}")),
            }
        }
        let base = walk::normalize(&self.root.dir.join(&known[0]));
        let limit_or_refusal = match fileset::fileset(&self.opts.boundary, &base, &known[1]) {
            Ok(files) => {
                let items = files
                    .into_iter()
                    .map(|f| Node::new(Kind::Str(PString::known(f)), span))
                    .collect();
                return Node::new(Kind::Array(items), span);
            }
            Err(fileset::FilesetError::BadPattern(why)) => {
                return error(span, format!("fileset(): invalid pattern: {why}"));
            }
            Err(fileset::FilesetError::Refused(refusal)) => {
                format!("fileset(\"{}\"): {refusal}", known[0])
            }
            Err(fileset::FilesetError::TooMany) => format!(
                "evaluation limit: fileset(\"{}\", \"{}\") matches more than {} files",
                known[0],
                known[1],
                fileset::MAX_FILESET_MATCHES
            ),
        };
        if !self
            .errors
            .iter()
            .any(|e| e.span == Some(span) && e.message == limit_or_refusal)
        {
            self.errors.push(LoadError {
                file: None,
                span: Some(span),
                path: Some(self.sources.file(span.file).name.clone()),
                message: limit_or_refusal.clone(),
            });
        }
        unknown(Hole::unknown("fileset()", limit_or_refusal), span)
    }
}

/// Whether a JSON-syntax member is a nested block (an object or a list of objects).
fn is_json_block(key: &str, value: &Node) -> bool {
    if JSON_MAP_ATTRIBUTES.contains(&key) {
        return false;
    }
    match &value.kind {
        Kind::Object(_) => true,
        Kind::Array(items) => !items.is_empty() && items.iter().all(|i| i.as_object().is_some()),
        _ => false,
    }
}

/// The name of a leading `.attr`, and the operators after it.
fn first_attr<'a, 'o>(
    ops: &'a [&'o TraversalOperator],
) -> Option<(&'o str, &'a [&'o TraversalOperator])> {
    match ops.first() {
        Some(TraversalOperator::GetAttr(a)) => Some((a.as_str(), &ops[1..])),
        _ => None,
    }
}

/// A condition's value: `Err` carries the unknown or error it depends on.
fn truth(node: &Node) -> Result<bool, Node> {
    match &node.kind {
        Kind::Bool(b) => Ok(*b),
        Kind::Str(s) => match s.as_known() {
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(other) => Err(error(node.span, format!("\"{other}\" is not a bool"))),
            None => Err(unknown(s_hole(s), node.span)),
        },
        Kind::Unknown(_) => Err(node.clone()),
        _ => Err(error(
            node.span,
            format!("a condition must be a bool, not {}", node.shape()),
        )),
    }
}

fn index_into(node: &Node, index: &Node, span: Span) -> Node {
    match (&node.kind, &index.kind) {
        (_, Kind::Unknown(hole)) => unknown(hole.clone(), span),
        (Kind::Array(items), _) => {
            let i = match &index.kind {
                Kind::Number(n) => functions::parse_number(n),
                Kind::Str(s) => s.as_known().and_then(functions::parse_number),
                _ => None,
            };
            // Past a splice (an unknown number of elements), positions are unknown.
            if let Some(i) = i
                && let Some(h) = items
                    .iter()
                    .take((i.max(0.0) as usize).saturating_add(1))
                    .find_map(functions::splice_hole)
            {
                return unknown(h.clone(), span);
            }
            match i {
                Some(i) if i >= 0.0 && i.fract() == 0.0 && (i as usize) < items.len() => {
                    items[i as usize].clone()
                }
                Some(i) => error(span, format!("index {i} is out of range")),
                None if first_hole(index).is_some() => unknown(hole_of(index), span),
                None => error(span, "a list index must be a number"),
            }
        }
        (Kind::Object(_), _) => match known_text(index) {
            Some(key) => match node.get(&key) {
                Some(value) => value.clone(),
                None => error(span, format!("no key \"{key}\"")),
            },
            None if first_hole(index).is_some() => unknown(hole_of(index), span),
            None => error(span, "a map key must be a string"),
        },
        _ => error(span, format!("cannot index {}", node.shape())),
    }
}

fn unary(op: UnaryOperator, value: Node, span: Span) -> Node {
    match (op, &value.kind) {
        (_, Kind::Unknown(_)) => Node::new(value.kind, span),
        (UnaryOperator::Not, Kind::Bool(b)) => Node::new(Kind::Bool(!b), span),
        (UnaryOperator::Neg, Kind::Number(n)) => match functions::parse_number(n) {
            Some(v) => functions::number_node(-v, span),
            None => error(span, format!("bad number {n}")),
        },
        _ => error(
            span,
            format!("operator {op:?} does not apply to {}", value.shape()),
        ),
    }
}

fn binary(op: BinaryOperator, lhs: &Node, rhs: &Node, span: Span) -> Node {
    use BinaryOperator as B;
    let num = |n: &Node| -> Option<f64> {
        match &n.kind {
            Kind::Number(x) => functions::parse_number(x),
            Kind::Str(s) => s.as_known().and_then(functions::parse_number),
            _ => None,
        }
    };
    match op {
        B::Eq | B::NotEq => match functions::values_equal(lhs, rhs) {
            Some(eq) => Node::new(Kind::Bool(eq == (op == B::Eq)), span),
            None => unknown(
                first_hole(lhs)
                    .or_else(|| first_hole(rhs))
                    .unwrap_or_else(|| Hole::unknown("unknown", "an unknown value")),
                span,
            ),
        },
        B::And | B::Or => match (truth(lhs), truth(rhs)) {
            (Ok(a), Ok(b)) => {
                Node::new(Kind::Bool(if op == B::And { a && b } else { a || b }), span)
            }
            (Ok(false), Err(_)) | (Err(_), Ok(false)) if op == B::And => {
                Node::new(Kind::Bool(false), span)
            }
            (Ok(true), Err(_)) | (Err(_), Ok(true)) if op == B::Or => {
                Node::new(Kind::Bool(true), span)
            }
            (Err(node), _) | (_, Err(node)) => Node::new(node.kind, span),
        },
        _ => {
            for side in [lhs, rhs] {
                if is_error(side) {
                    return Node::new(side.kind.clone(), span);
                }
                if let Some(hole) = first_hole(side) {
                    return unknown(hole, span);
                }
            }
            let (Some(a), Some(b)) = (num(lhs), num(rhs)) else {
                return error(
                    span,
                    format!("arithmetic on {} and {}", lhs.shape(), rhs.shape()),
                );
            };
            let value = match op {
                B::Plus => a + b,
                B::Minus => a - b,
                B::Mul => a * b,
                B::Div if b != 0.0 => a / b,
                B::Mod if b != 0.0 => a % b,
                B::Div | B::Mod => return error(span, "division by zero"),
                B::Less => return Node::new(Kind::Bool(a < b), span),
                B::LessEq => return Node::new(Kind::Bool(a <= b), span),
                B::Greater => return Node::new(Kind::Bool(a > b), span),
                B::GreaterEq => return Node::new(Kind::Bool(a >= b), span),
                B::Eq | B::NotEq | B::And | B::Or => unreachable!("handled above"),
            };
            if value.is_finite() {
                functions::number_node(value, span)
            } else {
                error(span, "the result is not a finite number")
            }
        }
    }
}
