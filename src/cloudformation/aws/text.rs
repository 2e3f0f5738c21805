//! Policies as written: property spans, JSON text (also through `Fn::Sub`) parsed with template
//! positions, and policy documents.

use super::*;
use crate::cloudformation::SubTexts;
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

/// Where the template strings of `Fn::Sub` calls are written, for [`text_span`]: as
/// resolving the template recorded them, else found in the template parsed again (each
/// template at most once per inventory, and only one with a policy written as a `Fn::Sub`
/// string).
#[derive(Default)]
pub(super) struct SubSpans<'a> {
    recorded: Option<&'a SubTexts>,
    reparsed: RefCell<HashMap<FileId, Option<Node>>>,
}

impl<'a> SubSpans<'a> {
    /// The spans resolving the template recorded.
    pub(super) fn recorded(sub_texts: &'a SubTexts) -> Self {
        SubSpans {
            recorded: Some(sub_texts),
            reparsed: RefCell::default(),
        }
    }

    /// The span of the template string of the `Fn::Sub` call written at `call`.
    fn template_of(&self, sources: &Sources, call: Span) -> Option<Span> {
        if let Some(recorded) = self.recorded {
            return recorded.get(&call).copied();
        }
        let file = call.file;
        let mut parsed = self.reparsed.borrow_mut();
        let doc = parsed.entry(file).or_insert_with(|| {
            crate::cloudformation::template::parse_document(&sources.file(file).text, file).ok()
        });
        doc.as_ref().and_then(|doc| sub_template_span(doc, call))
    }
}

/// Where the text of a policy given as a string is written, for positions inside it to map
/// back into the template. A `Fn::Sub`'s value spans the whole call (`!Sub |` and the text,
/// or `{"Fn::Sub": "…"}`), which the JSON inside cannot be aligned with: its template
/// string is found ([`SubSpans`]), and that is where the text is.
fn text_span(node: &Node, sources: &Sources, sub_spans: &SubSpans) -> Span {
    let raw = sources.slice(node.span);
    let json_call = raw
        .strip_prefix('{')
        .is_some_and(|rest| rest.trim_start().starts_with("\"Fn::Sub\""));
    if !raw.starts_with("!Sub") && !json_call {
        return node.span;
    }
    sub_spans
        .template_of(sources, node.span)
        .unwrap_or(node.span)
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
    sub_spans: &SubSpans,
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
            let parsed = parse_texts(node, sources, sub_spans).map(|doc| {
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
    sub_spans: &SubSpans,
) -> Result<Cow<'n, Node>, EmbeddedError> {
    if let Some(cond) = as_if(node)
        && let Some([m]) = node.as_object()
        && let Kind::Array(args) = &m.value.kind
    {
        let mut args = args.clone();
        args[1] = parse_texts(cond.when_true, sources, sub_spans)?.into_owned();
        args[2] = parse_texts(cond.when_false, sources, sub_spans)?.into_owned();
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
            parse_embedded_json(sources, s, text_span(node, sources, sub_spans)).map(Cow::Owned)
        }
        _ => Ok(Cow::Borrowed(node)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_texts_are_found_as_recorded_or_in_one_parse_of_the_template() {
        // A type the model reads whole (the prefilter keeps all its properties).
        let text = "Resources:\n  P:\n    Type: AWS::S3::AccessPoint\n    Properties:\n      \
                    A: !Sub '{\"a\": 1}'\n      B: !Sub ['{\"b\": 2}', {}]\n      \
                    C: {\"Fn::Sub\": '{}'}\n      D: plain\n      E: !Sub [!Ref X, {}]\n      \
                    F: !Sub |\n        {\"f\": \"${AWS::Region}\"}\n";
        let mut sources = Sources::new();
        let file = sources.add("t.yaml", text);
        let loaded = crate::cloudformation::load_template_with_notes(
            &sources,
            file,
            &crate::cloudformation::CfnOptions::default(),
        )
        .unwrap();
        let props = &loaded.resources[0].attributes;
        let reparsed = SubSpans::default();
        let recorded = SubSpans::recorded(&loaded.sub_texts);
        let span_of = |key: &str, spans: &SubSpans| {
            let call = props.get(key).unwrap();
            let node = Node::new(Kind::Str(PString::known("resolved")), call.span);
            sources.slice(text_span(&node, &sources, spans)).to_string()
        };
        for (key, written) in [
            ("A", "'{\"a\": 1}'"),
            ("B", "'{\"b\": 2}'"),
            ("C", "'{}'"),
            ("D", "plain"),
            ("E", "!Sub [!Ref X, {}]"),
        ] {
            assert_eq!(span_of(key, &reparsed), written, "{key}");
            assert_eq!(span_of(key, &recorded), written, "{key}");
        }
        assert_eq!(span_of("F", &recorded), span_of("F", &reparsed));
        // Parsed again once for all of them; not at all when recorded.
        assert_eq!(reparsed.reparsed.borrow().len(), 1);
        assert!(recorded.reparsed.borrow().is_empty());
    }
}
