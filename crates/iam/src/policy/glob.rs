//! Three-valued wildcard matching of IAM patterns against partly known strings.
//!
//! A pattern (`*` any run, `?` one character) is matched against a value whose parts may be
//! [`Hole`]s. The answer is `Yes` when the pattern matches whatever the unknowns are, `No`
//! when no value of the unknowns could make it match, and `Depends` otherwise.
//!
//! Both questions are answered by one product-automaton walk over (pattern position, value
//! position). For "whatever the unknowns are", an unknown hole in the value is an opaque
//! token that only a `*` (or the same unknown in the pattern) can absorb; for "could it
//! match", every hole is a free run of text on its side. The object-key hole of object ARNs
//! (`HoleKind::AnyKey`) is existential ("some object") or universal ("every object") as the
//! caller asks.

use super::tri::Tri;
use crate::value::{Hole, HoleKind, PString, Part};

/// One compiled pattern token.
#[derive(Debug, Clone, PartialEq)]
enum PTok {
    Char(char),
    One,
    Star,
    Hole(Hole),
}

/// One value token.
#[derive(Debug, Clone, PartialEq)]
enum VTok<'a> {
    Char(char),
    Hole(&'a Hole),
}

/// The value of a policy variable in the request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum VarValue {
    /// The key has this value.
    Value(PString),
    /// The key is missing: the variable has no value.
    NoValue,
}

/// How a compiled pattern treats `*`, `?` and case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatternOptions {
    /// Whether `*` and `?` are wildcards (false for `…Equals` operators).
    pub(crate) wildcards: bool,
    /// Whether letters compare ignoring case.
    pub(crate) ignore_case: bool,
}

impl PatternOptions {
    /// Case-sensitive glob.
    pub const GLOB: PatternOptions = PatternOptions {
        wildcards: true,
        ignore_case: false,
    };
    /// Case-insensitive glob (actions).
    pub const GLOB_NOCASE: PatternOptions = PatternOptions {
        wildcards: true,
        ignore_case: true,
    };
    /// Exact, case-sensitive.
    pub const EXACT: PatternOptions = PatternOptions {
        wildcards: false,
        ignore_case: false,
    };
    /// Exact, ignoring case.
    pub(crate) const EXACT_NOCASE: PatternOptions = PatternOptions {
        wildcards: false,
        ignore_case: true,
    };
}

/// A pattern ready to match.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    toks: Vec<PTok>,
    ignore_case: bool,
}

/// Why a pattern could not be compiled for a request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CompileError {
    /// A policy variable whose key is missing from the request, so it has no value.
    NoValue(String),
}

impl Pattern {
    /// Compiles `text` with no policy variables.
    pub fn new(text: &PString, options: PatternOptions) -> Pattern {
        Pattern::compile(text, options, None).expect("no variables, no failure")
    }

    /// Compiles `text`; when `vars` is given, `${key}` variables are replaced by their
    /// request values (`${*}`, `${?}`, `${$}` are the literal characters, and
    /// `${key, 'default'}` falls back to the default).
    pub(crate) fn compile(
        text: &PString,
        options: PatternOptions,
        vars: Option<&dyn Fn(&str) -> VarValue>,
    ) -> Result<Pattern, CompileError> {
        let mut toks = Vec::new();
        let fold = |c: char| {
            if options.ignore_case {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                c
            }
        };
        let push_literal = |toks: &mut Vec<PTok>, s: &str| {
            toks.extend(s.chars().map(|c| PTok::Char(fold(c))));
        };
        for part in text.parts() {
            let lit = match part {
                Part::Hole(hole) => {
                    toks.push(PTok::Hole(hole.clone()));
                    continue;
                }
                Part::Lit(lit) => lit,
            };
            let mut rest = lit.as_str();
            while let Some(c) = rest.chars().next() {
                if let Some(vars) = vars
                    && rest.starts_with("${")
                    && let Some(close) = rest.find('}')
                {
                    {
                        let inner = &rest[2..close];
                        rest = &rest[close + 1..];
                        match inner {
                            "*" | "?" | "$" => push_literal(&mut toks, inner),
                            _ => {
                                let (name, default) = split_default(inner);
                                match vars(name) {
                                    VarValue::Value(v) => {
                                        for p in v.parts() {
                                            match p {
                                                Part::Lit(s) => push_literal(&mut toks, s),
                                                Part::Hole(h) => toks.push(PTok::Hole(h.clone())),
                                            }
                                        }
                                    }
                                    VarValue::NoValue => match default {
                                        Some(d) => push_literal(&mut toks, d),
                                        None => {
                                            return Err(CompileError::NoValue(name.to_string()));
                                        }
                                    },
                                }
                            }
                        }
                        continue;
                    }
                }
                rest = &rest[c.len_utf8()..];
                toks.push(match c {
                    '*' if options.wildcards => PTok::Star,
                    '?' if options.wildcards => PTok::One,
                    _ => PTok::Char(fold(c)),
                });
            }
        }
        Ok(Pattern {
            toks,
            ignore_case: options.ignore_case,
        })
    }

