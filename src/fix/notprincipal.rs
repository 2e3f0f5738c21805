//! CP103/CP104/CP105: a `NotPrincipal` Deny becomes `Principal "*"` with the equivalent
//! `ArnNotLike aws:PrincipalArn` exemption list: the principals it listed (an account as its
//! root ARN, roles and users as they are, a session only when its role is listed too, since
//! aws:PrincipalArn of a session is its role's ARN) and the Clumio role (with its path, which
//! covers every session). `ArnNotLike` on several values (and on two lists ANDed) exempts a
//! caller that matches any of them, as `NotPrincipal` did.

use super::account::{self, Value};
use super::exempt::{Generated, add_exemption, locate, with_declaration};
use super::text::quoted;
use crate::diagnostics::{Diagnostic, Edit, Fix};
use crate::model::{Inventory, PolicySyntax};
use crate::policy::ast::PrincipalKind;
use crate::profile::Profile;
use crate::source::{Sources, Span};

/// A known principal ARN (or account id) as the ARN aws:PrincipalArn compares with; `None`
/// for a session whose role is not listed.
fn principal_arn(
    value: &str,
    listed_roles: &[&str],
    partition: &str,
) -> Result<Option<String>, String> {
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Some(format!("arn:{partition}:iam::{value}:root")));
    }
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    let Some(resource) = parts.get(5) else {
        return Err(format!(
            "NotPrincipal names `{value}`, which is not an IAM ARN"
        ));
    };
    if let Some(session) = resource.strip_prefix("assumed-role/") {
        let role = session.split('/').next().unwrap_or("");
        let covered = listed_roles
            .iter()
            .any(|r| r.rsplit('/').next() == Some(role));
        return if covered {
            Ok(None)
        } else {
            Err(format!(
                "NotPrincipal names the session `{value}` without its role, which aws:PrincipalArn (the role's ARN) cannot say without the role's path"
            ))
        };
    }
    Ok(Some(value.to_string()))
}

/// The fix that replaces the `NotPrincipal` of the statement of `d`.
pub fn replace(
    sources: &Sources,
    inv: &Inventory,
    profile: &Profile,
    d: &Diagnostic,
) -> Result<Generated, String> {
    let loc = locate(sources, inv, d)?;
    let (st, syntax, text) = (loc.st, loc.syntax, loc.text);
    if syntax == PolicySyntax::PolicyDocument {
        return Err("not_principals blocks are not rewritten by --fix; replace them by hand as the help shows".into());
    }
    let principal = st
        .principal
        .as_ref()
        .filter(|p| p.negated)
        .ok_or("the statement has no NotPrincipal")?;
    let yaml_host = syntax == PolicySyntax::Yaml && !text.trim_start().starts_with('{');
    let literal = |arn: &str| {
        if yaml_host {
            format!("'{arn}'")
        } else {
            quoted(arn)
        }
    };
    let known: Vec<&str> = principal
        .entries
        .iter()
        .filter_map(|e| e.value.value.as_known())
        .collect();
    let roles: Vec<&str> = known
        .iter()
        .copied()
        .filter(|v| v.contains(":role/"))
        .collect();
    let mut values: Vec<String> = Vec::new();
    for e in &principal.entries {
        if e.kind != PrincipalKind::Aws {
            return Err("NotPrincipal names a service, federated or canonical-user principal, which aws:PrincipalArn cannot express".into());
        }
        let span = e.value.span;
        if span.file != st.span.file
            || span.start < principal.span.start
            || span.end > principal.span.end
        {
            return Err("a principal of NotPrincipal is not written in it".into());
        }
        let written = &text[span.start as usize..span.end as usize];
        // As written (quoting, `!Sub`, references) unless it changes (an account id becomes
        // its root ARN) or goes (a session of a listed role).
        let value = match e.value.value.as_known() {
            Some(v) => match principal_arn(v, &roles, &profile.partition)? {
                Some(arn) if arn == v => written.to_string(),
                Some(arn) => literal(&arn),
                None => continue,
            },
            None => written.to_string(),
        };
        if !values.contains(&value) {
            values.push(value);
        }
    }
    let Value {
        text: clumio,
        declare,
    } = account::role_arn_value(sources, profile, d, syntax)?;
    let clumio_known = crate::rules::fix::role_arn(profile, PolicySyntax::Json);
    if !values.contains(&clumio) && !known.contains(&clumio_known.as_str()) {
        values.push(clumio);
    }
    // `NotPrincipal: {…}` → `Principal: "*"`, in one edit from the key to the end of the value.
    let (start, end) = (principal.span.start as usize, principal.span.end as usize);
    let key = text[st.span.start as usize..start]
        .rfind("NotPrincipal")
        .map(|i| st.span.start as usize + i)
        .ok_or("the NotPrincipal key is not written before its value")?;
    let between = &text[key + "NotPrincipal".len()..start];
    let between = if between.contains('\n') {
        format!("{} ", between.trim_end())
    } else {
        between.to_string()
    };
    let everyone = if yaml_host { "'*'" } else { "\"*\"" };
    let edits = vec![Edit {
        span: Span::new(st.span.file, key, end),
        expected: text[key..end].to_string(),
        text: format!("Principal{between}{everyone}"),
    }];
    let (condition, how) = add_exemption(&loc, &values)?;
    if (key as u32) <= condition.span.start && condition.span.start < principal.span.end {
        return Err("the condition would be written inside NotPrincipal".into());
    }
    let mut all = edits;
    all.push(condition);
    let (edits, declared) = with_declaration(sources, all, declare);
    Ok(Generated {
        fix: Fix {
            description: format!(
                "replace NotPrincipal in Deny statement \"{}\" with Principal \"*\" and an ArnNotLike aws:PrincipalArn exemption of the same principals and the Clumio role",
                st.label()
            ),
            edits,
        },
        help: format!(
            "replace `NotPrincipal` with `Principal` \"*\" and exempt the principals it listed, and the Clumio role, with ArnNotLike on aws:PrincipalArn (the role ARN, which covers every session){declared}: {how}"
        ),
    })
}
