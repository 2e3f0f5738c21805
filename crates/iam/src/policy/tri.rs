//! Three-valued answers: Yes, No, or Depends on named unknowns.

use std::collections::BTreeSet;

/// The answer to "does this apply?" when some inputs may be unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tri {
    /// Certainly.
    Yes,
    /// Certainly not.
    No,
    /// Either, depending on the unknowns named (each says what would settle it).
    Depends(BTreeSet<String>),
}

impl std::ops::Not for Tri {
    type Output = Tri;

    /// Logical not: Depends stays Depends.
    fn not(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            d => d,
        }
    }
}

impl Tri {
    /// `Yes` for `true`, `No` for `false`.
    pub fn from_bool(b: bool) -> Tri {
        if b { Tri::Yes } else { Tri::No }
    }

    /// Depends on one unknown.
    pub fn depends(on: impl Into<String>) -> Tri {
        Tri::Depends(BTreeSet::from([on.into()]))
    }

    /// Logical and: No wins, then Depends (unknowns merged), then Yes.
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Depends(mut a), Tri::Depends(b)) => {
                a.extend(b);
                Tri::Depends(a)
            }
            (d @ Tri::Depends(_), Tri::Yes) | (Tri::Yes, d @ Tri::Depends(_)) => d,
            (Tri::Yes, Tri::Yes) => Tri::Yes,
        }
    }

    /// Logical or: Yes wins, then Depends (unknowns merged), then No.
    pub fn or(self, other: Tri) -> Tri {
        !((!self).and(!other))
    }

    /// `and` over many; `Yes` for none.
    pub fn all(items: impl IntoIterator<Item = Tri>) -> Tri {
        let mut acc = Tri::Yes;
        for item in items {
            acc = acc.and(item);
            if acc == Tri::No {
                return acc;
            }
        }
        acc
    }

    /// `or` over many; `No` for none.
    pub fn any(items: impl IntoIterator<Item = Tri>) -> Tri {
        let mut acc = Tri::No;
        for item in items {
            acc = acc.or(item);
            if acc == Tri::Yes {
                return acc;
            }
        }
        acc
    }

    /// The lowercase word used in output: `yes`, `no`, `depends`.
    pub fn word(&self) -> &'static str {
        match self {
            Tri::Yes => "yes",
            Tri::No => "no",
            Tri::Depends(_) => "depends",
        }
    }

    /// The unknowns this answer depends on (empty unless `Depends`).
    pub fn unknowns(&self) -> Vec<String> {
        match self {
            Tri::Depends(set) => set.iter().cloned().collect(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kleene_logic() {
        let d = || Tri::depends("x");
        assert_eq!(Tri::Yes.and(d()), d());
        assert_eq!(Tri::No.and(d()), Tri::No);
        assert_eq!(Tri::Yes.or(d()), Tri::Yes);
        assert_eq!(Tri::No.or(d()), d());
        assert_eq!(!d(), d());
        let merged = Tri::depends("a").and(Tri::depends("b"));
        assert_eq!(merged.unknowns(), vec!["a".to_string(), "b".to_string()]);
        assert_eq!(Tri::all([]), Tri::Yes);
        assert_eq!(Tri::any([]), Tri::No);
    }
}