    /// Matches `value`, treating the object-key hole as "some object" (`anykey_exists`)
    /// or "every object".
    pub fn matches(&self, value: &PString, anykey_exists: bool) -> Tri {
        if let (Some(text), true) = (value.as_known(), self.is_known()) {
            return Tri::from_bool(known_match(&self.toks, text, self.ignore_case));
        }
        let vtoks = value_tokens(value, self.ignore_case);
        match_tokens(&self.toks, &vtoks, anykey_exists)
    }

    /// Splits the pattern into ARN parts: the first five `:` separate six parts.
    fn split_arn(&self) -> Option<[&[PTok]; 6]> {
        let mut parts: [&[PTok]; 6] = [&[]; 6];
        let mut rest = self.toks.as_slice();
        for part in parts.iter_mut().take(5) {
            let colon = rest.iter().position(|t| *t == PTok::Char(':'))?;
            *part = &rest[..colon];
            rest = &rest[colon + 1..];
        }
        parts[5] = rest;
        Some(parts)
    }

    /// ARN matching: both sides split into six colon-separated parts, each part matched on
    /// its own; anything that is not a six-part ARN does not match. Unknowns inside a
    /// six-part ARN stand for one part's text (an account, a name) and hold no `:`; an
    /// unknown on a side whose known text has fewer than six parts may be (or complete) a
    /// whole ARN, so that side only fails to match when the whole texts cannot match.
    pub fn matches_arn(&self, value: &PString, anykey_exists: bool) -> Tri {
        if let (Some(text), true) = (value.as_known(), self.is_known()) {
            return Tri::from_bool(known_arn_match(&self.toks, text, self.ignore_case));
        }
        let vtoks = value_tokens(value, self.ignore_case);
        let mut vparts: Vec<&[VTok]> = Vec::new();
        let mut start = 0;
        for (i, tok) in vtoks.iter().enumerate() {
            if *tok == VTok::Char(':') && vparts.len() < 5 {
                vparts.push(&vtoks[start..i]);
                start = i + 1;
            }
        }
        vparts.push(&vtoks[start..]);
        let pparts = self.split_arn();
        let (Some(pparts), 6) = (&pparts, vparts.len()) else {
            let p_unknown = self
                .toks
                .iter()
                .any(|t| matches!(t, PTok::Hole(h) if h.kind == HoleKind::Unknown));
            let v_unknown = vtoks
                .iter()
                .any(|t| matches!(t, VTok::Hole(h) if h.kind == HoleKind::Unknown));
            let may_be_arns = (pparts.is_some() || p_unknown) && (vparts.len() == 6 || v_unknown);
            // An ARN match is also a match of the whole texts.
            if !may_be_arns || !walk(&self.toks, &vtoks, true, anykey_exists) {
                return Tri::No;
            }
            return Tri::Depends(unknown_whys(&self.toks, &vtoks));
        };
        Tri::all(
            pparts
                .iter()
                .zip(vparts)
                .map(|(p, v)| match_tokens(p, v, anykey_exists)),
        )
    }
}

