//! The inputs of a scan: what the command line names, walked once and classified.
//!
//! One gitignore-aware walk ([`Walker`], inside the filesystem [`Boundary`]) goes through
//! every folder named and sorts each file it meets by name: Terraform configuration and
//! variable files (`*.tf`, `*.tf.json`, `*.tfvars`: grouped into module folders for the
//! Terraform front end, which reads them), and files that may be a plan, state, the text of
//! `terraform plan` or a CloudFormation template (`*.json`, `*.yaml`, `*.yml`, `*.template`,
//! `*.txt`: read here and classified by content). What the boundary hides — the
//! configuration's `exclude`, `.gitignore` over untracked files — is left out by the walk
//! itself, so an excluded file is never opened (a FIFO there cannot hang the scan). Files of
//! no known format found in a folder are skipped quietly; named explicitly, they are errors.

use crate::cloudformation;
use crate::config::Exclude;
use crate::fsbound::{Boundary, MAX_INPUT_BYTES, Refusal, Walker};
use crate::resource::LoadError;
use crate::source::{FileId, SourceFile, Sources, Span};
use crate::terraform::{self, plan, walk};
use std::path::{Path, PathBuf};

/// One input named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file or directory.
    Path(PathBuf),
    /// Standard input.
    Stdin,
}

/// What a text turned out to be (by content).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A plan from `terraform show -json PLAN`.
    PlanJson,
    /// State from `terraform show -json` (or a state file).
    State,
    /// The text of `terraform plan`.
    TextPlan,
    /// A CloudFormation template (JSON or YAML).
    CloudFormation,
}

/// What a text is, when it is anything the tool reads.
pub fn detect(text: &str) -> Option<Format> {
    // Cheapest tests first: the text-plan test strips colour codes from the whole text.
    if plan::is_plan_json(text) {
        Some(Format::PlanJson)
    } else if plan::is_state_json(text) {
        Some(Format::State)
    } else if cloudformation::is_template(text) {
        Some(Format::CloudFormation)
    } else if terraform::text_plan::is_text_plan(text) {
        Some(Format::TextPlan)
    } else {
        None
    }
}

/// The text a front end reads: coloured `terraform plan` output without its colour codes
/// (what the terminal showed), everything else as it is.
fn readable(text: String, format: Format) -> String {
    match format {
        Format::TextPlan if text.contains('\x1b') => terraform::text_plan::without_ansi(&text),
        _ => text,
    }
}

/// The file a front end reads of `text` in `format`, and for plan and state JSON its layout
/// (the file then keeps only what the model reads of it: [`plan::read_plan`]).
fn source_file(
    name: String,
    text: std::borrow::Cow<'_, str>,
    format: Format,
) -> (SourceFile, Option<plan::Layout>) {
    match format {
        Format::PlanJson | Format::State => plan::read_plan(name, text),
        _ => (
            SourceFile::named(name, readable(text.into_owned(), format)),
            None,
        ),
    }
}

/// Whether a file may be a plan, state, plan text or template, by name (Terraform's own
/// JSON files are not).
fn is_plan_or_template(path: &Path) -> bool {
    // Lossy, so that a name that is not UTF-8 is reported rather than passed over.
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let ext_ok = [".json", ".yaml", ".yml", ".template", ".txt", ".tfplan.txt"]
        .iter()
        .any(|e| name.ends_with(e));
    ext_ok && !name.ends_with(".tf.json") && !name.ends_with(".tfvars.json")
}

/// Whether the walk takes a file, by name.
fn is_walked(path: &Path) -> bool {
    is_plan_or_template(path) || walk::is_terraform_file(path)
}

/// The inputs, walked and classified.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Plans, state, plan texts and templates, read into the sources, with their format.
    pub texts: Vec<(FileId, Format)>,
    /// Where the entries of each plan and state JSON in `texts` are ([`plan::read_plan`]).
    pub plan_layouts: std::collections::HashMap<FileId, plan::Layout>,
    /// The Terraform module folders and their files, with the problems met walking for them
    /// (folders not walked, Terraform files refused); `None` when no folder or Terraform
    /// file was named.
    pub terraform: Option<walk::ConfigDirs>,
    /// Inputs that could not be used (standard input, plans and templates, named files of no
    /// known format, folders holding nothing to check), in the order of the inputs.
    pub errors: Vec<LoadError>,
    /// Files read that failed before reaching a front end (not UTF-8); they count as read.
    pub files: usize,
    /// Folders named that hold nothing the tool reads.
    pub nothing_to_check: Vec<PathBuf>,
}

