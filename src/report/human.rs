//! `--format human`: compiler-style snippets rendered by miette, behind a thin wrapper that
//! hands miette only the lines a diagnostic shows (`Excerpt`: long lines cut to a window,
//! since a plan JSON is often one huge line, and every line made safe to print), picks
//! colour for the stream written to, and turns links off. Messages, labels, help, notes and
//! paths are escaped ([`super::escape`]), and no line of the report starts a workflow
//! command.

use super::{Report, escape, load_error_location, summary_line};
use crate::rules::{Diagnostic, Severity};
use crate::source::{SourceFile, Span};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use std::fmt;

/// The longest line shown whole; longer lines are cut to a window around the label.
const MAX_LINE: usize = 240;

/// How the human report is rendered.
#[derive(Debug, Clone, Copy, Default)]
pub struct HumanOptions {
    /// The coloured theme.
    pub color: bool,
    /// Every note in full; otherwise notes collapse into one line per rule with a count.
    pub show_notes: bool,
}

/// Renders the report with every note in full; `color` selects the coloured theme.
pub fn render(report: &Report, color: bool) -> String {
    render_with(
        report,
        HumanOptions {
            color,
            show_notes: true,
        },
    )
}

/// Renders the report: inputs that could not be read, then errors, warnings and notes (by
/// file and line within each; notes collapsed unless `show_notes`), then the run's notes
/// and the summary.
pub fn render_with(report: &Report, options: HumanOptions) -> String {
    super::pieces::to_string(|out| write_with(report, options, out))
}

/// Writes what [`render_with`] makes to `out` as it is rendered, the diagnostics in pieces
/// on all cores ([`super::pieces`]). Every part ends with a line feed, so guarding the
/// lines of each part guards those of the whole.
pub fn write_with(
    report: &Report,
    options: HumanOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut head = String::new();
    for e in &report.load_errors {
        let (file, at) = load_error_location(&report.sources, e);
        let at = at.map(|a| format!(":{a}")).unwrap_or_default();
        head.push_str(&format!(
            "error: {}{at}: {}\n\n",
            escape::field(&file),
            escape::field(&e.message)
        ));
    }
    out.write_all(escape::guard_lines(head).as_bytes())?;
    let ordered = super::select::by_severity(report);
    let (full, collapsed): (Vec<&Diagnostic>, Vec<&Diagnostic>) = ordered
        .into_iter()
        .partition(|d| options.show_notes || d.severity != Severity::Note);
    super::pieces::write(
        full.len(),
        |range| {
            let handler = handler(options.color);
            let mut piece = String::new();
            for d in &full[range] {
                let _ = handler.render_report(&mut piece, &Shown::new(report, d));
                piece.push('\n');
            }
            Ok(escape::guard_lines(piece))
        },
        |piece| out.write_all(piece.as_bytes()),
    )?;
    let mut tail = collapsed_notes(&collapsed);
    for warning in &report.run_warnings {
        tail.push_str(&format!("warning: {}\n", escape::field(warning)));
    }
    for note in &report.notes {
        tail.push_str(&format!("note: {}\n", escape::field(note)));
    }
    tail.push_str(&summary_line(report));
    tail.push('\n');
    out.write_all(escape::guard_lines(tail).as_bytes())
}

/// The miette handler: the coloured theme when `color`, no links, no wrapping.
fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(100)
        .with_wrap_lines(false)
        .with_context_lines(CONTEXT_LINES)
}

/// One line per rule for notes not shown in full: "note: 9 × CP304 ownership-unknown — …".
fn collapsed_notes(notes: &[&Diagnostic]) -> String {
    let mut by_rule: Vec<(&crate::rules::RuleInfo, usize)> = Vec::new();
    for d in notes {
        match by_rule.iter_mut().find(|(r, _)| r.code == d.rule.code) {
            Some((_, n)) => *n += 1,
            None => by_rule.push((d.rule, 1)),
        }
    }
    by_rule.sort_by_key(|(r, _)| r.code);
    let mut out = String::new();
    for (rule, n) in &by_rule {
        out.push_str(&format!(
            "note: {n} × {} {}: {}\n",
            rule.code, rule.name, rule.summary
        ));
    }
    if !by_rule.is_empty() {
        out.push_str(&format!(
            "      (--show-notes lists {}, or `clumio-preflight explain CODE` says what one means)\n\n",
            if notes.len() == 1 { "it" } else { "each of them" }
        ));
    }
    out
}

/// A diagnostic with its source window, as miette wants it.
struct Shown {
    message: String,
    code: String,
    severity: miette::Severity,
    help: String,
    labels: Vec<LabeledSpan>,
    source: Excerpt,
}

