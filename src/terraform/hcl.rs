//! Terraform files into module structure: parsing with spans, and the blocks that matter.
//!
//! `*.tf` files are parsed by `hcl-edit`, which keeps a byte span on every block, attribute,
//! expression and template part; `*.tf.json` files by [`crate::located_json::parse_json`]. Either
//! way a file becomes part of a [`Module`]: its variables, locals, outputs, resources, data
//! sources and module calls, with the expressions kept unevaluated (evaluation is
//! [`super::eval`]'s job). The [`Loader`] reads each file once, registers it in [`Sources`],
//! reports what cannot be read or parsed as a [`LoadError`] and goes on with the other files.

use super::modules::Manifest;
use super::prefilter::Outline;
use super::walk;
use crate::fsbound::{Boundary, MAX_TERRAFORM_BYTES, Refusal};
use crate::located_json::{OffsetMap, parse_json};
use crate::resource::{LoadError, Mode};
use crate::source::{FileId, SourceFile, Sources, Span};
use crate::value::{Kind, Node};
use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body, Structure};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An unevaluated expression and the file it is written in.
#[derive(Debug, Clone)]
pub struct Expr {
    /// The file the expression's spans refer to.
    pub file: FileId,
    /// The expression.
    pub kind: ExprKind,
}

/// The syntaxes an expression can be written in.
#[derive(Debug, Clone)]
pub enum ExprKind {
    /// Native HCL syntax.
    Hcl(Expression),
    /// Terraform JSON syntax: strings are templates (`"${var.x}"`).
    Json(Node),
    /// A literal value (a `*.tfvars.json` value, a `--var`): strings are taken as they are.
    Literal(Node),
    /// Native HCL syntax written outside any file (a `--var` list or map): evaluated in the
    /// expression's own file, its value located at the span given (the variable's declaration),
    /// so that findings point at a file an editor can open.
    Relocated(Expression, Span),
}

/// The body of a block: native or JSON syntax.
#[derive(Debug, Clone)]
pub struct BlockBody {
    /// The file the body's spans refer to.
    pub file: FileId,
    /// The body.
    pub kind: BodyKind,
}

/// The syntaxes a block body can be written in.
#[derive(Debug, Clone)]
pub enum BodyKind {
    /// Native HCL syntax.
    Hcl(Body),
    /// Terraform JSON syntax: an object whose members are arguments and nested blocks.
    Json(Node),
}

impl BlockBody {
    /// The expression of argument `name`, when the body sets it.
    pub fn attribute(&self, name: &str) -> Option<Expr> {
        let kind = match &self.kind {
            BodyKind::Hcl(body) => ExprKind::Hcl(body.get_attribute(name)?.value.clone()),
            BodyKind::Json(node) => ExprKind::Json(node.get(name)?.clone()),
        };
        Some(Expr {
            file: self.file,
            kind,
        })
    }

    /// Whether the body sets argument `name`.
    pub fn has_attribute(&self, name: &str) -> bool {
        match &self.kind {
            BodyKind::Hcl(body) => body.has_attribute(name),
            BodyKind::Json(node) => node.get(name).is_some(),
        }
    }
}

/// A `variable "name" { … }` block.
#[derive(Debug, Clone)]
pub struct Variable {
    /// The variable's name.
    pub name: String,
    /// Its `default`, when it has one.
    pub default: Option<Expr>,
    /// Whether the declared type is `string` or no type is declared: then a `--var` value is
    /// taken as a string, otherwise parsed as an expression (as Terraform does).
    pub string_typed: bool,
    /// Whether the declared type is exactly `string`: then a missing value is a string made
    /// of one hole, otherwise an unknown of unknown shape.
    pub is_string: bool,
    /// The whole block.
    pub span: Span,
}

/// A `resource` or `data` block.
#[derive(Debug, Clone)]
pub struct ResourceBlock {
    /// Managed resource or data source.
    pub mode: Mode,
    /// `aws_s3_bucket`, …
    pub rtype: String,
    /// The block's name label.
    pub name: String,
    /// The whole block.
    pub span: Span,
    /// `resource "aws_s3_bucket" "name"`.
    pub header: Span,
    /// The body: arguments, nested blocks, meta-arguments.
    pub body: BlockBody,
}

/// A `module "name" { source = … }` block.
#[derive(Debug, Clone)]
pub struct ModuleCall {
    /// The call's name.
    pub name: String,
    /// The `source` argument, when it is a literal string.
    pub source: Option<String>,
    /// The whole block.
    pub span: Span,
    /// The body: `source`, `count`/`for_each`, input variables.
    pub body: BlockBody,
    /// The loaded module, when `source` is a local directory that could be read, or a
    /// remote module `terraform init` downloaded (see [`super::modules`]).
    pub target: Option<usize>,
    /// Why a remote module's code could not be loaded (rule CP904), when it could not.
    pub not_loaded: Option<String>,
}

