//! CP101/CP102: exempting the Clumio role from a bucket-policy Deny with
//! `ArnNotLike { aws:PrincipalArn = [role ARN with path] }`, merged into the statement's
//! conditions in the policy's own syntax: appended to an existing `ArnNotLike` on
//! `aws:PrincipalArn`, a new key of an existing `ArnNotLike`, a new operator of an existing
//! `Condition`, or a new `Condition` (a `condition` block in `aws_iam_policy_document`).

use super::account::{self, Value};
use super::text::{
    end_of_previous, first_on_line, indent_of, line_end, line_start, next_char, previous_char,
};
use crate::diagnostics::{Diagnostic, Edit, Fix};
use crate::model::{Inventory, PolicyDoc, PolicySyntax};
use crate::policy::ast::{Condition, Statement};
use crate::profile::Profile;
use crate::source::{Sources, Span};

/// A fix and the help that shows the same change.
pub struct Generated {
    /// The edits.
    pub fix: Fix,
    /// What to add, for people (pastes as it stands).
    pub help: String,
}

/// The operator's name as written (quotes left out).
fn operator_text<'a>(text: &'a str, c: &Condition) -> &'a str {
    text[c.operator_span.start as usize..c.operator_span.end as usize].trim_matches(['"', '\''])
}

/// Whether `text` can be an operator's name as written (one word, such as
/// `ForAnyValue:StringLike`); a span the model took from elsewhere is not.
fn is_operator_word(text: &str) -> bool {
    !text.is_empty() && !text.contains(char::is_whitespace) && !text.contains(": ")
}

/// The position of an operator's or key's first character, its opening quote included.
fn key_start(text: &str, span: Span) -> usize {
    let at = span.start as usize;
    match text[..at].chars().next_back() {
        Some(q @ ('"' | '\'')) if !text[at..span.end as usize].starts_with(q) => at - 1,
        _ => at,
    }
}

fn insert(file: crate::source::FileId, at: usize, text: String) -> Edit {
    Edit {
        span: Span::new(file, at, at),
        expected: String::new(),
        text,
    }
}

/// The exemption's `aws:PrincipalArn` entry (`key` and value in the syntax).
/// The entry in a YAML flow mapping (`{…}`).
fn flow_entry(values: &[String]) -> String {
    match values {
        [one] => format!("aws:PrincipalArn: {one}"),
        _ => format!("aws:PrincipalArn: [{}]", values.join(", ")),
    }
}

/// `text` with every line after the first indented by `depth` more spaces.
fn nest(text: &str, depth: usize) -> String {
    layout(text, &" ".repeat(depth))
}

fn key_entry(syntax: PolicySyntax, values: &[String]) -> String {
    let value = values.join(", ");
    match syntax {
        // A YAML block: one value on the key's line, several as a block sequence (flow
        // sequences cannot hold every tagged or colon-laden plain value).
        PolicySyntax::Yaml if values.len() > 1 => {
            let items: String = values.iter().map(|v| format!("\n  - {v}")).collect();
            format!("aws:PrincipalArn:{items}")
        }
        PolicySyntax::Json => format!("\"aws:PrincipalArn\": [{value}]"),
        PolicySyntax::HclJsonencode => format!("\"aws:PrincipalArn\" = [{value}]"),
        _ if values.len() > 1 => format!("aws:PrincipalArn: [{value}]"),
        PolicySyntax::Yaml | PolicySyntax::PolicyDocument => format!("aws:PrincipalArn: {value}"),
    }
}

/// `template` with every line after the first indented by `indent` (the template's own
/// indentation is relative to its first line).
fn layout(template: &str, indent: &str) -> String {
    template.replace('\n', &format!("\n{indent}"))
}

/// An edit and the text people would paste for it.
struct Change {
    edit: Edit,
    how: &'static str,
    snippet: String,
}

