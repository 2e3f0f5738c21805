//! Finding Terraform files: which directories are modules, which files belong to them.
//!
//! A directory given on the command line is walked with the `ignore` crate, so `.gitignore`
//! rules apply (also outside a git repository). Dot-folders are walked too, except `.git/`,
//! `.terraform/` (downloaded providers and modules) and `.terragrunt-cache/` (copies of
//! modules). Every directory holding `*.tf` or `*.tf.json` files is a candidate root module;
//! the caller decides which candidates are only module sources of others.

use crate::resource::LoadError;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// Directory names never walked.
const SKIPPED_DIRS: &[&str] = &[".git", ".terraform", ".terragrunt-cache"];

/// The configuration and variable files of one directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirFiles {
    /// `*.tf` and `*.tf.json`, sorted by name.
    pub config: Vec<PathBuf>,
    /// `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars`, `*.auto.tfvars.json`, in
    /// the order Terraform applies them (later ones override earlier ones).
    pub tfvars: Vec<PathBuf>,
}

/// What the scan paths turned into.
#[derive(Debug, Default)]
pub struct Scan {
    /// Directories holding configuration files, by path.
    pub dirs: BTreeMap<PathBuf, DirFiles>,
    /// Files given one by one: each is a module of its own.
    pub files: Vec<PathBuf>,
    /// Paths that do not exist or could not be walked.
    pub errors: Vec<LoadError>,
}

/// Whether `path` names a Terraform configuration file (`*.tf`, `*.tf.json`).
pub fn is_config_file(path: &Path) -> bool {
    let name = file_name(path);
    name.ends_with(".tf") || name.ends_with(".tf.json")
}

/// Whether `path` is in Terraform's JSON syntax (`*.tf.json`, `*.tfvars.json`, `*.json`).
pub fn is_json(path: &Path) -> bool {
    file_name(path).ends_with(".json")
}

/// The rank of a variable-definitions file Terraform loads automatically, or `None`.
fn tfvars_rank(path: &Path) -> Option<u8> {
    let name = file_name(path);
    match name.as_str() {
        "terraform.tfvars" => Some(0),
        "terraform.tfvars.json" => Some(1),
        _ if name.ends_with(".auto.tfvars") || name.ends_with(".auto.tfvars.json") => Some(2),
        _ => None,
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Sorts variable files into the order Terraform applies them.
fn sort_tfvars(files: &mut [PathBuf]) {
    files.sort_by_key(|a| (tfvars_rank(a), file_name(a)));
}

/// Walks `paths`: files are kept as they are, directories are searched for modules.
pub fn scan(paths: &[PathBuf]) -> Scan {
    let mut scan = Scan::default();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk_dir(path, &mut scan),
            Ok(_) => scan.files.push(path.clone()),
            Err(err) => scan.errors.push(LoadError {
                file: None,
                span: None,
                path: Some(path.display().to_string()),
                message: format!("cannot read {}: {err}", path.display()),
            }),
        }
    }
    for files in scan.dirs.values_mut() {
        files.config.sort();
        sort_tfvars(&mut files.tfvars);
    }
    scan.dirs.retain(|_, files| !files.config.is_empty());
    scan
}

fn walk_dir(root: &Path, scan: &mut Scan) {
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .git_global(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir
                && entry.depth() > 0
                && SKIPPED_DIRS.contains(&entry.file_name().to_string_lossy().as_ref()))
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                scan.errors.push(LoadError {
                    file: None,
                    span: None,
                    path: Some(root.display().to_string()),
                    message: format!("cannot walk {}: {err}", root.display()),
                });
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        if is_config_file(path) {
            scan.dirs
                .entry(dir)
                .or_default()
                .config
                .push(path.to_path_buf());
        } else if tfvars_rank(path).is_some() {
            scan.dirs
                .entry(dir)
                .or_default()
                .tfvars
                .push(path.to_path_buf());
        }
    }
}

/// The configuration files directly in `dir` (not in subdirectories), sorted: the files of a
/// module called with a local `source`.
pub fn module_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() && is_config_file(&path) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Whether a module `source` is a local path (`./x`, `../x`), which Terraform reads in place.
pub fn is_local_source(source: &str) -> bool {
    source.starts_with("./")
        || source.starts_with("../")
        || source.starts_with(".\\")
        || source.starts_with("..\\")
        || source == "."
        || source == ".."
}

/// `path` with `.` components dropped and `..` applied lexically where possible.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) | Some(Component::Prefix(_)) => {}
                _ => out.push(component),
            },
            other => out.push(other),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("./x")), PathBuf::from("x"));
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
        assert_eq!(normalize(Path::new(".")), PathBuf::from("."));
        assert_eq!(normalize(Path::new("a/..")), PathBuf::from("."));
    }

    #[test]
    fn tfvars_order_follows_terraform() {
        let mut files: Vec<PathBuf> = [
            "b.auto.tfvars",
            "terraform.tfvars.json",
            "a.auto.tfvars.json",
            "terraform.tfvars",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        sort_tfvars(&mut files);
        let names: Vec<String> = files.iter().map(|p| file_name(p)).collect();
        assert_eq!(
            names,
            [
                "terraform.tfvars",
                "terraform.tfvars.json",
                "a.auto.tfvars.json",
                "b.auto.tfvars"
            ]
        );
    }

    #[test]
    fn local_sources() {
        assert!(is_local_source("./modules/x"));
        assert!(is_local_source("../x"));
        assert!(!is_local_source("terraform-aws-modules/s3-bucket/aws"));
        assert!(!is_local_source("git::https://example.com/x.git"));
    }
}
