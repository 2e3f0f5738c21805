//! The filesystem boundary: every file and directory the tool reads goes through here.
//!
//! A [`Boundary`] is made from the paths named on the command line. Its *roots* are, for
//! each named path, the nearest ancestor directory holding a `.git` entry (the repository),
//! else the named directory itself (or a named file's directory). A read is allowed only
//! when the path, resolved with every symlink followed, is inside a root and not inside a
//! `.git` directory; anything else is refused with [`Refusal::Outside`] or
//! [`Refusal::GitDir`], whose messages say nothing about the file (not even whether it
//! exists). Only regular files are read (FIFOs, devices and sockets are refused without
//! blocking), each read has a size cap, text must be UTF-8, and carriage returns that end a
//! line on their own are turned into line feeds (same length, so offsets stay valid).
//!
//! Resolving a path follows every symlink in it. A directory the walk has resolved is
//! remembered, so that a name in it that is not a symlink (one `lstat`) resolves to the
//! directory's real path joined with the name, without a `readlink` per component; a
//! symlink is always resolved in full. The tree is assumed not to change during a run.
//!
//! Files named explicitly as options (`--var-file`, `--config`) that lie outside every root
//! are allowed one by one with [`Boundary::allow_named`]: whoever wrote the command line
//! chose them. A named path inside a root gets no such exception (a symlink committed in
//! the repository cannot point it elsewhere).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

/// The cap on a plan, template or plan text (named, walked or piped): large plans of a few
/// hundred megabytes still fit, under the 1 GiB memory bound for the rest of the run.
pub const MAX_INPUT_BYTES: u64 = 256 << 20;
/// Files at least this large are read into memory of their own ([`Boundary::with_text`]).
pub const OWN_MEMORY_BYTES: u64 = 8 << 20;
/// Files at least this large are first handed to a reader that need not hold them whole
/// ([`Boundary::with_text_or_file`]).
pub const STREAMED_BYTES: u64 = 1 << 20;
/// The cap on one Terraform file (`.tf`, `.tf.json`, `.tfvars`, and files read by `file()`
/// and `templatefile()`).
pub const MAX_TERRAFORM_BYTES: u64 = 64 << 20;
/// The cap on the configuration file.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;
/// How deep a directory walk goes.
pub const MAX_WALK_DEPTH: usize = 128;
/// The cap on one `.gitignore` file (a larger one is not applied: it hides nothing).
pub const MAX_GITIGNORE_BYTES: u64 = 1 << 20;
/// The cap on a git index (`.git/index`); a larger one is not read and ignore files then
/// hide nothing.
pub const MAX_GIT_INDEX_BYTES: u64 = 256 << 20;

/// Decides which paths a walk leaves out (the configuration's `exclude`, `.gitignore` over
/// untracked files). A hidden path is neither listed nor opened by a walk; a read asked for
/// by name (a module `source`, `file()`) is not affected.
pub trait Hide: Send + Sync {
    /// Whether the walk of `root` leaves out `path` (as walked, under `root`; `is_dir` when
    /// it is a folder). `root` itself was named, so it is never hidden, nor does a rule
    /// that ignores it or a folder above it hide what is under it.
    fn hides(&self, boundary: &Boundary, root: &Path, path: &Path, is_dir: bool) -> bool;
}

/// Why a path was not read. The messages never quote content, and for paths outside the
/// boundary they do not say whether the file exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The resolved path is outside every root.
    Outside,
    /// The resolved path is inside a `.git` directory.
    GitDir,
    /// Not a regular file: what it is instead ("a FIFO", "a directory", …).
    NotRegular(&'static str),
    /// Larger than the cap (in bytes).
    TooLarge(u64),
    /// Does not exist (inside the boundary).
    Missing,
    /// The operating system refused (inside the boundary): the error kind.
    Io(String),
    /// Not UTF-8: the text decoded lossily, and the byte offset of the first bad byte.
    NotUtf8 { lossy: String, offset: usize },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Outside => write!(f, "not read: outside the scanned tree"),
            Refusal::GitDir => write!(f, "not read: inside a .git directory"),
            Refusal::NotRegular(what) => write!(f, "not read: {what}, not a regular file"),
            Refusal::TooLarge(cap) => {
                write!(f, "not read: larger than the limit of {} MiB", cap >> 20)
            }
            Refusal::Missing => write!(f, "no such file or directory"),
            Refusal::Io(kind) => write!(f, "cannot read: {kind}"),
            Refusal::NotUtf8 { .. } => write!(f, "not UTF-8 text"),
        }
    }
}