/// Appends `value` to the values of `c` (a list, or a single value made a list).
fn append_value(
    text: &str,
    file: crate::source::FileId,
    c: &Condition,
    syntax: PolicySyntax,
    values: &[String],
) -> Result<Change, String> {
    let value = &values.join(", ");
    let (first, last) = match (c.values.first(), c.values.last()) {
        (Some(f), Some(l)) => (f.span, l.span),
        _ => return Err("its aws:PrincipalArn condition has no values to add to".into()),
    };
    let how = "add the role to the values of its ArnNotLike aws:PrincipalArn";
    // Between the key and its first value: nothing (one value), `[` or `-` (a list); anything
    // else (a tag such as `!Sub`, a function) is not a plain list of values.
    let between: String = text
        .get(c.key.span.end as usize..first.start as usize)
        .unwrap_or("?")
        .chars()
        .filter(|ch| !matches!(ch, '"' | '\'' | ':' | '=' | ' ' | '\t' | '\n' | '\r'))
        .collect();
    if !matches!(between.as_str(), "" | "[" | "-") {
        return Err("its aws:PrincipalArn values are not written as a plain list".into());
    }
    let edit = match previous_char(text, first.start as usize) {
        Some('[') | Some(',') => insert(file, last.end as usize, format!(", {value}")),
        Some('-') if syntax == PolicySyntax::Yaml => {
            let dash = end_of_previous(text, last.start as usize) - 1;
            let indent = " ".repeat(dash - line_start(text, dash));
            let lines: String = values.iter().map(|v| format!("\n{indent}- {v}")).collect();
            insert(file, line_end(text, last.end as usize), lines)
        }
        _ if c.values.len() == 1 => {
            let old = &text[first.start as usize..first.end as usize];
            if old.contains('\n') {
                return Err(
                    "its aws:PrincipalArn value is a function written over several lines: add the role to it by hand"
                        .into(),
                );
            }
            Edit {
                span: first,
                expected: old.to_string(),
                text: format!("[{old}, {value}]"),
            }
        }
        _ => return Err("its aws:PrincipalArn values are not written as a list".into()),
    };
    Ok(Change {
        edit,
        how,
        snippet: value.to_string(),
    })
}

/// The edit for a statement that already has `conditions` (those written inside it).
fn merge(
    text: &str,
    file: crate::source::FileId,
    conditions: &[&Condition],
    syntax: PolicySyntax,
    values: &[String],
) -> Result<Change, String> {
    let exact = |c: &&&Condition| operator_text(text, c) == "ArnNotLike";
    if let Some(c) = conditions
        .iter()
        .filter(exact)
        .find(|c| c.key.value.eq_ignore_ascii_case("aws:PrincipalArn"))
    {
        return append_value(text, file, c, syntax, values);
    }
    let entry = key_entry(syntax, values);
    if let Some(last) = conditions.iter().filter(exact).max_by_key(|c| c.span.end) {
        let end = last.span.end as usize;
        let flow = syntax != PolicySyntax::Yaml || matches!(next_char(text, end), Some(',' | '}'));
        let edit = if flow && syntax == PolicySyntax::Yaml {
            insert(file, end, format!(", {}", flow_entry(values)))
        } else if flow {
            insert(file, end, format!(", {entry}"))
        } else {
            let key = key_start(text, last.key.span);
            let indent = " ".repeat(key - line_start(text, key));
            insert(
                file,
                line_end(text, end),
                format!("\n{indent}{}", layout(&entry, &indent)),
            )
        };
        return Ok(Change {
            edit,
            how: "add this key to its ArnNotLike",
            snippet: entry,
        });
    }
    let first = conditions
        .iter()
        .min_by_key(|c| c.operator_span.start)
        .ok_or("the statement has no condition")?;
    let at = key_start(text, first.operator_span);
    let own_line = first_on_line(text, at);
    let indent = indent_of(text, at).to_string();
    let template = match syntax {
        PolicySyntax::Json => format!("\"ArnNotLike\": {{ {entry} }}"),
        PolicySyntax::HclJsonencode => format!("ArnNotLike = {{ {entry} }}"),
        _ if own_line => format!("ArnNotLike:\n  {}", nest(&entry, 2)),
        _ => format!("ArnNotLike: {{{}}}", flow_entry(values)),
    };
    let separator = match (syntax, own_line) {
        (PolicySyntax::Json, true) => format!(",\n{indent}"),
        (PolicySyntax::HclJsonencode | PolicySyntax::Yaml, true) => format!("\n{indent}"),
        _ => ", ".to_string(),
    };
    Ok(Change {
        edit: insert(
            file,
            at,
            format!("{}{separator}", layout(&template, &indent)),
        ),
        how: "add this operator to its Condition",
        snippet: template,
    })
}

