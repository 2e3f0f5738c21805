//! Loading a scan's module folders one component of their module call graph at a time.
//!
//! When every module call of the scanned folders is local and lands in a scanned folder (a
//! tree of root modules and the local modules they call), the folders split into components
//! that call nothing outside themselves. Each component is parsed, its root modules are
//! evaluated, and its parsed trees are freed, on one thread, while the other threads do the
//! same with other components. So the parsed trees of a large tree never all live at once,
//! and a thread reuses one component's memory for the next.
//!
//! The call graph comes from the `module` blocks alone ([`hcl::module_sources`]), before any
//! file is parsed whole. A file that does not parse calls nothing: when that makes other
//! folders root modules than the graph said, [`load`] gives up and the caller loads
//! everything at once, reusing the variable values read here.

use super::eval::{self, RootInput, RootOutput};
use super::hcl::{self, Loader, Module, ReadDirs};
use super::walk::{self, DirFiles};
use super::{CommandLine, LoadedModules, Preloaded, TerraformOptions, Values};
use crate::resource::LoadError;
use crate::source::{FileId, Sources};
use crate::suppress::Suppression;
use std::collections::HashMap;
use std::path::PathBuf;

/// The module calls among the scanned folders, each folder known by its position in the
/// scan.
pub(super) struct CallGraph {
    /// For each folder, the folders its calls land in.
    calls: Vec<Vec<usize>>,
    /// The folder a call's source, written in a folder, lands in: (folder, source) →
    /// folder.
    targets: HashMap<(usize, String), usize>,
    /// The files read of each folder: (position in the registration order, file, path).
    files: Vec<Vec<(usize, FileId, PathBuf)>>,
}

impl CallGraph {
    /// The call graph of the folders `dirs` read as `read`, or `None` when a module call is
    /// not local, lands outside the scanned folders, or two folders are one module (the
    /// load then needs the whole of [`Loader::resolve_calls`]).
    pub(super) fn of(
        loader: &Loader,
        read: &ReadDirs,
        dirs: &[(PathBuf, DirFiles)],
    ) -> Option<CallGraph> {
        let mut position_of: HashMap<usize, usize> = HashMap::with_capacity(read.modules.len());
        for (position, module) in read.modules.iter().enumerate() {
            if position_of.insert(*module, position).is_some() {
                return None;
            }
        }
        let mut files: Vec<Vec<(usize, FileId, PathBuf)>> = vec![Vec::new(); dirs.len()];
        for (order, (module, file, path)) in read.files.iter().enumerate() {
            files[position_of[module]].push((order, *file, path.clone()));
        }
        let sources: &Sources = loader.sources;
        let call_sources = crate::parallel::map(&read.files, |(_, file, path)| {
            hcl::module_sources(&sources.file(*file).text, walk::is_json(path))
        });
        let mut calls: Vec<Vec<usize>> = vec![Vec::new(); dirs.len()];
        let mut targets = HashMap::new();
        for ((module, _, _), call_sources) in read.files.iter().zip(call_sources) {
            let position = position_of[module];
            for source in call_sources {
                if !walk::is_local_source(&source) {
                    return None;
                }
                let target = match targets.get(&(position, source.clone())) {
                    Some(&target) => target,
                    None => {
                        let dir = walk::normalize(&dirs[position].0.join(&source));
                        let target = *position_of.get(&loader.module_of_dir(&dir)?)?;
                        targets.insert((position, source), target);
                        target
                    }
                };
                calls[position].push(target);
            }
        }
        Some(CallGraph {
            calls,
            targets,
            files,
        })
    }

