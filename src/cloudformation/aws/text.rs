//! Policies as written: property spans, JSON text (also through `Fn::Sub`) parsed with template
//! positions, and policy documents.

use super::*;
use crate::source::FileId;
use std::cell::RefCell;

/// A property as written, from its name to the end of its value (`KeyPolicy:` and the
/// policy under it), so that a finding about the whole policy starts on the line that names
/// it in YAML as in JSON.
pub(super) fn attribute_span(attrs: &Node, name: &str) -> Option<Span> {
    let m = attrs.as_object()?.iter().find(|m| m.key == name)?;
    Some(if m.key_span.file == m.value.span.file {
        m.key_span.to(m.value.span)
    } else {
        m.value.span
    })
}

/// Templates parsed again for [`text_span`], each at most once per inventory (only templates
/// with a policy written as a `Fn::Sub` string are).
#[derive(Default)]
pub(super) struct Reparsed(RefCell<HashMap<FileId, Option<Node>>>);

impl Reparsed {
    /// Runs `f` on the parsed template of `file` (`None` when it does not parse).
    fn with<R>(&self, sources: &Sources, file: FileId, f: impl FnOnce(Option<&Node>) -> R) -> R {
        let mut parsed = self.0.borrow_mut();
        let doc = parsed.entry(file).or_insert_with(|| {
            crate::cloudformation::template::parse_document(&sources.file(file).text, file).ok()
        });
        f(doc.as_ref())
    }
}

/// Where the text of a policy given as a string is written, for positions inside it to map
/// back into the template. A `Fn::Sub`'s value spans the whole call (`!Sub |` and the text,
/// or `{"Fn::Sub": "…"}`), which the JSON inside cannot be aligned with: its template
/// string is found in the template (parsed again, once), and that is where the text is.
fn text_span(node: &Node, sources: &Sources, reparsed: &Reparsed) -> Span {
    let raw = sources.slice(node.span);
    let json_call = raw
        .strip_prefix('{')
        .is_some_and(|rest| rest.trim_start().starts_with("\"Fn::Sub\""));
    if !raw.starts_with("!Sub") && !json_call {
        return node.span;
    }
    reparsed.with(sources, node.span.file, |doc| {
        doc.and_then(|doc| sub_template_span(doc, node.span))
            .unwrap_or(node.span)
    })
}

/// The span of the template string of the `Fn::Sub` call written at `call` in `doc`.
fn sub_template_span(doc: &Node, call: Span) -> Option<Span> {
    let contains = |n: &Node| n.span.start <= call.start && call.end <= n.span.end;
    let mut stack = vec![doc];
    while let Some(n) = stack.pop() {
        if !contains(n) {
            continue;
        }
        if n.span == call
            && let Some([m]) = n.as_object()
            && m.key == "Fn::Sub"
        {
            let template = match &m.value.kind {
                Kind::Array(items) => items.first(),
                _ => Some(&m.value),
            };
            return template
                .filter(|t| matches!(t.kind, Kind::Str(_)))
                .map(|t| t.span);
        }
        match &n.kind {
            Kind::Array(items) => stack.extend(items.iter()),
            Kind::Object(members) => stack.extend(members.iter().map(|m| &m.value)),
            _ => {}
        }
    }
    None
}

/// A policy written as a map (YAML or JSON) or as a JSON string.
pub(super) fn policy_doc(
    node: &Node,
    sources: &Sources,
    reparsed: &Reparsed,
    kind: PolicyKind,
) -> (PolicyDoc, PolicySyntax) {
    let yaml = !sources
        .file(node.span.file)
        .text
        .trim_start()
        .starts_with('{');
    let map_syntax = if yaml {
        PolicySyntax::Yaml
    } else {
        PolicySyntax::Json
    };
    let syntax = if json_text(node) {
        PolicySyntax::Json
    } else {
        map_syntax
    };
    match &node.kind {
        Kind::Unknown(h) => (PolicyDoc::Unknown(h.clone()), syntax),
        _ => {
            let parsed = parse_texts(node, sources, reparsed).map(|doc| {
                if is_unfolded(&doc) {
                    debug_assert!(unfold_conditions(&doc) == *doc, "is_unfolded was wrong");
                    parse_policy(&doc, kind)
                } else {
                    parse_policy(&unfold_conditions(&doc), kind)
                }
            });
            (PolicyDoc::from_parse(parsed), syntax)
        }
    }
}

/// Whether a policy is written as JSON text (possibly in each branch of an undecided
/// `Fn::If`).
fn json_text(node: &Node) -> bool {
    match as_if(node) {
        Some(cond) => [cond.when_true, cond.when_false]
            .iter()
            .any(|b| json_text(b)),
        None => matches!(node.kind, Kind::Str(_)),
    }
}

/// The document with the JSON text it is written as (as a whole, or in the branches of an
/// undecided `Fn::If`) parsed into maps located in the template; a document written as a map
/// is the node itself, not a copy.
fn parse_texts<'n>(
    node: &'n Node,
    sources: &Sources,
    reparsed: &Reparsed,
) -> Result<Cow<'n, Node>, EmbeddedError> {
    if let Some(cond) = as_if(node)
        && let Some([m]) = node.as_object()
        && let Kind::Array(args) = &m.value.kind
    {
        let mut args = args.clone();
        args[1] = parse_texts(cond.when_true, sources, reparsed)?.into_owned();
        args[2] = parse_texts(cond.when_false, sources, reparsed)?.into_owned();
        return Ok(Cow::Owned(Node::new(
            Kind::Object(vec![Member {
                key: m.key.clone(),
                key_span: m.key_span,
                value: Node::new(Kind::Array(args), m.value.span),
            }]),
            node.span,
        )));
    }
    match &node.kind {
        Kind::Str(s) => {
            parse_embedded_json(sources, s, text_span(node, sources, reparsed)).map(Cow::Owned)
        }
        _ => Ok(Cow::Borrowed(node)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_texts_are_found_in_one_parse_of_the_template() {
        let text = "Resources:\n  P:\n    Properties:\n      A: !Sub '{\"a\": 1}'\n      \
                    B: !Sub ['{\"b\": 2}', {}]\n      C: {\"Fn::Sub\": '{}'}\n      D: plain\n";
        let mut sources = Sources::new();
        let file = sources.add("t.yaml", text);
        let doc = crate::cloudformation::template::parse_document(text, file).unwrap();
        let props = doc
            .get("Resources")
            .and_then(|r| r.get("P"))
            .and_then(|p| p.get("Properties"))
            .unwrap();
        let reparsed = Reparsed::default();
        let span_of = |key: &str| {
            let call = props.get(key).unwrap();
            let node = Node::new(Kind::Str(PString::known("resolved")), call.span);
            sources.slice(text_span(&node, &sources, &reparsed))
        };
        assert_eq!(span_of("A"), "'{\"a\": 1}'");
        assert_eq!(span_of("B"), "'{\"b\": 2}'");
        assert_eq!(span_of("C"), "'{}'");
        assert_eq!(span_of("D"), "plain");
        // Parsed once for all of them.
        assert_eq!(reparsed.0.borrow().len(), 1);
    }
}
