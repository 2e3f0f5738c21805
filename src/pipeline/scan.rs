//! The scan: inputs → front ends → model → rules → plan remap, one report.
//!
//! [`crate::inputs`] walks and classifies the inputs; each Terraform module folder, plan,
//! plan text and template then goes through its front end, whose [`crate::front_end::Loaded`]
//! becomes one model (a root module, a plan or a template) that the rules check. A plan's
//! findings are pointed at its Terraform sources (`--source-dir`, or the working directory),
//! which are loaded again with what the plan knows (its variables and account).

use super::Options;
use crate::cloudformation;
use crate::config::Config;
use crate::fsbound::Boundary;
use crate::inputs::{Format, Input};
use crate::model::Inventory;
use crate::parallel;
use crate::profile::Profile;
use crate::report::Report;
use crate::resource::LoadError;
use crate::rules::{self, Caller, Diagnostic};
use crate::source::{FileId, Sources, Span};
use crate::suppress::Suppression;
use crate::terraform::{self, TerraformOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Collects what the front ends produce.
struct Collected {
    sources: Sources,
    errors: Vec<LoadError>,
    /// The models built, in input order: checked, or waiting for their plan's sources.
    checked: Vec<Checked>,
    files: usize,
    notes: Vec<String>,
    /// Warnings about the command line (see [`Report::run_warnings`]).
    run_warnings: Vec<String>,
    /// The parameters the templates read declare, when any template was read.
    template_parameters: Option<Vec<String>>,
    /// Plans and templates read, loaded together (in parallel) once all inputs are read.
    pending: Vec<(FileId, Format)>,
    /// Where the entries of the pending plan and state JSON are.
    plan_layouts: std::collections::HashMap<FileId, terraform::plan::Layout>,
    /// The inline suppressions the front ends read.
    suppressions: Vec<Suppression>,
}

/// One model the rules check: a Terraform root module, a plan or a template.
struct Unit {
    inventory: Inventory,
    /// The account the input says it ran in (a plan's `aws_caller_identity`).
    account: Option<String>,
    /// Terraform sources: each module instance's address prefix with its `module` block.
    module_calls: Vec<(String, Span)>,
}

/// What a plan says, kept until its sources are read.
struct PlanInput {
    file: FileId,
    resources: Vec<crate::resource::Resource>,
    variables: Vec<(String, crate::value::Node)>,
}

/// The sources of one plan: where its findings go, and what the sources settled.
struct PlanSources {
    mapper: crate::plan_mapping::SourceMapper,
    filled: Vec<crate::plan_sources::Filled>,
    plan_file: FileId,
}

/// A model checked as soon as it is built, or kept until its plan's sources are read.
enum Checked {
    /// Its findings: the model itself is freed on the thread that built it, whose next
    /// model reuses the memory.
    Done(Vec<Diagnostic>),
    /// A plan whose findings are pointed at its sources, read once every input is loaded:
    /// its model, and what the plan says (taken out of the model).
    Waiting(Box<(Unit, PlanInput)>),
}

/// What checking a model needs besides the model: the profile, the rules enabled, and which
/// files are plans (their findings are fixed in their sources, not in the plan).
struct Check<'a> {
    profile: &'a Profile,
    enabled: &'a rules::Enabled,
    plan_files: &'a std::collections::HashSet<FileId>,
    /// Whether a plan's findings wait for its sources ([`source_dir`] found some).
    plans_wait: bool,
}

impl Check<'_> {
    /// Checks `unit` now, unless it is a plan (`plan`: its resources and variables) whose
    /// findings wait for its sources.
    fn now_or_later(&self, sources: &Sources, unit: Unit, plan: Option<PlanInput>) -> Checked {
        if let Some(plan) = plan {
            if self.plans_wait {
                return Checked::Waiting(Box::new((unit, plan)));
            }
            // Without sources, what a plan says is not needed past its model: its resources
            // (most of its memory) are freed while the rules run.
            parallel::drop_beside(plan);
            let found = self.unit(sources, &unit, None);
            // A plan's model can be large: freed beside the rest of the run.
            parallel::drop_beside(unit);
            return Checked::Done(found);
        }
        Checked::Done(self.unit(sources, &unit, None))
    }

    /// The findings on one model (and, for a plan, on its sources).
    fn unit(&self, sources: &Sources, unit: &Unit, with: Option<&PlanSources>) -> Vec<Diagnostic> {
        // A plan knows its account: it settles the profile's unknown account for that plan.
        let own = unit
            .account
            .as_deref()
            .filter(|_| !self.profile.account.is_known())
            .map(|a| self.profile.in_account(a));
        let profile = own.as_ref().unwrap_or(self.profile);
        let mut found = rules::run(&unit.inventory, profile, self.enabled);
        let is_plan = |file: FileId| self.plan_files.contains(&file);
        crate::fix::attach(sources, &unit.inventory, profile, &mut found, &is_plan);
        if let Some(with) = with {
            let source_found = with.mapper.source_findings(sources, profile, self.enabled);
            with.mapper.remap(
                &mut found,
                &unit.inventory,
                profile,
                &crate::plan_mapping::PlanOrigin {
                    file: with.plan_file,
                    filled: &with.filled,
                    source_found: &source_found,
                },
            );
        }
        add_callers(&mut found, &unit.module_calls);
        found
    }
}

