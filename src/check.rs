//! The scan pipeline as one function a test can call: inputs → front ends → model → rules.
//!
//! Inputs are classified by content, not only by name: a directory is walked for Terraform
//! configuration (root modules) and for plan JSON and CloudFormation templates; a file or
//! standard input is plan JSON, the text of `terraform plan`, a CloudFormation template, or
//! Terraform configuration (by extension). Anything else named explicitly is an error.

use crate::cloudformation::{self, CfnOptions};
use crate::model::Inventory;
use crate::parallel;
use crate::profile::Profile;
use crate::report::Report;
use crate::resource::LoadError;
use crate::rules::{self, Diagnostic};
use crate::source::{FileId, Sources};
use crate::terraform::{self, TerraformOptions, plan};
use std::path::{Path, PathBuf};

/// One input named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file or directory.
    Path(PathBuf),
    /// Standard input.
    Stdin,
}

/// What to scan and how.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Files, directories and standard input, as named.
    pub inputs: Vec<Input>,
    /// The text of standard input, when it is one of the inputs.
    pub stdin: Option<String>,
    /// Terraform evaluation options.
    pub terraform: TerraformOptions,
    /// CloudFormation resolution options.
    pub cloudformation: CfnOptions,
    /// Where the Terraform sources of a plan are, to point findings at the `.tf` lines
    /// (`--source-dir`; by default the current directory when it holds `.tf` files).
    pub source_dir: Option<PathBuf>,
    /// Paths to skip (the configuration's `exclude`): walked files are not read, and nothing
    /// is reported in them.
    pub exclude: crate::config::Exclude,
}

/// What a text turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    PlanJson,
    TextPlan,
    CloudFormation,
}

fn detect(text: &str) -> Option<Format> {
    // Cheapest tests first: the text-plan test strips colour codes from the whole text.
    if plan::is_plan_json(text) {
        Some(Format::PlanJson)
    } else if cloudformation::is_template(text) {
        Some(Format::CloudFormation)
    } else if terraform::text_plan::is_text_plan(text) {
        Some(Format::TextPlan)
    } else {
        None
    }
}

/// Collects what the front ends produce.
struct Scan {
    sources: Sources,
    errors: Vec<LoadError>,
    units: Vec<Unit>,
    files: usize,
    notes: Vec<String>,
    /// Plans and templates read, loaded together (in parallel) once all inputs are read.
    pending: Vec<(FileId, Format)>,
}

/// One model the rules check: a Terraform root module, a plan or a template.
struct Unit {
    inventory: Inventory,
    /// Whether it comes from a plan (its findings may be mapped to the sources).
    from_plan: bool,
    /// The account the input says it ran in (a plan's `aws_caller_identity`).
    account: Option<String>,
}

/// What one plan or template yielded.
struct FileResult {
    unit: Option<Unit>,
    errors: Vec<LoadError>,
    notes: Vec<String>,
}

/// Loads one plan or template already added as `file`.
fn load_text(
    sources: &Sources,
    file: FileId,
    format: Format,
    options: &CheckOptions,
) -> FileResult {
    let mut out = FileResult {
        unit: None,
        errors: Vec::new(),
        notes: Vec::new(),
    };
    let unit = |inventory: Inventory, account: Option<String>| {
        Some(Unit {
            inventory,
            from_plan: format != Format::CloudFormation,
            account,
        })
    };
    match format {
        Format::CloudFormation => {
            match cloudformation::load_template_with_notes(sources, file, &options.cloudformation) {
                Ok((resources, notes)) => {
                    for n in notes {
                        let (name, at) = crate::report::load_error_location(sources, &n);
                        let at = at.map(|a| format!(":{a}")).unwrap_or_default();
                        out.notes.push(format!("{name}{at}: {}", n.message));
                    }
                    out.unit = unit(cloudformation::aws::inventory(&resources, sources), None);
                }
                Err(e) => out.errors.push(e),
            }
        }
        Format::TextPlan => {
            let plan = terraform::text_plan::load_text_plan(sources, file);
            out.errors = plan.errors;
            out.notes = plan.notes;
            out.unit = unit(
                terraform::aws::inventory(&plan.resources, sources),
                plan.account_id,
            );
        }
        Format::PlanJson => {
            let plan = plan::load_plan(sources, file);
            out.errors = plan.errors;
            out.unit = unit(
                terraform::aws::inventory(&plan.resources, sources),
                plan.account_id,
            );
        }
    }
    out
}

impl Scan {
    fn path_error(&mut self, path: &Path, message: String) {
        self.errors.push(LoadError {
            file: None,
            span: None,
            path: Some(path.display().to_string()),
            message,
        });
    }

    /// A file named explicitly, or found in a directory (`explicit` false: files of no known
    /// format are skipped quietly, as every linter does with unrelated files).
    fn load_file(&mut self, path: &Path, explicit: bool) {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                if explicit {
                    self.path_error(path, format!("cannot read the file: {e}"));
                }
                return;
            }
        };
        match detect(&text) {
            Some(format) => {
                let file = self.sources.add(path.display().to_string(), text);
                self.pending.push((file, format));
            }
            None if explicit => self.path_error(
                path,
                "not a Terraform file (.tf, .tf.json, .tfvars), a plan (`terraform show -json`), the text of \
                 `terraform plan`, or a CloudFormation template"
                    .into(),
            ),
            None => {}
        }
    }
}

