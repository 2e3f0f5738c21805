//! The unified diff `--fix --diff` prints (`a/` and `b/` paths, three lines of context).

/// The unified diff of one file from `old` to `new`, named `name` (empty when equal).
pub fn unified(name: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let diff = similar::TextDiff::from_lines(old, new);
    let mut out = diff
        .unified_diff()
        .context_radius(3)
        .header(&side("a", name), &side("b", name))
        .to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// `a/main.tf` for a relative path (as `git diff` and `patch -p1` expect); an absolute path
/// as it is.
fn side(prefix: &str, name: &str) -> String {
    if name.starts_with('/') {
        name.to_string()
    } else {
        format!("{prefix}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_line_is_shown_with_its_context() {
        let d = unified("main.tf", "a\nb\nc\n", "a\nB\nc\n");
        assert_eq!(
            d,
            "--- a/main.tf\n+++ b/main.tf\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
        );
        assert_eq!(unified("x", "same", "same"), "");
    }
}