/// One module: the definitions of all its files.
#[derive(Debug, Clone, Default)]
pub struct Module {
    /// The module's directory (the path it was reached by).
    pub dir: PathBuf,
    /// The files of the module, in the order they were read.
    pub files: Vec<FileId>,
    /// Total bytes of the module's files.
    pub bytes: usize,
    /// `variable` blocks.
    pub variables: Vec<Variable>,
    /// `locals` entries by name (the first definition wins).
    pub locals: HashMap<String, Expr>,
    /// `output` values by name.
    pub outputs: HashMap<String, Expr>,
    /// `resource` and `data` blocks, in file order.
    pub resources: Vec<ResourceBlock>,
    /// `module` blocks, in file order.
    pub calls: Vec<ModuleCall>,
}

impl Module {
    /// The variable named `name`.
    pub fn variable(&self, name: &str) -> Option<&Variable> {
        self.variables.iter().find(|v| v.name == name)
    }
}

/// A parsed configuration file, before it is merged into a [`Module`].
#[derive(Debug)]
pub enum Parsed {
    /// A `*.tf` file.
    Hcl(Body),
    /// A `*.tf.json` file.
    Json(Node),
}

fn range_span(file: FileId, range: Option<std::ops::Range<usize>>, fallback: Span) -> Span {
    match range {
        Some(r) => Span::new(file, r.start, r.end),
        None => fallback,
    }
}

/// The location error for `text` of `file` at byte `offset`.
fn error_at(file: FileId, path: &str, text: &str, offset: usize, message: String) -> LoadError {
    let offset = offset.min(text.len());
    let len = text
        .get(offset..)
        .and_then(|rest| rest.chars().next())
        .map_or(0, char::len_utf8);
    LoadError {
        file: Some(file),
        span: Some(Span::new(file, offset, offset + len)),
        path: Some(path.to_string()),
        message,
    }
}

/// Parses the text of a `*.tf` (or `*.tf.json` when `json`) file registered as `file`.
pub fn parse_config(text: &str, file: FileId, path: &str, json: bool) -> Result<Parsed, LoadError> {
    parse_outlined(text, file, path, json, None)
}

/// A configuration file's text as the parser reads it: a UTF-8 byte-order mark blanked
/// (three spaces keep every offset), as Terraform skips it.
fn unmarked(text: &str) -> Cow<'_, str> {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => Cow::Owned(format!("   {rest}")),
        None => Cow::Borrowed(text),
    }
}

/// [`parse_config`], with the prefilter's outline of the (unmarked) text when it is known.
fn parse_outlined(
    text: &str,
    file: FileId,
    path: &str,
    json: bool,
    outline: Option<&Outline>,
) -> Result<Parsed, LoadError> {
    let text = unmarked(text);
    let text = text.as_ref();
    if json {
        return parse_json(text, &OffsetMap::direct(file, 0))
            .map(Parsed::Json)
            .map_err(|err| LoadError {
                file: Some(file),
                span: Some(err.span),
                path: Some(path.to_string()),
                message: format!("invalid Terraform JSON: {}", err.message),
            });
    }
    // What cannot matter is blanked first: same offsets, far less to parse. A blanked text
    // that does not parse is parsed whole, so that an error is the file's own.
    let relevant = match outline {
        Some(outline) => super::prefilter::blanked(text, outline),
        None => super::prefilter::relevant_text(text),
    };
    let parsed = match hcl_edit::parser::parse_body(&relevant) {
        Err(_) if matches!(relevant, Cow::Owned(_)) => hcl_edit::parser::parse_body(text),
        parsed => parsed,
    };
    parsed.map(Parsed::Hcl).map_err(|err| {
        error_at(
            file,
            path,
            text,
            err.location().offset(),
            format!("invalid HCL: {}", err.message()),
        )
    })
}

/// The arguments of a variable-definitions file (`*.tfvars` or `*.tfvars.json` when `json`).
pub fn parse_tfvars(
    text: &str,
    file: FileId,
    path: &str,
    json: bool,
) -> Result<Vec<(String, Expr)>, LoadError> {
    match parse_config(text, file, path, json)? {
        Parsed::Hcl(body) => Ok(body
            .into_attributes()
            .map(|attr| {
                (
                    attr.key.as_str().to_string(),
                    Expr {
                        file,
                        kind: ExprKind::Hcl(attr.value),
                    },
                )
            })
            .collect()),
        Parsed::Json(node) => match node.kind {
            Kind::Object(members) => Ok(members
                .into_iter()
                .map(|m| {
                    (
                        m.key,
                        Expr {
                            file,
                            kind: ExprKind::Literal(m.value),
                        },
                    )
                })
                .collect()),
            _ => Err(LoadError {
                file: Some(file),
                span: Some(node.span),
                path: Some(path.to_string()),
                message: "a .tfvars.json file must hold an object".to_string(),
            }),
        },
    }
}

/// Adds the definitions of a parsed file to `module`.
pub fn add_to_module(module: &mut Module, file: FileId, parsed: Parsed) {
    module.files.push(file);
    match parsed {
        Parsed::Hcl(body) => add_hcl(module, file, body),
        Parsed::Json(node) => add_json(module, file, node),
    }
}

