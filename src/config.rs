//! The configuration file, `.clumio-preflight.toml`: who Clumio is, the fail level, the
//! severity of each rule (or `off`), and paths to skip.
//!
//! It is found by walking up from the first scanned path (or the working directory) to the
//! repository root (the nearest folder with `.git`, else the scanned folder) and no further,
//! or named with `--config FILE`; `--no-config` reads none. Flags and environment variables override it. Unknown keys, unknown
//! rules and bad values are errors with the line and column, so a typo never passes silently.
//!
//! ```toml
//! account_id = "111122223333"
//! role_arn = "arn:aws:iam::111122223333:role/clumio/ClumioIAMRole-uw-2-abc123"
//! fail_on = "warning"
//! exclude = ["legacy/**", "*.generated.tf"]
//!
//! [rules]
//! CP302 = "error"
//! CP304 = "off"
//! ```

pub use crate::fsbound::MAX_CONFIG_BYTES;
use crate::fsbound::{Boundary, Refusal};
use crate::identity::Field;
use crate::profile::ProfileOptions;
use crate::report::{FailOn, Report, escape};
use crate::rules::{self, RuleInfo, Severity};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The name of the configuration file looked for.
pub const FILE_NAME: &str = ".clumio-preflight.toml";
/// At most this many `exclude` patterns (compiled globs cost memory).
pub const MAX_EXCLUDE_PATTERNS: usize = 256;
/// At most this many bytes in one `exclude` pattern.
pub const MAX_EXCLUDE_PATTERN_BYTES: usize = 256;

/// What a rule is set to in `[rules]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    /// Report it as an error.
    Error,
    /// Report it as a warning.
    Warning,
    /// Report it as a note.
    Note,
    /// Do not report it.
    Off,
}

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    account_id: Option<Spanned<String>>,
    role_arn: Option<Spanned<String>>,
    role_name: Option<Spanned<String>>,
    role_path: Option<Spanned<String>>,
    org_id: Option<Spanned<String>>,
    permissions_boundary: Option<bool>,
    region: Option<Spanned<String>>,
    fail_on: Option<FailOn>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, RuleLevel>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
}

/// A configuration, read from a file or empty.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it was read from.
    pub path: Option<PathBuf>,
    /// `account_id`, `role_arn`, `role_name`, `role_path`, `org_id`, `permissions_boundary`,
    /// `region`: who the Clumio role is.
    pub profile: ProfileOptions,
    /// `fail_on`.
    pub fail_on: Option<FailOn>,
    /// `[rules]`, by rule.
    pub rules: Vec<(&'static RuleInfo, RuleLevel)>,
    /// `exclude`, relative to the file's directory.
    pub exclude: Exclude,
}

/// A configuration file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line and character column, when the problem has a place.
    pub at: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some((line, column)) => write!(
                f,
                "{}:{line}:{column}: error: {}",
                escape::field(&self.path.to_string_lossy()),
                escape::field(&self.message)
            ),
            None => write!(
                f,
                "{}: error: {}",
                escape::field(&self.path.to_string_lossy()),
                escape::field(&self.message)
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

/// 1-based line and character column of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..offset].chars().count() + 1)
}

impl Config {
    /// The nearest `.clumio-preflight.toml` in `start` (a directory, or a file's directory) or
    /// one of its ancestors, up to the root of `boundary` that holds `start` (its repository,
    /// else the scanned folder): never above it, so a file in `/tmp` or `$HOME` does not apply.
    pub fn find(start: &Path, boundary: &Boundary) -> Option<PathBuf> {
        let start = absolute(start);
        let dir = if start.is_dir() {
            start
        } else {
            start.parent()?.to_path_buf()
        };
        let real = std::fs::canonicalize(&dir).ok()?;
        let root = boundary.root_of(&real)?.to_path_buf();
        let found = real
            .ancestors()
            .take_while(|d| d.starts_with(&root))
            .map(|d| d.join(FILE_NAME))
            .find(|candidate| std::fs::symlink_metadata(candidate).is_ok())?;
        Some(PathBuf::from(crate::report::display_path(
            &found.to_string_lossy(),
        )))
    }