/// Walks and classifies `inputs` (standard input is `stdin`) inside `boundary`, reading
/// plans and templates into `sources`. `exclude` also keeps walk problems in excluded
/// paths from being reported.
pub fn discover(
    inputs: &[Input],
    stdin: Option<&str>,
    exclude: &Exclude,
    boundary: &Boundary,
    sources: &mut Sources,
) -> Inputs {
    let mut out = Inputs::default();
    let mut walker = Walker::new(boundary, walk::is_skipped_dir, is_walked);
    let mut named_dirs: Vec<PathBuf> = Vec::new();
    // Terraform configuration files are read on another core while the walk goes on.
    let prefetched = read_ahead(boundary, |ahead| {
        for input in inputs {
            match input {
                Input::Stdin => {
                    let text = stdin.unwrap_or_default().to_string();
                    match detect(&text) {
                        Some(format) => {
                            let (file, layout) = source_file("<stdin>".into(), text.into(), format);
                            let file = sources.add_file(file);
                            out.texts.push((file, format));
                            out.plan_layouts.extend(layout.map(|l| (file, l)));
                        }
                        None => out.errors.push(LoadError {
                            file: None,
                            span: None,
                            path: Some("<stdin>".into()),
                            message: format!(
                                "standard input is not read: {}",
                                terraform::unrecognised::describe(text.as_bytes(), "PLANFILE")
                            ),
                        }),
                    }
                }
                Input::Path(p) if p.is_dir() => {
                    let terraform = out.terraform.get_or_insert_with(walk::ConfigDirs::default);
                    let terraform_before = terraform.file_count();
                    let (texts, errors) = (out.texts.len(), out.errors.len());
                    let walked = match boundary.resolve(p) {
                        Ok(_) => walker.walk_with(p, &mut |f| {
                            if walk::is_config_file(f) {
                                ahead(f);
                            }
                        }),
                        Err(refusal) => {
                            terraform.path_error(p, refusal.to_string());
                            crate::fsbound::Walked::default()
                        }
                    };
                    // Folders not walked are reported with the Terraform files' problems.
                    for e in walked.dir_errors {
                        terraform.path_error(&e.path, e.message);
                    }
                    let mut plan_errors = Vec::new();
                    for e in walked.errors {
                        if walk::is_terraform_file(&e.path) {
                            terraform.path_error(&e.path, e.message);
                        } else if !exclude.matches(&e.path) {
                            plan_errors.push(path_error(&e.path, e.message));
                        }
                    }
                    out.errors.extend(plan_errors);
                    let mut candidates = Vec::new();
                    for f in walked.files {
                        if walk::is_terraform_file(&f) {
                            terraform.add_file(f);
                        } else if !exclude.matches(&f) {
                            candidates.push(f);
                        }
                    }
                    let found_terraform = terraform.file_count() > terraform_before;
                    // Read and classified on every core; added to the sources in walk order.
                    let read =
                        crate::parallel::map(&candidates, |f| read_classified(f, false, boundary));
                    for (f, r) in candidates.iter().zip(read) {
                        out.add_read(f, r, sources);
                    }
                    // A folder inside one named before was walked then, not now.
                    let real = boundary.resolve(p).unwrap_or_else(|_| p.clone());
                    let walked_before = named_dirs.iter().any(|d| real.starts_with(d));
                    named_dirs.push(real);
                    if !walked_before
                        && !found_terraform
                        && out.texts.len() == texts
                        && out.errors.len() == errors
                        && !has_terraform(p, exclude, boundary)
                    {
                        out.nothing_to_check.push(p.clone());
                        out.errors.push(path_error(p, nothing_to_check(p)));
                    }
                }
                Input::Path(p) if walk::is_config_file(p) => out
                    .terraform
                    .get_or_insert_with(walk::ConfigDirs::default)
                    .add_named_file(p, &mut walker, boundary),
                Input::Path(p) => {
                    if walker.first_visit(p) {
                        let read = read_classified(p, true, boundary);
                        out.add_read(p, read, sources);
                    }
                }
            }
        }
    });
    if let Some(terraform) = &mut out.terraform {
        terraform.prefetched = prefetched;
        terraform.finish();
    }
    out
}

/// Runs `body`, reading on a thread of its own, as `body` goes on, the Terraform
/// configuration files it hands to `ahead`; stops when `body` returns (a file being read is
/// finished) and gives what was read. The loader reads the others.
fn read_ahead(
    boundary: &Boundary,
    body: impl FnOnce(&mut dyn FnMut(&Path)),
) -> terraform::hcl::Prefetched {
    let (sender, receiver) = std::sync::mpsc::channel::<PathBuf>();
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let reader = std::thread::Builder::new()
            .name("read-ahead".into())
            .spawn_scoped(scope, || {
                let mut read = terraform::hcl::Prefetched::new();
                for path in receiver {
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                    let file = terraform::hcl::read_source(boundary, &path);
                    read.insert(path, file);
                }
                read
            });
        match reader {
            Ok(reader) => {
                body(&mut |path| {
                    let _ = sender.send(path.to_path_buf());
                });
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                drop(sender);
                reader.join().unwrap_or_default()
            }
            // No thread to read on: the loader reads every file.
            Err(_) => {
                body(&mut |_| {});
                terraform::hcl::Prefetched::new()
            }
        }
    })
}