/// What one plan or template yielded.
struct FileResult {
    unit: Option<Checked>,
    errors: Vec<LoadError>,
    notes: Vec<String>,
    /// A template's declared parameters (`None` for other inputs).
    parameters: Option<Vec<String>>,
    /// A template's suppressions.
    suppressions: Vec<Suppression>,
}

/// Loads one plan or template already added as `file`, through its front end's contract,
/// and checks its model (a plan waits when its findings go to its sources).
fn load_text(
    check: &Check,
    sources: &Sources,
    file: FileId,
    format: Format,
    layout: Option<&terraform::plan::Layout>,
    options: &Options,
) -> FileResult {
    let (loaded, inventory, parameters, plan) = match format {
        Format::CloudFormation => {
            let mut loaded = cloudformation::load(sources, file, &options.cloudformation);
            let parameters = loaded.extra.parameters.take();
            let inventory = cloudformation::aws::inventory_owned(
                std::mem::take(&mut loaded.resources),
                &loaded.extra.sub_texts,
                sources,
            );
            (loaded.map_extra(|_| ()), inventory, parameters, None)
        }
        Format::TextPlan | Format::PlanJson | Format::State => {
            let mut loaded = if format == Format::TextPlan {
                terraform::load_plan_text(sources, file)
            } else {
                terraform::load_plan_json(sources, file, layout)
            };
            // When reading the plan kept little of it, what its resources were read from
            // goes back before its model is built, and what the model was built from before
            // the checks.
            let freed_much = reading_kept_little(sources, file);
            if freed_much {
                parallel::give_back();
            }
            let inventory = terraform::aws::inventory(&loaded.resources, sources);
            if freed_much {
                parallel::give_back();
            }
            let plan = PlanInput {
                file,
                resources: std::mem::take(&mut loaded.resources),
                variables: std::mem::take(&mut loaded.extra.variables),
            };
            (loaded.map_extra(|_| ()), inventory, None, Some(plan))
        }
    };
    let crate::front_end::Loaded {
        errors,
        notes,
        account,
        suppressions,
        ..
    } = loaded;
    FileResult {
        unit: Some(check.now_or_later(
            sources,
            Unit {
                inventory,
                account,
                module_calls: Vec::new(),
            },
            plan,
        )),
        errors,
        notes: notes
            .iter()
            .map(|n| crate::front_end::note_line(sources, n))
            .collect(),
        parameters,
        suppressions,
    }
}

/// Whether reading `file` kept less than half of it (a plan's entries that matter, most of a
/// large plan being other resources): then what the reading built and dropped is worth
/// giving back to the system ([`parallel::give_back`]). A plan read mostly whole (a finding
/// after another), or a template, would pay for asking and fault the memory in again.
fn reading_kept_little(sources: &Sources, file: FileId) -> bool {
    let source = sources.file(file);
    source.text.len() * 2 < source.original_len()
}

impl Collected {
    fn path_error(&mut self, path: &Path, message: String) {
        self.errors.push(LoadError {
            file: None,
            span: None,
            path: Some(crate::fsbound::display(path)),
            message,
        });
    }
}

/// The filesystem boundary of a scan: the repositories (else the folders) of the paths
/// named, of `--source-dir`, and of the working directory when only standard input is
/// read; `--var-file`s are allowed one by one.
pub fn boundary(options: &Options) -> Boundary {
    let mut paths: Vec<PathBuf> = options
        .inputs
        .iter()
        .filter_map(|i| match i {
            Input::Path(p) => Some(p.clone()),
            Input::Stdin => None,
        })
        .collect();
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    paths.extend(options.source_dir.clone());
    let mut boundary = Boundary::new(&paths);
    for file in &options.terraform.var_files {
        boundary.allow_named(file);
    }
    if let Some(overlay) = &options.overlay {
        boundary.set_overlay(overlay.clone());
    }
    boundary
}