fn add_hcl(module: &mut Module, file: FileId, body: Body) {
    for structure in body {
        let Structure::Block(block) = structure else {
            continue;
        };
        let span = range_span(file, block.span(), Span::new(file, 0, 0));
        match (block.ident.as_str(), block.labels.len()) {
            ("resource", 2) | ("data", 2) => {
                let mode = if block.ident.as_str() == "data" {
                    Mode::Data
                } else {
                    Mode::Managed
                };
                let header_end = block.labels[1].span().map_or(span.end as usize, |r| r.end);
                let header = Span::new(file, span.start as usize, header_end);
                module.resources.push(ResourceBlock {
                    mode,
                    rtype: block.labels[0].as_str().to_string(),
                    name: block.labels[1].as_str().to_string(),
                    span,
                    header,
                    body: BlockBody {
                        file,
                        kind: BodyKind::Hcl(block.body),
                    },
                });
            }
            ("variable", 1) => module.variables.push(hcl_variable(file, block, span)),
            ("locals", 0) => {
                for attr in block.body.into_attributes() {
                    module
                        .locals
                        .entry(attr.key.as_str().to_string())
                        .or_insert(Expr {
                            file,
                            kind: ExprKind::Hcl(attr.value),
                        });
                }
            }
            ("output", 1) => {
                let name = block.labels[0].as_str().to_string();
                let mut body = block.body;
                if let Some(attr) = body.remove_attribute("value") {
                    module.outputs.entry(name).or_insert(Expr {
                        file,
                        kind: ExprKind::Hcl(attr.value),
                    });
                }
            }
            ("module", 1) => {
                let source = call_source(&block);
                module.calls.push(ModuleCall {
                    name: block.labels[0].as_str().to_string(),
                    source,
                    span,
                    body: BlockBody {
                        file,
                        kind: BodyKind::Hcl(block.body),
                    },
                    target: None,
                    not_loaded: None,
                });
            }
            _ => {}
        }
    }
}

/// The `source` of a `module` block, when it is a literal string.
fn call_source(block: &Block) -> Option<String> {
    block
        .body
        .get_attribute("source")
        .and_then(|attr| literal_string(&attr.value))
}

/// A `variable` block as the loader reads it: its `type` and `default` only (the prefilter
/// blanks the rest before parsing: `terraform/prefilter.rs`).
fn hcl_variable(file: FileId, block: Block, span: Span) -> Variable {
    let name = block.labels[0].as_str().to_string();
    let is_string = block.body.get_attribute("type").is_some_and(
        |attr| matches!(&attr.value, Expression::Variable(v) if v.as_str() == "string"),
    );
    let string_typed = is_string || !block.body.has_attribute("type");
    let mut body = block.body;
    let default = body.remove_attribute("default").map(|attr| Expr {
        file,
        kind: ExprKind::Hcl(attr.value),
    });
    Variable {
        name,
        default,
        string_typed,
        is_string,
        span,
    }
}

/// The text of a string literal expression (`"x"`, or a template without interpolation).
pub fn literal_string(expr: &Expression) -> Option<String> {
    match expr {
        Expression::String(s) => Some(s.value().clone()),
        Expression::StringTemplate(t) => {
            let mut out = String::new();
            for element in t.iter() {
                out.push_str(element.as_literal()?.value());
            }
            Some(out)
        }
        _ => None,
    }
}

/// The objects under a JSON-syntax key: an object, or a list of objects (both are allowed).
fn json_objects(node: &Node) -> Vec<&Node> {
    match &node.kind {
        Kind::Object(_) => vec![node],
        Kind::Array(items) => items.iter().filter(|n| n.as_object().is_some()).collect(),
        _ => Vec::new(),
    }
}

/// The `name: value` entries of the objects under a JSON-syntax key (an object or a list of
/// objects), with their key spans; `"//"` comment keys are skipped.
pub fn json_entries(node: &Node) -> Vec<(&str, Span, &Node)> {
    json_objects(node)
        .into_iter()
        .flat_map(|obj| obj.as_object().unwrap_or_default())
        .filter(|m| m.key != "//")
        .map(|m| (m.key.as_str(), m.key_span, &m.value))
        .collect()
}

fn add_json(module: &mut Module, file: FileId, root: Node) {
    for (section, _, value) in json_entries(&root) {
        match section {
            "resource" | "data" => {
                let mode = if section == "data" {
                    Mode::Data
                } else {
                    Mode::Managed
                };
                for (rtype, type_span, by_name) in json_entries(value) {
                    for (name, name_span, body) in json_entries(by_name) {
                        for body in json_objects(body) {
                            module.resources.push(ResourceBlock {
                                mode,
                                rtype: rtype.to_string(),
                                name: name.to_string(),
                                span: name_span.to(body.span),
                                header: type_span.to(name_span),
                                body: BlockBody {
                                    file,
                                    kind: BodyKind::Json(body.clone()),
                                },
                            });
                        }
                    }
                }
            }
            "variable" => {
                for (name, name_span, body) in json_entries(value) {
                    let declared = body.get("type").and_then(Node::as_pstr);
                    let is_string = declared
                        .is_some_and(|t| matches!(t.as_known(), Some("string" | "${string}")));
                    let string_typed = is_string || declared.is_none();
                    module.variables.push(Variable {
                        name: name.to_string(),
                        default: body.get("default").map(|d| Expr {
                            file,
                            kind: ExprKind::Json(d.clone()),
                        }),
                        string_typed,
                        is_string,
                        span: name_span.to(body.span),
                    });
                }
            }
            "locals" => {
                for (name, _, value) in json_entries(value) {
                    module.locals.entry(name.to_string()).or_insert(Expr {
                        file,
                        kind: ExprKind::Json(value.clone()),
                    });
                }
            }
            "output" => {
                for (name, _, body) in json_entries(value) {
                    if let Some(v) = body.get("value") {
                        module.outputs.entry(name.to_string()).or_insert(Expr {
                            file,
                            kind: ExprKind::Json(v.clone()),
                        });
                    }
                }
            }
            "module" => {
                for (name, name_span, body) in json_entries(value) {
                    for body in json_objects(body) {
                        let source = body
                            .get("source")
                            .and_then(Node::as_pstr)
                            .and_then(|s| s.as_known())
                            .map(str::to_string);
                        module.calls.push(ModuleCall {
                            name: name.to_string(),
                            source,
                            span: name_span.to(body.span),
                            body: BlockBody {
                                file,
                                kind: BodyKind::Json(body.clone()),
                            },
                            target: None,
                            not_loaded: None,
                        });
                    }
                }
            }
            _ => {}
        }
    }
}