/// Files in `dir` that may be plans or templates (not Terraform configuration, which the
/// Terraform front end walks itself). `.gitignore` is respected and hidden folders skipped.
fn candidate_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = ignore::WalkBuilder::new(dir)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let ext_ok = [".json", ".yaml", ".yml", ".template", ".txt", ".tfplan.txt"]
                .iter()
                .any(|e| name.ends_with(e));
            ext_ok && !name.ends_with(".tf.json") && !name.ends_with(".tfvars.json")
        })
        .collect();
    out.sort();
    out
}

/// Scans the inputs and runs every rule.
pub fn check(options: &CheckOptions, profile: &Profile) -> Report {
    let mut scan = Scan {
        sources: Sources::new(),
        errors: Vec::new(),
        units: Vec::new(),
        files: 0,
        notes: Vec::new(),
        pending: Vec::new(),
    };
    let mut tf_paths: Vec<PathBuf> = Vec::new();
    for input in &options.inputs {
        match input {
            Input::Stdin => {
                let text = options.stdin.clone().unwrap_or_default();
                match detect(&text) {
                    Some(format) => {
                        let file = scan.sources.add("<stdin>", text);
                        scan.pending.push((file, format));
                    }
                    None => scan.errors.push(LoadError {
                        file: None,
                        span: None,
                        path: Some("<stdin>".into()),
                        message: "standard input is neither a plan (`terraform show -json PLAN`), nor the text of \
                                  `terraform plan`, nor a CloudFormation template"
                            .into(),
                    }),
                }
            }
            Input::Path(p) if p.is_dir() => {
                tf_paths.push(p.clone());
                for f in candidate_files(p) {
                    if options.exclude.matches(&f) {
                        continue;
                    }
                    scan.load_file(&f, false);
                }
            }
            Input::Path(p) if terraform::walk::is_config_file(p) => tf_paths.push(p.clone()),
            Input::Path(p) if p.exists() => scan.load_file(p, true),
            Input::Path(p) => scan.path_error(p, "no such file or directory".into()),
        }
    }
    if !tf_paths.is_empty() {
        let loaded = terraform::load(&tf_paths, &options.terraform, &mut scan.sources);
        scan.files += loaded.files;
        scan.errors.extend(loaded.errors);
        for root in &loaded.roots {
            let resources = &loaded.resources[root.resources.clone()];
            scan.units.push(Unit {
                inventory: terraform::aws::inventory(resources, &scan.sources),
                from_plan: false,
                account: None,
            });
        }
    }
    let results = parallel::map_chunks(&scan.pending, |(file, format)| {
        load_text(&scan.sources, *file, *format, options)
    });
    scan.files += results.len();
    for r in results {
        scan.errors.extend(r.errors);
        for note in r.notes {
            if !scan.notes.contains(&note) {
                scan.notes.push(note);
            }
        }
        scan.units.extend(r.unit);
    }
    let mapper = if scan.units.iter().any(|u| u.from_plan) {
        source_dir(options).map(|dir| {
            crate::plan_mapping::SourceMapper::load(&dir, &options.terraform, &mut scan.sources)
        })
    } else {
        None
    };
    let diagnostics = parallel::map_chunks(&scan.units, |unit| {
        // A plan knows its account: it settles the profile's unknown account for that plan.
        let own = unit
            .account
            .as_deref()
            .filter(|_| !profile.account.is_known())
            .map(|a| profile.in_account(a));
        let profile = own.as_ref().unwrap_or(profile);
        let mut found = rules::run(&unit.inventory, profile);
        if unit.from_plan
            && let Some(mapper) = &mapper
        {
            mapper.remap(&mut found, &unit.inventory, profile);
        }
        found
    });
    let mut diagnostics: Vec<Diagnostic> = diagnostics.into_iter().flatten().collect();
    diagnostics.sort_by(|a, b| {
        (a.span.file, a.span.start, a.rule.code).cmp(&(b.span.file, b.span.start, b.rule.code))
    });
    // A file that could not be read or parsed was not checked.
    let failed: std::collections::HashSet<FileId> =
        scan.errors.iter().filter_map(|e| e.file).collect();
    scan.files = scan.files.saturating_sub(failed.len());
    let mut report = Report {
        sources: scan.sources,
        diagnostics,
        load_errors: scan.errors,
        files: scan.files,
        notes: scan.notes,
        suppressed: 0,
    };
    crate::suppress::drop_excluded(&mut report, &options.exclude);
    report
}

/// `--source-dir`, or the current directory when it holds `.tf` files.
fn source_dir(options: &CheckOptions) -> Option<PathBuf> {
    if let Some(dir) = &options.source_dir {
        return Some(dir.clone());
    }
    let cwd = PathBuf::from(".");
    let has_tf = std::fs::read_dir(&cwd)
        .ok()?
        .filter_map(Result::ok)
        .any(|e| e.path().extension().is_some_and(|x| x == "tf"));
    has_tf.then_some(cwd)
}