/// Where reads are allowed, and what walks leave out.
#[derive(Clone, Default)]
pub struct Boundary {
    roots: Vec<PathBuf>,
    named: Vec<PathBuf>,
    hidden: Vec<Arc<dyn Hide>>,
    overlay: Option<Arc<Overlay>>,
    /// Directories walked so far, absolute (as [`lexical_absolute`] makes them) → resolved:
    /// a file or folder in one of them that is not a symlink resolves to the resolved
    /// directory joined with its name, with one `lstat` instead of a full resolution (a
    /// `readlink` per component of the path).
    walked_dirs: Arc<RwLock<HashMap<PathBuf, PathBuf>>>,
}

/// Texts that stand in for files on disk (by resolved path) in every read through the
/// boundary: `--fix` checks its edits on these before writing anything.
pub type Overlay = std::collections::HashMap<PathBuf, Vec<u8>>;

impl fmt::Debug for Boundary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Boundary")
            .field("roots", &self.roots)
            .field("named", &self.named)
            .field("hidden", &self.hidden.len())
            .finish()
    }
}

impl Boundary {
    /// The boundary of a scan of `paths` (files or directories, as named).
    pub fn new(paths: &[PathBuf]) -> Boundary {
        let mut boundary = Boundary::default();
        for path in paths {
            boundary.add_root_for(path);
        }
        boundary
    }

    /// Adds the root that contains `path` (its repository, else its directory).
    pub fn add_root_for(&mut self, path: &Path) {
        let location = location(path);
        let is_real_dir = std::fs::symlink_metadata(&location).is_ok_and(|m| m.is_dir());
        let dir = if is_real_dir {
            location
        } else {
            match location.parent() {
                Some(p) => p.to_path_buf(),
                None => location,
            }
        };
        let root = dir
            .ancestors()
            .find(|a| std::fs::symlink_metadata(a.join(".git")).is_ok())
            .map_or_else(|| dir.clone(), Path::to_path_buf);
        if !self.roots.iter().any(|r| root.starts_with(r)) {
            self.roots.retain(|r| !r.starts_with(&root));
            self.roots.push(root);
        }
    }

    /// Allows the one file `path` names, when its location is outside every root (a file
    /// the command line chose); inside a root, the usual rules apply.
    pub fn allow_named(&mut self, path: &Path) {
        let location = location(path);
        if self.roots.iter().any(|r| location.starts_with(r)) {
            return;
        }
        if let Ok(real) = std::fs::canonicalize(path) {
            self.named.push(real);
        }
    }

    /// Makes reads of the files in `overlay` (resolved paths) return its bytes instead of the
    /// disk's; the checks of the boundary (inside a root, not in `.git`) still apply.
    pub fn set_overlay(&mut self, overlay: Arc<Overlay>) {
        self.overlay = Some(overlay);
    }

    /// Makes walks leave out what `hide` hides (in addition to what was added before).
    pub fn hide(&mut self, hide: Arc<dyn Hide>) {
        self.hidden.push(hide);
    }

    /// Whether the walk of `root` leaves out `path` (see [`Hide`]).
    pub fn hides(&self, root: &Path, path: &Path, is_dir: bool) -> bool {
        self.hidden
            .iter()
            .any(|h| h.hides(self, root, path, is_dir))
    }

