//! The Terraform source front end: `*.tf`, `*.tf.json` and `*.tfvars` into [`Resource`]s.
//!
//! [`load`] finds root modules ([`walk`]), reads and parses every file once with spans
//! ([`hcl`]), follows local module sources, evaluates what is knowable without a cloud
//! ([`eval`], [`functions`]) and hands one [`Resource`] per resource or data source instance
//! to the model, following the conventions of [`crate::resource`]. A file that cannot be read
//! or parsed is a [`LoadError`]; the other files are still loaded.
//!
//! Root modules: a file given on the command line stands for its directory (Terraform's
//! unit is the folder); every directory given is walked (ignore files hide nothing; `.git/`,
//! `.terraform/` and `.terragrunt-cache/` skipped), and each directory with `*.tf` / `*.tf.json` files in it is
//! a root module, except directories that are the local `source` of a module call of another
//! scanned module: their resources are reported through the call, with module addresses
//! (`module.logs["a"].aws_s3_bucket.this`). A root module's variable values come from its
//! `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars(.json)`, then
//! `--var-file`s, then `--var`s, the last one winning.
//!
//! [`Resource`]: crate::resource::Resource

pub mod aws;
mod components;
pub mod eval;
pub mod fileset;
pub mod functions;
pub mod hcl;
pub mod modules;
pub mod plan;
pub mod prefilter;
pub mod text_plan;
pub mod types;
pub mod unrecognised;
pub mod walk;

use crate::fsbound::Boundary;
use crate::resource::{LoadError, Resource};
use crate::source::Sources;
use crate::value::{Kind, Node, PString};
use hcl::{Expr, ExprKind};
use hcl_edit::expr::Expression;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What the command line says about Terraform evaluation.
#[derive(Debug, Clone, Default)]
pub struct TerraformOptions {
    /// `--account-id`: the value of `data.aws_caller_identity.*.account_id`.
    pub account_id: Option<String>,
    /// `--region`: the value of `data.aws_region.*.name`.
    pub region: Option<String>,
    /// `--var name=value`, in order.
    pub vars: Vec<(String, String)>,
    /// `--var-file path`, in order.
    pub var_files: Vec<PathBuf>,
    /// Where files may be read from; by default, the boundary of the scanned paths (with
    /// the `--var-file`s allowed).
    pub boundary: Option<Arc<Boundary>>,
    /// The root module's variable values a plan was made with (its `variables`, located in
    /// the plan); they win over every other source of values.
    pub plan_values: Vec<(String, Node)>,
}

/// One root module that was evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Root {
    /// The directory Terraform would run in (the file's directory for a single file).
    pub dir: PathBuf,
    /// Its resources, as a range of [`LoadedModules::resources`]. Hole ids and addresses are
    /// meaningful within one root module only: link resources root by root.
    pub resources: Range<usize>,
    /// Its module calls whose remote code is not on disk (rule CP904).
    pub not_loaded: Vec<crate::model::ModuleNotLoaded>,
    /// Every module instance's address prefix (`module.logs["a"].`) with the `module` block
    /// that created it.
    pub module_calls: Vec<(String, crate::source::Span)>,
}

/// What [`load`] produced: the front-end contract ([`crate::front_end::Loaded`]), with one
/// resource per resource or data source instance, root module after root module.
pub type LoadedModules = crate::front_end::Loaded<Evaluated>;

/// What only the Terraform sources front end produces.
#[derive(Debug, Default)]
pub struct Evaluated {
    /// How many files were read (configuration, variable files, and files read by `file()`
    /// and `templatefile()`).
    pub files: usize,
    /// The root modules, in order, with the range of their resources.
    pub roots: Vec<Root>,
    /// Warnings about the command line: a `--var` that names no declared variable.
    pub warnings: Vec<String>,
}

/// What a plan says besides its resources: what [`load_plan_json`] and [`load_plan_text`]
/// produce.
#[derive(Debug, Default)]
pub struct PlanFacts {
    /// The root module's variables as the plan was made with them, located in the plan;
    /// empty for state and plan text, which record none.
    pub variables: Vec<(String, Node)>,
}

