//! `Principal` and `NotPrincipal`: does an entry name the caller, its account, role or session?

use super::*;
use crate::policy::ast::*;
use crate::policy::glob::{Pattern, PatternOptions};
use crate::policy::tri::Tri;
use crate::value::PString;

/// Does an `{"AWS": …}`-style entry name the caller (or its account, role, session)?
#[derive(Debug)]
struct PrincipalHits {
    any: Tri,
    account: Tri,
    role: Tri,
    caller: Tri,
}

fn exact(a: &PString, b: &PString) -> Tri {
    Pattern::matches_text(a, PatternOptions::EXACT, b, true)
}

fn entry_hits(
    entry: &PrincipalEntry,
    p: &RequestPrincipal,
    notes: &mut Vec<String>,
) -> PrincipalHits {
    let none = || PrincipalHits {
        any: Tri::No,
        account: Tri::No,
        role: Tri::No,
        caller: Tri::No,
    };
    let v = &entry.value.value;
    match entry.kind {
        PrincipalKind::Everyone => {
            return PrincipalHits {
                any: Tri::Yes,
                account: Tri::Yes,
                role: Tri::Yes,
                caller: Tri::Yes,
            };
        }
        PrincipalKind::Aws => {}
        _ => return none(),
    }
    if v.as_known() == Some("*") {
        return PrincipalHits {
            any: Tri::Yes,
            account: Tri::Yes,
            role: Tri::Yes,
            caller: Tri::Yes,
        };
    }
    if v.contains_known("*") || v.contains_known("?") {
        notes.push(format!(
            "principal \"{v}\" holds a partial wildcard, which AWS never matches as a pattern"
        ));
        return none();
    }
    // The account, written as a bare id or as its root ARN.
    let account_form = match v.as_known() {
        Some(t) if t.len() == 12 && t.bytes().all(|b| b.is_ascii_digit()) => {
            Some(PString::known(t))
        }
        _ => root_account(v),
    };
    if let Some(acct) = account_form {
        let hit = exact(&acct, &p.account);
        return PrincipalHits {
            any: hit.clone(),
            account: hit,
            role: Tri::No,
            caller: Tri::No,
        };
    }
    let role = p.role_arn.as_ref().map_or(Tri::No, |r| exact(v, r));
    let caller = exact(v, &p.arn);
    PrincipalHits {
        any: role.clone().or(caller.clone()),
        account: Tri::No,
        role,
        caller,
    }
}

/// `arn:PARTITION:iam::ACCOUNT:root` → the account part.
fn root_account(v: &PString) -> Option<PString> {
    let prefix = v.known_prefix();
    if !prefix.starts_with("arn:") {
        return None;
    }
    let text = v.to_string();
    if !text.ends_with(":root") {
        return None;
    }
    // Rebuild the account piece from the parts between the fourth and fifth colon.
    let mut out = PString::default();
    let mut colons = 0;
    for part in v.parts() {
        match part {
            crate::value::Part::Lit(s) => {
                for c in s.chars() {
                    if c == ':' {
                        colons += 1;
                    } else if colons == 4 {
                        out.push_str(&c.to_string());
                    }
                }
            }
            crate::value::Part::Hole(h) => {
                if colons == 4 {
                    out.push_hole(h.clone());
                }
            }
        }
    }
    (colons == 5 && text.contains(":iam::")).then_some(out)
}

pub(super) fn principal_applies(st: &Statement, request: &Request, because: &mut Why) -> Tri {
    let Some(element) = &st.principal else {
        because.push(|| {
            "no Principal element: the statement applies to the caller it is attached to".into()
        });
        return Tri::Yes;
    };
    let p = &request.principal;
    let mut notes = Vec::new();
    let hits: Vec<PrincipalHits> = element
        .entries
        .iter()
        .map(|e| entry_hits(e, p, &mut notes))
        .collect();
    for note in notes {
        because.push(|| note);
    }
    let any = |f: fn(&PrincipalHits) -> Tri| Tri::any(hits.iter().map(f));
    if !element.negated {
        let hit = any(|h| h.any.clone());
        let everyone = hits
            .iter()
            .any(|h| h.any == Tri::Yes && h.role == Tri::Yes && h.account == Tri::Yes);
        let by_account = hits.iter().any(|h| h.account == Tri::Yes);
        because.push(|| match &hit {
            Tri::Yes if everyone => format!("Principal \"*\" covers everyone, including {}", p.arn),
            Tri::Yes if by_account => format!(
                "Principal names the account of {} (an account principal covers every identity in it)",
                p.arn
            ),
            Tri::Yes => format!("Principal names {}", p.arn),
            Tri::No => format!("Principal does not name {}", p.arn),
            Tri::Depends(_) => format!("Principal may name {}", p.arn),
        });
        return hit;
    }
    // NotPrincipal: AWS may check the account, the role and the session in turn; the caller
    // is exempt only if every one of them is listed.
    let exempt = if p.is_session() {
        any(|h| h.account.clone())
            .and(any(|h| h.role.clone()))
            .and(any(|h| h.caller.clone()))
    } else {
        any(|h| h.account.clone()).and(any(|h| h.caller.clone()))
    };
    let everyone = any(|h| {
        if h.any == Tri::Yes && h.account == Tri::Yes && h.role == Tri::Yes {
            Tri::Yes
        } else {
            Tri::No
        }
    });
    if everyone == Tri::Yes {
        because.push(|| "NotPrincipal \"*\" exempts everyone".into());
        return Tri::No;
    }
    let mut applies = !exempt.clone();
    match (&exempt, p.permissions_boundary) {
        (Tri::No, _) => because.push(|| format!(
            "NotPrincipal does not list all of the account, the role and the session of {}, so the statement applies to it",
            p.arn
        )),
        (_, Some(true)) => {
            because.push(|| "the caller has a permissions boundary: a NotPrincipal Deny always applies to it".into());
            applies = Tri::Yes;
        }
        (_, None) => {
            because.push(|| format!(
                "NotPrincipal exempts {} unless the role has a permissions boundary",
                p.arn
            ));
            applies = applies.or(Tri::depends(p.boundary_why.clone()));
        }
        (Tri::Yes, Some(false)) => because.push(|| format!("NotPrincipal exempts {}", p.arn)),
        (Tri::Depends(_), Some(false)) => because.push(|| format!("NotPrincipal may exempt {}", p.arn)),
    }
    applies
}