/// Reads files into [`Sources`], parses them, and builds modules, each directory once.
pub struct Loader<'s> {
    /// Where file texts are registered.
    pub sources: &'s mut Sources,
    /// Files that could not be read or parsed, modules that could not be found.
    pub errors: Vec<LoadError>,
    /// How many files were read.
    pub files_read: usize,
    /// The inline suppressions of the configuration files parsed, read from their parse.
    pub suppressions: Vec<crate::suppress::Suppression>,
    /// The modules loaded so far.
    pub modules: Vec<Module>,
    by_dir: HashMap<PathBuf, usize>,
    boundary: Arc<Boundary>,
    /// Module manifests read so far, by root directory (`None`: there is none, or it is bad).
    manifests: HashMap<PathBuf, Option<Manifest>>,
    /// When set, files are parsed only as far as their module calls go, and left for later
    /// ([`Loader::defer_parsing`]).
    deferred: Option<Vec<DeferredFile>>,
    /// Files read ahead ([`Loader::use_prefetched`]), taken by [`Loader::read_dirs`].
    prefetched: Prefetched,
}

/// A configuration file whose parse was left for later: its module, where its parse error
/// goes among the errors, and its parse when its module calls needed one.
pub struct DeferredFile {
    /// The module it belongs to.
    pub module: usize,
    /// The file.
    pub file: FileId,
    /// Its path.
    pub path: PathBuf,
    /// The number of errors there were when the file would have been parsed: its parse
    /// error goes before the error at this index.
    pub error_slot: usize,
    /// The file parsed (a `.tf.json` file, or one with `module` blocks); `None` when it has
    /// no module calls and was not parsed.
    pub parsed: Option<ParsedFile>,
    /// The prefilter's outline of a file not parsed yet, when the scan was sure.
    pub outline: Option<Outline>,
}

/// Where a module sits in a root module's manifest: the root's directory and the call key.
#[derive(Debug, Clone, Default, PartialEq)]
struct ManifestPosition {
    root: PathBuf,
    key: String,
}

impl<'s> Loader<'s> {
    /// A loader registering files in `sources`, reading only inside `boundary`.
    pub fn new(sources: &'s mut Sources, boundary: Arc<Boundary>) -> Self {
        Loader {
            sources,
            errors: Vec::new(),
            files_read: 0,
            suppressions: Vec::new(),
            modules: Vec::new(),
            by_dir: HashMap::new(),
            boundary,
            manifests: HashMap::new(),
            deferred: None,
            prefetched: Prefetched::new(),
        }
    }

    /// Files read ahead while the walk went on (`walk::ConfigDirs::prefetched`):
    /// [`Loader::read_dirs`] takes them instead of reading them again.
    pub fn use_prefetched(&mut self, prefetched: Prefetched) {
        self.prefetched = prefetched;
    }

    /// From now on, the configuration files read are parsed only as far as their module
    /// calls go: each module gets its calls (so that [`Loader::resolve_calls`] follows them
    /// as it always does) and nothing else, and each file is kept as a [`DeferredFile`] for
    /// [`Loader::take_deferred`].
    pub fn defer_parsing(&mut self) {
        self.deferred.get_or_insert_with(Vec::new);
    }

    /// The files whose parse was left for later, in the order they were read.
    pub fn take_deferred(&mut self) -> Vec<DeferredFile> {
        self.deferred.take().unwrap_or_default()
    }

    /// Adds what parsing `file` of module `index` gave: the whole part and its suppressions,
    /// or, when parsing is deferred, its calls only (the file is kept for later).
    fn add_parsed(&mut self, index: usize, file: FileId, path: &Path, parsed: ParsedFile) {
        self.modules[index].bytes += self.sources.file(file).text.len();
        if let Some(deferred) = &mut self.deferred {
            if let Ok(part) = &parsed.part {
                self.modules[index].calls.extend(part.calls.iter().cloned());
            }
            deferred.push(DeferredFile {
                module: index,
                file,
                path: path.to_path_buf(),
                error_slot: self.errors.len(),
                parsed: Some(parsed),
                outline: None,
            });
            return;
        }
        self.suppressions.extend(parsed.suppressions);
        match parsed.part {
            Ok(part) => merge_into(&mut self.modules[index], part),
            Err(err) => self.errors.push(err),
        }
    }