/// Reads plan JSON or state (`terraform show -json`) already in `sources`, with its layout
/// when [`plan::read_plan`] read it.
pub fn load_plan_json(
    sources: &Sources,
    file: crate::source::FileId,
    layout: Option<&plan::Layout>,
) -> crate::front_end::Loaded<PlanFacts> {
    let plan = plan::load_plan(sources, file, layout);
    let mut notes = Vec::new();
    if plan.is_state && plan.resources.is_empty() && plan.errors.is_empty() {
        notes.push(LoadError {
            file: Some(file),
            span: None,
            path: None,
            message:
                "state JSON with no resources: nothing is deployed, so there is nothing to check"
                    .into(),
        });
    }
    crate::front_end::Loaded {
        resources: plan.resources,
        errors: plan.errors,
        notes,
        account: plan.account_id,
        suppressions: Vec::new(),
        extra: PlanFacts {
            variables: plan.variables,
        },
    }
}

/// Reads the text of `terraform plan` already in `sources`.
pub fn load_plan_text(
    sources: &Sources,
    file: crate::source::FileId,
) -> crate::front_end::Loaded<PlanFacts> {
    let plan = text_plan::load_text_plan(sources, file);
    crate::front_end::Loaded {
        resources: plan.resources,
        errors: plan.errors,
        notes: plan.notes,
        account: plan.account_id,
        suppressions: Vec::new(),
        extra: PlanFacts::default(),
    }
}

/// Stack size for evaluation: nesting is bounded by [`eval::MAX_DEPTH`], and unoptimised
/// builds use large frames.
const EVAL_STACK: usize = 64 << 20;

/// Loads the Terraform configuration under `paths` (files or directories) into resources.
/// Every file read is added to `sources`.
pub fn load(paths: &[PathBuf], opts: &TerraformOptions, sources: &mut Sources) -> LoadedModules {
    let boundary = match &opts.boundary {
        Some(b) => b.clone(),
        None => {
            let mut b = Boundary::new(paths);
            for file in &opts.var_files {
                b.allow_named(file);
            }
            Arc::new(b)
        }
    };
    let scan = walk::scan(paths, &boundary);
    load_walked(scan, boundary, opts, sources)
}

/// Loads the module folders a walk found ([`walk::scan`], or the one walk of a scan's inputs
/// in [`crate::inputs`]); files are read inside `boundary`. Every file read is added to
/// `sources`.
///
/// Files are read and their module calls followed first, parsing only the files that have
/// `module` blocks; then each component of the module call graph is parsed, evaluated and
/// freed on its own (`terraform/components.rs`), so that the parsed trees of a large tree never all
/// live at once.
pub fn load_walked(
    scan: walk::ConfigDirs,
    boundary: Arc<Boundary>,
    opts: &TerraformOptions,
    sources: &mut Sources,
) -> LoadedModules {
    let (loaded, resources) = load_walked_then(scan, boundary, opts, sources, &|_, _, r| r);
    with_resources(loaded, resources)
}

/// What [`load_walked_then`] does with each root module as soon as it is evaluated:
/// `each_root(sources, root, resources)`, where `root`'s range of resources is empty and
/// `resources` are its resources. It is called on the thread that evaluated the root
/// module, in no set order.
pub type EachRoot<'a, R> = dyn Fn(&Sources, &Root, Vec<Resource>) -> R + Sync + 'a;

/// [`load_walked`], with each root module's resources handed to `each_root` (say, to
/// check them) as soon as the root module is evaluated, instead of being kept: the load's
/// resources are empty, and its roots' ranges too. Returns what `each_root` gave for each
/// root module, in order.
pub fn load_walked_then<R: Send>(
    scan: walk::ConfigDirs,
    boundary: Arc<Boundary>,
    opts: &TerraformOptions,
    sources: &mut Sources,
    each_root: &EachRoot<R>,
) -> (LoadedModules, Vec<R>) {
    load_walked_as(scan, boundary, opts, sources, true, each_root)
}

/// A load whose roots' resources were handed out, with them back in place, root after
/// root.
fn with_resources(mut loaded: LoadedModules, resources: Vec<Vec<Resource>>) -> LoadedModules {
    for (root, resources) in loaded.extra.roots.iter_mut().zip(resources) {
        let start = loaded.resources.len();
        loaded.resources.extend(resources);
        root.resources = start..loaded.resources.len();
    }
    loaded
}

/// The root module evaluated in `dir` as `output` gives it, with no resources.
fn root_of(dir: &Path, output: &eval::RootOutput) -> Root {
    Root {
        dir: dir.to_path_buf(),
        resources: 0..0,
        not_loaded: output.not_loaded.clone(),
        module_calls: output.module_calls.clone(),
    }
}