/// An error about a path, not located in a text.
fn path_error(path: &Path, message: String) -> LoadError {
    LoadError {
        file: None,
        span: None,
        path: Some(crate::fsbound::display(path)),
        message,
    }
}

/// What reading one plan or template file gave, before it joins the sources.
enum Read {
    /// A text of a known format (colour codes already stripped from plan text), its lines
    /// indexed.
    Text(SourceFile, Format, Option<Box<plan::Layout>>),
    /// A text that is not UTF-8 (shown lossily), with the offset of its first bad byte.
    NotUtf8(String, usize),
    /// A problem with the path itself (already worded).
    PathError(String),
    /// A walked file of no known format: skipped quietly.
    Skipped,
}

/// Reads and classifies a file named explicitly, or found in a directory (`explicit` false:
/// files of no known format are skipped quietly, as every linter does with unrelated files).
/// Files that cannot be read are errors either way. Touches nothing shared, so files can be
/// read on several threads.
fn read_classified(path: &Path, explicit: bool, boundary: &Boundary) -> Read {
    // A large plan is read from its file a section at a time, never whole, when it can be.
    let stream = |file: &std::fs::File, len: u64| {
        let plan::FromFile {
            file,
            layout,
            is_state,
        } = plan::read_plan_file(path.display().to_string(), file, len)?;
        let format = if is_state {
            Format::State
        } else {
            Format::PlanJson
        };
        Some(Read::Text(file, format, Some(Box::new(layout))))
    };
    let read =
        boundary.with_text_or_file(path, MAX_INPUT_BYTES, stream, |text| match detect(&text) {
            Some(format) => {
                let (file, layout) = source_file(path.display().to_string(), text, format);
                Read::Text(file, format, layout.map(Box::new))
            }
            None if explicit => {
                let name = path.display().to_string();
                Read::PathError(terraform::unrecognised::describe(text.as_bytes(), &name))
            }
            None => Read::Skipped,
        });
    match read {
        Ok(read) => read,
        // A walked file of no known format is unrelated, whatever its bytes; a plan or
        // template with a bad byte is an error located at it (counted, then subtracted
        // as a failed file).
        Err(Refusal::NotUtf8 { lossy, .. }) if !explicit && detect(&lossy).is_none() => {
            Read::Skipped
        }
        // A binary plan file (a zip archive) named explicitly: say what to run.
        Err(Refusal::NotUtf8 { lossy, .. })
            if terraform::unrecognised::is_binary_plan(lossy.as_bytes()) =>
        {
            let name = path.display().to_string();
            Read::PathError(terraform::unrecognised::describe(lossy.as_bytes(), &name))
        }
        Err(Refusal::NotUtf8 { lossy, offset }) => Read::NotUtf8(lossy, offset),
        Err(refusal) => Read::PathError(refusal.to_string()),
    }
}

impl Inputs {
    /// Adds what reading `path` gave: a text to the sources, or an error.
    fn add_read(&mut self, path: &Path, read: Read, sources: &mut Sources) {
        let name = path.display().to_string();
        match read {
            Read::Text(file, format, layout) => {
                let file = sources.add_file(file);
                self.texts.push((file, format));
                self.plan_layouts.extend(layout.map(|l| (file, *l)));
            }
            Read::NotUtf8(lossy, offset) => {
                let file = sources.add(name.clone(), lossy);
                self.files += 1;
                self.errors.push(LoadError {
                    file: Some(file),
                    span: Some(Span::new(file, offset, offset)),
                    path: Some(name),
                    message: "not UTF-8 text: plans and templates must be UTF-8".into(),
                });
            }
            Read::PathError(message) => self.errors.push(path_error(path, message)),
            Read::Skipped => {}
        }
    }
}

