//! What the checker reports: a [`Diagnostic`] (rule, severity, location, message, help) and
//! the [`Fix`] it may carry, as data that every reporter renders and plan mapping remaps; the
//! help's policy text is data too ([`HelpPart`], [`Snippet`]), so that plan mapping rewrites
//! it in the syntax of the source instead of editing prose.

use crate::model::PolicySyntax;
use crate::source::Span;
use std::fmt;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Informational.
    Note,
    /// Backups may break.
    Warning,
    /// Backups break.
    Error,
}

impl Severity {
    /// `error`, `warning`, `note`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's identity and documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    /// Stable code, e.g. `CP101`.
    pub code: &'static str,
    /// Stable name, e.g. `bucket-deny-blocks-backup`.
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// One line: when it fires.
    pub summary: &'static str,
    /// The full documentation (Markdown).
    pub docs: &'static str,
    /// What the rule is about, for tools that group findings (SARIF `tags`): the tool's
    /// concerns and the rule's topic (`bucket-policy`, `kms`, `object-ownership`,
    /// `configuration`).
    pub tags: &'static [&'static str],
    /// How much a finding matters to security, `0.0`–`10.0`, as GitHub code scanning reads
    /// SARIF's `security-severity` (≥ 7.0 high, ≥ 4.0 medium, else low).
    pub security_severity: &'static str,
}

/// A secondary location shown with a diagnostic.
#[derive(Debug, Clone, PartialEq)]
pub struct Related {
    /// Where.
    pub span: Span,
    /// What it is.
    pub message: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The rule.
    pub rule: &'static RuleInfo,
    /// Severity (the rule's default unless configured).
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// What to do, in words, with the policy text to write (the text of
    /// [`Diagnostic::help_parts`] when those are given).
    pub help: String,
    /// The offending element.
    pub span: Span,
    /// The label shown at the span.
    pub label: String,
    /// The resource that holds the element.
    pub resource: String,
    /// The bucket or key whose backup breaks, where known.
    pub target: Option<String>,
    /// Other places worth showing.
    pub related: Vec<Related>,
    /// The repair the rule vouches for, as edits to the files (reporters render it: SARIF
    /// `fixes`, JSON `fix`); `None` when the rule offers none or none is safe here, and then
    /// [`Diagnostic::help`] says what to do by hand.
    pub fix: Option<Fix>,
    /// For an element inside a Terraform module: the chains of `module` calls that reached
    /// it, one per way (outermost call first); empty outside modules.
    pub callers: Vec<Vec<Caller>>,
    /// The help as data: prose and snippets of policy text, each in a syntax, whose text is
    /// [`Diagnostic::help`]; empty when the help is prose alone. Set both with
    /// [`Diagnostic::set_help`].
    pub help_parts: Vec<HelpPart>,
}

impl Diagnostic {
    /// Sets the help from its parts: [`Diagnostic::help_parts`] and their text.
    pub fn set_help(&mut self, help: Help) {
        self.help = help.to_string();
        self.help_parts = help.parts;
    }

    /// Rewrites the help's snippets in `syntax` (`render` writes a snippet's kind in a
    /// syntax), and the help's text with them; a help of prose alone stays as it is.
    pub fn help_in_syntax(
        &mut self,
        syntax: PolicySyntax,
        render: impl Fn(SnippetKind, PolicySyntax) -> String,
    ) {
        if self.help_parts.is_empty() {
            return;
        }
        for part in &mut self.help_parts {
            if let HelpPart::Snippet(snippet) = part
                && snippet.syntax != syntax
            {
                snippet.text = render(snippet.kind, syntax);
                snippet.syntax = syntax;
            }
        }
        self.help = text_of(&self.help_parts);
    }
}

/// A help as data: prose and snippets of policy text, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Help {
    /// The parts, in the order they read.
    pub parts: Vec<HelpPart>,
}

/// One part of a help.
#[derive(Debug, Clone, PartialEq)]
pub enum HelpPart {
    /// Words.
    Text(String),
    /// Policy text to write.
    Snippet(Snippet),
}

/// Policy text shown in a help, written in the syntax of the policy it is for.
#[derive(Debug, Clone, PartialEq)]
pub struct Snippet {
    /// What it is: written again in another syntax, the same text there.
    pub kind: SnippetKind,
    /// The syntax it is written in.
    pub syntax: PolicySyntax,
    /// The text.
    pub text: String,
}

/// The policy text a help may show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnippetKind {
    /// The condition that exempts every session of the Clumio role from a Deny.
    Exemption,
    /// The same exemption as an operator entry, to add inside a statement's existing
    /// `Condition`.
    ExemptionEntry,
    /// The condition that spares the calls AWS services make for a caller.
    NotViaAwsService,
    /// A principal that matches everyone, in place of a `NotPrincipal`.
    AnyPrincipal,
    /// The key-policy statement that lets the Clumio role decrypt and generate data keys.
    KeyStatement,
}

impl Help {
    /// A help of words alone, to be continued.
    pub fn text(text: impl Into<String>) -> Help {
        Help {
            parts: vec![HelpPart::Text(text.into())],
        }
    }

    /// This help, then `text`.
    pub fn then_text(mut self, text: impl Into<String>) -> Help {
        self.parts.push(HelpPart::Text(text.into()));
        self
    }

    /// This help, then `snippet`.
    pub fn then_snippet(mut self, snippet: Snippet) -> Help {
        self.parts.push(HelpPart::Snippet(snippet));
        self
    }

    /// This help, then `other`.
    pub fn then(mut self, other: Help) -> Help {
        self.parts.extend(other.parts);
        self
    }
}

/// The text of a help's parts, one after the other.
fn text_of(parts: &[HelpPart]) -> String {
    parts
        .iter()
        .map(|part| match part {
            HelpPart::Text(text) => text.as_str(),
            HelpPart::Snippet(snippet) => snippet.text.as_str(),
        })
        .collect()
}

impl fmt::Display for Help {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&text_of(&self.parts))
    }
}

/// A `module` call through which a diagnostic inside a module was reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    /// The call's address: `module.logs`, `module.logs["a"]`, `module.app.module.logs`.
    pub module: String,
    /// The `module` block.
    pub span: Span,
}

/// A repair, as data: edits to the scanned files, in each file's own syntax.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    /// What the fix does, in one sentence for the user.
    pub description: String,
    /// The edits, in order of position, none overlapping another.
    pub edits: Vec<Edit>,
}

/// One edit: replace the text at `span` with `text` (an empty span inserts at its start).
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// Where, in a loaded file.
    pub span: Span,
    /// The text that must be there for the edit to apply: what the rule read. An edit whose
    /// text has changed since is not applied.
    pub expected: String,
    /// The new text, written in the file's syntax.
    pub text: String,
}

impl Edit {
    /// The span of the word `word` in a value whose span is `value`: the value itself when
    /// it is the bare word (YAML), its inside when it is the word quoted (HCL, JSON, YAML);
    /// `None` for anything else (escapes, interpolation), which a value edit must not touch.
    pub fn word_in_value(value: Span, word: &str) -> Option<Span> {
        let (start, end) = (value.start as usize, value.end as usize);
        match end - start {
            n if n == word.len() => Some(value),
            n if n == word.len() + 2 => Some(Span::new(value.file, start + 1, end - 1)),
            _ => None,
        }
    }
}

impl Fix {
    /// A fix of one edit.
    pub fn single(description: impl Into<String>, edit: Edit) -> Fix {
        Fix {
            description: description.into(),
            edits: vec![edit],
        }
    }
}
