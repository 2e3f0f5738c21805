//! `Fn::ForEach`: expanding loops over known collections into members.

use super::*;

/// Substitutes `${id}` and `&{id}` (non-alphanumerics dropped) in a `Fn::ForEach` output key.
fn substitute_key(key: &str, bindings: &[(String, String)]) -> String {
    let mut out = key.to_string();
    for (id, value) in bindings.iter().rev() {
        out = out.replace(&format!("${{{id}}}"), value);
        let alnum: String = value
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        out = out.replace(&format!("&{{{id}}}"), &alnum);
    }
    out
}

impl<'t> Resolver<'t> {
    /// Expands `Fn::ForEach::Name` entries of a map (resource or property level) whose
    /// collections are known; others are left out with a note.
    pub(crate) fn expand_members<'n>(
        &mut self,
        members: &'n [Member],
        bindings: &[(String, String)],
        depth: usize,
    ) -> Vec<Expanded<'n>> {
        let mut out = Vec::new();
        self.expand_into(members, bindings, depth, 0, &mut out);
        out
    }

    fn expand_into<'n>(
        &mut self,
        members: &'n [Member],
        bindings: &[(String, String)],
        depth: usize,
        loops: usize,
        out: &mut Vec<Expanded<'n>>,
    ) {
        for m in members {
            let Some(loop_name) = m.key.strip_prefix("Fn::ForEach::") else {
                out.push(Expanded {
                    key: substitute_key(&m.key, bindings),
                    key_span: m.key_span,
                    entry_span: m.key_span.to(m.value.span),
                    value: &m.value,
                    bindings: bindings.to_vec(),
                });
                continue;
            };
            if loops >= MAX_LOOP_NESTING {
                self.limit(
                    m.key_span,
                    format!(
                        "Fn::ForEach::{loop_name} is nested in more than {MAX_LOOP_NESTING} \
                         loops; what it generates is not checked"
                    ),
                );
                continue;
            }
            match self.loop_items(&m.value, bindings, depth) {
                Ok((identifier, values, body)) => {
                    for value in values {
                        if self.budget < 1_000 {
                            // The entries after this loop are still expanded: only what
                            // the loop generates beyond the budget is left out.
                            self.limit(
                                m.key_span,
                                format!(
                                    "Fn::ForEach::{loop_name} generates more than the template's \
                                     step budget of {STEP_BUDGET} covers; the rest of what it \
                                     generates is not checked"
                                ),
                            );
                            break;
                        }
                        self.budget -= 100;
                        let mut inner = bindings.to_vec();
                        inner.push((identifier.clone(), value));
                        self.expand_into(body, &inner, depth + 1, loops + 1, out);
                    }
                }
                Err(why) => self.note(
                    m.key_span,
                    format!("Fn::ForEach::{loop_name} is not expanded ({why}); what it generates is not checked"),
                ),
            }
        }
    }

    /// The identifier, the collection's values and the output map of a `Fn::ForEach`.
    #[allow(clippy::type_complexity)]
    fn loop_items<'n>(
        &mut self,
        value: &'n Node,
        bindings: &[(String, String)],
        depth: usize,
    ) -> Result<(String, Vec<String>, &'n [Member]), String> {
        let Kind::Array(args) = &value.kind else {
            return Err("it needs [identifier, collection, {output}]".into());
        };
        let [identifier, collection, output] = args.as_slice() else {
            return Err("it needs [identifier, collection, {output}]".into());
        };
        let Some(identifier) = identifier.as_pstr().and_then(PString::as_known) else {
            return Err("its identifier is not a string".into());
        };
        let Some(body) = output.as_object() else {
            return Err("its output is not a map".into());
        };
        let collection = self.resolve_with(collection, bindings, depth + 1);
        let items = match collection.map(|c| c.kind) {
            Some(Kind::Array(items)) => items,
            Some(Kind::Unknown(h)) => return Err(format!("its collection is {}", h.why)),
            _ => return Err("its collection is not a list".into()),
        };
        let mut values = Vec::with_capacity(items.len());
        for item in &items {
            match known_text(item) {
                Some(v) => values.push(v),
                None => {
                    let why = first_hole(item)
                        .map_or("a list or a map".to_string(), |h| h.why.to_string());
                    return Err(format!(
                        "its collection holds a value not known statically: {why}"
                    ));
                }
            }
        }
        Ok((identifier.to_string(), values, body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loop_keys_substitute_both_forms() {
        let b = vec![("Name".to_string(), "log-a.b".to_string())];
        assert_eq!(substitute_key("${Name}Bucket", &b), "log-a.bBucket");
        assert_eq!(substitute_key("&{Name}Bucket", &b), "logabBucket");
    }
}