impl Pattern {
    /// What compiling `text` (with `variables` given or not) and matching it against `value`
    /// (as an ARN when `arn`) answers, when `text` and `value` are both known and `text`
    /// holds no `${` to substitute: computed on the two texts, with no pattern built (the
    /// hot path of policy evaluation). `None` when the pattern has to be compiled.
    pub fn match_known_texts(
        text: &PString,
        options: PatternOptions,
        variables: bool,
        value: &PString,
        arn: bool,
    ) -> Option<bool> {
        let (pattern, value) = (text.as_known()?, value.as_known()?);
        if variables && pattern.contains("${") {
            return None;
        }
        Some(if arn {
            text_arn_match(pattern, value, options)
        } else {
            text_match(pattern, value, options)
        })
    }

    /// `Pattern::new(text, options).matches(value, anykey_exists)`, without building the
    /// pattern when both texts are known.
    pub fn matches_text(
        text: &PString,
        options: PatternOptions,
        value: &PString,
        anykey_exists: bool,
    ) -> Tri {
        match Pattern::match_known_texts(text, options, false, value, false) {
            Some(hit) => Tri::from_bool(hit),
            None => Pattern::new(text, options).matches(value, anykey_exists),
        }
    }
}

/// [`known_match`] on the pattern's text itself: `*` and `?` are wildcards when `options`
/// say so, every other character is itself (case-folded when `options` say so).
fn text_match(p: &str, v: &str, options: PatternOptions) -> bool {
    if p.is_ascii() && v.is_ascii() {
        return ascii_text_match(p.as_bytes(), v.as_bytes(), options);
    }
    let fold = |c: char| {
        if options.ignore_case {
            c.to_lowercase().next().unwrap_or(c)
        } else {
            c
        }
    };
    let star = |c: char| options.wildcards && c == '*';
    let one = |c: char| options.wildcards && c == '?';
    let (mut pi, mut vi) = (0usize, 0usize);
    let mut backtrack: Option<(usize, usize)> = None;
    loop {
        let Some(c) = v[vi..].chars().next() else {
            return p[pi..].chars().all(star);
        };
        match p[pi..].chars().next() {
            Some(a) if star(a) => {
                backtrack = Some((pi, vi));
                pi += 1;
                continue;
            }
            Some(a) if one(a) => {
                pi += 1;
                vi += c.len_utf8();
                continue;
            }
            Some(a) if fold(a) == fold(c) => {
                pi += a.len_utf8();
                vi += c.len_utf8();
                continue;
            }
            _ => {}
        }
        match backtrack {
            Some((sp, sv)) => {
                let skipped = v[sv..].chars().next().map_or(1, char::len_utf8);
                backtrack = Some((sp, sv + skipped));
                pi = sp + 1;
                vi = sv + skipped;
            }
            None => return false,
        }
    }
}

/// [`text_match`] for ASCII texts (policies and ARNs nearly always are): the same walk over
/// bytes, where a character's lower case is its ASCII lower case.
fn ascii_text_match(p: &[u8], v: &[u8], options: PatternOptions) -> bool {
    let same = |a: u8, c: u8| {
        if options.ignore_case {
            a.eq_ignore_ascii_case(&c)
        } else {
            a == c
        }
    };
    let (star, one) = (
        |a: u8| options.wildcards && a == b'*',
        |a: u8| options.wildcards && a == b'?',
    );
    let (mut pi, mut vi) = (0usize, 0usize);
    let mut backtrack: Option<(usize, usize)> = None;
    loop {
        let Some(&c) = v.get(vi) else {
            return p[pi..].iter().all(|&a| star(a));
        };
        match p.get(pi) {
            Some(&a) if star(a) => {
                backtrack = Some((pi, vi));
                pi += 1;
                continue;
            }
            Some(&a) if one(a) || same(a, c) => {
                pi += 1;
                vi += 1;
                continue;
            }
            _ => {}
        }
        match backtrack {
            Some((sp, sv)) => {
                backtrack = Some((sp, sv + 1));
                pi = sp + 1;
                vi = sv + 1;
            }
            None => return false,
        }
    }
}

