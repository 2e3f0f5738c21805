//! Terraform's `fileset(path, pattern)`, inside the filesystem boundary.
//!
//! The files under `path` whose path relative to it matches `pattern`, sorted. Pattern
//! syntax as Terraform documents it: `*` any run of characters except `/`, `**` any run of
//! folders, `?` one character except `/`, `{a,b}` alternatives, `[abc]` / `[^abc]` classes,
//! `\` escapes. Only regular files are listed (symlinks to them inside the boundary too);
//! nothing outside the scanned tree or inside `.git` is ever listed, and folders the
//! boundary hides (`exclude`, `.gitignore` over untracked files) are not entered.

use crate::fsbound::{Boundary, MAX_WALK_DEPTH, Refusal};
use globset::GlobBuilder;
use std::path::Path;

/// The most files one `fileset()` call may return.
pub const MAX_FILESET_MATCHES: usize = 10_000;

/// Why `fileset()` has no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilesetError {
    /// The folder is refused by the boundary (outside the tree, inside `.git`).
    Refused(Refusal),
    /// The pattern is not a valid glob: what is wrong.
    BadPattern(String),
    /// More than [`MAX_FILESET_MATCHES`] files match.
    TooMany,
}

/// The files under `base` matching `pattern`, as `/`-separated paths relative to `base`,
/// sorted. A folder that does not exist gives no files (as in Terraform).
pub fn fileset(
    boundary: &Boundary,
    base: &Path,
    pattern: &str,
) -> Result<Vec<String>, FilesetError> {
    let glob = GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|e| FilesetError::BadPattern(e.kind().to_string()))?
        .compile_matcher();
    let real = boundary.resolve(base).map_err(FilesetError::Refused)?;
    if !real.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![(base.to_path_buf(), String::new(), 0usize)];
    while let Some((dir, rel, depth)) = stack.pop() {
        if depth > MAX_WALK_DEPTH {
            continue;
        }
        // Refused folders (a symlink out of the tree, `.git`) are left out silently: their
        // names would say what is there.
        let Ok(real) = boundary.resolve(&dir) else {
            continue;
        };
        if !seen.insert(real) {
            continue;
        }
        let Ok(entries) = boundary.list_dir(&dir) else {
            continue;
        };
        for path in entries {
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let rel_path = if rel.is_empty() {
                name.to_string()
            } else {
                format!("{rel}/{name}")
            };
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if boundary.resolve(&path).is_err() || boundary.hides(base, &path, meta.is_dir()) {
                continue;
            }
            if meta.is_dir() {
                stack.push((path, rel_path, depth + 1));
            } else if meta.is_file() && glob.is_match(&rel_path) {
                if out.len() == MAX_FILESET_MATCHES {
                    return Err(FilesetError::TooMany);
                }
                out.push(rel_path);
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(name: &str, files: &[&str]) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("clumio-fileset-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for f in files {
            let p = dir.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        dir
    }

    #[test]
    fn patterns_as_terraform_documents_them() {
        let dir = tree(
            "patterns",
            &[
                "repo/.git/config",
                "repo/a.json",
                "repo/b.yaml",
                "repo/p/c.json",
                "repo/p/q/d.json",
            ],
        );
        let repo = dir.join("repo");
        let b = Boundary::new(std::slice::from_ref(&repo));
        let set = |p: &str| fileset(&b, &repo, p).unwrap();
        assert_eq!(set("*.json"), ["a.json"]);
        assert_eq!(set("**/*.json"), ["a.json", "p/c.json", "p/q/d.json"]);
        assert_eq!(set("p/*"), ["p/c.json"]);
        assert_eq!(set("?.{json,yaml}"), ["a.json", "b.yaml"]);
        assert_eq!(set("[^a].*"), ["b.yaml"]);
        assert!(set("**/config").is_empty(), "nothing in .git is listed");
        assert!(fileset(&b, &repo.join("missing"), "*").unwrap().is_empty());
        assert_eq!(
            fileset(&b, &dir, "*"),
            Err(FilesetError::Refused(Refusal::Outside))
        );
        assert_eq!(
            fileset(&b, &repo.join(".git"), "*"),
            Err(FilesetError::Refused(Refusal::GitDir))
        );
        assert!(matches!(
            fileset(&b, &repo, "[a"),
            Err(FilesetError::BadPattern(_))
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_number_of_matches_is_capped() {
        let dir = std::env::temp_dir().join(format!("clumio-fileset-cap-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..=MAX_FILESET_MATCHES {
            std::fs::write(dir.join(format!("f{i}")), "").unwrap();
        }
        let b = Boundary::new(std::slice::from_ref(&dir));
        assert_eq!(fileset(&b, &dir, "*"), Err(FilesetError::TooMany));
        assert_eq!(fileset(&b, &dir, "f1?").unwrap().len(), 10);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
