//! How findings that hinge on unknowns say so: the list of what is not known, in a sentence
//! that reads whatever form each reason takes, and the help's first step naming the flags
//! that settle them only when there are such flags; and how answers that differ between the
//! Clumio role's candidates become one that depends on the role's name.

use crate::policy::Tri;
use std::collections::BTreeSet;

/// "values not known statically: A; B" (each reason is a clause or a noun phrase).
pub fn depends_on(reasons: &[String]) -> String {
    format!("values not known statically: {}", reasons.join("; "))
}

/// The flags (`--account-id`, `--var`) the reasons name, in order, each once.
pub fn flags_named(reasons: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for reason in reasons {
        let mut rest = reason.as_str();
        while let Some(at) = rest.find("--") {
            let tail = &rest[at + 2..];
            let len = tail
                .find(|c: char| !(c.is_ascii_lowercase() || c == '-'))
                .unwrap_or(tail.len());
            let name = tail[..len].trim_end_matches('-');
            if name.len() > 1 && !out.iter().any(|f| f[2..] == *name) {
                out.push(format!("--{name}"));
            }
            rest = &tail[len..];
        }
    }
    out
}

/// The help's first step: "settle the unknowns (--account-id, --org-id)" when flags settle
/// them, else "find out the values named above".
pub fn settle(reasons: &[String]) -> String {
    let flags = flags_named(reasons);
    if flags.is_empty() {
        "check the values named above once they are known".to_string()
    } else {
        format!("settle the unknowns with {}", flags.join(", "))
    }
}

/// One answer from the answers for each candidate of the Clumio role (bucket and key
/// policies alike): the same answer for every candidate stands; answers that differ depend on
/// the role's name (and on what each answer depends on). No candidate: no.
pub fn merge_roles(per_role: &[Tri]) -> Tri {
    let Some(first) = per_role.first() else {
        return Tri::No;
    };
    if per_role.iter().all(|t| t == first) {
        first.clone()
    } else {
        let mut set: BTreeSet<String> = per_role.iter().flat_map(|t| t.unknowns()).collect();
        set.insert("the Clumio role's name (--role-arn or --role-name)".into());
        Tri::Depends(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_flags_only_when_there_are_some() {
        let with = vec![
            "the AWS account id (--account-id)".to_string(),
            "aws:PrincipalOrgID: the organization (--org-id); --account-id again".to_string(),
        ];
        assert_eq!(flags_named(&with), ["--account-id", "--org-id"]);
        assert_eq!(
            settle(&with),
            "settle the unknowns with --account-id, --org-id"
        );
        let without = vec!["aws:SourceIp: Clumio's egress IP address (not published)".to_string()];
        assert_eq!(
            settle(&without),
            "check the values named above once they are known"
        );
        assert_eq!(
            depends_on(&without),
            "values not known statically: aws:SourceIp: Clumio's egress IP address (not published)"
        );
    }
}