    /// Parses `file`, or, when parsing is deferred, parses it only when it may have module
    /// calls (`Err`: it has none, and is left unparsed, with its outline).
    fn parse_or_defer(&self, file: FileId, path: &Path) -> Result<ParsedFile, Option<Outline>> {
        if self.deferred.is_none() || walk::is_json(path) {
            return Ok(parse_file(self.sources, file, path));
        }
        let outline = super::prefilter::outline(&unmarked(&self.sources.file(file).text));
        match outline {
            Some(outline) if !outline.has_modules => Err(Some(outline)),
            outline => Ok(parse_file_outlined(
                self.sources,
                file,
                path,
                outline.as_ref(),
            )),
        }
    }

    /// Records `file` of module `index` as deferred and unparsed (it has no module calls),
    /// with its outline.
    fn defer_unparsed(
        &mut self,
        index: usize,
        file: FileId,
        path: &Path,
        outline: Option<Outline>,
    ) {
        self.modules[index].bytes += self.sources.file(file).text.len();
        let error_slot = self.errors.len();
        if let Some(deferred) = &mut self.deferred {
            deferred.push(DeferredFile {
                module: index,
                file,
                path: path.to_path_buf(),
                error_slot,
                parsed: None,
                outline,
            });
        }
    }

    /// Reads `path` and registers it; an unreadable file becomes a [`LoadError`] (located
    /// at the first bad byte for text that is not UTF-8).
    pub fn read(&mut self, path: &Path) -> Option<FileId> {
        let read = read_source(&self.boundary, path);
        self.register(path, read)
    }

    /// Registers what reading `path` gave (see [`Loader::read`]).
    fn register(&mut self, path: &Path, read: Result<SourceFile, Refusal>) -> Option<FileId> {
        let name = crate::fsbound::display(path);
        match read {
            Ok(file) => {
                self.files_read += 1;
                Some(self.sources.add_file(file))
            }
            Err(Refusal::NotUtf8 { lossy, offset }) => {
                self.files_read += 1;
                let file = self.sources.add(name.clone(), lossy);
                self.errors.push(LoadError {
                    file: Some(file),
                    span: Some(Span::new(file, offset, offset)),
                    path: Some(name),
                    message: "not UTF-8 text: Terraform files must be UTF-8".to_string(),
                });
                None
            }
            Err(refusal) => {
                self.errors.push(LoadError {
                    file: None,
                    span: None,
                    path: Some(name),
                    message: refusal.to_string(),
                });
                None
            }
        }
    }

    /// Loads the module in `dir` made of `files` (all at once, parsing in parallel), unless
    /// the directory was loaded before. Returns the module's index.
    pub fn load_dir(&mut self, dir: &Path, files: &[PathBuf]) -> usize {
        let key = self.boundary.real_path(dir);
        if let Some(&index) = self.by_dir.get(&key) {
            return index;
        }
        let index = self.load_files(dir, files);
        self.by_dir.insert(key, index);
        index
    }

    /// A module (still empty) for each directory of `dirs` not loaded before, and its files
    /// read and registered, in order, on all cores; [`Loader::parse_read`] parses them.
    pub fn read_dirs(&mut self, dirs: &[(PathBuf, Vec<PathBuf>)]) -> ReadDirs {
        let mut wanted: Vec<(usize, &PathBuf)> = Vec::new();
        let mut modules = Vec::with_capacity(dirs.len());
        for (dir, files) in dirs {
            let key = self.boundary.real_path(dir);
            if let Some(&index) = self.by_dir.get(&key) {
                modules.push(index);
                continue;
            }
            let index = self.modules.len();
            self.modules.push(Module {
                dir: dir.clone(),
                ..Module::default()
            });
            self.by_dir.insert(key, index);
            wanted.extend(files.iter().map(|path| (index, path)));
            modules.push(index);
        }
        // Read (and their lines indexed) on all cores, unless read ahead; registered in order.
        let mut reads: Vec<Option<Result<SourceFile, Refusal>>> = wanted
            .iter()
            .map(|(_, path)| self.prefetched.remove(*path))
            .collect();
        let unread: Vec<usize> = (0..wanted.len()).filter(|&i| reads[i].is_none()).collect();
        let boundary = &self.boundary;
        let read_now = crate::parallel::map(&unread, |&i| read_source(boundary, wanted[i].1));
        for (i, read) in unread.into_iter().zip(read_now) {
            reads[i] = Some(read);
        }
        let reads = reads.into_iter().map(|r| r.expect("every file read"));
        let mut files = Vec::with_capacity(wanted.len());
        for ((index, path), read) in wanted.into_iter().zip(reads) {
            if let Some(file) = self.register(path, read) {
                files.push((index, file, path.clone()));
            }
        }
        ReadDirs { modules, files }
    }