/// Scans the inputs and runs every rule; also returns the inline suppressions the front ends
/// read, for the caller to apply. `config` is the configuration in effect (the file's, with
/// the command line's rule changes applied).
pub(super) fn scan(
    options: &Options,
    config: &Config,
    profile: &Profile,
) -> (Report, Vec<Suppression>) {
    let mut scan = Collected {
        sources: Sources::new(),
        errors: Vec::new(),
        checked: Vec::new(),
        files: 0,
        notes: Vec::new(),
        run_warnings: Vec::new(),
        template_parameters: None,
        pending: Vec::new(),
        plan_layouts: Default::default(),
        suppressions: Vec::new(),
    };
    let git_ignore = Arc::new(crate::gitignore::GitIgnore::new());
    let mut boundary = boundary(options);
    if !config.exclude.is_empty() {
        // Excluded paths are not walked, so their files are never opened.
        boundary.hide(Arc::new(config.exclude.clone()));
    }
    boundary.hide(git_ignore.clone());
    let boundary = Arc::new(boundary);
    let mut terraform_options = options.terraform.clone();
    terraform_options.boundary = Some(boundary.clone());
    let inputs = crate::inputs::discover(
        &options.inputs,
        options.stdin.as_deref(),
        &config.exclude,
        &boundary,
        &mut scan.sources,
    );
    // What reading a plan freed (all but its entries that matter) goes back before the
    // models are built.
    if inputs
        .texts
        .iter()
        .any(|(file, _)| reading_kept_little(&scan.sources, *file))
    {
        parallel::give_back();
    }
    scan.errors.extend(inputs.errors);
    scan.files += inputs.files;
    scan.pending = inputs.texts;
    scan.plan_layouts = inputs.plan_layouts;
    let empty = inputs.nothing_to_check;
    let enabled = config.enabled_rules();
    // The plans read (JSON, state, text), as classified when read: their findings are fixed
    // in their sources, not in the plan.
    let plan_files: std::collections::HashSet<FileId> = scan
        .pending
        .iter()
        .filter(|(_, format)| *format != Format::CloudFormation)
        .map(|(file, _)| *file)
        .collect();
    let source_dir = source_dir(options, &boundary);
    let check = Check {
        profile,
        enabled: &enabled,
        plan_files: &plan_files,
        plans_wait: source_dir.is_some(),
    };
    if let Some(walked) = inputs.terraform {
        // One model per root module, built and checked as soon as the root module is
        // evaluated, on the thread that evaluated it (its resources are freed there).
        let check_root = |sources: &Sources,
                          root: &terraform::Root,
                          resources: Vec<crate::resource::Resource>| {
            let mut inventory = terraform::aws::inventory(&resources, sources);
            drop(resources);
            inventory.modules_not_loaded = root.not_loaded.clone();
            check.now_or_later(
                sources,
                Unit {
                    inventory,
                    account: None,
                    module_calls: root.module_calls.clone(),
                },
                None,
            )
        };
        let (loaded, checked) = terraform::load_walked_then(
            walked,
            boundary.clone(),
            &terraform_options,
            &mut scan.sources,
            &check_root,
        );
        scan.files += loaded.extra.files;
        scan.errors.extend(loaded.errors);
        scan.notes.extend(
            loaded
                .notes
                .iter()
                .map(|n| crate::front_end::note_line(&scan.sources, n)),
        );
        scan.run_warnings.extend(loaded.extra.warnings);
        scan.suppressions.extend(loaded.suppressions);
        scan.checked.extend(checked);
    }
    scan.notes.extend(git_ignore.notes());
    let text_len = |(file, _): &(FileId, Format)| scan.sources.file(*file).text.len();
    let results = parallel::map_longest_first(&scan.pending, text_len, |(file, format)| {
        let layout = scan.plan_layouts.get(file);
        load_text(&check, &scan.sources, *file, *format, layout, options)
    });
    scan.files += results.len();
    for r in results {
        scan.errors.extend(r.errors);
        for note in r.notes {
            if !scan.notes.contains(&note) {
                scan.notes.push(note);
            }
        }
        scan.checked.extend(r.unit);
        scan.suppressions.extend(r.suppressions);
        if let Some(names) = r.parameters {
            scan.template_parameters
                .get_or_insert_with(Vec::new)
                .extend(names);
        }
    }
    if let Some(declared) = &scan.template_parameters {
        scan.run_warnings.extend(undeclared_parameters(
            &options.cloudformation.parameters,
            declared,
        ));
    }
    // The plans waiting for their sources: read the sources, then check the plans. Findings
    // keep the order of the models (None: a plan waiting).
    let mut waiting: Vec<(Unit, PlanInput)> = Vec::new();
    let mut in_order: Vec<Option<Vec<Diagnostic>>> = std::mem::take(&mut scan.checked)
        .into_iter()
        .map(|checked| match checked {
            Checked::Done(found) => Some(found),
            Checked::Waiting(unit_and_plan) => {
                waiting.push(*unit_and_plan);
                None
            }
        })
        .collect();
    if let Some(dir) = source_dir.as_deref().filter(|_| !waiting.is_empty()) {
        let waiting = with_sources(&mut scan, waiting, dir, &terraform_options);
        let sources = &scan.sources;
        let mut found = parallel::map(&waiting, |(unit, with)| {
            check.unit(sources, unit, Some(with))
        })
        .into_iter();
        // The models are checked: free them beside the rest of the run (freed, not left to
        // the exit: rendering the findings of a finding-dense plan reuses that memory).
        parallel::drop_beside(waiting);
        for slot in in_order.iter_mut().filter(|slot| slot.is_none()) {
            *slot = found.next();
        }
    }
    let mut diagnostics: Vec<Diagnostic> = in_order.into_iter().flatten().flatten().collect();
    diagnostics.sort_by(|a, b| {
        (a.span.file, a.span.start, a.rule.code).cmp(&(b.span.file, b.span.start, b.rule.code))
    });
    let diagnostics = merge_same_findings(diagnostics);
    // A file that could not be read or parsed was not checked.
    let failed: std::collections::HashSet<FileId> =
        scan.errors.iter().filter_map(|e| e.file).collect();
    scan.files = scan.files.saturating_sub(failed.len());
    if scan.files == 0 && scan.errors.is_empty() {
        // Checking nothing is not a clean result.
        for input in &options.inputs {
            if let Input::Path(p) = input {
                scan.path_error(
                    p,
                    "no file to check: no Terraform configuration (.tf, .tf.json), plan, \
                     `terraform plan` text or CloudFormation template was found"
                        .into(),
                );
            }
        }
    }
    let mut report = Report {
        sources: scan.sources,
        diagnostics,
        load_errors: scan.errors,
        files: scan.files,
        notes: scan.notes,
        suppressed: 0,
        configuration: None,
        filtered: Default::default(),
        nothing_to_check: empty,
        run_warnings: scan.run_warnings,
    };
    crate::suppress::drop_excluded(&mut report, &config.exclude);
    (report, scan.suppressions)
}