/// Whether `dir` holds a Terraform configuration file that is not excluded (in the folders
/// the walk enters), for a folder whose walk found nothing new.
fn has_terraform(dir: &Path, exclude: &Exclude, boundary: &Boundary) -> bool {
    // Listed through the boundary; symbolic links are not followed; the look stops after
    // this many entries (a folder that large that the walk found nothing in is still said
    // to hold nothing).
    const MAX_ENTRIES: usize = 200_000;
    let mut stack = vec![dir.to_path_buf()];
    let mut seen = 0;
    while let Some(folder) = stack.pop() {
        let Ok(entries) = boundary.list_dir(&folder) else {
            continue;
        };
        for path in entries {
            seen += 1;
            if seen > MAX_ENTRIES {
                return false;
            }
            let Ok(kind) = std::fs::symlink_metadata(&path).map(|m| m.file_type()) else {
                continue;
            };
            if kind.is_dir() {
                if !path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(walk::is_skipped_dir)
                {
                    stack.push(path);
                }
            } else if kind.is_file() && walk::is_config_file(&path) && !exclude.matches(&path) {
                return true;
            }
        }
    }
    false
}

/// The error for a named folder that holds nothing the tool can read.
fn nothing_to_check(dir: &Path) -> String {
    format!(
        "nothing to check in {} (looked for Terraform files *.tf and *.tf.json, plans from \
         `terraform show -json`, state, the text of `terraform plan`, and CloudFormation \
         templates in *.json, *.yaml, *.yml, *.template and *.txt files, outside .git, \
         .terraform and .terragrunt-cache)",
        dir.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_read_ahead_are_read_as_the_loader_reads_them() {
        let dir = std::env::temp_dir().join(format!("clumio-read-ahead-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let paths: Vec<PathBuf> = (0..20).map(|i| dir.join(format!("f{i}.tf"))).collect();
        for (i, path) in paths.iter().enumerate() {
            std::fs::write(path, format!("# file {i}\n")).unwrap();
        }
        let outside = std::env::temp_dir().join("clumio-read-ahead-outside.tf");
        let boundary = Boundary::new(std::slice::from_ref(&dir));
        let mut calls = 0;
        let read = read_ahead(&boundary, |ahead| {
            calls += 1;
            for path in paths.iter().chain([&outside]) {
                ahead(path);
            }
            // Give the reader time to read some, not necessarily all.
            std::thread::sleep(std::time::Duration::from_millis(20));
        });
        assert_eq!(calls, 1);
        // Whatever was read is what the loader would have read, refusals included.
        for (path, file) in &read {
            let again = terraform::hcl::read_source(&boundary, path);
            match (file, again) {
                (Ok(a), Ok(b)) => assert_eq!((&a.name, &a.text), (&b.name, &b.text)),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                _ => panic!("{} read differently", path.display()),
            }
            assert!(paths.contains(path) || *path == outside);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_large_plan_is_read_from_its_file_as_it_reads_whole() {
        let dir = std::env::temp_dir().join(format!("clumio-large-plan-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // A real plan, with instances enough to weigh more than a file read whole may.
        let real = include_str!("../testdata/plan/real/new-bucket-arn-policy/plan.json");
        let mut plan: serde_json::Value = serde_json::from_str(real).unwrap();
        let changes = plan["resource_changes"].as_array_mut().unwrap();
        let instance = serde_json::json!({
            "address": "aws_instance.web", "mode": "managed", "type": "aws_instance",
            "name": "web", "change": {"actions": ["create"], "after": {"ami": "x".repeat(4000)}}
        });
        let pad = (crate::fsbound::OWN_MEMORY_BYTES as usize / 4000) + 10;
        changes.splice(0..0, std::iter::repeat_n(instance, pad));
        let one_line = serde_json::to_string(&plan).unwrap();
        let crlf = serde_json::to_string_pretty(&plan)
            .unwrap()
            .replace('\n', "\r\n");
        let boundary = Boundary::new(std::slice::from_ref(&dir));
        for (name, text) in [("one-line.json", one_line), ("crlf.json", crlf)] {
            assert!(text.len() as u64 > crate::fsbound::OWN_MEMORY_BYTES);
            let path = dir.join(name);
            std::fs::write(&path, &text).unwrap();
            // One line is read a section at a time; carriage returns, whole.
            let streamed = plan::read_plan_file(
                name.into(),
                &std::fs::File::open(&path).unwrap(),
                text.len() as u64,
            );
            assert_eq!(streamed.is_some(), name == "one-line.json", "{name}");
            let Read::Text(file, Format::PlanJson, Some(layout)) =
                read_classified(&path, true, &boundary)
            else {
                panic!("{name} is not read as a plan");
            };
            // Only what is read is kept, as reading the whole (normalized) text keeps it.
            assert!(
                file.text.len() < text.len() / 10,
                "{name}: {}",
                file.text.len()
            );
            let whole = boundary.read_text(&path, MAX_INPUT_BYTES).unwrap();
            let (expected, expected_layout) =
                plan::read_plan(path.display().to_string(), whole.into());
            assert_eq!(file.text, expected.text, "{name}");
            assert_eq!(
                format!("{layout:?}"),
                format!("{:?}", expected_layout.unwrap())
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
