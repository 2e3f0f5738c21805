//! Loading a scan's module folders one component of their module call graph at a time.
//!
//! The loader reads every file and follows every module call first, parsing only the files
//! that have `module` blocks ([`hcl::Loader::defer_parsing`]): that gives the call graph,
//! the root modules and every file registered, exactly as a full load would. The modules
//! then split into components that call nothing outside themselves (a root module and the
//! modules it calls; roots that share a module are one component). Each component is
//! parsed, its root modules are evaluated, and its parsed trees are freed, on one thread,
//! while the other threads do the same with other components. So the parsed trees of a
//! large tree never all live at once, and a thread reuses one component's memory for the
//! next. Errors, suppressions and root modules come out in the order a full load gives
//! them.

use super::eval::{self, RootInput, RootOutput};
use super::hcl::{self, DeferredFile, Loader, Module};
use super::{CommandLine, EachRoot, LoadedModules, TerraformOptions};
use crate::resource::LoadError;
use crate::source::{FileId, Sources};
use crate::suppress::Suppression;
use std::sync::Mutex;

/// A component of the module call graph: modules that call only each other, with the root
/// modules among them.
#[derive(Default)]
struct Component {
    /// Its modules (indices into the loader's modules, ascending), each with its files.
    modules: Vec<(usize, Mutex<Vec<DeferredFile>>)>,
    /// Its root modules (indices into the roots, ascending).
    roots: Vec<usize>,
}

