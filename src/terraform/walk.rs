//! Finding Terraform files: which directories are modules, which files belong to them.
//!
//! A directory given on the command line is walked inside the [`Boundary`] (symlinks that
//! stay inside it are followed; what the boundary hides — `exclude`, `.gitignore` over
//! untracked files — is neither entered nor opened). Dot-folders are walked too,
//! except `.git/`, `.terraform/` (downloaded providers and modules) and `.terragrunt-cache/`
//! (copies of modules). Every directory holding `*.tf` or `*.tf.json` files is a candidate root module;
//! the caller decides which candidates are only module sources of others.

use crate::fsbound::{Boundary, Refusal, Walker};
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
pub struct ConfigDirs {
    /// Directories holding configuration files, by path.
    pub dirs: BTreeMap<PathBuf, DirFiles>,
    /// Paths that do not exist or could not be walked.
    pub errors: Vec<LoadError>,
    /// Configuration files already read while the walk went on, by path, as
    /// [`super::hcl::read_source`] reads them (the loader reads the others).
    pub prefetched: super::hcl::Prefetched,
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

/// Whether a directory named `name` is never walked.
pub fn is_skipped_dir(name: &str) -> bool {
    SKIPPED_DIRS.contains(&name)
}

/// Whether `path` names a file the Terraform front end reads from a module folder: a
/// configuration file or a variable-definitions file Terraform loads automatically.
pub fn is_terraform_file(path: &Path) -> bool {
    is_config_file(path) || tfvars_rank(path).is_some()
}

/// Walks `paths` inside `boundary`: directories are searched for modules; a file names its
/// directory, which is loaded as Terraform loads it (its `.tf` and variable files, not its
/// subdirectories). Each real file is taken once, however often it is named. (A scan's
/// inputs are walked by [`crate::inputs`], which fills a [`ConfigDirs`] the same way.)
pub fn scan(paths: &[PathBuf], boundary: &Boundary) -> ConfigDirs {
    let mut scan = ConfigDirs::default();
    let mut walker = Walker::new(boundary, is_skipped_dir, is_terraform_file);
    for path in paths {
        if let Err(refusal) = boundary.resolve(path) {
            scan.path_error(path, refusal.to_string());
            continue;
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                let walked = walker.walk(path);
                for e in walked.dir_errors.into_iter().chain(walked.errors) {
                    scan.path_error(&e.path, e.message);
                }
                for file in walked.files {
                    scan.add_file(file);
                }
            }
            _ => scan.add_named_file(path, &mut walker, boundary),
        }
    }
    scan.finish();
    scan
}

impl ConfigDirs {
    /// Records a problem with `path` (a folder not walked, a file refused).
    pub fn path_error(&mut self, path: &Path, message: String) {
        self.errors.push(LoadError {
            file: None,
            span: None,
            path: Some(crate::fsbound::display(path)),
            message,
        });
    }

    /// How many configuration and variable files were taken so far.
    pub fn file_count(&self) -> usize {
        self.dirs
            .values()
            .map(|f| f.config.len() + f.tfvars.len())
            .sum()
    }

    /// Takes a configuration or variable file found by a walk into its folder's files.
    pub fn add_file(&mut self, path: PathBuf) {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if is_config_file(&path) {
            self.dirs.entry(dir).or_default().config.push(path);
        } else if tfvars_rank(&path).is_some() {
            self.dirs.entry(dir).or_default().tfvars.push(path);
        }
    }

    /// A file named explicitly stands for its folder: takes the folder's configuration and
    /// variable files (not its subfolders') that `walker` has not visited yet.
    pub fn add_named_file(&mut self, path: &Path, walker: &mut Walker, boundary: &Boundary) {
        if let Err(refusal) = boundary.resolve(path) {
            self.path_error(path, refusal.to_string());
            return;
        }
        if std::fs::metadata(path).is_err() {
            self.path_error(path, "no such file or directory".into());
            return;
        }
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let listed = match boundary.list_dir(&dir) {
            Ok(listed) => listed,
            Err(refusal) => {
                self.path_error(path, refusal.to_string());
                return;
            }
        };
        for file in listed {
            if is_terraform_file(&file)
                && !std::fs::metadata(&file).is_ok_and(|m| m.is_dir())
                && walker.first_visit(&file)
            {
                self.add_file(file);
            }
        }
    }

    /// Sorts each folder's files into the order Terraform reads them and drops folders with
    /// variable files only.
    pub fn finish(&mut self) {
        for files in self.dirs.values_mut() {
            files.config.sort();
            sort_tfvars(&mut files.tfvars);
        }
        self.dirs.retain(|_, files| !files.config.is_empty());
    }
}

/// The configuration files directly in `dir` (not in subdirectories), sorted: the files of a
/// module called with a local `source`. A directory outside `boundary` is refused.
pub fn module_files(dir: &Path, boundary: &Boundary) -> Result<Vec<PathBuf>, Refusal> {
    let files = boundary
        .list_dir(dir)?
        .into_iter()
        .filter(|path| is_config_file(path) && !std::fs::metadata(path).is_ok_and(|m| m.is_dir()))
        .collect();
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
