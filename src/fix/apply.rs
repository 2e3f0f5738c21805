//! Choosing which fixes to apply together and applying their edits to text: a fix is taken
//! whole or not at all; an edit whose text has changed, or that overlaps an edit of a fix
//! taken before, keeps its fix out (the first fix wins); an edit identical to one taken
//! before (two findings asking for the same change) is shared.

use crate::diagnostics::{Edit, Fix};
use crate::source::{FileId, Sources};
use std::collections::BTreeMap;

/// The edits chosen, per file, in order of position, none overlapping.
#[derive(Debug, Default, Clone)]
pub struct Selection {
    /// The edits taken, per file.
    pub edits: BTreeMap<FileId, Vec<Edit>>,
    /// The indices (into the candidates given) of the fixes taken.
    pub taken: Vec<usize>,
    /// The fixes left out, with why.
    pub left_out: Vec<(usize, String)>,
}

/// Whether two edits of one file cannot both be made.
fn conflict(a: &Edit, b: &Edit) -> bool {
    let (a0, a1, b0, b1) = (a.span.start, a.span.end, b.span.start, b.span.end);
    if a0 == a1 && b0 == b1 {
        return a0 == b0;
    }
    if a0 == a1 {
        return b0 < a0 && a0 < b1;
    }
    if b0 == b1 {
        return a0 < b0 && b0 < a1;
    }
    a0 < b1 && b0 < a1
}

impl Selection {
    /// Takes the fixes in order, each whole or not at all. `fixes` pairs an index the caller
    /// knows the fix by with the fix; `refuse` says why a file must not be edited, if so.
    pub fn choose<'a>(
        sources: &Sources,
        fixes: impl IntoIterator<Item = (usize, &'a Fix)>,
        refuse: &mut dyn FnMut(FileId) -> Option<String>,
    ) -> Selection {
        let mut out = Selection::default();
        'fixes: for (index, fix) in fixes {
            if fix.edits.is_empty() {
                out.left_out.push((index, "the fix has no edits".into()));
                continue;
            }
            let mut fresh: Vec<&Edit> = Vec::new();
            for edit in &fix.edits {
                if let Some(why) = refuse(edit.span.file) {
                    out.left_out.push((index, why));
                    continue 'fixes;
                }
                if sources.slice(edit.span) != edit.expected
                    || (edit.span.end as usize) > sources.file(edit.span.file).text.len()
                {
                    out.left_out.push((
                        index,
                        format!(
                            "{} changed since the finding was made",
                            sources.file(edit.span.file).name
                        ),
                    ));
                    continue 'fixes;
                }
                let taken = out
                    .edits
                    .get(&edit.span.file)
                    .map_or(&[][..], Vec::as_slice);
                if taken.contains(edit) || fresh.contains(&edit) {
                    continue;
                }
                if taken
                    .iter()
                    .chain(fresh.iter().copied())
                    .any(|t| conflict(t, edit))
                {
                    out.left_out.push((
                        index,
                        "it overlaps the edit of a fix applied before it in the same file".into(),
                    ));
                    continue 'fixes;
                }
                fresh.push(edit);
            }
            for edit in fresh {
                let list = out.edits.entry(edit.span.file).or_default();
                list.push(edit.clone());
                list.sort_by_key(|e| (e.span.start, e.span.end));
            }
            out.taken.push(index);
        }
        out
    }
}

/// `text` with `edits` made (sorted by position, none overlapping, each span inside `text`).
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut out =
        String::with_capacity(text.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    for edit in edits {
        let (start, end) = (edit.span.start as usize, edit.span.end as usize);
        out.push_str(&text[at..start]);
        out.push_str(&edit.text);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn edit(file: FileId, start: usize, end: usize, expected: &str, text: &str) -> Edit {
        Edit {
            span: Span::new(file, start, end),
            expected: expected.into(),
            text: text.into(),
        }
    }

    #[test]
    fn the_first_of_two_overlapping_fixes_wins_and_identical_edits_are_shared() {
        let mut sources = Sources::new();
        let f = sources.add("a.tf", "abcdef");
        let one = Fix::single("one", edit(f, 1, 3, "bc", "X"));
        let two = Fix::single("two", edit(f, 2, 4, "cd", "Y"));
        let three = Fix {
            description: "three".into(),
            edits: vec![edit(f, 1, 3, "bc", "X"), edit(f, 5, 5, "", "+")],
        };
        let stale = Fix::single("stale", edit(f, 0, 1, "z", "Q"));
        let chosen = Selection::choose(
            &sources,
            [(0, &one), (1, &two), (2, &three), (3, &stale)],
            &mut |_| None,
        );
        assert_eq!(chosen.taken, vec![0, 2]);
        assert_eq!(chosen.left_out.len(), 2);
        assert!(chosen.left_out[0].1.contains("overlaps"));
        assert!(chosen.left_out[1].1.contains("changed"));
        assert_eq!(apply_edits("abcdef", &chosen.edits[&f]), "aXde+f");
    }

    #[test]
    fn two_different_insertions_at_one_place_conflict_and_a_refused_file_keeps_its_fix_out() {
        let mut sources = Sources::new();
        let f = sources.add("a.tf", "ab");
        let one = Fix::single("one", edit(f, 1, 1, "", "X"));
        let two = Fix::single("two", edit(f, 1, 1, "", "Y"));
        let chosen = Selection::choose(&sources, [(0, &one), (1, &two)], &mut |_| None);
        assert_eq!(chosen.taken, vec![0]);
        let refused = Selection::choose(&sources, [(0, &one)], &mut |_| Some("a plan".to_string()));
        assert!(refused.taken.is_empty());
        assert_eq!(refused.left_out[0].1, "a plan");
    }
}