    /// Parses the files [`Loader::read_dirs`] read, each into its part of its module, on all
    /// cores, and merges them in order (or defers them: [`Loader::defer_parsing`]).
    pub fn parse_read(&mut self, files: Vec<(usize, FileId, PathBuf)>) {
        let loader: &Self = self;
        let parsed =
            crate::parallel::map(&files, |(_, file, path)| loader.parse_or_defer(*file, path));
        for ((index, file, path), parsed) in files.into_iter().zip(parsed) {
            match parsed {
                Ok(parsed) => self.add_parsed(index, file, &path, parsed),
                Err(outline) => self.defer_unparsed(index, file, &path, outline),
            }
        }
    }

    /// Loads a module made of exactly `files` in `dir` (not cached by directory: a single
    /// file given on the command line is a module of its own).
    pub fn load_files(&mut self, dir: &Path, files: &[PathBuf]) -> usize {
        let index = self.modules.len();
        self.modules.push(Module {
            dir: dir.to_path_buf(),
            ..Module::default()
        });
        for path in files {
            let Some(file) = self.read(path) else {
                continue;
            };
            match self.parse_or_defer(file, path) {
                Ok(parsed) => self.add_parsed(index, file, path, parsed),
                Err(outline) => self.defer_unparsed(index, file, path, outline),
            }
        }
        index
    }

    /// Follows the module sources of every loaded module until no new module appears: local
    /// sources (`source = "./modules/x"`) in place, other sources through the module
    /// manifest of the root module ([`super::modules`]); each directory is loaded once.
    pub fn resolve_calls(&mut self) {
        // Every module loaded so far was scanned: a root of its own until a call reaches it.
        let mut scopes: Vec<Option<ManifestPosition>> = self
            .modules
            .iter()
            .map(|m| {
                Some(ManifestPosition {
                    root: m.dir.clone(),
                    key: String::new(),
                })
            })
            .collect();
        let mut queue: std::collections::VecDeque<(usize, bool)> =
            (0..self.modules.len()).map(|m| (m, false)).collect();
        while let Some((next, remote_only)) = queue.pop_front() {
            for call in 0..self.modules[next].calls.len() {
                let (dir, source, name, span) = {
                    let module = &self.modules[next];
                    let call = &module.calls[call];
                    let Some(source) = &call.source else { continue };
                    (
                        module.dir.clone(),
                        source.clone(),
                        call.name.clone(),
                        call.span,
                    )
                };
                let scope = scopes[next].clone().unwrap_or_default();
                let child = ManifestPosition {
                    root: scope.root.clone(),
                    key: super::modules::child_key(&scope.key, &name),
                };
                let local = walk::is_local_source(&source);
                if local && remote_only {
                    if let Some(target) = self.modules[next].calls[call].target {
                        self.enter(&mut scopes, &mut queue, target, child);
                    }
                    continue;
                }
                let target = if local {
                    let target_dir = walk::normalize(&dir.join(&source));
                    match walk::module_files(&target_dir, &self.boundary) {
                        Ok(files) if !files.is_empty() => Some(self.load_dir(&target_dir, &files)),
                        Ok(_) => {
                            self.module_error(span, &target_dir, &source, "holds no .tf files");
                            None
                        }
                        Err(refusal) => {
                            self.module_error(span, &target_dir, &source, &refusal.to_string());
                            None
                        }
                    }
                } else {
                    match self.remote_dir(&child) {
                        Ok(target_dir) => match walk::module_files(&target_dir, &self.boundary) {
                            Ok(files) if !files.is_empty() => {
                                Some(self.load_dir(&target_dir, &files))
                            }
                            Err(refusal) => {
                                self.modules[next].calls[call].not_loaded = Some(format!(
                                    "the module manifest names {}: {refusal}",
                                    target_dir.display()
                                ));
                                None
                            }
                            Ok(_) => {
                                self.modules[next].calls[call].not_loaded = Some(format!(
                                    "the module manifest names {} for it, which holds no .tf files",
                                    target_dir.display()
                                ));
                                None
                            }
                        },
                        Err(why) => {
                            self.modules[next].calls[call].not_loaded = Some(why);
                            None
                        }
                    }
                };
                if let Some(target) = target {
                    self.modules[next].calls[call].not_loaded = None;
                    self.enter(&mut scopes, &mut queue, target, child);
                }
                self.modules[next].calls[call].target = target;
            }
        }
    }

    /// Gives module `target` its place in a manifest, when it has none yet or only its own
    /// (a scanned directory that turns out to be called); a changed place re-resolves the
    /// module's remote calls.
    fn enter(
        &mut self,
        scopes: &mut Vec<Option<ManifestPosition>>,
        queue: &mut std::collections::VecDeque<(usize, bool)>,
        target: usize,
        scope: ManifestPosition,
    ) {
        if scopes.len() < self.modules.len() {
            scopes.resize(self.modules.len(), None);
        }
        let replace = match &scopes[target] {
            None => true,
            Some(own) => own.key.is_empty() && own.root == self.modules[target].dir,
        };
        if replace && scopes[target].as_ref() != Some(&scope) {
            let fresh = scopes[target].is_none();
            scopes[target] = Some(scope);
            // A new module is resolved fully; a known one only for its remote calls.
            queue.push_back((target, !fresh));
        }
    }

