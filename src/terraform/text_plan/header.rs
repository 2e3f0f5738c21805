//! The `# ADDRESS will be …` comments and `resource` header lines that start a resource block.

use super::*;

/// What a `# ADDRESS …` comment says will happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verb {
    Create,
    Delete,
    Update,
    Replace,
    /// `must be replaced, but the existing object will not be destroyed`.
    CreateThenForget,
    Read,
    /// Moved or imported without other changes.
    NoOp,
    /// No longer managed, but not destroyed.
    Forget,
    /// Drift: `has changed`, `has been deleted`.
    Drift,
    /// `was deferred`.
    Deferred,
    /// Not a resource change (an action invocation, an unknown phrase).
    Other,
}

/// A `# ADDRESS …` comment line.
#[derive(Debug)]
pub(super) struct Comment {
    pub(super) address: String,
    pub(super) verb: Verb,
}

/// Parses a resource change comment (`  # aws_s3_bucket.b will be created`).
pub(super) fn comment_line(line: &str) -> Option<Comment> {
    let t = line.trim_end();
    let trimmed = t.trim_start_matches(' ');
    if t.len() - trimmed.len() > 3 {
        return None;
    }
    let rest = trimmed.strip_prefix("# ")?;
    let end = address_end(rest);
    let address = &rest[..end];
    if !looks_like_address(address) {
        return None;
    }
    let mut after = rest[end..].trim_start();
    if let Some(d) = after.strip_prefix("(deposed object ") {
        after = d.split_once(')').map_or("", |(_, r)| r).trim_start();
    }
    let verb = if after.starts_with("will be created") {
        Verb::Create
    } else if after.starts_with("will be destroyed") {
        Verb::Delete
    } else if after.starts_with("will be updated in-place") {
        Verb::Update
    } else if after.starts_with("must be replaced, but the existing object will not be destroyed") {
        Verb::CreateThenForget
    } else if after.starts_with("must be replaced")
        || after.starts_with("is tainted, so must be replaced")
        || after.starts_with("will be replaced")
    {
        Verb::Replace
    } else if after.starts_with("will be read during apply") {
        Verb::Read
    } else if let Some(to) = after.strip_prefix("has moved to ") {
        let to = to.trim();
        let end = address_end(to);
        if looks_like_address(&to[..end]) {
            return Some(Comment {
                address: to[..end].to_string(),
                verb: Verb::NoOp,
            });
        }
        Verb::Other
    } else if after.starts_with("will be imported") {
        Verb::NoOp
    } else if after.starts_with("will no longer be managed by Terraform")
        || after.starts_with("will be removed from Terraform state")
    {
        Verb::Forget
    } else if after.starts_with("has changed") || after.starts_with("has been deleted") {
        Verb::Drift
    } else if after.starts_with("was deferred") {
        Verb::Deferred
    } else {
        Verb::Other
    };
    Some(Comment {
        address: address.to_string(),
        verb,
    })
}

/// The end of a resource address at the start of `s`: the first space outside brackets and
/// quotes (`module.logs["a b"].aws_s3_bucket.this`).
fn address_end(s: &str) -> usize {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b' ' | b'\t' | b'\r' | b'\n' if depth == 0 => return i,
            _ => {}
        }
        i += 1;
    }
    b.len().min(i)
}

fn looks_like_address(a: &str) -> bool {
    a.starts_with(|c: char| c.is_ascii_alphabetic()) && a.contains('.')
}

/// Whether the first line from `pos` that is neither blank nor a comment is a resource header.
/// `cache` remembers the last answer, `(from, line start)`: every line between is blank or a
/// comment, so a run of comment lines is scanned once, not once per line.
pub(super) fn next_is_header(s: &str, pos: usize, cache: &mut Option<(usize, usize)>) -> bool {
    let pos = pos.min(s.len());
    let start = match *cache {
        Some((from, found)) if from <= pos && pos <= found => found,
        _ => {
            let mut at = pos;
            while at < s.len() {
                let end = s[at..].find('\n').map_or(s.len(), |i| at + i);
                if is_content(&s[at..end]) {
                    break;
                }
                at = (end + 1).min(s.len());
            }
            *cache = Some((pos, at));
            at
        }
    };
    s[start..].lines().next().is_some_and(is_header_line)
}

/// `resource "TYPE" "NAME" {` or `data "TYPE" "NAME" {` after an action symbol, or indented
/// (no change: moved, imported). A block of Terraform source starts in the first column.
pub(super) fn is_header_line(line: &str) -> bool {
    let t = line.trim();
    let after_symbol = ["-/+", "+/-", "+/.", "<=", "+", "-", "~", "."]
        .iter()
        .find_map(|s| t.strip_prefix(s).filter(|r| r.starts_with(' ')));
    if after_symbol.is_none() && !line.starts_with([' ', '\t']) {
        return false;
    }
    let t = after_symbol.unwrap_or(t).trim_start();
    (t.starts_with("resource \"") || t.starts_with("data \"")) && t.ends_with('{')
}

/// The module path prefix of an address (`module.logs["a"].`), empty at the root.
pub(super) fn module_prefix(address: &str) -> String {
    let b = address.as_bytes();
    let mut end = 0;
    let mut i = 0;
    while address[i..].starts_with("module.") {
        let mut j = i + "module.".len();
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-') {
            j += 1;
        }
        if j < b.len() && b[j] == b'[' {
            j += 1;
            while j < b.len() && b[j] != b']' {
                if b[j] == b'"' {
                    j += 1;
                    while j < b.len() && b[j] != b'"' {
                        j += if b[j] == b'\\' { 2 } else { 1 };
                    }
                }
                j += 1;
            }
            j += 1;
        }
        if j < b.len() && b[j] == b'.' {
            end = j + 1;
            i = end;
        } else {
            break;
        }
    }
    address[..end.min(address.len())].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_prefixes() {
        assert_eq!(module_prefix("aws_s3_bucket.b"), "");
        assert_eq!(
            module_prefix("module.logs[\"a\"].aws_s3_bucket.this"),
            "module.logs[\"a\"]."
        );
        assert_eq!(
            module_prefix("module.a.module.b[0].data.x.y"),
            "module.a.module.b[0]."
        );
    }

    #[test]
    fn comment_lines() {
        let c = comment_line("  # module.m[\"a b\"].aws_s3_bucket.b will be destroyed").unwrap();
        assert_eq!(c.address, "module.m[\"a b\"].aws_s3_bucket.b");
        assert_eq!(c.verb, Verb::Delete);
        let c = comment_line("  # aws_s3_bucket.b (deposed object 1a2b3c4d) will be destroyed")
            .unwrap();
        assert_eq!(
            (c.address.as_str(), c.verb),
            ("aws_s3_bucket.b", Verb::Delete)
        );
        let c = comment_line("  # aws_s3_bucket.a has moved to aws_s3_bucket.b").unwrap();
        assert_eq!(
            (c.address.as_str(), c.verb),
            ("aws_s3_bucket.b", Verb::NoOp)
        );
        assert!(comment_line("      # (3 unchanged attributes hidden)").is_none());
        assert!(comment_line("  # (config refers to values not yet known)").is_none());
    }
}
