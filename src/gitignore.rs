//! `.gitignore` rules, applied only to files git does not track.
//!
//! A walk leaves out a path when the `.gitignore` files of its repository ignore it (with
//! git's semantics: deeper files override shallower ones, `!` re-includes, a path under an
//! ignored folder stays ignored) *and* git does not track it: a committed ignore file can
//! hide untracked build output (`node_modules/`, `dist/`) but never a file in the commit.
//! What is tracked is read from the repository's index (`.git/index`, through
//! [`Boundary::read_git_index`]); git itself is never run (its configuration can run
//! commands). When no index can be read (a worktree or submodule whose `.git` is a file, a
//! split index, an index that does not decode), ignore files hide nothing and a note says
//! so. `.ignore`, `.rgignore`, `.git/info/exclude` and the user's global excludes are never
//! applied.

use crate::fsbound::{Boundary, Hide, MAX_GITIGNORE_BYTES, lexical_absolute};
use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The paths a repository's index tracks, relative to its work tree, `/`-separated.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tracked {
    /// Tracked files (and submodules), sorted.
    files: Vec<Vec<u8>>,
    /// Folders a sparse index records as a whole (everything under them is tracked).
    sparse_dirs: Vec<Vec<u8>>,
}

impl Tracked {
    /// The tracked paths of the index `bytes`, or why they cannot be known.
    pub fn from_index(bytes: &[u8]) -> Result<Tracked, String> {
        let mut last = String::new();
        for kind in [gix_index::hash::Kind::Sha1, gix_index::hash::Kind::Sha256] {
            let options = gix_index::decode::Options {
                thread_limit: Some(1),
                alloc_limit_bytes: Some(1 << 30),
                ..Default::default()
            };
            match gix_index::State::from_bytes(bytes, filetime::FileTime::zero(), kind, options) {
                Ok((state, _)) => {
                    if state.link().is_some() {
                        return Err("it is a split index, which is not read".into());
                    }
                    let mut tracked = Tracked::default();
                    for entry in state.entries() {
                        let path = entry.path(&state).to_vec();
                        if entry.mode.is_sparse() {
                            let mut dir = path;
                            if !dir.ends_with(b"/") {
                                dir.push(b'/');
                            }
                            tracked.sparse_dirs.push(dir);
                        } else {
                            tracked.files.push(path);
                        }
                    }
                    tracked.files.sort();
                    tracked.files.dedup();
                    return Ok(tracked);
                }
                Err(e) => last = e.to_string(),
            }
        }
        Err(format!("it does not decode ({last})"))
    }

    /// Whether the file or folder `rel` (relative, `/`-separated) is tracked, or holds a
    /// tracked file.
    pub fn covers(&self, rel: &[u8], is_dir: bool) -> bool {
        if self.sparse_dirs.iter().any(|d| {
            rel.starts_with(d) || (is_dir && d.starts_with(rel) && d.get(rel.len()) == Some(&b'/'))
        }) {
            return true;
        }
        if !is_dir {
            return self
                .files
                .binary_search_by(|f| f.as_slice().cmp(rel))
                .is_ok();
        }
        let mut prefix = rel.to_vec();
        prefix.push(b'/');
        let at = self
            .files
            .partition_point(|f| f.as_slice() < prefix.as_slice());
        self.files.get(at).is_some_and(|f| f.starts_with(&prefix))
            || self
                .files
                .binary_search_by(|f| f.as_slice().cmp(rel))
                .is_ok()
    }
}

/// One repository: its index (when readable) and, for each folder seen so far, the
/// `.gitignore` files that have a say in it.
struct Repo {
    tracked: Result<Tracked, String>,
    ignores: HashMap<PathBuf, IgnoreChain>,
}

/// The `.gitignore` files that have a say in a folder: its own and those of the folders
/// above it in the repository, nearest first (each file read once, shared by the folders
/// below it).
type IgnoreChain = Arc<[Arc<Gitignore>]>;

