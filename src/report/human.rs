//! `--format human`: compiler-style snippets rendered by miette, behind a thin wrapper that
//! cuts long lines to a window (miette cannot render very long lines, and a plan JSON is
//! often one huge line), picks colour for the stream written to, and turns links off.

use super::{Report, load_error_location, summary_line};
use crate::rules::{Diagnostic, Severity};
use crate::source::Span;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use std::fmt;

/// The longest line shown whole; longer lines are cut to a window around the label.
const MAX_LINE: usize = 240;

/// Renders the report; `color` selects the coloured theme.
pub fn render(report: &Report, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(100)
        .with_wrap_lines(false)
        .with_context_lines(2);
    let mut out = String::new();
    for e in &report.load_errors {
        let (file, at) = load_error_location(&report.sources, e);
        let at = at.map(|a| format!(":{a}")).unwrap_or_default();
        out.push_str(&format!("error: {file}{at}: {}\n\n", e.message));
    }
    for d in &report.diagnostics {
        let shown = Shown::new(report, d);
        let _ = handler.render_report(&mut out, &shown);
        out.push('\n');
    }
    for note in &report.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

/// A diagnostic with its source window, as miette wants it.
struct Shown {
    message: String,
    code: String,
    severity: miette::Severity,
    help: String,
    labels: Vec<LabeledSpan>,
    source: Windowed,
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
        let points: Vec<usize> = spans.iter().map(|(s, _)| s.start as usize).collect();
        let source = Windowed::new(&file.name, &file.text, &points);
        // The diagnostic's own span is the primary label: miette sorts labels by offset and
        // takes the header's `file:line:column` from the primary one (else the first), which
        // must be the offending element, not a related span before it.
        let labels = spans
            .iter()
            .enumerate()
            .map(|(i, (s, text))| {
                let start = source.map(s.start as usize);
                let end = source.map(s.end as usize).max(start);
                let span = SourceSpan::from(start..end);
                if i == 0 {
                    LabeledSpan::new_primary_with_span(Some(text.clone()), span)
                } else {
                    LabeledSpan::new_with_span(Some(text.clone()), span)
                }
            })
            .collect();
        Shown {
            message: d.message.clone(),
            code: format!("{} {}", d.rule.code, d.rule.name),
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Note => miette::Severity::Advice,
            },
            help: d.help.clone(),
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

/// The file's text with every line longer than [`MAX_LINE`] cut to a window around the
/// labelled point on it. Line numbers stay; reported columns are corrected.
struct Windowed {
    name: String,
    text: String,
    /// Per line of the original: (original start, original window start, new start, window
    /// length in bytes, characters cut before the window minus the marker).
    lines: Vec<(usize, usize, usize, usize, usize)>,
}

impl Windowed {
    fn new(name: &str, original: &str, points: &[usize]) -> Windowed {
        let mut text = String::with_capacity(original.len().min(1 << 20));
        let mut lines = Vec::new();
        let mut start = 0;
        for line in original.split_inclusive('\n') {
            let body = line.trim_end_matches(['\n', '\r']);
            let new_start = text.len();
            if body.len() <= MAX_LINE {
                text.push_str(line);
                lines.push((start, start, new_start, line.len(), 0));
            } else {
                let focus = points
                    .iter()
                    .copied()
                    .find(|p| (start..start + body.len()).contains(p))
                    .map_or(0, |p| p - start);
                let mut from = focus.saturating_sub(MAX_LINE / 3);
                while !body.is_char_boundary(from) {
                    from -= 1;
                }
                let mut to = (from + MAX_LINE).min(body.len());
                while !body.is_char_boundary(to) {
                    to -= 1;
                }
                let cut_chars = body[..from].chars().count();
                let prefix = if from > 0 { "…" } else { "" };
                text.push_str(prefix);
                let window_start = text.len();
                text.push_str(&body[from..to]);
                if to < body.len() {
                    text.push('…');
                }
                text.push('\n');
                let marker = usize::from(from > 0);
                lines.push((
                    start,
                    start + from,
                    window_start,
                    to - from,
                    cut_chars.saturating_sub(marker),
                ));
            }
            start += line.len();
        }
        Windowed {
            name: name.to_string(),
            text,
            lines,
        }
    }

    /// The offset in the windowed text of an original offset.
    fn map(&self, offset: usize) -> usize {
        let i = self
            .lines
            .partition_point(|l| l.0 <= offset)
            .saturating_sub(1);
        let Some(&(_, win, new_start, len, _)) = self.lines.get(i) else {
            return self.text.len();
        };
        new_start + offset.saturating_sub(win).min(len)
    }

    fn column_shift(&self, line: usize) -> usize {
        self.lines.get(line).map_or(0, |l| l.4)
    }
}

impl SourceCode for Windowed {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column() + self.column_shift(inner.line()),
            inner.line_count(),
        )))
    }
}
