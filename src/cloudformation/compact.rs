//! A YAML template with its blanked lines left out, and the way back to its own offsets.
//!
//! The prefilter ([`super::prefilter`]) blanks what cannot matter a line (or the end of a
//! line) at a time. A blanked line still costs the YAML scanner a step per space, so every
//! line it blanks whole is left out of the text the parser reads; a line blanked only in
//! part keeps its spaces. The parsed tree's spans are then moved back to the template's own
//! offsets ([`Compact::restore`]), so nothing downstream can tell.
//!
//! Leaving out a line that holds only spaces changes nothing YAML reads outside a scalar.
//! Inside one (a quoted or plain scalar running over several lines) it would change the
//! value, so a tree in which a scalar or a key runs over a left-out line is not used: the
//! caller parses the blanked text itself ([`Compact::restore`]).

use crate::source::Span;
use crate::value::{Kind, Node};

/// The text the parser reads, and where each of its runs of kept text starts in the
/// template.
pub struct Compact {
    /// The template with its wholly blanked lines left out.
    pub text: String,
    /// `(offset in text, offset in the template)` where each kept run starts, in order; the
    /// first is `(0, 0)`.
    runs: Vec<(usize, usize)>,
}

impl Compact {
    /// `text` with each of the byte ranges `blank` (in order, each within one line, line
    /// ending excluded) made spaces, and every line a range covers whole left out.
    pub fn new(text: &str, blank: &[(usize, usize)]) -> Self {
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut runs = vec![(0, 0)];
        let mut kept = 0;
        for &(a, b) in blank {
            out.push_str(&text[kept..a]);
            let starts_line = a == 0 || bytes[a - 1] == b'\n';
            let ending = match &bytes[b..] {
                [b'\n', ..] => Some(1),
                [b'\r', b'\n', ..] => Some(2),
                [] => Some(0),
                _ => None,
            };
            match ending {
                Some(ending) if starts_line => {
                    kept = b + ending;
                    match runs.last_mut() {
                        // Lines left out one after another: the run starts after the last.
                        Some(last) if last.0 == out.len() => last.1 = kept,
                        _ => runs.push((out.len(), kept)),
                    }
                }
                _ => {
                    super::prefilter::push_spaces(&mut out, b - a);
                    kept = b;
                }
            }
        }
        out.push_str(&text[kept..]);
        Compact { text: out, runs }
    }

    /// The template offset of `at`, an offset of [`Compact::text`], found from the run
    /// `hint` (where the last offset was: nodes are visited in text order) and left there.
    /// The end of a span (`end`) belongs to the run before it when it ends one.
    fn original(&self, at: usize, end: bool, hint: &mut usize) -> usize {
        let probe = if end && at > 0 { at - 1 } else { at };
        let holds = |run: usize| {
            self.runs[run].0 <= probe && self.runs.get(run + 1).is_none_or(|next| probe < next.0)
        };
        if !holds(*hint) {
            *hint = self.runs.partition_point(|&(c, _)| c <= probe) - 1;
        }
        let (c, o) = self.runs[*hint];
        o + (at - c)
    }

    /// Moves `span` back; `false` when it starts and ends in different runs (it covers a
    /// left-out line).
    fn span(&self, span: &mut Span, hints: &mut [usize; 2]) -> bool {
        let (start, end) = (span.start as usize, span.end as usize);
        let moved_start = self.original(start, false, &mut hints[0]);
        let (moved_end, one_run) = if end > start {
            let moved = self.original(end, true, &mut hints[1]);
            (moved, hints[0] == hints[1])
        } else {
            (moved_start, true)
        };
        *span = Span::new(span.file, moved_start, moved_end);
        one_run
    }

    /// `node` (parsed from [`Compact::text`]) with every span moved to the template's
    /// offsets; `None` when a scalar or a key covers a left-out line, whose value leaving it
    /// out may have changed.
    pub fn restore(&self, mut node: Node) -> Option<Node> {
        let whole = self.runs.len() == 1 || self.restore_in(&mut node, &mut [0, 0]);
        whole.then_some(node)
    }

    /// [`Compact::restore`] in place, the nodes visited in text order (the parser built no
    /// deeper tree than its depth limit); `false` as soon as a scalar or a key covers a
    /// left-out line.
    fn restore_in(&self, node: &mut Node, hints: &mut [usize; 2]) -> bool {
        let one_run = self.span(&mut node.span, hints);
        match &mut node.kind {
            Kind::Object(members) => members
                .iter_mut()
                .all(|m| self.span(&mut m.key_span, hints) && self.restore_in(&mut m.value, hints)),
            Kind::Array(items) => items.iter_mut().all(|item| self.restore_in(item, hints)),
            _ => one_run,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_lines_are_left_out_and_offsets_come_back() {
        let text = "a: 1\nb:\n  x\n  y\nc: 22 zz\r\nd: 3";
        // "  x" and "  y" whole, " zz" of line c in part.
        let blank = [(8, 11), (12, 15), (21, 24)];
        let c = Compact::new(text, &blank);
        assert_eq!(c.text, "a: 1\nb:\nc: 22   \r\nd: 3");
        for (at, end, want) in [(0, false, 0), (8, false, 16), (5, false, 5), (8, true, 8)] {
            for mut hint in [0, 1] {
                assert_eq!(c.original(at, end, &mut hint), want, "{at} {end}");
            }
        }
        // "d" and "3" of the last line.
        let d = c.text.find('d').unwrap();
        let (start, end) = (
            c.original(d, false, &mut 0),
            c.original(d + 4, true, &mut 0),
        );
        assert_eq!(&text[start..end], "d: 3");
    }

    #[test]
    fn a_scalar_over_a_left_out_line_gives_no_tree() {
        use crate::cloudformation::yaml::parse_yaml;
        use crate::source::FileId;
        // A quoted scalar runs over the blanked line: left out, its value would change.
        let text = "a: \"x\n  zz\n  y\"\nb: 1\n# cc\nd: 2\n";
        let over = Compact::new(text, &[(6, 10)]);
        assert_eq!(over.text, "a: \"x\n  y\"\nb: 1\n# cc\nd: 2\n");
        let node = parse_yaml(&over.text, FileId(0)).unwrap();
        assert!(over.restore(node).is_none());
        // Between two entries it is left out, and the spans come back.
        let between = Compact::new(text, &[(21, 25)]);
        let node = parse_yaml(&between.text, FileId(0)).unwrap();
        let node = between.restore(node).unwrap();
        let d = node.get("d").unwrap().span;
        assert_eq!(&text[d.start as usize..d.end as usize], "2");
    }

    #[test]
    fn a_blank_at_the_end_of_the_text_is_left_out() {
        let text = "a: 1\n  b";
        let c = Compact::new(text, &[(5, 8)]);
        assert_eq!(c.text, "a: 1\n");
        assert_eq!(c.original(5, false, &mut 0), 8);
    }
}
