//! CP201/CP206: a key-policy statement that lets the Clumio role decrypt (backups) and
//! generate data keys (restores) through S3 in its own account — `kms:Decrypt` and
//! `kms:GenerateDataKey*` on `"*"` (this key), with `kms:CallerAccount` and `kms:ViaService`
//! conditions as AWS's own `aws/s3` key has them (AWS-SEMANTICS.md) — added after the
//! policy's last statement, in its syntax. A known role is the principal; otherwise every role
//! under the Clumio path is matched with `ArnLike aws:PrincipalArn` (principals take no
//! wildcards).

use super::account::{self, Value};
use super::exempt::Generated;
use super::text::{first_on_line, indent_of, line_end, line_start, next_char, previous_char};
use crate::diagnostics::{Diagnostic, Edit, Fix};
use crate::model::{Inventory, KeyPolicy, PolicyDoc, PolicySyntax};
use crate::profile::Profile;
use crate::source::{Sources, Span};

/// `template` with every line after the first indented by `indent`.
fn layout(template: &str, indent: &str) -> String {
    template.replace('\n', &format!("\n{indent}"))
}

/// The statement in `syntax`: `principal` is the role ARN value when exact, else `None`
/// (everyone, narrowed by `arn_like`).
fn statement(
    syntax: PolicySyntax,
    principal: Option<&str>,
    arn_like: Option<&str>,
    account: &str,
) -> String {
    let via = "s3.*.amazonaws.com";
    match syntax {
        PolicySyntax::Json => {
            let principal =
                principal.map_or("\"*\"".to_string(), |p| format!("{{ \"AWS\": {p} }}"));
            let arn_like = arn_like.map_or(String::new(), |a| {
                format!(",\n    \"ArnLike\": {{ \"aws:PrincipalArn\": {a} }}")
            });
            format!(
                "{{\n  \"Sid\": \"AllowClumioBackupAndRestore\",\n  \"Effect\": \"Allow\",\n  \"Principal\": {principal},\n  \
                 \"Action\": [\"kms:Decrypt\", \"kms:GenerateDataKey*\"],\n  \"Resource\": \"*\",\n  \"Condition\": {{\n    \
                 \"StringEquals\": {{ \"kms:CallerAccount\": {account} }},\n    \"StringLike\": {{ \"kms:ViaService\": \"{via}\" }}{arn_like}\n  }}\n}}"
            )
        }
        PolicySyntax::HclJsonencode => {
            let principal = principal.map_or("\"*\"".to_string(), |p| format!("{{ AWS = {p} }}"));
            let arn_like = arn_like.map_or(String::new(), |a| {
                format!("\n    ArnLike      = {{ \"aws:PrincipalArn\" = {a} }}")
            });
            format!(
                "{{\n  Sid       = \"AllowClumioBackupAndRestore\"\n  Effect    = \"Allow\"\n  Principal = {principal}\n  \
                 Action    = [\"kms:Decrypt\", \"kms:GenerateDataKey*\"]\n  Resource  = \"*\"\n  Condition = {{\n    \
                 StringEquals = {{ \"kms:CallerAccount\" = {account} }}\n    StringLike   = {{ \"kms:ViaService\" = \"{via}\" }}{arn_like}\n  }}\n}}"
            )
        }
        PolicySyntax::PolicyDocument => {
            let (kind, who) =
                principal.map_or(("*", "\"*\"".to_string()), |p| ("AWS", p.to_string()));
            let condition = |test: &str, variable: &str, value: &str| {
                format!(
                    "\n\n  condition {{\n    test     = \"{test}\"\n    variable = \"{variable}\"\n    values   = [{value}]\n  }}"
                )
            };
            let arn_like = arn_like.map_or(String::new(), |a| {
                condition("ArnLike", "aws:PrincipalArn", a)
            });
            format!(
                "statement {{\n  sid       = \"AllowClumioBackupAndRestore\"\n  actions   = [\"kms:Decrypt\", \"kms:GenerateDataKey*\"]\n  \
                 resources = [\"*\"]\n\n  principals {{\n    type        = \"{kind}\"\n    identifiers = [{who}]\n  }}{}{}{arn_like}\n}}",
                condition("StringEquals", "kms:CallerAccount", account),
                condition("StringLike", "kms:ViaService", &format!("\"{via}\""))
            )
        }
        PolicySyntax::Yaml => {
            let principal = principal.map_or(" '*'".to_string(), |p| format!("\n  AWS: {p}"));
            let arn_like = arn_like.map_or(String::new(), |a| {
                format!("\n  ArnLike:\n    aws:PrincipalArn: {a}")
            });
            format!(
                "Sid: AllowClumioBackupAndRestore\nEffect: Allow\nPrincipal:{principal}\nAction:\n  - kms:Decrypt\n  - kms:GenerateDataKey*\n\
                 Resource: '*'\nCondition:\n  StringEquals:\n    kms:CallerAccount: {account}\n  StringLike:\n    kms:ViaService: '{via}'{arn_like}"
            )
        }
    }
}