/// A warning for each `--parameter` that no template read declares, naming the parameters
/// that exist.
fn undeclared_parameters(given: &[(String, String)], declared: &[String]) -> Vec<String> {
    let mut declared: Vec<&str> = declared.iter().map(String::as_str).collect();
    declared.sort_unstable();
    declared.dedup();
    let mut warned: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (name, _) in given {
        if declared.contains(&name.as_str()) || warned.contains(&name.as_str()) {
            continue;
        }
        warned.push(name);
        let exist = if declared.is_empty() {
            "they declare no parameters".to_string()
        } else {
            format!("they declare {}", declared.join(", "))
        };
        out.push(format!(
            "--parameter {name} was ignored: no scanned template declares a parameter \"{name}\" ({exist})"
        ));
    }
    out
}

/// Reads the sources of every plan in `scan` from `dir`, evaluated with what that plan knows
/// (its variables and account; plans that know the same share one evaluation), completes
/// what the plan leaves unknown from them, and rebuilds the plan's model when anything was.
fn with_sources(
    scan: &mut Collected,
    waiting: Vec<(Unit, PlanInput)>,
    dir: &Path,
    terraform_options: &TerraformOptions,
) -> Vec<(Unit, PlanSources)> {
    let mut evaluated: Vec<(String, terraform::LoadedModules)> = Vec::new();
    let mut out = Vec::with_capacity(waiting.len());
    for (mut unit, input) in waiting {
        let opts = crate::plan_sources::plan_options(
            terraform_options,
            unit.account.as_deref(),
            &input.variables,
        );
        let key = format!("{:?}|{:?}", opts.account_id, {
            let vars: Vec<(&String, String)> = input
                .variables
                .iter()
                .map(|(n, v)| (n, format!("{:?}", v.kind)))
                .collect();
            vars
        });
        let at = match evaluated.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                let mut loaded = terraform::load(&[dir.to_path_buf()], &opts, &mut scan.sources);
                scan.suppressions.append(&mut loaded.suppressions);
                evaluated.push((key, loaded));
                evaluated.len() - 1
            }
        };
        let loaded = &evaluated[at].1;
        let mut resources = input.resources;
        let filled = match plan_root(loaded, &resources) {
            Some(root) => {
                crate::plan_sources::fill(&mut resources, &loaded.resources[root.clone()])
            }
            None => Vec::new(),
        };
        if !filled.is_empty() {
            unit.inventory = terraform::aws::inventory(&resources, &scan.sources);
        }
        let sources = PlanSources {
            mapper: crate::plan_mapping::SourceMapper::from_loaded(loaded, &scan.sources),
            filled,
            plan_file: input.file,
        };
        out.push((unit, sources));
    }
    out
}