    /// The components of the graph, each with its folders and its root modules (both in
    /// scan order), in the order of their first folder.
    fn components(&self) -> Vec<Component> {
        let n = self.calls.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn find(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        for (from, targets) in self.calls.iter().enumerate() {
            for &to in targets {
                let (a, b) = (find(&mut parent, from), find(&mut parent, to));
                parent[a.max(b)] = a.min(b);
            }
        }
        let mut index_of: HashMap<usize, usize> = HashMap::new();
        let mut components: Vec<Component> = Vec::new();
        for folder in 0..n {
            let set = find(&mut parent, folder);
            let index = *index_of.entry(set).or_insert_with(|| {
                components.push(Component::default());
                components.len() - 1
            });
            components[index].folders.push(folder);
        }
        let calls = &self.calls;
        for component in &mut components {
            component.roots = roots(&component.folders, &|f| calls[f].clone());
        }
        components
    }
}

/// A component of the call graph: folders that call only each other.
#[derive(Default)]
struct Component {
    /// Its folders, by position, in scan order.
    folders: Vec<usize>,
    /// The root modules among them, in scan order.
    roots: Vec<usize>,
}

/// The root modules among `folders` (positions in scan order) when folder `f` calls
/// `calls(f)`: see [`super::root_folders`].
fn roots(folders: &[usize], calls: &dyn Fn(usize) -> Vec<usize>) -> Vec<usize> {
    super::root_folders(folders, calls)
        .into_iter()
        .zip(folders)
        .filter(|(root, _)| *root)
        .map(|(_, folder)| *folder)
        .collect()
}

/// What one component gave.
enum Outcome {
    /// Its root modules, evaluated.
    Done(Evaluated),
    /// Some of its root modules read files, which must be added to the sources: they are
    /// evaluated after the others, in order, with the component's modules kept.
    Pending(Evaluated, Vec<Module>),
    /// Its files' module calls make other folders root modules than the call graph said.
    Mismatch,
}

/// A component's parse and evaluation.
#[derive(Default)]
struct Evaluated {
    /// Parse errors, by the file's position in the registration order.
    parse_errors: Vec<(usize, LoadError)>,
    /// Inline suppressions, by the file's position in the registration order.
    suppressions: Vec<(usize, Vec<Suppression>)>,
    /// Each root module (its folder's position), its input, and its output (`None`: still
    /// to be evaluated).
    roots: Vec<(usize, RootInput, Option<RootOutput>)>,
    /// The variables the root modules declare.
    declared: Vec<String>,
}

/// Loads the scanned folders `dirs` (read as `graph` says) component by component; `None` when a
/// component's files call other modules than `graph` says (then nothing is kept but the
/// variable values read, in `preloaded`).
pub(super) fn load(
    loader: &mut Loader,
    graph: CallGraph,
    dirs: &[(PathBuf, DirFiles)],
    opts: &TerraformOptions,
    eval_opts: &eval::EvalOptions,
    preloaded: &mut Preloaded,
) -> Option<LoadedModules> {
    let components = graph.components();
    // Variable values are read as the whole load would read them: the command line's,
    // then each root module's `*.tfvars`, in order. Their errors come after the files'.
    let errors_before_values = loader.errors.len();
    let command_line = preloaded.command_line(loader, opts);
    let mut root_positions: Vec<usize> = components
        .iter()
        .flat_map(|c| c.roots.iter().copied())
        .collect();
    root_positions.sort_unstable();
    let mut tfvars: HashMap<usize, Values> = HashMap::new();
    for &position in &root_positions {
        tfvars.insert(
            position,
            preloaded.tfvars(loader, position, &dirs[position].1),
        );
    }

    let sources: &Sources = loader.sources;
    let work = Work {
        graph: &graph,
        dirs,
        sources,
        tfvars: &tfvars,
        command_line: &command_line,
        opts,
        eval_opts,
    };
    let outcomes = crate::parallel::map_on(&components, super::eval_thread, |component| {
        work.component(component)
    });
    if outcomes.iter().any(|o| matches!(o, Outcome::Mismatch)) {
        // Loaded again as a whole, which reads the variable values (and reports their
        // errors) at its own time.
        loader.errors.truncate(errors_before_values);
        return None;
    }

    let mut parse_errors = Vec::new();
    let mut suppressions = Vec::new();
    let mut declared = Vec::new();
    let mut roots: Vec<(usize, RootInput, Option<RootOutput>)> = Vec::new();
    let mut kept: Vec<(Vec<Module>, Vec<usize>)> = Vec::new();
    for outcome in outcomes {
        let (evaluated, modules) = match outcome {
            Outcome::Done(evaluated) => (evaluated, None),
            Outcome::Pending(evaluated, modules) => (evaluated, Some(modules)),
            Outcome::Mismatch => unreachable!("handled above"),
        };
        parse_errors.extend(evaluated.parse_errors);
        suppressions.extend(evaluated.suppressions);
        declared.extend(evaluated.declared);
        if let Some(modules) = modules {
            let waiting = evaluated
                .roots
                .iter()
                .enumerate()
                .filter(|(_, (_, _, output))| output.is_none())
                .map(|(i, _)| roots.len() + i)
                .collect();
            kept.push((modules, waiting));
        }
        roots.extend(evaluated.roots);
    }
    evaluate_waiting(loader.sources, &mut roots, &kept, eval_opts);
    drop(kept);

    parse_errors.sort_by_key(|(order, _)| *order);
    suppressions.sort_by_key(|(order, _)| *order);
    let value_errors = loader.errors.split_off(errors_before_values);
    loader
        .errors
        .extend(parse_errors.into_iter().map(|(_, e)| e));
    loader.errors.extend(value_errors);
    loader
        .suppressions
        .extend(suppressions.into_iter().flat_map(|(_, s)| s));

    let warnings = super::undeclared_vars(&opts.vars, !roots.is_empty(), declared);
    let mut loaded = LoadedModules {
        errors: std::mem::take(&mut loader.errors),
        suppressions: std::mem::take(&mut loader.suppressions),
        extra: super::Evaluated {
            files: loader.files_read,
            warnings,
            ..super::Evaluated::default()
        },
        ..LoadedModules::default()
    };
    roots.sort_by_key(|(position, _, _)| *position);
    for (_, root, output) in roots {
        let output = output.unwrap_or_else(|| super::failed_root(&root));
        super::add_root(&mut loaded, &root.dir, output);
    }
    Some(loaded)
}

/// Evaluates, in scan order, the root modules that read files (`kept`: each component's
/// modules and the indices in `roots` of its roots still to evaluate), on one thread with
/// the deep stack evaluation may need.
fn evaluate_waiting(
    sources: &mut Sources,
    roots: &mut [(usize, RootInput, Option<RootOutput>)],
    kept: &[(Vec<Module>, Vec<usize>)],
    opts: &eval::EvalOptions,
) {
    let mut waiting: Vec<(usize, &[Module])> = kept
        .iter()
        .flat_map(|(modules, indices)| indices.iter().map(|&i| (i, modules.as_slice())))
        .collect();
    if waiting.is_empty() {
        return;
    }
    waiting.sort_by_key(|(i, _)| roots[*i].0);
    let inputs: Vec<(&RootInput, &[Module])> = waiting
        .iter()
        .map(|(i, modules)| (&roots[*i].1, *modules))
        .collect();
    let outputs = super::evaluate_in_order(sources, &inputs, opts);
    for ((i, _), output) in waiting.iter().zip(outputs) {
        roots[*i].2 = Some(output);
    }
}

/// What every component's work reads.
struct Work<'a> {
    graph: &'a CallGraph,
    dirs: &'a [(PathBuf, DirFiles)],
    sources: &'a Sources,
    tfvars: &'a HashMap<usize, Values>,
    command_line: &'a CommandLine,
    opts: &'a TerraformOptions,
    eval_opts: &'a eval::EvalOptions,
}