    /// Reads and checks the file at `path`, inside `boundary` (at most
    /// [`MAX_CONFIG_BYTES`] bytes).
    pub fn load(path: &Path, boundary: &Boundary) -> Result<Config, ConfigError> {
        let error = |at: Option<(usize, usize)>, message: String| ConfigError {
            path: path.to_path_buf(),
            at,
            message,
        };
        let text = match boundary.read_text(path, MAX_CONFIG_BYTES) {
            Ok(text) => text,
            Err(Refusal::NotUtf8 { lossy, offset }) => {
                return Err(error(
                    Some(line_col(&lossy, offset)),
                    "the configuration file is not UTF-8 text".into(),
                ));
            }
            Err(refusal) => {
                return Err(error(
                    None,
                    format!("cannot read the configuration file: {refusal}"),
                ));
            }
        };
        Config::parse(&text, path)
    }

    /// What this configuration turns off or lowers, one phrase each: rules set to `off` or
    /// to a lower severity than their default, `fail_on = "never"`, and `exclude` patterns.
    pub fn turned_off(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (rule, level) in &self.rules {
            let lowered = match level {
                RuleLevel::Off => Some("off".to_string()),
                RuleLevel::Warning if rule.severity > Severity::Warning => {
                    Some("lowered to warning".to_string())
                }
                RuleLevel::Note if rule.severity > Severity::Note => {
                    Some("lowered to note".to_string())
                }
                _ => None,
            };
            if let Some(what) = lowered {
                out.push(format!("rule {} {what}", rule.code));
            }
        }
        match self.fail_on {
            Some(FailOn::Never) => {
                out.push("fail_on = \"never\": findings never fail the run".into())
            }
            Some(FailOn::Error) | Some(FailOn::Warning) | Some(FailOn::Note) | None => {}
        }
        for pattern in &self.exclude.patterns {
            out.push(format!("exclude \"{pattern}\""));
        }
        out
    }

