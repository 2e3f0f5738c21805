//! Modules that are not local: the manifest `terraform init` writes.
//!
//! `terraform init` downloads every registry, git or other remote module into
//! `.terraform/modules/` of the root module's directory and records where in
//! `.terraform/modules/modules.json`: one entry per module call, keyed by the path of call
//! names from the root (`s3`, `parent.child`), with the folder (`Dir`) relative to the root
//! module's directory. [`Manifest`] reads that file; [`super::hcl::Loader`] follows the
//! folders it names exactly like local sources, and a call it cannot follow keeps the reason
//! ([`super::hcl::ModuleCall::not_loaded`]) for rule CP904.

use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where `terraform init` writes the module manifest, relative to the root module.
pub const MANIFEST_PATH: &str = ".terraform/modules/modules.json";

/// The module manifest of one root module.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    /// The root module's directory (the manifest's `Dir`s are relative to it).
    pub root: PathBuf,
    /// Module folder by call key (`s3`, `parent.child`), as written.
    dirs: HashMap<String, String>,
}

#[derive(Deserialize)]
struct ManifestFile {
    #[serde(rename = "Modules", default)]
    modules: Vec<ManifestEntry>,
}

#[derive(Deserialize)]
struct ManifestEntry {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Dir")]
    dir: String,
}

impl Manifest {
    /// Parses the text of `root`'s `modules.json`; the message says what is wrong otherwise.
    pub fn parse(root: &Path, text: &str) -> Result<Manifest, String> {
        let file: ManifestFile = serde_json::from_str(text).map_err(|e| {
            format!("{MANIFEST_PATH} is not a Terraform module manifest (expected {{\"Modules\": [{{\"Key\", \"Dir\"}}]}}): {e}")
        })?;
        Ok(Manifest {
            root: root.to_path_buf(),
            dirs: file
                .modules
                .into_iter()
                .filter(|m| !m.key.is_empty())
                .map(|m| (m.key, m.dir))
                .collect(),
        })
    }

    /// The folder of the module call with key `key`, joined to the root's directory: `None`
    /// when there is no entry, `Some(Err(why))` when the entry names a folder outside the root
    /// module's directory (the checker reads nothing outside the scanned tree; `terraform
    /// init` puts remote modules under `.terraform/modules/`).
    pub fn dir(&self, key: &str) -> Option<Result<PathBuf, String>> {
        let dir = self.dirs.get(key)?;
        let relative = Path::new(dir);
        let inside = !relative.is_absolute() && !super::walk::normalize(relative).starts_with("..");
        Some(if inside {
            Ok(super::walk::normalize(&self.root.join(relative)))
        } else {
            Err(format!(
                "{MANIFEST_PATH} names {dir} for it, outside the root module's folder, which is not read"
            ))
        })
    }
}

/// A module call's key in the manifest: the call names from the root, dot-separated.
pub fn child_key(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_folders_under_the_root() {
        let text = r#"{"Modules":[{"Key":"","Source":"","Dir":"."},
            {"Key":"s3","Source":"registry.terraform.io/terraform-aws-modules/s3-bucket/aws","Version":"4.1.0","Dir":".terraform/modules/s3"},
            {"Key":"s3.child","Source":"./modules/x","Dir":".terraform/modules/s3/modules/x"}]}"#;
        let m = Manifest::parse(Path::new("infra"), text).unwrap();
        assert_eq!(
            m.dir("s3"),
            Some(Ok(PathBuf::from("infra/.terraform/modules/s3")))
        );
        assert_eq!(
            m.dir(&child_key("s3", "child")),
            Some(Ok(PathBuf::from("infra/.terraform/modules/s3/modules/x")))
        );
        assert_eq!(m.dir(""), None);
        assert_eq!(m.dir("other"), None);
    }

    #[test]
    fn folders_outside_the_root_are_not_followed() {
        let text = r#"{"Modules":[{"Key":"a","Dir":"../elsewhere"},{"Key":"b","Dir":"/etc"},
            {"Key":"c","Dir":".terraform/modules/../../../x"}]}"#;
        let m = Manifest::parse(Path::new("infra"), text).unwrap();
        for key in ["a", "b", "c"] {
            assert!(matches!(m.dir(key), Some(Err(_))), "{key}");
        }
    }

    #[test]
    fn a_file_that_is_not_a_manifest_is_an_error_saying_what_was_expected() {
        let err = Manifest::parse(Path::new("."), "[1]").unwrap_err();
        assert!(err.contains("expected {\"Modules\""), "{err}");
    }
}