    /// The bytes of the git index of the repository whose work tree is `repo` — the tool's
    /// own read, the one exception to "nothing inside `.git`": only the exact file
    /// `repo/.git/index`, where `repo` is inside the boundary, `.git` is a real directory
    /// (not a symlink, not a `gitdir:` file pointing elsewhere) and the index is a regular
    /// file that is not a symlink, at most [`MAX_GIT_INDEX_BYTES`]. Its content never
    /// reaches the output.
    pub fn read_git_index(&self, repo: &Path) -> Result<Vec<u8>, Refusal> {
        let repo = self.resolve(repo)?;
        let git = repo.join(".git");
        let git_meta = std::fs::symlink_metadata(&git).map_err(io_refusal)?;
        if !git_meta.is_dir() {
            return Err(Refusal::NotRegular("not a .git directory"));
        }
        let index = git.join("index");
        let meta = std::fs::symlink_metadata(&index).map_err(io_refusal)?;
        if !meta.is_file() {
            return Err(Refusal::NotRegular(kind_of(&meta.file_type())));
        }
        let (file, len) = open_regular(&index, MAX_GIT_INDEX_BYTES)?;
        read_all(file, len, MAX_GIT_INDEX_BYTES)
    }

    /// The roots, resolved.
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// The root that contains the resolved `real` path, if any.
    pub fn root_of(&self, real: &Path) -> Option<&Path> {
        self.roots
            .iter()
            .filter(|r| real.starts_with(r))
            .max_by_key(|r| r.as_os_str().len())
            .map(PathBuf::as_path)
    }

    /// `path` with every symlink resolved, when reading it is allowed.
    pub fn resolve(&self, path: &Path) -> Result<PathBuf, Refusal> {
        let real = self.real_path(path);
        if self.named.contains(&real) {
            return Ok(real);
        }
        let Some(root) = self.root_of(&real) else {
            return Err(Refusal::Outside);
        };
        let inside_git = real
            .strip_prefix(root)
            .is_ok_and(|rest| rest.components().any(|c| c.as_os_str() == ".git"));
        if inside_git {
            return Err(Refusal::GitDir);
        }
        Ok(real)
    }

    /// The bytes of the regular file `path`, at most `cap` of them.
    pub fn read_bytes(&self, path: &Path, cap: u64) -> Result<Vec<u8>, Refusal> {
        let real = self.resolve(path)?;
        if let Some(bytes) = self.overlay.as_ref().and_then(|o| o.get(&real)) {
            if bytes.len() as u64 > cap {
                return Err(Refusal::TooLarge(cap));
            }
            return Ok(bytes.clone());
        }
        let (file, len) = open_regular(&real, cap)?;
        read_all(file, len, cap)
    }

    /// The UTF-8 text of the regular file `path`, at most `cap` bytes, with lone carriage
    /// returns turned into line feeds ([`normalize_line_endings`]).
    pub fn read_text(&self, path: &Path, cap: u64) -> Result<String, Refusal> {
        text_of(self.read_bytes(path, cap)?)
    }

    /// Reads the text of the regular file `path` as [`Boundary::read_text`] does and hands
    /// it to `read`. A file of [`OWN_MEMORY_BYTES`] or more is read into memory of its own
    /// (an anonymous mapping), given back to the system as soon as `read` returns, rather
    /// than into the heap, whose allocator keeps freed memory for a while: `read` keeps what
    /// it needs of a large plan and the rest is gone before the checks.
    pub fn with_text<R>(
        &self,
        path: &Path,
        cap: u64,
        read: impl FnOnce(std::borrow::Cow<'_, str>) -> R,
    ) -> Result<R, Refusal> {
        self.with_text_or_file(path, cap, |_, _| None, read)
    }

    /// [`Boundary::with_text`], but a file of [`STREAMED_BYTES`] or more (not one the
    /// overlay holds) is first handed, open and with its length, to `stream`, a reader that
    /// need not hold it whole; when that gives nothing, the text is read and handed to
    /// `read` as [`Boundary::with_text`] does.
    pub fn with_text_or_file<R>(
        &self,
        path: &Path,
        cap: u64,
        stream: impl FnOnce(&std::fs::File, u64) -> Option<R>,
        read: impl FnOnce(std::borrow::Cow<'_, str>) -> R,
    ) -> Result<R, Refusal> {
        let real = self.resolve(path)?;
        if self.overlay.as_ref().is_some_and(|o| o.contains_key(&real)) {
            return self.read_text(path, cap).map(|text| read(text.into()));
        }
        let (mut file, len) = open_regular(&real, cap)?;
        if len >= STREAMED_BYTES {
            if let Some(streamed) = stream(&file, len) {
                return Ok(streamed);
            }
            std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(0)).map_err(io_refusal)?;
        }
        if len < OWN_MEMORY_BYTES {
            return text_of(read_all(file, len, cap)?).map(|text| read(text.into()));
        }
        let mut memory = memmap2::MmapMut::map_anon(len as usize).map_err(io_refusal)?;
        let mut reader = file.take(len);
        let mut filled = 0;
        while filled < memory.len() {
            match reader.read(&mut memory[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_refusal(e)),
            }
        }
        let bytes = &mut memory[..filled];
        normalize_cr(bytes);
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(read(text.into())),
            Err(e) => Err(Refusal::NotUtf8 {
                lossy: String::from_utf8_lossy(bytes).into_owned(),
                offset: e.valid_up_to(),
            }),
        }
    }