/// [`known_arn_match`] on the pattern's text: six `:`-separated parts each, part by part.
fn text_arn_match(p: &str, v: &str, options: PatternOptions) -> bool {
    let mut pparts = p.splitn(6, ':');
    let mut vparts = v.splitn(6, ':');
    (0..6).all(|_| match (pparts.next(), vparts.next()) {
        (Some(pp), Some(vp)) => text_match(pp, vp, options),
        _ => false,
    })
}

impl Pattern {
    /// Whether the pattern has no unknown parts.
    fn is_known(&self) -> bool {
        !self.toks.iter().any(|t| matches!(t, PTok::Hole(_)))
    }
}

/// The fast path for a known pattern and a known value: the classic glob walk with one
/// backtrack point, no allocation.
fn known_match(p: &[PTok], v: &str, ignore_case: bool) -> bool {
    let fold = |c: char| {
        if ignore_case {
            c.to_lowercase().next().unwrap_or(c)
        } else {
            c
        }
    };
    let (mut pi, mut vi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        let Some(c) = v[vi..].chars().next() else {
            while pi < p.len() && p[pi] == PTok::Star {
                pi += 1;
            }
            return pi == p.len();
        };
        match p.get(pi) {
            Some(PTok::Char(a)) if *a == fold(c) => {
                pi += 1;
                vi += c.len_utf8();
                continue;
            }
            Some(PTok::One) => {
                pi += 1;
                vi += c.len_utf8();
                continue;
            }
            Some(PTok::Star) => {
                star = Some((pi, vi));
                pi += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, sv)) => {
                let skipped = v[sv..].chars().next().map_or(1, char::len_utf8);
                star = Some((sp, sv + skipped));
                pi = sp + 1;
                vi = sv + skipped;
            }
            None => return false,
        }
    }
}

/// ARN matching on known texts: six parts each, matched part by part.
fn known_arn_match(p: &[PTok], v: &str, ignore_case: bool) -> bool {
    let mut vparts = v.splitn(6, ':');
    let mut rest = p;
    for i in 0..6 {
        let Some(vpart) = vparts.next() else {
            return false;
        };
        let end = if i < 5 {
            match rest.iter().position(|t| *t == PTok::Char(':')) {
                Some(e) => e,
                None => return false,
            }
        } else {
            rest.len()
        };
        if !known_match(&rest[..end], vpart, ignore_case) {
            return false;
        }
        rest = if i < 5 { &rest[end + 1..] } else { &[] };
    }
    true
}

fn split_default(inner: &str) -> (&str, Option<&str>) {
    match inner.split_once(',') {
        Some((name, default)) => {
            let d = default.trim();
            let d = d
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .unwrap_or(d);
            (name.trim(), Some(d))
        }
        None => (inner.trim(), None),
    }
}

fn value_tokens(value: &PString, ignore_case: bool) -> Vec<VTok<'_>> {
    let mut out = Vec::new();
    for part in value.parts() {
        match part {
            Part::Lit(s) => out.extend(s.chars().map(|c| {
                VTok::Char(if ignore_case {
                    c.to_lowercase().next().unwrap_or(c)
                } else {
                    c
                })
            })),
            Part::Hole(h) => out.push(VTok::Hole(h)),
        }
    }
    out
}

fn match_tokens(p: &[PTok], v: &[VTok], anykey_exists: bool) -> Tri {
    if walk(p, v, false, anykey_exists) {
        return Tri::Yes;
    }
    if !walk(p, v, true, anykey_exists) {
        return Tri::No;
    }
    Tri::Depends(unknown_whys(p, v))
}

/// What the unknowns of a pattern and a value stand for.
fn unknown_whys(p: &[PTok], v: &[VTok]) -> std::collections::BTreeSet<String> {
    let mut why = std::collections::BTreeSet::new();
    for tok in p {
        if let PTok::Hole(h) = tok
            && h.kind == HoleKind::Unknown
        {
            why.insert(h.why.to_string());
        }
    }
    for tok in v {
        if let VTok::Hole(h) = tok
            && h.kind == HoleKind::Unknown
        {
            why.insert(h.why.to_string());
        }
    }
    why
}