/// The edit for a statement without conditions.
fn add_condition(
    text: &str,
    file: crate::source::FileId,
    st: &Statement,
    syntax: PolicySyntax,
    values: &[String],
) -> Result<Change, String> {
    let value = &values.join(", ");
    let (start, end) = (st.span.start as usize, st.span.end as usize);
    let body = &text[start..end];
    let entry = key_entry(syntax, values);
    if syntax == PolicySyntax::PolicyDocument {
        if !body.ends_with('}') {
            return Err("the statement block does not end with `}`".into());
        }
        let indent = format!("{}  ", indent_of(text, start));
        let template = format!(
            "condition {{\n  test     = \"ArnNotLike\"\n  variable = \"aws:PrincipalArn\"\n  values   = [{value}]\n}}"
        );
        let at = end_of_previous(text, end - 1);
        return Ok(Change {
            edit: insert(
                file,
                at,
                format!("\n\n{indent}{}", layout(&template, &indent)),
            ),
            how: "add this block to the statement",
            snippet: template,
        });
    }
    let how = "add this to the statement";
    if body.starts_with('{') {
        if !body.ends_with('}') {
            return Err("the statement does not end with `}`".into());
        }
        let member = match syntax {
            PolicySyntax::Json => format!("\"Condition\": {{ \"ArnNotLike\": {{ {entry} }} }}"),
            PolicySyntax::HclJsonencode => format!("Condition = {{ ArnNotLike = {{ {entry} }} }}"),
            _ => format!("Condition: {{ArnNotLike: {{{}}}}}", flow_entry(values)),
        };
        let at = end_of_previous(text, end - 1);
        let inner = body.strip_prefix('{').unwrap_or(body);
        let first_member = start + 1 + (inner.len() - inner.trim_start().len());
        let indent = indent_of(text, first_member).to_string();
        let new = match (syntax, body.contains('\n'), previous_char(text, end - 1)) {
            (PolicySyntax::Json, _, Some(',')) => {
                return Err("the statement ends with a comma".into());
            }
            (PolicySyntax::HclJsonencode, true, _) => format!("\n{indent}{member}"),
            (_, _, Some(',')) => format!(" {member}"),
            (_, true, _) => format!(",\n{indent}{member}"),
            (_, false, _) => format!(", {member}"),
        };
        return Ok(Change {
            edit: insert(file, at, new),
            how,
            snippet: member,
        });
    }
    if syntax != PolicySyntax::Yaml {
        return Err("the statement is not written as an object".into());
    }
    let indent = " ".repeat(start - line_start(text, start));
    let template = format!("Condition:\n  ArnNotLike:\n    {}", nest(&entry, 4));
    let at = line_end(text, end.saturating_sub(1).max(start));
    Ok(Change {
        edit: insert(
            file,
            at,
            format!("\n{indent}{}", layout(&template, &indent)),
        ),
        how,
        snippet: template,
    })
}

/// A statement of a finding's policy, in the syntax its text shows, with its text.
pub struct StatementText<'a> {
    /// The statement.
    pub st: &'a Statement,
    /// How it is written (a rendered policy document whose statements are blocks is
    /// [`PolicySyntax::PolicyDocument`] whatever the model says).
    pub syntax: PolicySyntax,
    /// The whole text of its file.
    pub text: &'a str,
}