/// The [`Hide`] that applies `.gitignore` files to untracked paths. Keeps, for the report,
/// how many paths it hid and which repositories' indexes could not be read.
#[derive(Default)]
pub struct GitIgnore {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The working directory, to show hidden paths relative to it.
    cwd: PathBuf,
    /// Work tree of the repository holding each folder seen (`None`: in no repository).
    repo_of: HashMap<PathBuf, Option<PathBuf>>,
    repos: HashMap<PathBuf, Repo>,
    hidden: BTreeSet<PathBuf>,
    not_applied: Vec<(PathBuf, String)>,
}

impl GitIgnore {
    /// A filter that has read nothing yet (indexes and ignore files are read when a walk
    /// first reaches their repository and folder).
    pub fn new() -> GitIgnore {
        let state = State {
            cwd: std::env::current_dir().unwrap_or_default(),
            ..State::default()
        };
        GitIgnore {
            state: Mutex::new(state),
        }
    }

    /// Notes for the report: how many untracked paths `.gitignore` hid (with the first),
    /// and each repository whose ignore files were not applied because its index could not
    /// be read.
    pub fn notes(&self) -> Vec<String> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let mut notes = Vec::new();
        if let Some(first) = state.hidden.first() {
            let n = state.hidden.len();
            notes.push(format!(
                "{n} untracked path{} that .gitignore ignores {} not walked (the first: {}); \
                 files git tracks are always checked",
                if n == 1 { "" } else { "s" },
                if n == 1 { "was" } else { "were" },
                crate::fsbound::display(first.strip_prefix(&state.cwd).unwrap_or(first))
            ));
        }
        for (repo, why) in &state.not_applied {
            notes.push(format!(
                ".gitignore not applied in {}: the git index could not be read ({why}), so \
                 ignored files are checked too",
                crate::fsbound::display(repo)
            ));
        }
        notes
    }
}

impl Hide for GitIgnore {
    fn hides(&self, boundary: &Boundary, root: &Path, path: &Path, is_dir: bool) -> bool {
        let abs = lexical_absolute(path);
        let root = lexical_absolute(root);
        let Some(parent) = abs.parent() else {
            return false;
        };
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let Some(repo) = state.repo_for(parent) else {
            return false;
        };
        let Ok(rel) = abs.strip_prefix(&repo) else {
            return false;
        };
        if rel.as_os_str().is_empty() {
            return false;
        }
        // Rules are checked for the path and its folders up to the named root only.
        let stop = if root.starts_with(&repo) && abs.starts_with(&root) {
            root
        } else {
            repo.clone()
        };
        let ignored = state.ignored(boundary, &repo, &stop, &abs, is_dir);
        if !ignored {
            return false;
        }
        let rel_bytes = rel.to_string_lossy().replace('\\', "/").into_bytes();
        let entry = state.repos.get_mut(&repo).expect("loaded by ignored()");
        match &entry.tracked {
            Ok(tracked) if tracked.covers(&rel_bytes, is_dir) => false,
            Ok(_) => {
                state.hidden.insert(abs.clone());
                true
            }
            Err(why) => {
                let why = why.clone();
                if !state.not_applied.iter().any(|(r, _)| *r == repo) {
                    state.not_applied.push((repo, why));
                }
                false
            }
        }
    }
}

impl State {
    /// The work tree of the repository that holds folder `dir` (the nearest ancestor with a
    /// `.git` entry).
    fn repo_for(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(known) = self.repo_of.get(dir) {
            return known.clone();
        }
        let found = if std::fs::symlink_metadata(dir.join(".git")).is_ok() {
            Some(dir.to_path_buf())
        } else {
            dir.parent().and_then(|p| self.repo_for(p))
        };
        self.repo_of.insert(dir.to_path_buf(), found.clone());
        found
    }