/// [`load_walked_then`], component by component when `by_components`, else with every
/// file parsed before any root module is evaluated (the two give the same load; the tests
/// compare them).
fn load_walked_as<R: Send>(
    scan: walk::ConfigDirs,
    boundary: Arc<Boundary>,
    opts: &TerraformOptions,
    sources: &mut Sources,
    by_components: bool,
    each_root: &EachRoot<R>,
) -> (LoadedModules, Vec<R>) {
    let mut loader = hcl::Loader::new(sources, boundary.clone());
    let walk::ConfigDirs {
        dirs: scanned,
        errors: walk_errors,
        prefetched,
    } = scan;
    loader.errors.extend(walk_errors);
    loader.use_prefetched(prefetched);
    let dirs: Vec<(PathBuf, walk::DirFiles)> = scanned.into_iter().collect();
    let config: Vec<(PathBuf, Vec<PathBuf>)> = dirs
        .iter()
        .map(|(dir, files)| (dir.clone(), files.config.clone()))
        .collect();
    let read = loader.read_dirs(&config);
    if by_components {
        loader.defer_parsing();
    }
    loader.parse_read(read.files);
    let dir_modules = read.modules;
    loader.resolve_calls();

    // Roots: directories not called by another module, files, and (for cycles of module
    // calls) whatever is not reachable from those.
    let modules = &loader.modules;
    let is_root = root_folders(&dir_modules, &|m| {
        modules[m].calls.iter().filter_map(|c| c.target).collect()
    });

    let command_line = command_line(&mut loader, opts);
    let mut roots: Vec<eval::RootInput> = Vec::new();
    for (i, (dir, files)) in dirs.iter().enumerate() {
        if !is_root[i] {
            continue;
        }
        let values = files
            .tfvars
            .iter()
            .flat_map(|path| loader.load_tfvars(path))
            .collect();
        roots.push(root_input(dir_modules[i], dir, values));
    }
    let eval_opts = eval::EvalOptions {
        account_id: opts.account_id.clone(),
        region: opts.region.clone(),
        boundary,
    };
    if by_components {
        return components::load(loader, roots, &command_line, opts, &eval_opts, each_root);
    }
    let roots: Vec<eval::RootInput> = roots
        .into_iter()
        .map(|root| {
            let module = &loader.modules[root.module];
            root_values(root, module, loader.sources, &command_line, opts)
        })
        .collect();
    let declared = roots
        .iter()
        .flat_map(|r| loader.modules[r.module].variables.iter())
        .map(|v| v.name.clone())
        .collect();
    let warnings = undeclared_vars(&opts.vars, !roots.is_empty(), declared);
    let hcl::Loader {
        modules,
        errors,
        files_read,
        suppressions,
        sources,
        ..
    } = loader;
    let outputs = evaluate_all(&modules, sources, &roots, &eval_opts);
    let loaded_sources: &Sources = sources;
    // Freeing the parsed trees of a large tree takes a while: never wait for it.
    crate::parallel::release(modules);

    let mut loaded = LoadedModules {
        errors,
        suppressions,
        extra: Evaluated {
            files: files_read,
            warnings,
            ..Evaluated::default()
        },
        ..LoadedModules::default()
    };
    let mut handed = Vec::with_capacity(roots.len());
    for (root, mut output) in roots.iter().zip(outputs) {
        let resources = std::mem::take(&mut output.resources);
        handed.push(each_root(
            loaded_sources,
            &root_of(&root.dir, &output),
            resources,
        ));
        add_root(&mut loaded, &root.dir, output);
    }
    (loaded, handed)
}

/// Variable values by name, in the order they apply (a later one wins).
type Values = Vec<(String, Expr)>;

/// What the command line gives every root module: the `--var-file` values, and the `--var`
/// texts registered as sources.
struct CommandLine {
    var_files: Values,
    vars: Vec<(String, crate::source::FileId)>,
}

/// Reads the `--var-file`s and registers the `--var` texts.
fn command_line(loader: &mut hcl::Loader, opts: &TerraformOptions) -> CommandLine {
    let var_files = opts
        .var_files
        .iter()
        .flat_map(|path| loader.load_tfvars(path))
        .collect();
    let vars = opts
        .vars
        .iter()
        .map(|(name, value)| {
            (
                name.clone(),
                loader.sources.add(format!("--var {name}"), value.clone()),
            )
        })
        .collect();
    CommandLine { var_files, vars }
}