/// Is there a match? `free_unknown`: unknown holes are free text (could-match question)
/// rather than opaque (must-match question).
///
/// Both ends are looked at first. A token that stands for exactly one thing (a character, or
/// an unknown taken as opaque) matches only a token like it: the pairs both sides share at
/// the start and at the end are stepped over (every match goes through them together, and a
/// resource compared with its own policy's ARN, `${Bucket.Arn}/*` against the bucket's
/// objects, shares nearly all of its tokens), and two such tokens that differ at either end,
/// or one facing nothing, settle that there is no match (an account's root ARN against a
/// role's ends `t` against `e`).
fn walk(p: &[PTok], v: &[VTok], free_unknown: bool, anykey_exists: bool) -> bool {
    let free = |h: &Hole| match h.kind {
        HoleKind::Unknown => free_unknown,
        HoleKind::AnyKey => anykey_exists,
    };
    let fixed_p = |t: &PTok| match t {
        PTok::Char(_) => true,
        PTok::Hole(h) => !free(h),
        PTok::One | PTok::Star => false,
    };
    let fixed_v = |t: &VTok| match t {
        VTok::Char(_) => true,
        VTok::Hole(h) => !free(h),
    };
    let only_each_other = |(pt, vt): (&PTok, &VTok)| match (pt, vt) {
        (PTok::Char(a), VTok::Char(b)) => a == b,
        (PTok::Hole(ph), VTok::Hole(h)) => ph.id == h.id && !free(ph) && !free(h),
        _ => false,
    };
    let head = p
        .iter()
        .zip(v)
        .take_while(|&pair| only_each_other(pair))
        .count();
    let (p, v) = (&p[head..], &v[head..]);
    let tail = (p.iter().rev().zip(v.iter().rev()))
        .take_while(|&pair| only_each_other(pair))
        .count();
    let (p, v) = (&p[..p.len() - tail], &v[..v.len() - tail]);
    // What is left starts (and ends) with a pair that is not shared: two fixed tokens there,
    // or a fixed token facing nothing, cannot be matched.
    let stuck = |pt: Option<&PTok>, vt: Option<&VTok>| match (pt, vt) {
        (Some(pt), Some(vt)) => fixed_p(pt) && fixed_v(vt),
        (Some(pt), None) => fixed_p(pt),
        (None, Some(vt)) => fixed_v(vt),
        (None, None) => false,
    };
    if stuck(p.first(), v.first()) || stuck(p.last(), v.last()) {
        return false;
    }
    search(p, v, &free)
}