    /// `path` with every symlink resolved (as `canonicalize` does, and for a path that does
    /// not exist, its longest existing prefix resolved and the rest joined); in a directory
    /// walked before, a name that is not a symlink is the resolved directory joined with the
    /// name.
    pub fn real_path(&self, path: &Path) -> PathBuf {
        let absolute = lexical_absolute(path);
        if let (Some(parent), Some(name)) = (absolute.parent(), absolute.file_name()) {
            let walked = self.walked_dirs.read().unwrap_or_else(|e| e.into_inner());
            if let Some(real_parent) = walked.get(parent) {
                let plain =
                    std::fs::symlink_metadata(&absolute).is_ok_and(|m| !m.file_type().is_symlink());
                if plain {
                    return real_parent.join(name);
                }
            }
        }
        real_path(&absolute)
    }

    /// Records that the directory `dir` resolved to `real` (see [`Boundary::real_path`]).
    fn remember_dir(&self, dir: &Path, real: &Path) {
        self.walked_dirs
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(lexical_absolute(dir), real.to_path_buf());
    }

    /// The entries directly in directory `dir` (paths as `dir.join(name)`), sorted.
    pub fn list_dir(&self, dir: &Path) -> Result<Vec<PathBuf>, Refusal> {
        Ok(self
            .list_dir_typed(dir)?
            .into_iter()
            .map(|(path, _)| path)
            .collect())
    }

    /// The entries of the directory `dir`, as [`Boundary::list_dir`] gives them, each with
    /// its type as the listing says (a symlink's own type, never its target's; `None` when
    /// it could not be read). Most file systems give the type with the name, so a walk need
    /// not look at each entry again.
    pub fn list_dir_typed(
        &self,
        dir: &Path,
    ) -> Result<Vec<(PathBuf, Option<std::fs::FileType>)>, Refusal> {
        let real = self.resolve(dir)?;
        let entries = std::fs::read_dir(&real).map_err(io_refusal)?;
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io_refusal)?;
            out.push((dir.join(entry.file_name()), entry.file_type().ok()));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }
}

/// One problem met while walking: the path (as the user sees it) and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkError {
    /// The path, under the walked directory.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

/// What a walk found: the relevant files (symlinks followed inside the boundary; reading
/// decides whether each is a regular file) and problems.
#[derive(Debug, Default)]
pub struct Walked {
    /// The relevant files, as `root/…` paths, each real file once.
    pub files: Vec<PathBuf>,
    /// Relevant files not taken: outside the boundary, in `.git`, names that are not UTF-8,
    /// dangling symlinks.
    pub errors: Vec<WalkError>,
    /// Directories not walked: outside the boundary, names that are not UTF-8, unreadable.
    pub dir_errors: Vec<WalkError>,
}

/// Walks directories inside a [`Boundary`], following symlinks that stay inside it. Each
/// real directory and file is visited once over all walks of one walker, so symlink loops
/// end and overlapping inputs (a folder and its subfolder, a folder named twice) yield
/// each file once. Directories whose name `skip` accepts (`.git`, `.terraform`, …) and
/// paths the boundary hides ([`Boundary::hides`]: `exclude`, `.gitignore` over untracked
/// files) are neither entered nor listed; `.ignore` files hide nothing.
pub struct Walker<'b> {
    boundary: &'b Boundary,
    skip: fn(&str) -> bool,
    relevant: fn(&Path) -> bool,
    seen_dirs: HashSet<PathBuf>,
    seen_files: HashSet<PathBuf>,
}