/// Which scanned folders are root modules: those no module calls (`targets(m)`: the
/// modules module `m` calls), then, for cycles of calls, each folder in turn that no root
/// reaches. `modules[i]` is the module of the folder at position `i`.
fn root_folders(modules: &[usize], targets: &dyn Fn(usize) -> Vec<usize>) -> Vec<bool> {
    let targeted: HashSet<usize> = modules.iter().flat_map(|&m| targets(m)).collect();
    let mut is_root: Vec<bool> = modules.iter().map(|m| !targeted.contains(m)).collect();
    let mut reached = HashSet::new();
    for (module, _) in modules.iter().zip(&is_root).filter(|(_, root)| **root) {
        reach(targets, *module, &mut reached);
    }
    for (i, module) in modules.iter().enumerate() {
        if !reached.contains(module) {
            is_root[i] = true;
            reach(targets, *module, &mut reached);
        }
    }
    is_root
}

/// A root module's input: its `*.tfvars` values, then the `--var-file`s, the `--var`s and a
/// plan's values, the last one winning. `module` is the root module (its variable
/// declarations type and locate the `--var`s).
fn root_values(
    mut root: eval::RootInput,
    module: &hcl::Module,
    sources: &Sources,
    command_line: &CommandLine,
    opts: &TerraformOptions,
) -> eval::RootInput {
    root.values.extend(command_line.var_files.iter().cloned());
    for (name, file) in &command_line.vars {
        let text = &sources.file(*file).text;
        let declared = module.variable(name);
        let string_typed = declared.is_none_or(|v| v.string_typed);
        let at = declared.map(|v| v.span);
        root.values
            .insert(name.clone(), cli_var(text, *file, string_typed, at));
    }
    for (name, value) in &opts.plan_values {
        let expr = Expr {
            file: value.span.file,
            kind: ExprKind::Literal(value.clone()),
        };
        root.values.insert(name.clone(), expr);
    }
    root
}

/// Adds a root module's evaluation to what was loaded, after the roots before it.
fn add_root(loaded: &mut LoadedModules, dir: &Path, output: eval::RootOutput) {
    let start = loaded.resources.len();
    loaded.resources.extend(output.resources);
    loaded.errors.extend(output.errors);
    loaded.extra.files += output.files_read;
    loaded.extra.roots.push(Root {
        dir: dir.to_path_buf(),
        resources: start..loaded.resources.len(),
        not_loaded: output.not_loaded,
        module_calls: output.module_calls,
    });
}

/// A warning for each `--var` that no root module declares (`declared`: the variables the
/// root modules declare; `any_root`: whether there is a root module at all), naming the
/// variables that exist.
fn undeclared_vars(
    vars: &[(String, String)],
    any_root: bool,
    mut declared: Vec<String>,
) -> Vec<String> {
    if !any_root {
        return Vec::new();
    }
    declared.sort_unstable();
    declared.dedup();
    let mut notes = Vec::new();
    for (name, _) in vars {
        if declared.contains(name)
            || notes
                .iter()
                .any(|n: &String| n.contains(&format!("--var {name} ")))
        {
            continue;
        }
        let exist = if declared.is_empty() {
            "they declare no variables".to_string()
        } else {
            format!("they declare {}", declared.join(", "))
        };
        notes.push(format!(
            "--var {name} was ignored: no scanned root module declares a variable \"{name}\" ({exist})"
        ));
    }
    notes
}

fn root_input(module: usize, dir: &Path, values: Vec<(String, Expr)>) -> eval::RootInput {
    eval::RootInput {
        module,
        dir: dir.to_path_buf(),
        values: values.into_iter().collect::<HashMap<_, _>>(),
    }
}