    /// Checks the text of a configuration file read from `path` (excludes are relative to
    /// its directory).
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let error = |span: Option<std::ops::Range<usize>>, message: String| ConfigError {
            path: path.to_path_buf(),
            at: span.map(|s| line_col(text, s.start)),
            message,
        };
        let file: File =
            toml::from_str(text).map_err(|e| error(e.span(), e.message().trim().to_string()))?;
        // Identity values are checked against AWS's forms before anything uses or prints them.
        let identity = |field: Field, value: &Option<Spanned<String>>| match value {
            Some(v) => match field.check(v.get_ref()) {
                Ok(()) => Ok(Some(v.get_ref().clone())),
                Err(why) => Err(error(Some(v.span()), format!("{}: {why}", field.key()))),
            },
            None => Ok(None),
        };
        let mut rules = Vec::new();
        for (key, level) in file.rules {
            let Some(rule) = rules::find(key.get_ref()) else {
                return Err(error(
                    Some(key.span()),
                    format!(
                        "unknown rule `{}` in [rules]; `clumio-preflight rules` lists them",
                        key.get_ref()
                    ),
                ));
            };
            if rules
                .iter()
                .any(|(r, _): &(&RuleInfo, RuleLevel)| r.code == rule.code)
            {
                return Err(error(
                    Some(key.span()),
                    format!("rule {} is set twice in [rules]", rule.code),
                ));
            }
            rules.push((rule, level));
        }
        let root = absolute(path)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        if file.exclude.len() > MAX_EXCLUDE_PATTERNS {
            return Err(error(
                Some(file.exclude[MAX_EXCLUDE_PATTERNS].span()),
                format!("too many exclude patterns: at most {MAX_EXCLUDE_PATTERNS}"),
            ));
        }
        if let Some(long) = file
            .exclude
            .iter()
            .find(|p| p.get_ref().len() > MAX_EXCLUDE_PATTERN_BYTES)
        {
            return Err(error(
                Some(long.span()),
                format!("exclude pattern longer than {MAX_EXCLUDE_PATTERN_BYTES} bytes"),
            ));
        }
        let patterns: Vec<String> = file.exclude.iter().map(|p| p.get_ref().clone()).collect();
        let exclude = Exclude::new(&root, &patterns).map_err(|(i, message)| {
            error(
                Some(file.exclude[i].span()),
                format!("invalid exclude pattern: {message}"),
            )
        })?;
        Ok(Config {
            path: Some(path.to_path_buf()),
            profile: ProfileOptions {
                account_id: identity(Field::AccountId, &file.account_id)?,
                role_arn: identity(Field::RoleArn, &file.role_arn)?,
                role_name: identity(Field::RoleName, &file.role_name)?,
                role_path: identity(Field::RolePath, &file.role_path)?,
                org_id: identity(Field::OrgId, &file.org_id)?,
                permissions_boundary: file.permissions_boundary,
                region: identity(Field::Region, &file.region)?,
                partition: None,
            },
            fail_on: file.fail_on,
            rules,
            exclude,
        })
    }

    /// The level `[rules]` sets for `code`, if any.
    pub fn rule_level(&self, code: &str) -> Option<RuleLevel> {
        self.rules
            .iter()
            .find(|(r, _)| r.code == code)
            .map(|(_, level)| *level)
    }

    /// Sets a rule's level from the command line, over the file's `[rules]`: `Some(level)`
    /// for `--rule CODE=LEVEL` and `--disable CODE` (`off`), `None` for `--enable CODE`
    /// (the rule is reported again at the file's level, or its default when the file turned
    /// it off).
    pub fn set_rule(&mut self, rule: &'static RuleInfo, level: Option<RuleLevel>) {
        let at = self.rules.iter().position(|(r, _)| r.code == rule.code);
        match (level, at) {
            (Some(level), Some(i)) => self.rules[i].1 = level,
            (Some(level), None) => self.rules.push((rule, level)),
            (None, Some(i)) if self.rules[i].1 == RuleLevel::Off => {
                self.rules.remove(i);
            }
            (None, _) => {}
        }
    }

    /// The rules that run: all but those set to `off`.
    pub fn enabled_rules(&self) -> rules::Enabled {
        rules::Enabled::all_but(
            self.rules
                .iter()
                .filter(|(_, level)| *level == RuleLevel::Off)
                .map(|(rule, _)| *rule),
        )
    }

    /// Applies `[rules]` to the report: rules set to `off` are dropped, the others get the
    /// severity set.
    pub fn apply_rules(&self, report: &mut Report) {
        if self.rules.is_empty() {
            return;
        }
        report
            .diagnostics
            .retain(|d| self.rule_level(d.rule.code) != Some(RuleLevel::Off));
        for d in &mut report.diagnostics {
            match self.rule_level(d.rule.code) {
                Some(RuleLevel::Error) => d.severity = Severity::Error,
                Some(RuleLevel::Warning) => d.severity = Severity::Warning,
                Some(RuleLevel::Note) => d.severity = Severity::Note,
                Some(RuleLevel::Off) | None => {}
            }
        }
    }
}

/// The working directory joined with `path`, with `.` and `..` resolved lexically.
pub fn absolute(path: &Path) -> PathBuf {
    crate::fsbound::lexical_absolute(path)
}

/// Paths to skip: globs relative to a root directory (the configuration file's).
///
/// A pattern without `/` matches a name at any depth, as in `.gitignore` (`*.generated.tf`,
/// `legacy`); a pattern with `/` is anchored at the root (`envs/dev/**`). `*` stays within
/// one path segment, `**` crosses them, and a matching directory excludes everything under
/// it.
#[derive(Clone, Default)]
pub struct Exclude {
    root: PathBuf,
    set: Option<GlobSet>,
    patterns: Vec<String>,
}

impl fmt::Debug for Exclude {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exclude")
            .field("root", &self.root)
            .field("patterns", &self.patterns)
            .finish()
    }
}

impl crate::fsbound::Hide for Exclude {
    fn hides(&self, _: &crate::fsbound::Boundary, _: &Path, path: &Path, _: bool) -> bool {
        self.matches(path)
    }
}