impl<'b> Walker<'b> {
    /// A walker inside `boundary` that does not enter directories named as `skip` accepts
    /// and takes (or reports) only files `relevant` accepts (by name).
    pub fn new(
        boundary: &'b Boundary,
        skip: fn(&str) -> bool,
        relevant: fn(&Path) -> bool,
    ) -> Self {
        Walker {
            boundary,
            skip,
            relevant,
            seen_dirs: HashSet::new(),
            seen_files: HashSet::new(),
        }
    }

    /// Whether the file `path` was not seen before (marks it seen).
    pub fn first_visit(&mut self, path: &Path) -> bool {
        self.seen_files.insert(self.boundary.real_path(path))
    }

    /// Walks `root` (a directory), depth first in name order.
    pub fn walk(&mut self, root: &Path) -> Walked {
        self.walk_with(root, &mut |_| {})
    }

    /// [`Walker::walk`], calling `on_file` with each file taken, as soon as it is taken (so
    /// that the caller can start reading it while the walk goes on).
    pub fn walk_with(&mut self, root: &Path, on_file: &mut dyn FnMut(&Path)) -> Walked {
        let mut out = Walked::default();
        let mut stack = vec![(root.to_path_buf(), 0usize)];
        while let Some((dir, depth)) = stack.pop() {
            let real = match self.boundary.resolve(&dir) {
                Ok(real) => real,
                Err(refusal) => {
                    out.dir_errors.push(WalkError {
                        path: dir,
                        message: refusal.to_string(),
                    });
                    continue;
                }
            };
            if !self.seen_dirs.insert(real.clone()) {
                continue;
            }
            self.boundary.remember_dir(&dir, &real);
            let real_dir = real;
            if depth > MAX_WALK_DEPTH {
                out.dir_errors.push(WalkError {
                    path: dir,
                    message: format!("not read: nested deeper than {MAX_WALK_DEPTH} folders"),
                });
                continue;
            }
            let entries = match self.boundary.list_dir_typed(&dir) {
                Ok(entries) => entries,
                Err(refusal) => {
                    out.dir_errors.push(WalkError {
                        path: dir,
                        message: refusal.to_string(),
                    });
                    continue;
                }
            };
            let mut subdirs = Vec::new();
            for (path, listed) in entries {
                let relevant = (self.relevant)(&path);
                // The listing's type, unless it is a symlink (followed here) or not given.
                let (is_dir, dangling) = match listed {
                    Some(kind) if !kind.is_symlink() => (kind.is_dir(), false),
                    _ => {
                        let Ok(link) = std::fs::symlink_metadata(&path) else {
                            continue;
                        };
                        let target = if link.file_type().is_symlink() {
                            std::fs::metadata(&path).ok()
                        } else {
                            Some(link)
                        };
                        (
                            target.as_ref().is_some_and(|m| m.is_dir()),
                            target.is_none(),
                        )
                    }
                };
                let name = path.file_name().unwrap_or_default();
                let Some(name) = name.to_str() else {
                    if is_dir {
                        out.dir_errors.push(WalkError {
                            path,
                            message: "not read: the folder name is not UTF-8".into(),
                        });
                    } else if relevant {
                        out.errors.push(WalkError {
                            path,
                            message: "not read: the file name is not UTF-8".into(),
                        });
                    }
                    continue;
                };
                if is_dir {
                    if !(self.skip)(name) && !self.boundary.hides(root, &path, true) {
                        subdirs.push(path);
                    }
                    continue;
                }
                if !relevant || self.boundary.hides(root, &path, false) {
                    continue;
                }
                if dangling {
                    out.errors.push(WalkError {
                        path,
                        message: "cannot read: a symlink that leads nowhere (dangling or a loop)"
                            .into(),
                    });
                    continue;
                }
                // A plain file of a folder resolved inside the boundary is inside it too, at
                // the folder's real path (no `lstat` needed); reading resolves it again.
                let resolved = match listed {
                    Some(kind) if !kind.is_symlink() => Ok(real_dir.join(name)),
                    _ => self.boundary.resolve(&path),
                };
                match resolved {
                    Ok(real) => {
                        if self.seen_files.insert(real) {
                            on_file(&path);
                            out.files.push(path);
                        }
                    }
                    Err(refusal) => out.errors.push(WalkError {
                        path,
                        message: refusal.to_string(),
                    }),
                }
            }
            // Reversed onto the stack, so that directories are walked in name order.
            for sub in subdirs.into_iter().rev() {
                stack.push((sub, depth + 1));
            }
        }
        out
    }
}