/// A `--var` value: a string for a string variable, else an expression (as Terraform reads
/// `-var 'ids=["a","b"]'`), falling back to the string when it does not parse. Either is
/// located at the variable's declaration (`declared`) when there is one, so that findings
/// point at a file an editor can open; otherwise (a variable nothing reads) at the
/// `--var NAME` text.
fn cli_var(
    text: &str,
    file: crate::source::FileId,
    string_typed: bool,
    declared: Option<crate::source::Span>,
) -> Expr {
    let literal = || {
        let span = declared.unwrap_or_else(|| crate::source::Span::new(file, 0, text.len()));
        Expr {
            file: span.file,
            kind: ExprKind::Literal(Node::new(Kind::Str(PString::known(text)), span)),
        }
    };
    if string_typed {
        return literal();
    }
    match hcl_edit::parser::parse_expr(text) {
        // A bare word is text: a --var value cannot refer to anything.
        Ok(Expression::Variable(_) | Expression::Traversal(_)) | Err(_) => literal(),
        Ok(expr) => Expr {
            file,
            kind: match declared {
                Some(at) => ExprKind::Relocated(expr, at),
                None => ExprKind::Hcl(expr),
            },
        },
    }
}

/// Marks `start` and every module it calls (`targets`), transitively.
fn reach(targets: &dyn Fn(usize) -> Vec<usize>, start: usize, reached: &mut HashSet<usize>) {
    let mut stack = vec![start];
    while let Some(m) = stack.pop() {
        if reached.insert(m) {
            stack.extend(targets(m));
        }
    }
}

/// Evaluates every root on a thread with a large stack (falling back to this thread).
/// A thread for evaluating root modules, with the deep stack evaluation may need.
fn eval_thread() -> std::thread::Builder {
    std::thread::Builder::new()
        .name("terraform-eval".to_string())
        .stack_size(EVAL_STACK)
}

/// What a root module whose evaluation panicked (a bug) gives: an error for its folder.
fn failed_root(root: &eval::RootInput) -> eval::RootOutput {
    eval::RootOutput {
        errors: vec![LoadError {
            file: None,
            span: None,
            path: Some(root.dir.display().to_string()),
            message: "internal error while evaluating this Terraform root module".to_string(),
        }],
        ..eval::RootOutput::default()
    }
}

fn evaluate_all(
    modules: &[hcl::Module],
    sources: &mut Sources,
    roots: &[eval::RootInput],
    opts: &eval::EvalOptions,
) -> Vec<eval::RootOutput> {
    // First side by side, reading the sources only; each on a thread with a deep stack
    // (`None`: a root that reads files).
    let shared: &Sources = sources;
    let mut outputs: Vec<Option<eval::RootOutput>> =
        crate::parallel::map_on(roots, eval_thread, |root| {
            // A panic in evaluation is a bug: reported for its root, the others go on.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                eval::evaluate_root_shared(modules, shared, root, opts)
            }))
            .unwrap_or_else(|_| Some(failed_root(root)))
        });
    // Then, in order, the roots that read files (which become sources, numbered in order).
    let pending: Vec<usize> = (0..roots.len()).filter(|&i| outputs[i].is_none()).collect();
    let inputs: Vec<(&eval::RootInput, &[hcl::Module])> =
        pending.iter().map(|&i| (&roots[i], modules)).collect();
    let done = evaluate_in_order(sources, &inputs, opts);
    for (i, output) in pending.into_iter().zip(done) {
        outputs[i] = Some(output);
    }
    outputs
        .into_iter()
        .zip(roots)
        .map(|(output, root)| output.unwrap_or_else(|| failed_root(root)))
        .collect()
}

/// Evaluates `roots` (each with the modules its indices refer to) one after another, in
/// order, with the right to add the files they read to `sources`; on a thread with a deep
/// stack (or this one, when none can be started).
fn evaluate_in_order(
    sources: &mut Sources,
    roots: &[(&eval::RootInput, &[hcl::Module])],
    opts: &eval::EvalOptions,
) -> Vec<eval::RootOutput> {
    if roots.is_empty() {
        return Vec::new();
    }
    let run = |sources: &mut Sources| -> Vec<eval::RootOutput> {
        roots
            .iter()
            .map(|(root, modules)| {
                // As above: a panic is reported for its root, the others go on.
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    eval::evaluate_root(modules, &mut *sources, root, opts)
                }))
                .unwrap_or_else(|_| failed_root(root))
            })
            .collect()
    };
    let spawned = std::thread::scope(|scope| {
        let handle = eval_thread().spawn_scoped(scope, || run(sources));
        match handle {
            Ok(handle) => Some(handle.join()),
            Err(_) => None,
        }
    });
    match spawned {
        Some(Ok(done)) => done,
        Some(Err(_)) => roots.iter().map(|(root, _)| failed_root(root)).collect(),
        None => run(sources),
    }
}