impl Exclude {
    /// Compiles `patterns` relative to `root`; on a bad pattern, its index and what is wrong.
    pub fn new(root: &Path, patterns: &[String]) -> Result<Exclude, (usize, String)> {
        if patterns.is_empty() {
            return Ok(Exclude::default());
        }
        let mut builder = GlobSetBuilder::new();
        for (i, pattern) in patterns.iter().enumerate() {
            let trimmed = pattern.trim_end_matches('/');
            if trimmed.is_empty() {
                return Err((i, "the pattern is empty".into()));
            }
            let anchored = trimmed.trim_start_matches("./").trim_start_matches('/');
            let full = if trimmed.contains('/') {
                anchored.to_string()
            } else {
                format!("**/{anchored}")
            };
            let glob = GlobBuilder::new(&full)
                .literal_separator(true)
                .build()
                .map_err(|e| (i, e.kind().to_string()))?;
            builder.add(glob);
        }
        let set = builder.build().map_err(|e| (0, e.to_string()))?;
        Ok(Exclude {
            root: absolute(root),
            set: Some(set),
            patterns: patterns.to_vec(),
        })
    }

    /// Whether nothing is excluded.
    pub fn is_empty(&self) -> bool {
        self.set.is_none()
    }

    /// Whether `path` (as given, relative to the working directory or absolute) is excluded.
    /// Paths outside the root are never excluded.
    pub fn matches(&self, path: &Path) -> bool {
        let Some(set) = &self.set else {
            return false;
        };
        let abs = absolute(path);
        let Ok(rel) = abs.strip_prefix(&self.root) else {
            return false;
        };
        rel.ancestors()
            .filter(|p| !p.as_os_str().is_empty())
            .any(|p| set.is_match(p))
    }

    /// Whether the file a source is named after is excluded (names that are not files, such
    /// as `<stdin>`, never are).
    pub fn matches_name(&self, name: &str) -> bool {
        !self.is_empty()
            && !name.starts_with('<')
            && !name.starts_with("--")
            && self.matches(Path::new(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exclude(patterns: &[&str]) -> Exclude {
        let patterns: Vec<String> = patterns.iter().map(|s| s.to_string()).collect();
        Exclude::new(Path::new("/repo"), &patterns).unwrap()
    }

    #[test]
    fn patterns_without_a_slash_match_at_any_depth() {
        let ex = exclude(&["legacy", "*.gen.tf"]);
        assert!(ex.matches(Path::new("/repo/legacy/main.tf")));
        assert!(ex.matches(Path::new("/repo/envs/legacy/x/main.tf")));
        assert!(ex.matches(Path::new("/repo/a/b.gen.tf")));
        assert!(!ex.matches(Path::new("/repo/a/b.tf")));
        assert!(!ex.matches(Path::new("/elsewhere/legacy/main.tf")));
    }

    #[test]
    fn patterns_with_a_slash_are_anchored() {
        let ex = exclude(&["envs/dev/**", "/modules/old"]);
        assert!(ex.matches(Path::new("/repo/envs/dev/main.tf")));
        assert!(ex.matches(Path::new("/repo/envs/dev/a/b.yaml")));
        assert!(!ex.matches(Path::new("/repo/x/envs/dev/main.tf")));
        assert!(ex.matches(Path::new("/repo/modules/old/main.tf")));
        assert!(!ex.matches(Path::new("/repo/modules/older/main.tf")));
    }

    #[test]
    fn single_star_stays_in_one_segment() {
        let ex = exclude(&["envs/*.tf"]);
        assert!(ex.matches(Path::new("/repo/envs/a.tf")));
        assert!(!ex.matches(Path::new("/repo/envs/dev/a.tf")));
    }

    #[test]
    fn rules_set_to_off_do_not_run() {
        let mut config = Config::parse(
            "[rules]\nCP101 = \"off\"\nCP102 = \"note\"\n",
            Path::new("clumio-preflight.toml"),
        )
        .unwrap();
        let cp101 = rules::find("CP101").unwrap();
        let cp102 = rules::find("CP102").unwrap();
        let cp103 = rules::find("CP103").unwrap();
        let enabled = config.enabled_rules();
        assert!(!enabled.contains(cp101));
        assert!(enabled.contains(cp102) && enabled.contains(cp103));
        config.set_rule(cp103, Some(RuleLevel::Off));
        config.set_rule(cp101, None);
        let enabled = config.enabled_rules();
        assert!(enabled.contains(cp101) && !enabled.contains(cp103));
    }

    #[test]
    fn line_and_column_of_an_offset() {
        assert_eq!(line_col("a\nbé c", 5), (2, 3));
        assert_eq!(line_col("", 0), (1, 1));
    }
}