impl Shown {
    fn new(report: &Report, d: &Diagnostic) -> Shown {
        let file = report.sources.file(d.span.file);
        let mut spans: Vec<(Span, String)> = vec![(d.span, d.label.clone())];
        spans.extend(
            d.related
                .iter()
                .filter(|r| r.span.file == d.span.file)
                .map(|r| (r.span, r.message.clone())),
        );
        let points: Vec<(usize, usize)> = spans
            .iter()
            .map(|(s, _)| (s.start as usize, s.end as usize))
            .collect();
        let source = Excerpt::new(file, &points);
        // The diagnostic's own span is the primary label: miette sorts labels by offset and
        // takes the header's `file:line:column` from the primary one (else the first), which
        // must be the offending element, not a related span before it.
        let labels = spans
            .iter()
            .enumerate()
            .map(|(i, (s, text))| {
                let start = source.map(file, s.start as usize);
                let end = source.map(file, s.end as usize).max(start);
                let span = SourceSpan::from(start..end);
                let text = Some(escape::field(text).into_owned());
                if i == 0 {
                    LabeledSpan::new_primary_with_span(text, span)
                } else {
                    LabeledSpan::new_with_span(text, span)
                }
            })
            .collect();
        let mut message = escape::field(&d.message).into_owned();
        for via in super::callers::via(report, d) {
            message.push('\n');
            message.push_str(&escape::field(&via));
        }
        Shown {
            message,
            code: format!("{} {}", d.rule.code, d.rule.name),
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Note => miette::Severity::Advice,
            },
            // A help's own line breaks (a suggested fix) are kept; the report's lines are
            // guarded at the end. The fix the rule vouches for, if any, follows the help.
            help: match super::fixes::text(&report.sources, d) {
                Some(fix) => format!("{}\n{}", escape::lines(&d.help), escape::lines(&fix)),
                None => escape::lines(&d.help).into_owned(),
            },
            labels,
            source,
        }
    }
}

impl fmt::Debug for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Shown {}

impl miette::Diagnostic for Shown {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// The part of a file a diagnostic shows: the lines its labels are on with two lines of
/// context, each line longer than [`MAX_LINE`] cut to a window around the labelled point on
/// it, and each made safe to print ([`escape::snippet_line`]). Building it costs the lines
/// shown, never the whole file, so a report on a one-line plan of many megabytes stays linear
/// in its findings. Line numbers and reported columns are those of the original file.
struct Excerpt {
    name: String,
    text: String,
    /// Runs of consecutive original lines, in order.
    blocks: Vec<Block>,
    /// Every shown line, in order.
    lines: Vec<ShownLine>,
    /// Where each label starts in the excerpt, with its 0-based column in the original.
    label_columns: Vec<(usize, usize)>,
}

/// Consecutive original lines, one after the other in the excerpt.
struct Block {
    /// Excerpt byte range.
    range: std::ops::Range<usize>,
    /// 0-based number of its first line in the original.
    first_line: usize,
}

/// One original line as the excerpt shows it.
struct ShownLine {
    /// Byte offset of the line in the original.
    start: usize,
    /// Original byte range shown (the window).
    window: std::ops::Range<usize>,
    /// Where the window's text starts in the excerpt.
    new_start: usize,
}

/// The lines of context shown around a label.
const CONTEXT_LINES: usize = 2;

impl Excerpt {
    /// The excerpt of `file` for labels at byte offsets `points` (start, end pairs; the
    /// first pair is the primary label, whose line gets the window when a line is cut).
    fn new(file: &SourceFile, points: &[(usize, usize)]) -> Excerpt {
        // The empty "line" after a final line ending is shown only when a label is on it.
        let last_line = match file.text.ends_with('\n') {
            true => file.line_count().saturating_sub(2),
            false => file.line_count() - 1,
        };
        let mut ranges: Vec<(usize, usize)> = points
            .iter()
            .map(|&(start, end)| {
                let first = file.line_index(start).saturating_sub(CONTEXT_LINES);
                let end_line = file.line_index(end);
                (
                    first,
                    (end_line + CONTEXT_LINES).min(last_line).max(end_line),
                )
            })
            .collect();
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (first, last) in ranges {
            match merged.last_mut() {
                Some(prev) if first <= prev.1 + 1 => prev.1 = prev.1.max(last),
                _ => merged.push((first, last)),
            }
        }
        let mut excerpt = Excerpt {
            name: escape::field(&file.name).into_owned(),
            text: String::new(),
            blocks: Vec::new(),
            lines: Vec::new(),
            label_columns: Vec::new(),
        };
        for (first, last) in merged {
            let block_start = excerpt.text.len();
            for index in first..=last {
                excerpt.push_line(file, index, points);
            }
            excerpt.blocks.push(Block {
                range: block_start..excerpt.text.len(),
                first_line: first,
            });
        }
        for &(start, _) in points {
            let at = excerpt.map(file, start);
            let column = file.line_col(start).column - 1;
            excerpt.label_columns.push((at, column));
        }
        excerpt
    }