/// `path` as reports show it: without a leading `./`.
pub fn display(path: &Path) -> String {
    let shown = path.display().to_string();
    match shown.strip_prefix("./") {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => shown,
    }
}

/// Turns each carriage return not followed by a line feed into a line feed (old Mac line
/// endings), in place: the length and every byte offset stay the same, and `\r\n` is kept
/// (every parser reads it).
pub fn normalize_line_endings(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut bytes = text.into_bytes();
    normalize_cr(&mut bytes);
    // Replacing one ASCII byte by another keeps UTF-8 valid.
    String::from_utf8(bytes).unwrap_or_default()
}

/// The regular file at the resolved path `real`, opened without blocking, and its length
/// (at most `cap`).
fn open_regular(real: &Path, cap: u64) -> Result<(std::fs::File, u64), Refusal> {
    let file = open_nonblocking(real).map_err(io_refusal)?;
    let meta = file.metadata().map_err(io_refusal)?;
    if !meta.is_file() {
        return Err(Refusal::NotRegular(kind_of(&meta.file_type())));
    }
    if meta.len() > cap {
        return Err(Refusal::TooLarge(cap));
    }
    Ok((file, meta.len()))
}

/// The bytes of `file` (`len` long when opened), at most `cap` of them.
fn read_all(file: std::fs::File, len: u64, cap: u64) -> Result<Vec<u8>, Refusal> {
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(io_refusal)?;
    if bytes.len() as u64 > cap {
        return Err(Refusal::TooLarge(cap));
    }
    Ok(bytes)
}

/// `bytes` as text, lone carriage returns turned into line feeds.
fn text_of(mut bytes: Vec<u8>) -> Result<String, Refusal> {
    normalize_cr(&mut bytes);
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        Refusal::NotUtf8 {
            lossy: String::from_utf8_lossy(e.as_bytes()).into_owned(),
            offset,
        }
    })
}

fn normalize_cr(bytes: &mut [u8]) {
    // `contains` on bytes is a memchr: a file without carriage returns costs one fast pass.
    if !bytes.contains(&b'\r') {
        return;
    }
    for i in 0..bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            bytes[i] = b'\n';
        }
    }
}

/// 1-based line and character column of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[start..offset].chars().count() + 1)
}

/// Where `path` is: its directory resolved, joined with its own name (not followed).
fn location(path: &Path) -> PathBuf {
    let absolute = lexical_absolute(path);
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => real_path(parent).join(name),
        _ => real_path(&absolute),
    }
}

/// `path` with every symlink resolved; for a path that does not exist, its deepest
/// existing ancestor resolved and the rest appended lexically.
fn real_path(path: &Path) -> PathBuf {
    let absolute = lexical_absolute(path);
    if let Ok(real) = std::fs::canonicalize(&absolute) {
        return real;
    }
    let mut rest = Vec::new();
    let mut current = absolute.as_path();
    loop {
        if let Ok(real) = std::fs::canonicalize(current) {
            let mut out = real;
            for name in rest.iter().rev() {
                out.push(name);
            }
            return out;
        }
        match (current.parent(), current.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                current = parent;
            }
            _ => return absolute,
        }
    }
}

/// The working directory joined with `path`, `.` and `..` resolved lexically.
pub(crate) fn lexical_absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        working_dir().join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The working directory, asked once: the tool never changes it, and a walk would
/// otherwise ask for it for every path.
fn working_dir() -> &'static Path {
    static CWD: OnceLock<PathBuf> = OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().unwrap_or_default())
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // Non-blocking, so that opening a FIFO does not wait for a writer; the file is then
    // checked with fstat before a byte is read.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