/// The components of the call graph of `modules` that hold the `roots`, in the order of
/// their first root (then one for modules no root reaches, if any); `files` are every
/// module's files, in order.
fn components(modules: &[Module], roots: &[RootInput], files: Vec<DeferredFile>) -> Vec<Component> {
    let n = modules.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for (from, module) in modules.iter().enumerate() {
        for to in module.calls.iter().filter_map(|c| c.target) {
            let (a, b) = (find(&mut parent, from), find(&mut parent, to));
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut files_of: Vec<Vec<DeferredFile>> = (0..n).map(|_| Vec::new()).collect();
    for file in files {
        let module = file.module;
        files_of[module].push(file);
    }
    let mut component_of_set: Vec<Option<usize>> = vec![None; n];
    let mut out: Vec<Component> = Vec::new();
    for (r, root) in roots.iter().enumerate() {
        let set = find(&mut parent, root.module);
        let index = *component_of_set[set].get_or_insert_with(|| {
            out.push(Component::default());
            out.len() - 1
        });
        out[index].roots.push(r);
    }
    let mut unreached = Component::default();
    for (module, files) in files_of.into_iter().enumerate() {
        match component_of_set[find(&mut parent, module)] {
            Some(index) => out[index].modules.push((module, Mutex::new(files))),
            // Every module is reached from a root module, but should one not be, its files
            // are still parsed (their errors and suppressions reported), as a full load does.
            None => unreached.modules.push((module, Mutex::new(files))),
        }
    }
    if !unreached.modules.is_empty() {
        out.push(unreached);
    }
    out
}

/// A root module's output without its resources, and what [`EachRoot`] made of them.
type Handed<R> = (RootOutput, R);

/// What one component gave (`R`: what [`EachRoot`] gives).
struct Evaluated<R> {
    /// Parse errors, each with its place among the loader's errors and its file.
    parse_errors: Vec<(usize, FileId, LoadError)>,
    /// Inline suppressions, by file.
    suppressions: Vec<(FileId, Vec<Suppression>)>,
    /// Each root module: its index among the roots, its input (with the component's module
    /// indices), and its output without its resources with what `each_root` made of them
    /// (`None`: it reads files, and is evaluated afterwards).
    roots: Vec<(usize, RootInput, Option<Handed<R>>)>,
    /// The variables the root modules declare.
    declared: Vec<String>,
    /// The component's modules, kept when a root module is still to be evaluated.
    kept: Vec<Module>,
}

impl<R> Default for Evaluated<R> {
    fn default() -> Self {
        Evaluated {
            parse_errors: Vec::new(),
            suppressions: Vec::new(),
            roots: Vec::new(),
            declared: Vec::new(),
            kept: Vec::new(),
        }
    }
}

/// Loads what `loader` read (with parsing deferred) component by component: `roots` are
/// the root modules, with their `*.tfvars` values; each one's resources go to `each_root`
/// as soon as it is evaluated.
pub(super) fn load<R: Send>(
    mut loader: Loader,
    roots: Vec<RootInput>,
    command_line: &CommandLine,
    opts: &TerraformOptions,
    eval_opts: &eval::EvalOptions,
    each_root: &EachRoot<R>,
) -> (LoadedModules, Vec<R>) {
    let files = loader.take_deferred();
    let mut components = components(&loader.modules, &roots, files);
    // The largest first, so that a large component never starts last while the other
    // threads are idle (the results are put in order afterwards).
    let bytes = |c: &Component| -> usize {
        c.modules
            .iter()
            .map(|(m, _)| loader.modules[*m].bytes)
            .sum()
    };
    components.sort_by_key(|c| std::cmp::Reverse(bytes(c)));
    let mut called = vec![false; loader.modules.len()];
    for target in loader
        .modules
        .iter()
        .flat_map(|m| &m.calls)
        .filter_map(|c| c.target)
    {
        called[target] = true;
    }
    let work = Work {
        skeletons: &loader.modules,
        called,
        sources: &*loader.sources,
        roots: &roots,
        command_line,
        opts,
        eval_opts,
        each_root,
    };
    let evaluated = crate::parallel::map_on(&components, super::eval_thread, |component| {
        work.component(component)
    });

    let mut parse_errors = Vec::new();
    let mut suppressions = Vec::new();
    let mut declared = Vec::new();
    let mut outputs: Vec<Option<Handed<R>>> = roots.iter().map(|_| None).collect();
    // Root modules that read files, with the modules of their component.
    let mut waiting: Vec<(usize, RootInput, usize)> = Vec::new();
    let mut kept: Vec<Vec<Module>> = Vec::new();
    for component in evaluated {
        parse_errors.extend(component.parse_errors);
        suppressions.extend(component.suppressions);
        declared.extend(component.declared);
        let mut keep = false;
        for (root, input, output) in component.roots {
            match output {
                Some(output) => outputs[root] = Some(output),
                None => {
                    waiting.push((root, input, kept.len()));
                    keep = true;
                }
            }
        }
        if keep {
            kept.push(component.kept);
        }
    }
    // In order, with the right to add the files they read to the sources.
    waiting.sort_by_key(|(root, _, _)| *root);
    let inputs: Vec<(&RootInput, &[Module])> = waiting
        .iter()
        .map(|(_, input, k)| (input, kept[*k].as_slice()))
        .collect();
    let done = super::evaluate_in_order(loader.sources, &inputs, eval_opts);
    for ((root, _, _), output) in waiting.iter().zip(done) {
        outputs[*root] = Some(hand_out(loader.sources, &roots[*root], output, each_root));
    }

    // Each parse error where a full load puts it: before the error that came after it.
    parse_errors.sort_by_key(|(slot, file, _)| (*slot, *file));
    let mut parse_errors = parse_errors.into_iter().peekable();
    let mut errors = Vec::with_capacity(loader.errors.len() + parse_errors.len());
    for (k, error) in std::mem::take(&mut loader.errors).into_iter().enumerate() {
        while let Some((_, _, e)) = parse_errors.next_if(|(slot, _, _)| *slot <= k) {
            errors.push(e);
        }
        errors.push(error);
    }
    errors.extend(parse_errors.map(|(_, _, e)| e));
    suppressions.sort_by_key(|(file, _)| *file);

    let warnings = super::undeclared_vars(&opts.vars, !roots.is_empty(), declared);
    let loaded_sources: &Sources = loader.sources;
    let mut loaded = LoadedModules {
        errors,
        suppressions: suppressions.into_iter().flat_map(|(_, s)| s).collect(),
        extra: super::Evaluated {
            files: loader.files_read,
            warnings,
            ..super::Evaluated::default()
        },
        ..LoadedModules::default()
    };
    let mut handed = Vec::with_capacity(roots.len());
    for (root, output) in roots.iter().zip(outputs) {
        let (output, made) = output
            .unwrap_or_else(|| hand_out(loaded_sources, root, super::failed_root(root), each_root));
        super::add_root(&mut loaded, &root.dir, output);
        handed.push(made);
    }
    (loaded, handed)
}

/// A root module's output with its resources handed to `each_root`, and what that made of
/// them.
fn hand_out<R>(
    sources: &Sources,
    root: &RootInput,
    mut output: RootOutput,
    each_root: &EachRoot<R>,
) -> Handed<R> {
    let resources = std::mem::take(&mut output.resources);
    let made = each_root(sources, &super::root_of(&root.dir, &output), resources);
    (output, made)
}

/// What every component's work reads.
struct Work<'a, R> {
    /// The loader's modules: their module calls only, linked.
    skeletons: &'a [Module],
    /// Whether a module call reaches each module (by index): the outputs of the others are
    /// never read, and left unparsed.
    called: Vec<bool>,
    sources: &'a Sources,
    roots: &'a [RootInput],
    command_line: &'a CommandLine,
    opts: &'a TerraformOptions,
    eval_opts: &'a eval::EvalOptions,
    each_root: &'a EachRoot<'a, R>,
}

impl<R: Send> Work<'_, R> {
    /// Parses a component's files, links its module calls as the loader linked them, and
    /// evaluates its root modules; its parsed trees are freed here unless a root module
    /// still has to read files.
    fn component(&self, component: &Component) -> Evaluated<R> {
        let mut evaluated = Evaluated::default();
        let local = |module: usize| {
            component
                .modules
                .binary_search_by_key(&module, |(m, _)| *m)
                .ok()
        };
        let mut modules: Vec<Module> = Vec::with_capacity(component.modules.len());
        for (index, files) in &component.modules {
            let skeleton = &self.skeletons[*index];
            let mut module = Module {
                dir: skeleton.dir.clone(),
                ..Module::default()
            };
            let files = std::mem::take(&mut *files.lock().unwrap_or_else(|e| e.into_inner()));
            let outputs_read = self.called[*index];
            for file in files {
                let parsed = file.parsed.unwrap_or_else(|| {
                    let without_outputs;
                    let outline = match &file.outline {
                        Some(outline) if !outputs_read => {
                            without_outputs = outline.without_outputs();
                            Some(&without_outputs)
                        }
                        outline => outline.as_ref(),
                    };
                    hcl::parse_file_outlined(self.sources, file.file, &file.path, outline)
                });
                module.bytes += self.sources.file(file.file).text.len();
                evaluated
                    .suppressions
                    .push((file.file, parsed.suppressions));
                match parsed.part {
                    Ok(part) => hcl::merge_into(&mut module, part),
                    Err(err) => evaluated
                        .parse_errors
                        .push((file.error_slot, file.file, err)),
                }
            }
            // The calls are those of the skeleton (the same blocks): linked as it was.
            for call in &mut module.calls {
                if let Some(linked) = skeleton.calls.iter().find(|c| c.span == call.span) {
                    call.target = linked.target.and_then(local);
                    call.not_loaded.clone_from(&linked.not_loaded);
                }
            }
            modules.push(module);
        }

        let mut pending = false;
        for &root in &component.roots {
            let mut input = self.roots[root].clone();
            let Some(module) = local(input.module) else {
                continue;
            };
            input.module = module;
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
            let output =
                output.map(|output| hand_out(self.sources, &input, output, self.each_root));
            evaluated.roots.push((root, input, output));
        }
        if pending {
            evaluated.kept = modules;
        }
        // Otherwise freed here, by the thread that allocated them, before its next component.
        evaluated
    }
}