    fn push_line(&mut self, file: &SourceFile, index: usize, points: &[(usize, usize)]) {
        let range = file.line_range(index);
        let body = &file.text[range.clone()];
        let (mut from, mut to) = (0, body.len());
        if body.len() > MAX_LINE {
            let focus = points
                .iter()
                .map(|&(start, _)| start)
                .find(|p| range.contains(p))
                .map_or(0, |p| p - range.start);
            from = focus.saturating_sub(MAX_LINE / 3);
            while !body.is_char_boundary(from) {
                from -= 1;
            }
            to = (from + MAX_LINE).min(body.len());
            while !body.is_char_boundary(to) {
                to -= 1;
            }
        }
        if from > 0 {
            self.text.push('…');
        }
        let new_start = self.text.len();
        self.text.push_str(&escape::snippet_line(&body[from..to]));
        if to < body.len() {
            self.text.push('…');
        }
        self.text.push('\n');
        self.lines.push(ShownLine {
            start: range.start,
            window: range.start + from..range.start + to,
            new_start,
        });
    }

    /// The excerpt offset of an original offset on a shown line (clamped to its window).
    fn map(&self, file: &SourceFile, offset: usize) -> usize {
        let i = self
            .lines
            .partition_point(|l| l.start <= offset)
            .saturating_sub(1);
        let Some(line) = self.lines.get(i) else {
            return self.text.len();
        };
        let mut at = offset.clamp(line.window.start, line.window.end);
        while !file.text.is_char_boundary(at) {
            at -= 1;
        }
        line.new_start + escape::snippet_len(&file.text[line.window.start..at])
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let block = self
            .blocks
            .iter()
            .find(|b| b.range.contains(&span.offset()) || b.range.end == span.offset())
            .ok_or(MietteError::OutOfBounds)?;
        if span.offset() + span.len() > block.range.end {
            return Err(MietteError::OutOfBounds);
        }
        let local = SourceSpan::from(
            span.offset() - block.range.start..span.offset() + span.len() - block.range.start,
        );
        let text = &self.text[block.range.clone()];
        let inner = text.read_span(&local, before, after)?;
        let data_start = inner.data().as_ptr() as usize - text.as_ptr() as usize;
        let column = match self
            .label_columns
            .iter()
            .find(|(at, _)| *at == span.offset())
        {
            Some(&(_, column)) if before == 0 => column,
            _ => inner.column(),
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::from(
                block.range.start + data_start..block.range.start + data_start + inner.data().len(),
            ),
            inner.line() + block.first_line,
            column,
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_rendered_in_pieces_are_those_rendered_one_after_the_other() {
        use crate::report::json::tests::{SIZES, is_inert, report};
        for n in SIZES {
            let report = report(n);
            for color in [false, true] {
                let handler = handler(color);
                let mut whole = String::new();
                for d in super::super::select::by_severity(&report) {
                    let _ = handler.render_report(&mut whole, &Shown::new(&report, d));
                    whole.push('\n');
                }
                whole.push_str(&summary_line(&report));
                whole.push('\n');
                let text = render(&report, color);
                assert_eq!(text, escape::guard_lines(whole), "{n} diagnostics");
                assert!(color || is_inert(&text));
                assert_eq!(text.matches("CP301").count(), n);
            }
        }
    }

    /// What an excerpt shows of a plan whose file keeps only the entries the model reads
    /// ([`crate::source::SourceFile::sparse`]) is what it shows of the whole file, for
    /// labels anywhere in those entries, on one-line, pretty-printed and one-entry-a-line
    /// plans.
    #[test]
    fn a_sparse_plan_shows_the_excerpts_of_the_whole_plan() {
        use crate::source::SourceFile;
        use crate::terraform::plan::read_plan;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/plan/real");
        let (mut plans, mut cut) = (0, 0);
        for dir in std::fs::read_dir(root).unwrap() {
            let Ok(text) = std::fs::read_to_string(dir.unwrap().path().join("plan.json")) else {
                continue;
            };
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            let one_line = serde_json::to_string(&value).unwrap();
            // Each entry on a line of its own: the lines around an entry are long.
            let by_entry = one_line.replace("},{\"address\"", "},\n{\"address\"");
            for text in [text, one_line, by_entry] {
                let whole = SourceFile::named("plan.json".into(), text.clone());
                let (sparse, layout) = read_plan("plan.json".into(), text.as_str().into());
                cut += usize::from(sparse.text.len() < text.len());
                for range in layout.unwrap().kept() {
                    for start in (range.start..range.end).step_by(37) {
                        let end = (start + 20).min(range.end);
                        let shown = |file: &SourceFile, points: &[(usize, usize)]| {
                            let e = Excerpt::new(file, points);
                            let blocks: Vec<usize> =
                                e.blocks.iter().map(|b| b.first_line).collect();
                            (e.text, e.label_columns, blocks)
                        };
                        let at = |o: usize| sparse.text_offset(o);
                        assert_eq!(
                            shown(&sparse, &[(at(start), at(end))]),
                            shown(&whole, &[(start, end)]),
                            "at {start}"
                        );
                    }
                }
                plans += 1;
            }
        }
        assert!(plans >= 15 && cut >= 4, "{plans} plans, {cut} cut");
    }
}
