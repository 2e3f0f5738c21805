//! Writing fixed files: only inside the scanned tree (the filesystem boundary's roots, never
//! a file named from outside them, never in `.git`), only when the file on disk still holds
//! the text that was checked, and atomically (a temporary file in the same folder, renamed
//! over the original, so a reader sees the old text or the new one, never a mix).

use crate::fsbound::Boundary;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The real path of `shown` (a path as the reports show it) when the fixer may write it.
pub fn writable(boundary: &Boundary, shown: &str) -> Result<PathBuf, String> {
    if shown == "<stdin>" {
        return Err("it was read from standard input".into());
    }
    let real = boundary
        .resolve(Path::new(shown))
        .map_err(|e| format!("{shown} is not in the scanned tree ({e})"))?;
    if boundary.root_of(&real).is_none() {
        return Err(format!("{shown} is outside the scanned tree"));
    }
    let meta = std::fs::symlink_metadata(&real).map_err(|e| format!("{shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{shown} is not a regular file"));
    }
    Ok(real)
}

/// Replaces the file at `real` by `new`, provided it still holds `old` (read again through
/// the boundary: a regular file, never a FIFO or a link out of the tree): writes a temporary
/// file next to it (same permissions), flushes it to disk, then renames it over the file.
pub fn replace(boundary: &Boundary, real: &Path, old: &[u8], new: &[u8]) -> Result<(), String> {
    let shown = crate::fsbound::display(real);
    let now = boundary
        .read_bytes(real, crate::fsbound::MAX_INPUT_BYTES)
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    if now != old {
        return Err(format!(
            "{shown} changed on disk during the run; not written"
        ));
    }
    let dir = real
        .parent()
        .ok_or_else(|| format!("{shown} has no folder"))?;
    let name = real
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(
        ".{name}.clumio-preflight-fix.{}",
        std::process::id()
    ));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(new)?;
        file.set_permissions(std::fs::metadata(real)?.permissions())?;
        file.sync_all()?;
        std::fs::rename(&temp, real)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(format!("cannot write {shown}: {e}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_only_when_it_still_holds_the_checked_text() {
        let dir = std::env::temp_dir().join(format!("cp-fix-write-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("main.tf");
        std::fs::write(&path, "old").unwrap();
        let boundary = Boundary::new(std::slice::from_ref(&dir));
        assert!(
            replace(&boundary, &path, b"other", b"new")
                .unwrap_err()
                .contains("changed on disk")
        );
        replace(&boundary, &path, b"old", b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let leftovers = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