#[cfg(test)]
mod tests {
    use super::super::{TerraformOptions, load_walked_as, walk, with_resources};
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
    /// component by component or all at once.
    fn load(path: &Path, opts: &TerraformOptions, by_components: bool) -> String {
        let paths = vec![path.to_path_buf()];
        let mut boundary = Boundary::new(&paths);
        for file in &opts.var_files {
            boundary.allow_named(file);
        }
        let boundary = Arc::new(boundary);
        let scan = walk::scan(&paths, &boundary);
        let mut sources = Sources::new();
        let (loaded, resources) = load_walked_as(
            scan,
            boundary,
            opts,
            &mut sources,
            by_components,
            &|_, _, r| r,
        );
        let loaded = with_resources(loaded, resources);
        let names: Vec<String> = (0..sources.len())
            .map(|i| sources.file(crate::source::FileId(i as u32)).name.clone())
            .collect();
        format!("{loaded:#?}\n{names:#?}")
    }

    /// Loads `path` both ways: the two loads must agree exactly.
    fn agree(path: &Path, opts: &TerraformOptions) {
        let by_components = load(path, opts, true);
        let all_at_once = load(path, opts, false);
        if by_components != all_at_once {
            let diff = similar::TextDiff::from_lines(&all_at_once, &by_components);
            panic!(
                "{}: the loads differ:\n{}",
                path.display(),
                diff.unified_diff().context_radius(3)
            );
        }
    }

    #[test]
    fn the_scenarios_load_alike_component_by_component() {
        // Each scenario folder on its own, then all at once (many root modules, registry
        // modules through their manifests, parse errors, suppressions, `file()` reads,
        // `.tfvars` files).
        for parent in [
            "testdata/terraform",
            "testdata/frontend/terraform",
            "testdata/multi-module",
        ] {
            let mut folders: Vec<PathBuf> = std::fs::read_dir(parent)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.is_dir())
                .collect();
            folders.sort();
            folders.push(PathBuf::from(parent));
            for folder in folders {
                agree(&folder, &TerraformOptions::default());
            }
        }
        let opts = TerraformOptions {
            vars: vec![
                ("bucket_name".into(), "from-the-command-line".into()),
                ("nobody_declares".into(), "x".into()),
            ],
            account_id: Some("123456789012".into()),
            ..TerraformOptions::default()
        };
        agree(Path::new("testdata/multi-module"), &opts);
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
        agree(&dir.0, &TerraformOptions::default());
        let var_file = dir.0.join("a-root/terraform.tfvars");
        let opts = TerraformOptions {
            var_files: vec![var_file],
            vars: vec![("name".into(), "cli".into())],
            ..TerraformOptions::default()
        };
        agree(&dir.0, &opts);
    }

    #[test]
    fn a_module_block_in_a_file_that_does_not_parse_calls_nothing() {
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
        agree(&dir.0, &opts);
    }

    #[test]
    fn calls_outside_the_scanned_folders_load_alike() {
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
        agree(&dir.0.join("root"), &TerraformOptions::default());
        agree(&dir.0, &TerraformOptions::default());
    }
}