/// The statement of `d` (whose span is in it), with the syntax its text shows.
pub fn locate<'a>(
    sources: &'a Sources,
    inv: &'a Inventory,
    d: &Diagnostic,
) -> Result<StatementText<'a>, String> {
    let (syntax, st) = inv
        .policies
        .iter()
        .filter(|p| p.resource == d.resource)
        .find_map(|p| match &p.doc {
            PolicyDoc::Parsed { policy, .. } => policy
                .statements
                .iter()
                .find(|s| {
                    s.span.file == d.span.file
                        && s.span.start <= d.span.start
                        && d.span.end <= s.span.end
                })
                .map(|s| (p.syntax, s)),
            _ => None,
        })
        .ok_or("the statement is not in the code")?;
    let text = sources.file(st.span.file).text.as_str();
    let body = &text[st.span.start as usize..st.span.end as usize];
    let syntax = match syntax {
        PolicySyntax::HclJsonencode | PolicySyntax::PolicyDocument if body.starts_with('{') => {
            PolicySyntax::HclJsonencode
        }
        PolicySyntax::HclJsonencode | PolicySyntax::PolicyDocument => PolicySyntax::PolicyDocument,
        other => other,
    };
    if body.contains("\\\"") {
        return Err(
            "the policy is written as a quoted string; rewrite it with jsonencode, or change it by hand".into(),
        );
    }
    Ok(StatementText { st, syntax, text })
}

/// The edit that adds `values` to the statement's `ArnNotLike` on `aws:PrincipalArn` (merged
/// into its conditions), with how to say it and the text to paste.
pub fn add_exemption(loc: &StatementText<'_>, values: &[String]) -> Result<(Edit, String), String> {
    let StatementText { st, syntax, text } = *loc;
    let file = st.span.file;
    let body = &text[st.span.start as usize..st.span.end as usize];
    // Conditions written in the statement, where the model says (not those a template's
    // `Fn::If` resolves, whose spans are the branch's).
    let conditions: Vec<&Condition> = st
        .conditions
        .iter()
        .filter(|c| {
            c.operator_span.file == file
                && c.operator_span.start >= st.span.start
                && c.operator_span.end <= st.span.end
                && is_operator_word(operator_text(text, c))
        })
        .collect();
    if conditions.len() != st.conditions.len() {
        return Err("the statement's conditions are not all written in it".into());
    }
    let has_principal_arn = conditions.iter().any(|c| {
        operator_text(text, c) == "ArnNotLike"
            && c.key.value.eq_ignore_ascii_case("aws:PrincipalArn")
    });
    let change = if conditions.is_empty() {
        if body.contains("Condition") || body.contains("condition") {
            return Err("the statement's conditions are not known statically".into());
        }
        add_condition(text, file, st, syntax, values)?
    } else if syntax == PolicySyntax::PolicyDocument && !has_principal_arn {
        add_condition(text, file, st, syntax, values)?
    } else {
        merge(text, file, &conditions, syntax, values)?
    };
    Ok((change.edit, format!("{}:\n{}", change.how, change.snippet)))
}

/// The fix that exempts the Clumio role from the Deny statement of `d`.
pub fn exempt(
    sources: &Sources,
    inv: &Inventory,
    profile: &Profile,
    d: &Diagnostic,
) -> Result<Generated, String> {
    let loc = locate(sources, inv, d)?;
    let Value {
        text: value,
        declare,
    } = account::role_arn_value(sources, profile, d, loc.syntax)?;
    let (edit, how) = add_exemption(&loc, &[value])?;
    let (edits, declared) = with_declaration(sources, vec![edit], declare);
    Ok(Generated {
        fix: Fix {
            description: format!(
                "exempt the Clumio role from Deny statement \"{}\" with ArnNotLike on aws:PrincipalArn (the role ARN with its path, for every session)",
                loc.st.label()
            ),
            edits,
        },
        help: format!(
            "exempt the Clumio role (aws:PrincipalArn is the role ARN with its path for every session; the condition is ANDed with the others){declared}: {how}"
        ),
    })
}

/// `edits` with the declaration of the account's data source, if any (sorted), and the words
/// that say so.
pub fn with_declaration(
    sources: &Sources,
    mut edits: Vec<Edit>,
    declare: Option<Edit>,
) -> (Vec<Edit>, String) {
    let mut declared = String::new();
    if let Some(data) = declare {
        declared = format!(
            " (and declare `{}` in the module: the fix adds it to {})",
            data.text.trim(),
            sources.file(data.span.file).name
        );
        edits.push(data);
    }
    edits.sort_by_key(|e| (e.span.file, e.span.start));
    (edits, declared)
}