fn io_refusal(err: std::io::Error) -> Refusal {
    match err.kind() {
        std::io::ErrorKind::NotFound => Refusal::Missing,
        std::io::ErrorKind::PermissionDenied => Refusal::Io("permission denied".into()),
        std::io::ErrorKind::IsADirectory => Refusal::NotRegular("a directory"),
        kind => Refusal::Io(kind.to_string()),
    }
}

fn kind_of(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch folder of one test, removed when dropped (also when the test fails).
    struct Scratch(PathBuf);

    impl std::ops::Deref for Scratch {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn scratch(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("clumio-fsbound-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    #[test]
    fn lone_carriage_returns_become_line_feeds() {
        assert_eq!(normalize_line_endings("a\rb\r\nc\r".into()), "a\nb\r\nc\n");
        assert_eq!(normalize_line_endings("é\r".into()), "é\n");
    }

    #[test]
    fn reads_inside_and_refuses_outside_and_git() {
        let dir = scratch("inside");
        std::fs::create_dir_all(dir.join("repo/.git")).unwrap();
        std::fs::create_dir_all(dir.join("repo/infra")).unwrap();
        std::fs::write(dir.join("repo/.git/config"), "token").unwrap();
        std::fs::write(dir.join("repo/other.txt"), "ok").unwrap();
        std::fs::write(dir.join("secret"), "s").unwrap();
        let b = Boundary::new(&[dir.join("repo/infra")]);
        assert_eq!(b.read_text(&dir.join("repo/other.txt"), 10).unwrap(), "ok");
        assert_eq!(
            b.read_text(&dir.join("repo/infra/../../secret"), 10),
            Err(Refusal::Outside)
        );
        assert_eq!(
            b.read_text(&dir.join("repo/.git/config"), 10),
            Err(Refusal::GitDir)
        );
        assert_eq!(
            b.read_text(&dir.join("repo/other.txt"), 1),
            Err(Refusal::TooLarge(1))
        );
        assert_eq!(
            b.read_text(&dir.join("repo/missing"), 1),
            Err(Refusal::Missing)
        );
        assert_eq!(
            b.read_text(&dir.join("nothing-here"), 1),
            Err(Refusal::Outside)
        );
    }

    #[test]
    fn files_from_streamed_bytes_on_go_to_the_streaming_reader_first() {
        let dir = scratch("streamed");
        let b = Boundary::new(&[dir.to_path_buf()]);
        let path = dir.join("p.json");
        for size in [STREAMED_BYTES - 1, STREAMED_BYTES, OWN_MEMORY_BYTES + 1] {
            let text = "x".repeat(size as usize);
            std::fs::write(&path, &text).unwrap();
            // A stream that reads a little and gives up: the text is then read whole.
            let offered = std::cell::Cell::new(false);
            let read = b.with_text_or_file(
                &path,
                MAX_INPUT_BYTES,
                |mut file, len| {
                    offered.set(true);
                    let mut start = [0u8; 7];
                    std::io::Read::read_exact(&mut file, &mut start).ok()?;
                    assert_eq!(len, size);
                    None
                },
                |t| t.len(),
            );
            assert_eq!(read, Ok(size as usize), "{size} bytes");
            assert_eq!(offered.get(), size >= STREAMED_BYTES, "{size} bytes");
            // A stream that answers is the answer.
            let streamed = b.with_text_or_file(&path, MAX_INPUT_BYTES, |_, _| Some(0), |t| t.len());
            assert_eq!(
                streamed,
                Ok(usize::from(size < STREAMED_BYTES) * size as usize)
            );
        }
    }

    #[test]
    fn a_large_file_reads_in_its_own_memory_as_a_small_one_reads_in_the_heap() {
        let dir = scratch("own-memory");
        let b = Boundary::new(&[dir.to_path_buf()]);
        let large = OWN_MEMORY_BYTES as usize + 3;
        let with = |name: &str| b.with_text(&dir.join(name), MAX_INPUT_BYTES, |t| t.into_owned());
        for size in [10, large] {
            let mut bytes = "é\r\n{}\r".repeat(size / 8).into_bytes();
            bytes.truncate(size);
            std::fs::write(dir.join("t.json"), &bytes).unwrap();
            let read = b.read_text(&dir.join("t.json"), MAX_INPUT_BYTES);
            assert_eq!(with("t.json"), read, "{size} bytes");
            assert!(with("t.json").unwrap().contains("{}\n"), "{size} bytes");
            // Not UTF-8: the same refusal, at the same byte.
            let mut bad = bytes.clone();
            bad[size / 2] = 0xff;
            std::fs::write(dir.join("bad.json"), &bad).unwrap();
            let refused = b.read_text(&dir.join("bad.json"), MAX_INPUT_BYTES);
            assert!(matches!(refused, Err(Refusal::NotUtf8 { .. })));
            assert_eq!(with("bad.json"), refused, "{size} bytes");
            // Over the cap, and outside the tree: refused as read_text refuses.
            let capped = b.with_text(&dir.join("t.json"), 4, |t| t.into_owned());
            assert_eq!(capped, Err(Refusal::TooLarge(4)));
        }
        assert_eq!(
            b.with_text(&dir.join("../elsewhere.json"), 10, |t| t.into_owned()),
            Err(Refusal::Outside)
        );
    }

    #[test]
    fn without_a_repository_the_named_folder_is_the_root() {
        let dir = scratch("norepo");
        std::fs::create_dir_all(dir.join("a")).unwrap();
        std::fs::write(dir.join("b.txt"), "x").unwrap();
        let b = Boundary::new(&[dir.join("a")]);
        assert_eq!(b.read_text(&dir.join("b.txt"), 10), Err(Refusal::Outside));
        let mut b = b;
        b.allow_named(&dir.join("b.txt"));
        assert_eq!(b.read_text(&dir.join("b.txt"), 10).unwrap(), "x");
    }

    #[test]
    fn paths_in_walked_folders_resolve_as_a_full_resolution_does() {
        let dir = scratch("walked");
        let repo = dir.join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("a/b")).unwrap();
        std::fs::create_dir_all(dir.join("outside")).unwrap();
        std::fs::write(repo.join("a/b/main.tf"), "x").unwrap();
        std::fs::write(dir.join("outside/secret.tf"), "s").unwrap();
        std::os::unix::fs::symlink("../../../outside/secret.tf", repo.join("a/b/out.tf")).unwrap();
        std::os::unix::fs::symlink("../../../outside", repo.join("a/b/out")).unwrap();
        std::os::unix::fs::symlink("main.tf", repo.join("a/b/alias.tf")).unwrap();
        std::os::unix::fs::symlink("b", repo.join("a/c")).unwrap();
        let b = Boundary::new(std::slice::from_ref(&repo));
        let walked = Walker::new(&b, |_| false, |_| true).walk(&repo);
        assert!(
            b.walked_dirs.read().unwrap().len() >= 3,
            "the folders are remembered"
        );
        // Plain files: the folder's real path and the name; symlinks: followed, and refused
        // when they lead out of the tree (through a file or a folder).
        let real_main = std::fs::canonicalize(repo.join("a/b/main.tf")).unwrap();
        assert_eq!(b.resolve(&repo.join("a/b/main.tf")), Ok(real_main.clone()));
        assert_eq!(b.resolve(&repo.join("a/b/alias.tf")), Ok(real_main.clone()));
        assert_eq!(b.resolve(&repo.join("a/c/main.tf")), Ok(real_main));
        assert_eq!(b.resolve(&repo.join("a/b/out.tf")), Err(Refusal::Outside));
        assert_eq!(
            b.resolve(&repo.join("a/b/out/secret.tf")),
            Err(Refusal::Outside)
        );
        assert_eq!(
            b.read_text(&repo.join("a/b/out.tf"), 10),
            Err(Refusal::Outside)
        );
        assert_eq!(
            b.resolve(&repo.join("a/b/../../../outside/secret.tf")),
            Err(Refusal::Outside)
        );
        // The walk itself took the real file once and refused the one outside.
        assert_eq!(walked.files, vec![repo.join("a/b/alias.tf")]);
        assert!(
            walked
                .errors
                .iter()
                .any(|e| e.path == repo.join("a/b/out.tf"))
        );
    }

    #[test]
    fn line_and_column() {
        assert_eq!(line_col("a\nbé c", 5), (2, 3));
    }
}