/// The fix that adds the Clumio statement to the key policy of `d`.
pub fn add(
    sources: &Sources,
    inv: &Inventory,
    profile: &Profile,
    d: &Diagnostic,
) -> Result<Generated, String> {
    let (policy, syntax) = inv
        .keys
        .iter()
        .find_map(|k| match &k.policy {
            KeyPolicy::Written { resource, span, doc, syntax } if *span == d.span && *resource == d.resource => {
                Some((doc, *syntax))
            }
            _ => None,
        })
        .ok_or("the key has no policy in the code (the default key policy applies): write one, with the statement shown")?;
    let PolicyDoc::Parsed { policy, .. } = policy else {
        return Err("the key policy is not known statically".into());
    };
    if !policy.unknown_statements.is_empty() {
        return Err("some statements of the key policy are known only after apply".into());
    }
    let last = policy
        .statements
        .iter()
        .max_by_key(|s| s.span.end)
        .ok_or("the key policy has no statement to add after")?;
    let file = last.span.file;
    let text = sources.file(file).text.as_str();
    if policy
        .statements
        .iter()
        .any(|s| s.span.file != file || s.span.start < d.span.start || s.span.end > d.span.end)
    {
        return Err("the key policy's statements are not all written in it".into());
    }
    let body = &text[last.span.start as usize..last.span.end as usize];
    if body.contains("\\\"") {
        return Err("the key policy is written as a quoted string; rewrite it with jsonencode, or add the statement by hand".into());
    }
    let syntax = match syntax {
        PolicySyntax::HclJsonencode | PolicySyntax::PolicyDocument if body.starts_with('{') => {
            PolicySyntax::HclJsonencode
        }
        PolicySyntax::HclJsonencode | PolicySyntax::PolicyDocument => PolicySyntax::PolicyDocument,
        other => other,
    };
    let exact = matches!(profile.roles.as_slice(), [r] if r.arn.as_known().is_some());
    let Value {
        text: arn,
        declare: declare_arn,
    } = account::role_arn_value(sources, profile, d, syntax)?;
    let Value {
        text: acct,
        declare: declare_acct,
    } = account::account_value(sources, profile, d, syntax)?;
    let new = if exact {
        statement(syntax, Some(&arn), None, &acct)
    } else {
        statement(syntax, None, Some(&arn), &acct)
    };
    let (start, end) = (last.span.start as usize, last.span.end as usize);
    let edit = match syntax {
        PolicySyntax::PolicyDocument => {
            let indent = indent_of(text, start).to_string();
            Edit {
                span: Span::new(file, end, end),
                expected: String::new(),
                text: format!("\n\n{indent}{}", layout(&new, &indent)),
            }
        }
        PolicySyntax::Yaml if !body.starts_with('{') => {
            if previous_char(text, start) != Some('-') {
                return Err("the statements are not written as a list".into());
            }
            let dash = text[..start].trim_end().len() - 1;
            let indent = " ".repeat(dash - line_start(text, dash));
            let at = line_end(text, end.saturating_sub(1).max(start));
            Edit {
                span: Span::new(file, at, at),
                expected: String::new(),
                text: format!("\n{indent}- {}", layout(&new, &format!("{indent}  "))),
            }
        }
        _ => {
            if !matches!(previous_char(text, start), Some('[' | ',')) {
                return Err("the statements are not written as a list".into());
            }
            let indent = if first_on_line(text, start) {
                indent_of(text, start).to_string()
            } else {
                String::new()
            };
            let laid = layout(&new, &indent);
            if next_char(text, end) == Some(',') {
                let comma = end + text[end..].find(',').unwrap_or(0) + 1;
                Edit {
                    span: Span::new(file, comma, comma),
                    expected: String::new(),
                    text: format!("\n{indent}{laid},"),
                }
            } else {
                Edit {
                    span: Span::new(file, end, end),
                    expected: String::new(),
                    text: format!(",\n{indent}{laid}"),
                }
            }
        }
    };
    let (edits, declared) =
        super::exempt::with_declaration(sources, vec![edit], declare_arn.or(declare_acct));
    Ok(Generated {
        fix: Fix {
            description: "add a key-policy statement that lets the Clumio role decrypt and generate data keys through S3 in its account".into(),
            edits,
        },
        help: format!(
            "add this statement to the key policy (kms:Decrypt for backups, kms:GenerateDataKey* for restores, only through S3 \
             and from the account){declared}:\n{new}"
        ),
    })
}