    /// The folder `terraform init` put the module with manifest place `scope` in, or why
    /// there is none.
    fn remote_dir(&mut self, scope: &ManifestPosition) -> Result<PathBuf, String> {
        if !self.manifests.contains_key(&scope.root) {
            let manifest = self.read_manifest(&scope.root);
            self.manifests.insert(scope.root.clone(), manifest);
        }
        let Some(manifest) = &self.manifests[&scope.root] else {
            return Err(format!(
                "{} has no {} (run `terraform init` there first, or check the plan instead)",
                scope.root.display(),
                super::modules::MANIFEST_PATH
            ));
        };
        manifest.dir(&scope.key).unwrap_or_else(|| {
            Err(format!(
                "{} has no entry \"{}\" (run `terraform init` again, or check the plan instead)",
                scope.root.join(super::modules::MANIFEST_PATH).display(),
                scope.key
            ))
        })
    }

    /// Reads and parses `root`'s module manifest, when there is one; a bad one is an error.
    fn read_manifest(&mut self, root: &Path) -> Option<Manifest> {
        let path = root.join(super::modules::MANIFEST_PATH);
        if !path.is_file() {
            return None;
        }
        let file = self.read(&path)?;
        match Manifest::parse(root, &self.sources.file(file).text) {
            Ok(manifest) => Some(manifest),
            Err(message) => {
                self.errors.push(LoadError {
                    file: Some(file),
                    span: None,
                    path: Some(path.display().to_string()),
                    message,
                });
                None
            }
        }
    }

    fn module_error(&mut self, span: Span, dir: &Path, source: &str, why: &str) {
        // Located by its span; `file` stays empty, since the calling file itself was checked.
        self.errors.push(LoadError {
            file: None,
            span: Some(span),
            path: Some(dir.display().to_string()),
            message: if why.starts_with("not read") {
                format!("module source \"{source}\" ({}): {why}", dir.display())
            } else {
                format!(
                    "module source \"{source}\" ({}) cannot be read: {why}",
                    dir.display()
                )
            },
        });
    }

    /// Reads and parses a variable-definitions file.
    pub fn load_tfvars(&mut self, path: &Path) -> Vec<(String, Expr)> {
        let Some(file) = self.read(path) else {
            return Vec::new();
        };
        let text = &self.sources.file(file).text;
        let name = path.display().to_string();
        match parse_tfvars(text, file, &name, walk::is_json(path)) {
            Ok(values) => values,
            Err(err) => {
                self.errors.push(err);
                Vec::new()
            }
        }
    }
}

/// Configuration files read ahead of the loader, by path.
pub type Prefetched = HashMap<PathBuf, Result<SourceFile, Refusal>>;

/// Reads `path` as a source file (its lines indexed), through `boundary`.
pub fn read_source(boundary: &Boundary, path: &Path) -> Result<SourceFile, Refusal> {
    boundary
        .read_text(path, MAX_TERRAFORM_BYTES)
        .map(|text| SourceFile::named(crate::fsbound::display(path), text))
}

/// What [`Loader::read_dirs`] read: the module index of each directory, in order, and each
/// file registered with its module index, in order.
pub struct ReadDirs {
    /// The module index of each directory.
    pub modules: Vec<usize>,
    /// (module index, file, path) of each file read.
    pub files: Vec<(usize, FileId, PathBuf)>,
}

/// One configuration file, parsed: its inline suppressions, and what it adds to its module
/// (a module of this file alone) or why it could not be parsed.
pub struct ParsedFile {
    /// The file's inline suppressions.
    pub suppressions: Vec<crate::suppress::Suppression>,
    /// What the file adds to its module, or why it could not be parsed.
    pub part: Result<Module, LoadError>,
}

/// Adds `part`, the part of the module one file holds, to `module` after the files before
/// it: blocks in file order, the first definition of a local or an output winning.
pub fn merge_into(module: &mut Module, part: Module) {
    module.files.extend(part.files);
    module.variables.extend(part.variables);
    module.resources.extend(part.resources);
    module.calls.extend(part.calls);
    for (name, expr) in part.locals {
        module.locals.entry(name).or_insert(expr);
    }
    for (name, expr) in part.outputs {
        module.outputs.entry(name).or_insert(expr);
    }
}

/// Parses the registered configuration file `file` (at `path`) into its part of its module,
/// with its inline suppressions. A parser panic (a bug) is reported as an error of the file.
pub fn parse_file(sources: &Sources, file: FileId, path: &Path) -> ParsedFile {
    parse_file_outlined(sources, file, path, None)
}