/// [`walk`]'s search over every way `p` may match `v`, `free` telling the holes that stand
/// for any text.
fn search(p: &[PTok], v: &[VTok], free: &dyn Fn(&Hole) -> bool) -> bool {
    let p_star = |i: usize| match p.get(i) {
        Some(PTok::Star) => true,
        Some(PTok::Hole(h)) => free(h),
        _ => false,
    };
    let v_free = |j: usize| matches!(v.get(j), Some(VTok::Hole(h)) if free(h));
    let width = v.len() + 1;
    SEARCH.with_borrow_mut(|Search { seen, stack }| {
        seen.clear();
        seen.resize((p.len() + 1) * width, false);
        stack.clear();
        stack.push((0, 0));
        while let Some((i, j)) = stack.pop() {
            let idx = i * width + j;
            if seen[idx] {
                continue;
            }
            seen[idx] = true;
            if i == p.len() && j == v.len() {
                return true;
            }
            let mut next = |a: usize, b: usize| {
                if a <= p.len() && b <= v.len() && !seen[a * width + b] {
                    stack.push((a, b));
                }
            };
            // A star (or free pattern hole) may match nothing; so may a free value hole.
            if p_star(i) {
                next(i + 1, j);
            }
            if v_free(j) {
                next(i, j + 1);
            }
            let (Some(pt), Some(vt)) = (p.get(i), v.get(j)) else {
                continue;
            };
            // A name or segment never holds `:` or `/`.
            let separator = |c: &char| *c == ':' || *c == '/';
            let segment_star = matches!(pt, PTok::Hole(h) if h.segment);
            match (pt, vt) {
                (PTok::Char(a), VTok::Char(b)) if a == b => next(i + 1, j + 1),
                (PTok::One, VTok::Char(_)) => next(i + 1, j + 1),
                (_, VTok::Char(c)) if p_star(i) && !(segment_star && separator(c)) => {
                    next(i, j + 1)
                }
                (_, VTok::Hole(h)) if free(h) => {
                    // The value's free run produces whatever the pattern wants next.
                    match pt {
                        PTok::Char(c) if !(h.segment && separator(c)) => next(i + 1, j),
                        PTok::One => next(i + 1, j),
                        PTok::Hole(ph) if !free(ph) => next(i + 1, j),
                        _ => {}
                    }
                }
                (_, VTok::Hole(h)) => {
                    // An opaque unknown: only a star, or the very same unknown, covers it.
                    if p_star(i) {
                        next(i, j + 1);
                    }
                    if let PTok::Hole(ph) = pt
                        && ph.id == h.id
                    {
                        next(i + 1, j + 1);
                    }
                }
                _ => {}
            }
        }
        false
    })
}

/// [`walk`]'s visited states and work stack, kept between calls on a thread: a policy's
/// patterns are matched many times each, and each walk would otherwise allocate both.
#[derive(Default)]
struct Search {
    seen: Vec<bool>,
    stack: Vec<(usize, usize)>,
}

thread_local! {
    static SEARCH: std::cell::RefCell<Search> = std::cell::RefCell::new(Search::default());
}

#[cfg(test)]
mod known_text_tests {
    use super::*;