/// The root module of the sources a plan was made from: the one that has the most of the
/// plan's resource addresses (none when no root has any).
fn plan_root(
    loaded: &terraform::LoadedModules,
    plan: &[crate::resource::Resource],
) -> Option<std::ops::Range<usize>> {
    let addresses: std::collections::HashSet<&str> =
        plan.iter().map(|r| r.address.as_str()).collect();
    loaded
        .extra
        .roots
        .iter()
        .map(|root| {
            let hits = loaded.resources[root.resources.clone()]
                .iter()
                .filter(|r| addresses.contains(r.address.as_str()))
                .count();
            (hits, root.resources.clone())
        })
        .filter(|(hits, _)| *hits > 0)
        .max_by_key(|(hits, range)| (*hits, std::cmp::Reverse(range.start)))
        .map(|(_, range)| range)
}

/// `--source-dir`, or the current directory when it holds `.tf` files and is inside the
/// boundary.
fn source_dir(options: &Options, boundary: &Boundary) -> Option<PathBuf> {
    if let Some(dir) = &options.source_dir {
        return Some(dir.clone());
    }
    let cwd = PathBuf::from(".");
    let has_tf = boundary
        .list_dir(&cwd)
        .ok()?
        .iter()
        .any(|p| p.extension().is_some_and(|x| x == "tf"));
    has_tf.then_some(cwd)
}

/// Gives each diagnostic about a resource inside a module the chain of `module` calls that
/// created the resource's module instance (outermost first).
fn add_callers(found: &mut [Diagnostic], module_calls: &[(String, Span)]) {
    if module_calls.is_empty() {
        return;
    }
    for d in found {
        if !d.resource.starts_with("module.") {
            continue;
        }
        let mut chain: Vec<&(String, Span)> = module_calls
            .iter()
            .filter(|(prefix, _)| d.resource.starts_with(prefix.as_str()))
            .collect();
        chain.sort_by_key(|(prefix, _)| prefix.len());
        if !chain.is_empty() {
            d.callers.push(
                chain
                    .into_iter()
                    .map(|(prefix, span)| Caller {
                        module: prefix.trim_end_matches('.').to_string(),
                        span: *span,
                    })
                    .collect(),
            );
        }
    }
}

/// One diagnostic for the same finding reached several ways (a shared module called by
/// several root modules): the copies' call chains are listed on the first. `sorted` is sorted
/// by location, so copies are next to each other or close.
fn merge_same_findings(sorted: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::with_capacity(sorted.len());
    for d in sorted {
        let same = out
            .iter_mut()
            .rev()
            .take_while(|o| o.span.file == d.span.file && o.span.start == d.span.start)
            .find(|o| {
                o.rule.code == d.rule.code
                    && o.span == d.span
                    && o.severity == d.severity
                    && o.message == d.message
                    && o.help == d.help
                    && o.resource == d.resource
                    && o.target == d.target
                    && o.related == d.related
            });
        match same {
            Some(o) => {
                for chain in d.callers {
                    if !o.callers.contains(&chain) {
                        o.callers.push(chain);
                    }
                }
            }
            None => out.push(d),
        }
    }
    out
}