/// [`parse_file`], with the prefilter's outline of the file when it is known.
pub fn parse_file_outlined(
    sources: &Sources,
    file: FileId,
    path: &Path,
    outline: Option<&Outline>,
) -> ParsedFile {
    let parse_one = || {
        let text = &sources.file(file).text;
        let name = path.display().to_string();
        let parsed = parse_outlined(text, file, &name, walk::is_json(path), outline);
        let body = match &parsed {
            Ok(Parsed::Hcl(body)) => Some(body),
            Ok(Parsed::Json(_)) | Err(_) => None,
        };
        let suppressions = crate::suppress::terraform_file(file, sources.file(file), body);
        let part = parsed.map(|parsed| {
            let mut part = Module::default();
            add_to_module(&mut part, file, parsed);
            part
        });
        ParsedFile { suppressions, part }
    };
    // A parser panic is a bug: report the file, and go on with the others.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse_one)).unwrap_or_else(|_| {
        ParsedFile {
            suppressions: Vec::new(),
            part: Err(LoadError {
                file: Some(file),
                span: None,
                path: Some(path.display().to_string()),
                message: "internal error: the parser failed on this file".to_string(),
            }),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the loader reads of a file is the same whether the prefilter blanked what it
    /// never reads (here: all of a variable but its type and default) or not.
    #[test]
    fn the_loader_reads_the_same_of_a_blanked_file() {
        let text = "variable \"env\" {\n  description = \"d\"\n  type = list(string)\n  \
                    default = [\"a\"] # c\n  nullable = false\n  sensitive = true\n  \
                    validation {\n    condition = length(var.env) > 0\n    error_message = \"e\"\n  }\n}\n\
                    variable \"name\" {\n  type = string\n}\n\
                    variable \"plain\" { description = \"p\" }\n\
                    resource \"aws_s3_bucket\" \"b\" {\n  bucket = var.name\n}\n";
        let Ok(Parsed::Hcl(blanked)) = parse_config(text, FileId(0), "v.tf", false) else {
            panic!("parses");
        };
        assert_ne!(
            super::super::prefilter::relevant_text(text),
            text,
            "something is blanked"
        );
        let whole = hcl_edit::parser::parse_body(text).unwrap();
        let read = |body: Body| {
            let mut module = Module::default();
            add_hcl(&mut module, FileId(0), body);
            format!("{:?}\n{:?}", module.variables, module.resources)
        };
        assert_eq!(read(blanked), read(whole));
    }

    /// A file that does not parse gives its own first error, also when that error is in a
    /// part the prefilter blanks and the blanked text fails further on.
    #[test]
    fn a_file_that_does_not_parse_gives_its_own_first_error() {
        let text = "resource \"aws_instance\" \"a\" {\n  ami = (\n}\n\
                    resource \"aws_s3_bucket\" \"b\" {\n  bucket = \n}\n";
        let whole = hcl_edit::parser::parse_body(text).unwrap_err();
        let blanked = super::super::prefilter::relevant_text(text);
        let blanked = hcl_edit::parser::parse_body(&blanked).unwrap_err();
        // Not a vacuous case: the two texts fail in different places.
        assert!(whole.location().offset() < text.find("aws_s3_bucket").unwrap());
        assert!(blanked.location().offset() > text.find("aws_s3_bucket").unwrap());
        let Err(err) = parse_config(text, FileId(0), "main.tf", false) else {
            panic!("parsed");
        };
        assert_eq!(err.span.unwrap().start, whole.location().offset() as u32);
    }

    #[test]
    fn files_read_ahead_are_taken_and_the_others_read() {
        let dir = std::env::temp_dir().join(format!("clumio-hcl-ahead-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (a, b) = (dir.join("a.tf"), dir.join("b.tf"));
        std::fs::write(&a, "# on disk a\n").unwrap();
        std::fs::write(&b, "# on disk b\n").unwrap();
        let boundary = Arc::new(Boundary::new(std::slice::from_ref(&dir)));
        let mut sources = Sources::default();
        let mut loader = Loader::new(&mut sources, boundary);
        // What was read ahead is taken as it is (here, a text the disk does not have).
        let mut ahead = Prefetched::new();
        ahead.insert(
            a.clone(),
            Ok(SourceFile::named("a.tf".into(), "# ahead\n".into())),
        );
        loader.use_prefetched(ahead);
        let read = loader.read_dirs(&[(dir.clone(), vec![a, b])]);
        let texts: Vec<&str> = read
            .files
            .iter()
            .map(|(_, file, _)| loader.sources.file(*file).text.as_str())
            .collect();
        assert_eq!(texts, ["# ahead\n", "# on disk b\n"]);
        assert_eq!(loader.files_read, 2);
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn parses(text: &str) -> bool {
        let mut sources = Sources::default();
        let file = sources.add("main.tf".to_string(), text.to_string());
        parse_config(text, file, "main.tf", false).is_ok()
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_offsets_are_kept() {
        let text = "\u{feff}resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n";
        let mut sources = Sources::default();
        let file = sources.add("main.tf".to_string(), text.to_string());
        let Ok(Parsed::Hcl(body)) = parse_config(text, file, "main.tf", false) else {
            panic!("a file with a byte-order mark must parse");
        };
        let block = body.into_blocks().next().expect("one block");
        assert_eq!(block.span().map(|r| r.start), Some(3));
        assert!(!parses("\u{feff}resource {"));
    }

    #[test]
    fn a_conditional_continues_on_the_next_line_inside_a_for_object() {
        // The pattern of cloudposse/terraform-null-label (the vendored hcl-edit patch).
        assert!(parses(
            "locals {\n  l = { for k in x : k => c == \"a\" ? k :\n    c == \"b\" ? upper(k) : lower(k)\n  }\n}\n"
        ));
        assert!(parses(
            "locals {\n  l = { for k in x : k =>\n    k == null ? \"\" : k\n  }\n}\n"
        ));
        // Outside brackets a newline still ends the expression.
        assert!(!parses("a = b ?\n c : d\n x"));
    }
}