    /// The text fast path answers as the compiled pattern does.
    #[test]
    fn known_texts_match_as_compiled_patterns_do() {
        let patterns = [
            "",
            "*",
            "?",
            "a*",
            "*b",
            "a?c",
            "A*C",
            "abc",
            "ab*cd*",
            "**",
            "*?*",
            "é*→",
            "É?",
            "arn:aws:s3:::bucket",
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::BUCKET*",
            "arn:aws:iam::123456789012:role/clumio/*",
            "arn:*:iam::*:role/a:b",
            "arn:aws:s3",
            "arn:aws:s3:::b:c:d",
            "s3:Get*",
            "S3:*Object",
            "${aws:username}",
            "a${x}b",
        ];
        let values = [
            "",
            "a",
            "abc",
            "aXc",
            "AbC",
            "abxcdyycd",
            "é→",
            "éxy→",
            "ÉÉ",
            "arn:aws:s3:::bucket",
            "arn:aws:s3:::bucket/key",
            "arn:aws:s3:::bucket-2",
            "arn:aws:s3:::b:c:d",
            "arn:aws:iam::123456789012:role/clumio/x",
            "arn:aws:iam::1:role/a:b",
            "arn:aws:s3",
            "s3:GetObject",
            "s3:getobject",
            "s3:PutObject",
            "${aws:username}",
            "a${x}b",
        ];
        let all = [
            PatternOptions::GLOB,
            PatternOptions::GLOB_NOCASE,
            PatternOptions::EXACT,
            PatternOptions::EXACT_NOCASE,
        ];
        for p in patterns {
            for v in values {
                for options in all {
                    let (text, value) = (PString::known(p), PString::known(v));
                    let compiled = Pattern::new(&text, options);
                    let quick =
                        |arn| Pattern::match_known_texts(&text, options, false, &value, arn);
                    assert_eq!(
                        quick(false).map(Tri::from_bool),
                        Some(compiled.matches(&value, true)),
                        "{p} ~ {v} {options:?}"
                    );
                    assert_eq!(
                        quick(true).map(Tri::from_bool),
                        Some(compiled.matches_arn(&value, true)),
                        "{p} ~arn {v} {options:?}"
                    );
                }
            }
        }
        let with_var = PString::known("a${x}b");
        let value = PString::known("ab");
        assert_eq!(
            Pattern::match_known_texts(&with_var, PatternOptions::GLOB, true, &value, false),
            None
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acct() -> Hole {
        Hole::unknown("account-id", "the account id (--account-id)")
    }
    fn name() -> Hole {
        Hole::unknown("role-name", "the role name (--role-arn)")
    }
    fn glob(p: &str) -> Pattern {
        Pattern::new(&PString::known(p), PatternOptions::GLOB)
    }

    #[test]
    fn known_strings_match_like_a_glob() {
        assert_eq!(
            glob("s3:Get*").matches(&"s3:GetObject".into(), true),
            Tri::Yes
        );
        assert_eq!(
            glob("s3:Get?bject").matches(&"s3:GetObject".into(), true),
            Tri::Yes
        );
        assert_eq!(
            glob("s3:Put*").matches(&"s3:GetObject".into(), true),
            Tri::No
        );
        assert_eq!(glob("*").matches(&"".into(), true), Tri::Yes);
        assert_eq!(glob("?").matches(&"".into(), true), Tri::No);
    }

    #[test]
    fn wildcard_over_unknown_account_and_name_is_yes() {
        let role = PString::known("arn:aws:iam::")
            .with_hole(acct())
            .with_str(":role/clumio/")
            .with_hole(name());
        let p = glob("arn:aws:iam::*:role/clumio/*");
        assert_eq!(p.matches_arn(&role, true), Tri::Yes);
        let q = glob("arn:aws:iam::*:role/clumio/ClumioIAMRole-*");
        assert!(matches!(q.matches_arn(&role, true), Tri::Depends(_)));
        let r = glob("arn:aws:iam::*:role/other/*");
        assert_eq!(r.matches_arn(&role, true), Tri::No);
    }

    #[test]
    fn same_unknown_on_both_sides_matches_certainly() {
        let role = PString::known("arn:aws:iam::")
            .with_hole(acct())
            .with_str(":role/clumio/R");
        let p = Pattern::new(&role, PatternOptions::EXACT);
        assert_eq!(p.matches(&role, true), Tri::Yes);
        let other = PString::known("arn:aws:iam::111122223333:role/clumio/R");
        assert!(matches!(p.matches(&other, true), Tri::Depends(_)));
    }

    #[test]
    fn object_key_is_existential_or_universal() {
        let obj = PString::known("arn:aws:s3:::b/").with_hole(Hole::any_key());
        assert_eq!(
            glob("arn:aws:s3:::b/logs/*").matches_arn(&obj, true),
            Tri::Yes
        );
        assert_eq!(
            glob("arn:aws:s3:::b/logs/*").matches_arn(&obj, false),
            Tri::No
        );
        assert_eq!(glob("arn:aws:s3:::b/*").matches_arn(&obj, false), Tri::Yes);
        assert_eq!(glob("arn:aws:s3:::c/*").matches_arn(&obj, true), Tri::No);
    }

    #[test]
    fn arn_parts_match_separately() {
        let v = PString::known("arn:aws:svc:us-east-1:1111:x/y");
        assert_eq!(
            glob("arn:aws:svc:*:1111:x/*").matches_arn(&v, true),
            Tri::Yes
        );
        // `*` never spans a colon between the six parts.
        assert_eq!(glob("arn:aws:*:x/*").matches_arn(&v, true), Tri::No);
        assert_eq!(glob("arn:aws:*:x/*").matches(&v, true), Tri::Yes);
    }

    #[test]
    fn variables_substitute_and_escape() {
        let vars = |name: &str| match name {
            "aws:username" => VarValue::Value(PString::known("alice")),
            _ => VarValue::NoValue,
        };
        let p = Pattern::compile(
            &PString::known("home/${aws:username}/${*}"),
            PatternOptions::GLOB,
            Some(&vars),
        )
        .unwrap();
        assert_eq!(p.matches(&"home/alice/*".into(), true), Tri::Yes);
        assert_eq!(p.matches(&"home/alice/x".into(), true), Tri::No);
        let missing = Pattern::compile(
            &PString::known("${aws:userid}"),
            PatternOptions::GLOB,
            Some(&vars),
        );
        assert_eq!(missing, Err(CompileError::NoValue("aws:userid".into())));
        let defaulted = Pattern::compile(
            &PString::known("${aws:userid, 'none'}"),
            PatternOptions::GLOB,
            Some(&vars),
        )
        .unwrap();
        assert_eq!(defaulted.matches(&"none".into(), true), Tri::Yes);
        // Without variables (no Version), `${…}` is literal text.
        let literal = Pattern::new(&PString::known("${aws:username}"), PatternOptions::GLOB);
        assert_eq!(literal.matches(&"${aws:username}".into(), true), Tri::Yes);
    }

    #[test]
    fn ignore_case_folds_both_sides() {
        let p = Pattern::new(&PString::known("S3:GET*"), PatternOptions::GLOB_NOCASE);
        assert_eq!(p.matches(&"s3:GetObject".into(), true), Tri::Yes);
    }
}

#[cfg(test)]
mod walk_tests {
    use super::*;

    /// Looking at both ends first never changes an answer: `walk` agrees with the whole
    /// search on every pair of short token strings made of characters, wildcards and the
    /// kinds of unknowns (the same unknown on both sides, another, any key).
    #[test]
    fn looking_at_both_ends_first_answers_as_the_whole_search() {
        let (account, name, key) = (
            Hole::segment("account", "the account id"),
            Hole::unknown("name", "the name"),
            Hole::any_key(),
        );
        let ptoks = [
            PTok::Char('a'),
            PTok::Char('/'),
            PTok::One,
            PTok::Star,
            PTok::Hole(account.clone()),
            PTok::Hole(name.clone()),
            PTok::Hole(key.clone()),
        ];
        let vtoks = [
            VTok::Char('a'),
            VTok::Char('b'),
            VTok::Char('/'),
            VTok::Hole(&account),
            VTok::Hole(&name),
            VTok::Hole(&key),
        ];
        // A fixed pseudo-random sequence (no dependency, the same on every run).
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize % n
        };
        let mut decided = [0usize; 2];
        for _ in 0..20_000 {
            // Shared middles make the head and tail steps do something.
            let shared: Vec<usize> = (0..next(5)).map(|_| next(3)).collect();
            let mut p: Vec<PTok> = (0..next(3))
                .map(|_| ptoks[next(ptoks.len())].clone())
                .collect();
            let mut v: Vec<VTok> = (0..next(3))
                .map(|_| vtoks[next(vtoks.len())].clone())
                .collect();
            for &k in &shared {
                let (pt, vt) = [
                    (PTok::Char('a'), VTok::Char('a')),
                    (PTok::Hole(name.clone()), VTok::Hole(&name)),
                    (PTok::Hole(key.clone()), VTok::Hole(&key)),
                ][k]
                    .clone();
                p.push(pt);
                v.push(vt);
            }
            p.extend((0..next(3)).map(|_| ptoks[next(ptoks.len())].clone()));
            v.extend((0..next(3)).map(|_| vtoks[next(vtoks.len())].clone()));
            for (free_unknown, anykey_exists) in
                [(false, false), (false, true), (true, false), (true, true)]
            {
                let free = |h: &Hole| match h.kind {
                    HoleKind::Unknown => free_unknown,
                    HoleKind::AnyKey => anykey_exists,
                };
                let whole = search(&p, &v, &free);
                assert_eq!(
                    walk(&p, &v, free_unknown, anykey_exists),
                    whole,
                    "{p:?} ~ {v:?} free_unknown={free_unknown} anykey_exists={anykey_exists}"
                );
                decided[usize::from(whole)] += 1;
            }
        }
        // Both answers were met often: the comparison tested something.
        assert!(decided.iter().all(|&n| n > 5_000), "{decided:?}");
    }
}