    /// Whether the `.gitignore` files of `repo` ignore `abs` or a folder above it below
    /// `stop` (the walk's root, or the repository).
    fn ignored(
        &mut self,
        boundary: &Boundary,
        repo: &Path,
        stop: &Path,
        abs: &Path,
        is_dir: bool,
    ) -> bool {
        let entry = self
            .repos
            .entry(repo.to_path_buf())
            .or_insert_with(|| Repo {
                tracked: boundary
                    .read_git_index(repo)
                    .map_err(|r| r.to_string())
                    .and_then(|bytes| Tracked::from_index(&bytes)),
                ignores: HashMap::new(),
            });
        // Git does not descend into an ignored folder, so nothing under it is re-included.
        let mut current = abs.to_path_buf();
        let mut current_is_dir = is_dir;
        while current != stop && current != repo {
            if matches_here(entry, boundary, repo, &current, current_is_dir) {
                return true;
            }
            if !current.pop() {
                break;
            }
            current_is_dir = true;
        }
        false
    }
}

/// Whether the nearest `.gitignore` with a say about `path` ignores it.
fn matches_here(
    entry: &mut Repo,
    boundary: &Boundary,
    repo: &Path,
    path: &Path,
    is_dir: bool,
) -> bool {
    let Some(dir) = path.parent() else {
        return false;
    };
    for ignore in ignore_chain(entry, boundary, repo, dir).iter() {
        match ignore.matched(path, is_dir) {
            Match::Ignore(_) => return true,
            Match::Whitelist(_) => return false,
            Match::None => {}
        }
    }
    false
}

/// The `.gitignore` files that have a say in folder `dir` of `repo` ([`IgnoreChain`]),
/// read the first time a folder asks.
fn ignore_chain(entry: &mut Repo, boundary: &Boundary, repo: &Path, dir: &Path) -> IgnoreChain {
    if let Some(chain) = entry.ignores.get(dir) {
        return chain.clone();
    }
    let mut chain: Vec<Arc<Gitignore>> = Vec::new();
    if dir.starts_with(repo) {
        chain.extend(load(boundary, dir).map(Arc::new));
        if let Some(parent) = dir.parent() {
            chain.extend(ignore_chain(entry, boundary, repo, parent).iter().cloned());
        }
    }
    let chain: IgnoreChain = chain.into();
    entry.ignores.insert(dir.to_path_buf(), chain.clone());
    chain
}

/// The `.gitignore` of folder `dir`, when it exists and can be read.
fn load(boundary: &Boundary, dir: &Path) -> Option<Gitignore> {
    let path = dir.join(".gitignore");
    std::fs::symlink_metadata(&path).ok()?;
    let text = boundary.read_text(&path, MAX_GITIGNORE_BYTES).ok()?;
    let mut builder = GitignoreBuilder::new(dir);
    for line in text.lines() {
        // A pattern git cannot use either is skipped, as git skips it.
        let _ = builder.add_line(Some(path.clone()), line);
    }
    builder.build().ok().filter(|g| !g.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracked(files: &[&str], sparse: &[&str]) -> Tracked {
        Tracked {
            files: files.iter().map(|f| f.as_bytes().to_vec()).collect(),
            sparse_dirs: sparse.iter().map(|d| d.as_bytes().to_vec()).collect(),
        }
    }

    #[test]
    fn tracked_files_and_folders_holding_them() {
        let t = tracked(&["build/main.tf", "buildx", "z.tf"], &["sparse/dir/"]);
        assert!(t.covers(b"build/main.tf", false));
        assert!(t.covers(b"build", true));
        assert!(!t.covers(b"build/other.tf", false));
        assert!(!t.covers(b"buil", true));
        assert!(!t.covers(b"node_modules", true));
        assert!(t.covers(b"sparse/dir/a/b.tf", false));
        assert!(t.covers(b"sparse", true));
        assert!(!t.covers(b"sparse2", true));
    }

    #[test]
    fn an_index_that_does_not_decode_is_an_error() {
        assert!(Tracked::from_index(b"DIRC\0\0\0\x02").is_err());
        assert!(Tracked::from_index(b"").is_err());
    }
}