impl Work<'_> {
    /// Parses a component's files, links its module calls, and evaluates its root modules;
    /// its parsed trees are freed here unless a root module still has to read files.
    fn component(&self, component: &Component) -> Outcome {
        let mut evaluated = Evaluated::default();
        let mut modules: Vec<Module> = Vec::with_capacity(component.folders.len());
        for &folder in &component.folders {
            let mut module = Module {
                dir: self.dirs[folder].0.clone(),
                ..Module::default()
            };
            for (order, file, path) in &self.graph.files[folder] {
                let parsed = hcl::parse_file(self.sources, *file, path);
                evaluated.suppressions.push((*order, parsed.suppressions));
                module.bytes += self.sources.file(*file).text.len();
                match parsed.part {
                    Ok(part) => hcl::merge_into(&mut module, part),
                    Err(err) => evaluated.parse_errors.push((*order, err)),
                }
            }
            modules.push(module);
        }
        // Each call linked to its module, as `Loader::resolve_calls` links it.
        let local = |folder: usize| component.folders.binary_search(&folder).ok();
        for (module, &folder) in modules.iter_mut().zip(&component.folders) {
            for call in &mut module.calls {
                let Some(source) = &call.source else {
                    continue;
                };
                let target = self.graph.targets.get(&(folder, source.clone()));
                match target.and_then(|&t| local(t)) {
                    Some(target) => {
                        call.target = Some(target);
                        call.not_loaded = None;
                    }
                    None => return Outcome::Mismatch,
                }
            }
        }
        let calls_of = |folder: usize| -> Vec<usize> {
            let module = &modules[local(folder).expect("a folder of the component")];
            module
                .calls
                .iter()
                .filter_map(|c| c.target.map(|t| component.folders[t]))
                .collect()
        };
        if roots(&component.folders, &calls_of) != component.roots {
            return Outcome::Mismatch;
        }

        let mut pending = false;
        for &folder in &component.roots {
            let module = local(folder).expect("a root of the component");
            let input = RootInput {
                module,
                dir: self.dirs[folder].0.clone(),
                values: self.tfvars[&folder].iter().cloned().collect(),
            };
            let input = super::root_values(
                input,
                &modules[module],
                self.sources,
                self.command_line,
                self.opts,
            );
            evaluated
                .declared
                .extend(modules[module].variables.iter().map(|v| v.name.clone()));
            // A panic in evaluation is a bug: reported for its root, the others go on.
            let output = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                eval::evaluate_root_shared(&modules, self.sources, &input, self.eval_opts)
            }))
            .unwrap_or_else(|_| Some(super::failed_root(&input)));
            pending |= output.is_none();
            evaluated.roots.push((folder, input, output));
        }
        if pending {
            return Outcome::Pending(evaluated, modules);
        }
        // Freed here, by the thread that allocated them, before its next component.
        drop(modules);
        Outcome::Done(evaluated)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{LoadedAs, TerraformOptions, load_walked_as, walk};
    use crate::fsbound::Boundary;
    use crate::source::Sources;
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    /// A scratch folder of one test, removed when dropped (also when the test fails).
    struct Scratch(PathBuf);

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A tree of `files` (path, text) in a fresh scratch folder.
    fn tree(name: &str, files: &[(&str, &str)]) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("clumio-components-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Scratch(dir)
    }

    /// What loading `path` gives (everything loaded, and the sources' names in order),
    /// component by component when allowed, and how it was loaded.
    fn load(path: &Path, opts: &TerraformOptions, by_components: bool) -> (String, LoadedAs) {
        let paths = vec![path.to_path_buf()];
        let mut boundary = Boundary::new(&paths);
        for file in &opts.var_files {
            boundary.allow_named(file);
        }
        let boundary = Arc::new(boundary);
        let scan = walk::scan(&paths, &boundary);
        let mut sources = Sources::new();
        let (loaded, how) = load_walked_as(scan, boundary, opts, &mut sources, by_components);
        let names: Vec<String> = (0..sources.len())
            .map(|i| sources.file(crate::source::FileId(i as u32)).name.clone())
            .collect();
        (format!("{loaded:#?}\n{names:#?}"), how)
    }

    /// Loads `path` both ways: the two loads must agree exactly. Returns how the first was
    /// made.
    fn agree_as(path: &Path, opts: &TerraformOptions) -> LoadedAs {
        let (by_components, how) = load(path, opts, true);
        let (all_at_once, _) = load(path, opts, false);
        if by_components != all_at_once {
            let diff = similar::TextDiff::from_lines(&all_at_once, &by_components);
            panic!(
                "{}: the loads differ:\n{}",
                path.display(),
                diff.unified_diff().context_radius(3)
            );
        }
        how
    }

    /// [`agree_as`], where the first load must have been made as `expected`.
    fn agree(path: &Path, opts: &TerraformOptions, expected: LoadedAs) {
        assert_eq!(agree_as(path, opts), expected, "{}", path.display());
    }

    #[test]
    fn the_scenarios_load_alike_component_by_component() {
        // Each scenario folder on its own, then all at once (many root modules, parse
        // errors, suppressions, `file()` reads, `.tfvars` files, registry modules).
        let mut by_components = 0;
        for parent in ["testdata/terraform", "testdata/frontend/terraform"] {
            let mut folders: Vec<PathBuf> = std::fs::read_dir(parent)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.is_dir())
                .collect();
            folders.sort();
            folders.push(PathBuf::from(parent));
            for folder in folders {
                if agree_as(&folder, &TerraformOptions::default()) == LoadedAs::Components {
                    by_components += 1;
                }
            }
        }
        assert!(
            by_components >= 60,
            "{by_components} folders loaded by components"
        );
        let local_only = Path::new("testdata/multi-module");
        agree(
            local_only,
            &TerraformOptions::default(),
            LoadedAs::Components,
        );
        let opts = TerraformOptions {
            vars: vec![
                ("bucket_name".into(), "from-the-command-line".into()),
                ("nobody_declares".into(), "x".into()),
            ],
            account_id: Some("123456789012".into()),
            ..TerraformOptions::default()
        };
        agree(local_only, &opts, LoadedAs::Components);
    }

    /// Root modules with local modules (one called twice, a cycle), `.tfvars` files (one
    /// bad), a `--var-file`, a `file()` read, a parse error and a suppression.
    const TREE: &[(&str, &str)] = &[
        (
            "a-root/main.tf",
            "module \"logs\" {\n  source = \"../z-modules/bucket\"\n  name = var.name\n}\n\
             variable \"name\" {\n  type = string\n}\n\
             resource \"aws_s3_bucket_policy\" \"p\" {\n  bucket = \"a\"\n  policy = file(\"${path.module}/policy.json\")\n}\n",
        ),
        (
            "a-root/policy.json",
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
        ),
        ("a-root/terraform.tfvars", "name = \"from-tfvars\"\n"),
        (
            "b-root/main.tf",
            "module \"logs\" {\n  source = \"../z-modules/bucket\"\n  name = \"b\"\n}\n\
             # clumio-preflight:ignore CP101 a reason\n\
             resource \"aws_s3_bucket\" \"own\" {\n  bucket = \"b-own\"\n}\n",
        ),
        ("b-root/terraform.tfvars", "name = \n"),
        (
            "c-broken/main.tf",
            "resource \"aws_s3_bucket\" \"x\" {\n  bucket = \n",
        ),
        (
            "c-broken/ok.tf",
            "# clumio-preflight:ignore CP301 a reason\n\
             resource \"aws_s3_bucket\" \"y\" {\n  bucket = \"c\"\n}\n",
        ),
        (
            "d-cycle/main.tf",
            "module \"e\" {\n  source = \"../e-cycle\"\n}\nresource \"aws_s3_bucket\" \"d\" {}\n",
        ),
        (
            "e-cycle/main.tf",
            "module \"d\" {\n  source = \"../d-cycle\"\n}\nresource \"aws_s3_bucket\" \"e\" {}\n",
        ),
        (
            "z-modules/bucket/main.tf",
            "variable \"name\" {}\n# clumio-preflight:ignore CP201 a reason\nresource \"aws_s3_bucket\" \"this\" {\n  bucket = var.name\n}\n\
             resource \"aws_kms_key\" \"k\" {\n  policy = jsonencode({ Statement = [] })\n}\n",
        ),
    ];

    #[test]
    fn local_modules_load_alike_component_by_component() {
        let dir = tree("local", TREE);
        agree(&dir.0, &TerraformOptions::default(), LoadedAs::Components);
        let var_file = dir.0.join("a-root/terraform.tfvars");
        let opts = TerraformOptions {
            var_files: vec![var_file],
            vars: vec![("name".into(), "cli".into())],
            ..TerraformOptions::default()
        };
        agree(&dir.0, &opts, LoadedAs::Components);
    }

    #[test]
    fn a_module_block_in_a_file_that_does_not_parse_loads_everything_at_once() {
        // The `module` block is well formed, the file is not: it calls nothing, so the
        // module folder is a root module after all.
        let mut files = TREE.to_vec();
        files.push((
            "f-root/main.tf",
            "module \"m\" {\n  source = \"../g-module\"\n}\nresource \"aws_s3_bucket\" \"f\" {\n  bucket = \n}\n",
        ));
        files.push(("g-module/main.tf", "resource \"aws_s3_bucket\" \"g\" {}\n"));
        let dir = tree("mismatch", &files);
        let opts = TerraformOptions {
            vars: vec![("name".into(), "cli".into())],
            var_files: vec![dir.0.join("b-root/terraform.tfvars")],
            ..TerraformOptions::default()
        };
        agree(&dir.0, &opts, LoadedAs::AllAtOnceAfterMismatch);
    }

    #[test]
    fn a_call_outside_the_scanned_folders_loads_everything_at_once() {
        let dir = tree(
            "outside",
            &[
                (
                    "root/main.tf",
                    "module \"m\" {\n  source = \"../../elsewhere\"\n}\n",
                ),
                (
                    "registry/main.tf",
                    "module \"m\" {\n  source = \"terraform-aws-modules/s3-bucket/aws\"\n}\n",
                ),
            ],
        );
        agree(
            &dir.0.join("root"),
            &TerraformOptions::default(),
            LoadedAs::AllAtOnce,
        );
        agree(&dir.0, &TerraformOptions::default(), LoadedAs::AllAtOnce);
    }
}
