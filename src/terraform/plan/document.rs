//! Reading a plan: a serde pass finds the top-level sections and, reading each one
//! ([`Sections`]), where the entries of the resources the model reads are (the [`Layout`]);
//! those entries are then parsed (with spans) on all cores, and the document assembled from
//! them in order. The layout outlives the text it was read from, so that a plan's file need
//! only keep those entries ([`crate::source::SourceFile::sparse`]), and a large plan's
//! sections can be read one at a time from its file ([`super::stream`]).

use super::*;
use std::ops::Range;

/// The top level of a plan, with every section kept as raw text (serde, borrowing).
#[derive(Deserialize)]
pub(super) struct RawPlan<'a> {
    format_version: Option<Cow<'a, str>>,
    #[serde(borrow)]
    resource_changes: Option<Vec<&'a RawValue>>,
    #[serde(borrow)]
    planned_values: Option<RawValues<'a>>,
    #[serde(borrow)]
    prior_state: Option<RawState<'a>>,
    #[serde(borrow)]
    configuration: Option<RawConfiguration<'a>>,
    /// State JSON: what is deployed.
    #[serde(borrow)]
    values: Option<RawValues<'a>>,
    /// The root module's variables, as the plan was made with them.
    #[serde(borrow)]
    variables: Option<std::collections::BTreeMap<String, RawVariable<'a>>>,
}

#[derive(Deserialize)]
pub(super) struct RawVariable<'a> {
    #[serde(borrow)]
    value: Option<&'a RawValue>,
}

#[derive(Deserialize)]
pub(super) struct RawState<'a> {
    #[serde(borrow)]
    values: Option<RawValues<'a>>,
}

#[derive(Deserialize)]
pub(super) struct RawValues<'a> {
    #[serde(borrow)]
    root_module: Option<RawModule<'a>>,
}

#[derive(Deserialize)]
pub(super) struct RawModule<'a> {
    #[serde(borrow, default)]
    resources: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    child_modules: Vec<RawModule<'a>>,
}

#[derive(Deserialize)]
pub(super) struct RawConfiguration<'a> {
    #[serde(borrow)]
    root_module: Option<RawConfigModule<'a>>,
}

#[derive(Deserialize)]
pub(super) struct RawConfigModule<'a> {
    #[serde(borrow, default)]
    resources: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    module_calls: std::collections::BTreeMap<String, RawModuleCall<'a>>,
}

#[derive(Deserialize)]
pub(super) struct RawModuleCall<'a> {
    #[serde(borrow)]
    module: Option<RawConfigModule<'a>>,
}

/// The `type` of a resource entry (raw JSON text of an object, already validated by the
/// serde pass). Terraform writes `type` third, after `address` and `mode`, so the entry is
/// only scanned up to that key (strings and nesting followed exactly), not read whole.
pub(super) fn entry_type(raw: &str) -> Option<Cow<'_, str>> {
    entry_string(raw, "\"type\"")
}

/// Whether a resource entry is a data source: its `mode` (written second) is `"data"`,
/// read as [`super::changes::mode_of`] reads it (the first `mode` key).
pub(super) fn entry_is_data(raw: &str) -> bool {
    entry_string(raw, "\"mode\"").is_some_and(|m| m == "data")
}

/// The string value of the first top-level key `quoted_key` (with its quotes) of an entry,
/// scanned only up to that key; `None` when it is missing or not a string.
fn entry_string<'r>(raw: &'r str, quoted_key: &str) -> Option<Cow<'r, str>> {
    let b = raw.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                if depth == 1 && raw.get(start..i) == Some(quoted_key) {
                    let rest = raw[i..].trim_start();
                    if let Some(value) = rest.strip_prefix(':') {
                        let value = value.trim_start();
                        let v = value.as_bytes();
                        if v.first() != Some(&b'"') {
                            return None;
                        }
                        let mut j = 1;
                        while j < v.len() && v[j] != b'"' {
                            j += if v[j] == b'\\' { 2 } else { 1 };
                        }
                        return serde_json::from_str(value.get(..j + 1)?).ok();
                    }
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// What is read of a section's resource entries.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Entry {
    /// Resource changes: the members never read are left out as an entry is read
    /// ([`super::changes::keep_change_member`]) or dropped as soon as it is
    /// ([`super::changes::drop_unread_change_members`]).
    Change,
    /// Values: every entry, kept whole.
    Whole,
    /// Configuration: every entry, without what nothing reads of it
    /// ([`super::changes::keep_config_member`]).
    Config,
    /// The prior state: only the data sources (read while planning), kept whole.
    Data,
}

/// Where a plan's sections are, and the byte ranges (in the original text) of the entries
/// the model reads: resources of the types it reads, data sources only from the prior
/// state, the planned values only of a plan without resource changes.
#[derive(Debug, Default)]
pub struct Layout {
    /// `format_version`'s value and where its key is (when found).
    format_version: Option<(String, Option<Range<usize>>)>,
    /// `resource_changes`: the entries of the types read.
    resource_changes: Option<Vec<Range<usize>>>,
    /// `planned_values`, only for a plan without resource changes.
    planned_values: Option<ModuleLayout>,
    /// `prior_state`: its data sources only.
    prior_state: Option<ModuleLayout>,
    /// `configuration`: the blocks of the types read, module calls followed.
    configuration: Option<ConfigLayout>,
    /// State JSON's `values`.
    values: Option<ModuleLayout>,
    /// The root module's variables, each value's range.
    variables: Option<Vec<(String, Range<usize>)>>,
}

/// A `planned_values` / `prior_state` / state `values` module: its entries read, and its
/// child modules.
#[derive(Debug, Default)]
struct ModuleLayout {
    resources: Vec<Range<usize>>,
    child_modules: Vec<ModuleLayout>,
}

/// A `configuration` module: its blocks read, and its module calls by name.
#[derive(Debug, Default)]
struct ConfigLayout {
    resources: Vec<Range<usize>>,
    module_calls: Vec<(String, ConfigLayout)>,
}

/// The ranges of the entries the model reads among a section's raw entries (of data
/// sources only when asked).
type Entries<'a> = dyn Fn(&[&RawValue], bool) -> Vec<Range<usize>> + 'a;

/// The node of one entry, given its range and what is read of it.
type EntryNode<'a> = dyn FnMut(&Range<usize>, Entry) -> Result<Node, LoadError> + 'a;

/// The list node of a section's entries.
type EntryList<'a> = dyn FnMut(&[Range<usize>], Entry) -> Result<Node, LoadError> + 'a;

/// How deep modules are followed.
const MAX_MODULE_DEPTH: usize = 64;

/// The ranges, in the original, of the entries the model reads among a section's raw
/// `entries` (of data sources only when `data_only`), for a section whose text starts at
/// `base` in memory and at `offset` in the original.
fn read_entries(
    entries: &[&RawValue],
    data_only: bool,
    base: usize,
    offset: usize,
) -> Vec<Range<usize>> {
    entries
        .iter()
        .filter(|r| entry_type(r.get()).is_some_and(|t| relevant_type(&t)))
        .filter(|r| !data_only || entry_is_data(r.get()))
        .map(|r| raw_range(r, base, offset))
        .collect()
}

/// Where raw value `r` of a section (text at `base` in memory, at `offset` in the original)
/// is in the original.
fn raw_range(r: &RawValue, base: usize, offset: usize) -> Range<usize> {
    let start = r.get().as_ptr() as usize - base + offset;
    start..start + r.get().len()
}

/// The layout of a values module (`planned_values`, `prior_state`, state `values`) and of
/// the modules in it, down to [`MAX_MODULE_DEPTH`].
fn module(m: &RawModule<'_>, depth: usize, data_only: bool, entries: &Entries) -> ModuleLayout {
    ModuleLayout {
        resources: entries(&m.resources, data_only),
        child_modules: match depth <= MAX_MODULE_DEPTH {
            true => m
                .child_modules
                .iter()
                .map(|c| module(c, depth + 1, data_only, entries))
                .collect(),
            false => Vec::new(),
        },
    }
}

/// The layout of a `configuration` module and of the modules it calls, down to
/// [`MAX_MODULE_DEPTH`].
fn config(m: &RawConfigModule<'_>, depth: usize, entries: &Entries) -> ConfigLayout {
    ConfigLayout {
        resources: entries(&m.resources, false),
        module_calls: match depth <= MAX_MODULE_DEPTH {
            true => m
                .module_calls
                .iter()
                .filter_map(|(name, call)| {
                    let module = call.module.as_ref()?;
                    Some((name.clone(), config(module, depth + 1, entries)))
                })
                .collect(),
            false => Vec::new(),
        },
    }
}

/// The text of the key whose first occurrence locates `format_version`.
pub(super) const FORMAT_VERSION_KEY: &str = "\"format_version\"";

/// The sections of a plan's top level a layout is made of, each read by itself: the whole
/// plan parsed at once ([`Layout::read`]), or a large plan's sections one after the other
/// as they are read from its file ([`super::stream`]).
#[derive(Default)]
pub(super) struct Sections {
    layout: Layout,
    /// Whether the plan has resource changes (then its planned values are not read).
    has_changes: bool,
}

/// Where a section's text is: at `base` in memory, at `offset` in the original.
#[derive(Clone, Copy)]
struct Place {
    base: usize,
    offset: usize,
}

impl Place {
    fn of(text: &str, offset: usize) -> Place {
        Place {
            base: text.as_ptr() as usize,
            offset,
        }
    }

    /// The ranges, in the original, of the entries the model reads among `entries`.
    fn entries(self, entries: &[&RawValue], data_only: bool) -> Vec<Range<usize>> {
        read_entries(entries, data_only, self.base, self.offset)
    }
}

impl Sections {
    /// Reads the value of top-level `key`, `text`, which is at `offset` in the original;
    /// `false` when the key is not one a layout reads.
    pub(super) fn read(
        &mut self,
        key: &str,
        text: &str,
        offset: usize,
    ) -> Result<bool, serde_json::Error> {
        let at = Place::of(text, offset);
        match key {
            "format_version" => self.format_version(serde_json::from_str(text)?),
            "resource_changes" => {
                let changes: Option<Vec<&RawValue>> = serde_json::from_str(text)?;
                self.resource_changes(changes.as_deref(), at);
            }
            "planned_values" => self.planned_values(serde_json::from_str(text)?, at),
            "prior_state" => self.prior_state(serde_json::from_str(text)?, at),
            "configuration" => self.configuration(serde_json::from_str(text)?, at),
            "values" => self.values(serde_json::from_str(text)?, at),
            "variables" => self.variables(serde_json::from_str(text)?, at),
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn format_version(&mut self, v: Option<Cow<str>>) {
        self.layout.format_version = v.map(|v| (v.into_owned(), None));
    }

    fn resource_changes(&mut self, changes: Option<&[&RawValue]>, at: Place) {
        self.has_changes = changes.is_some();
        self.layout.resource_changes = changes.map(|c| at.entries(c, false));
    }

    /// Read whatever comes first; dropped by [`Sections::finish`] when the plan has changes.
    fn planned_values(&mut self, values: Option<RawValues>, at: Place) {
        self.layout.planned_values = values
            .and_then(|p| p.root_module)
            .map(|root| module(&root, 0, false, &|e, d| at.entries(e, d)));
    }

    /// Only the data sources read while planning are taken from the prior state.
    fn prior_state(&mut self, state: Option<RawState>, at: Place) {
        self.layout.prior_state = state
            .and_then(|p| p.values)
            .and_then(|v| v.root_module)
            .map(|root| module(&root, 0, true, &|e, d| at.entries(e, d)));
    }

    fn configuration(&mut self, configuration: Option<RawConfiguration>, at: Place) {
        self.layout.configuration = configuration
            .and_then(|c| c.root_module)
            .map(|root| config(&root, 0, &|e, d| at.entries(e, d)));
    }

    fn values(&mut self, values: Option<RawValues>, at: Place) {
        self.layout.values = values
            .and_then(|v| v.root_module)
            .map(|root| module(&root, 0, false, &|e, d| at.entries(e, d)));
    }

    fn variables(
        &mut self,
        variables: Option<std::collections::BTreeMap<String, RawVariable>>,
        at: Place,
    ) {
        self.layout.variables = variables.map(|vars| {
            vars.into_iter()
                .filter_map(|(name, var)| Some((name, raw_range(var.value?, at.base, at.offset))))
                .collect()
        });
    }

    /// Starts the resource changes, read an entry at a time ([`Sections::change_entry`]).
    pub(super) fn start_changes(&mut self) {
        self.has_changes = true;
        self.layout.resource_changes = Some(Vec::new());
    }

    /// Reads one resource change entry, `text`, at `offset` in the original, as
    /// [`Sections::read`] reads each entry of `resource_changes`.
    pub(super) fn change_entry(
        &mut self,
        text: &str,
        offset: usize,
    ) -> Result<(), serde_json::Error> {
        let raw: &RawValue = serde_json::from_str(text)?;
        self.change_entry_read(raw, offset);
        Ok(())
    }

    /// [`Sections::change_entry`] of an entry already read, `raw`, at `offset` in the
    /// file.
    pub(super) fn change_entry_read(&mut self, raw: &RawValue, offset: usize) {
        let entries = Place::of(raw.get(), offset).entries(&[raw], false);
        self.layout
            .resource_changes
            .get_or_insert_with(Vec::new)
            .extend(entries);
    }

    /// The layout, `format_version`'s key at `key` (its first occurrence in the original).
    pub(super) fn finish(mut self, key: Option<Range<usize>>) -> Layout {
        if self.has_changes {
            // The planned values are read only when a plan has no resource changes: then
            // they are not parsed at all.
            self.layout.planned_values = None;
        }
        if let Some((_, at)) = &mut self.layout.format_version {
            *at = key;
        }
        self.layout
    }
}

impl Layout {
    /// The layout of plan or state JSON `text`; the serde error when it is not JSON of a
    /// plan's shape.
    pub fn read(text: &str) -> Result<Layout, serde_json::Error> {
        let raw: RawPlan = serde_json::from_str(text)?;
        // Each section read as a plan read from its file reads it ([`Sections::read`]).
        let at = Place::of(text, 0);
        let mut sections = Sections::default();
        sections.format_version(raw.format_version);
        sections.resource_changes(raw.resource_changes.as_deref(), at);
        sections.planned_values(raw.planned_values, at);
        sections.prior_state(raw.prior_state, at);
        sections.configuration(raw.configuration, at);
        sections.values(raw.values, at);
        sections.variables(raw.variables, at);
        let key = text
            .find(FORMAT_VERSION_KEY)
            .map(|i| i..i + FORMAT_VERSION_KEY.len());
        Ok(sections.finish(key))
    }

    /// The byte ranges of the original a reader needs: every entry, and where the
    /// `format_version` key is.
    pub fn kept(&self) -> Vec<Range<usize>> {
        let mut kept: Vec<Range<usize>> = self.entries().into_iter().map(|(r, _)| r).collect();
        kept.extend(
            self.format_version
                .iter()
                .filter_map(|(_, key)| key.clone()),
        );
        kept
    }

    /// Builds the document from the entries, in document order: `entry` gives the node of
    /// each entry range. Containers get `whole` as their span.
    fn assemble(
        &self,
        whole: Span,
        format_version: Span,
        entry: &mut EntryNode,
    ) -> Result<Node, LoadError> {
        let obj = |members: Vec<(String, Node)>| {
            let members = members
                .into_iter()
                .map(|(key, value)| Member {
                    key,
                    key_span: whole,
                    value,
                })
                .collect();
            Node::new(Kind::Object(members), whole)
        };
        let list = |items: Vec<Node>| Node::new(Kind::Array(items), whole);
        let mut resources = |ranges: &[Range<usize>], kind: Entry| -> Result<Node, LoadError> {
            let items = ranges
                .iter()
                .map(|r| entry(r, kind))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(list(items))
        };
        fn module(
            m: &ModuleLayout,
            kind: Entry,
            resources: &mut EntryList,
            obj: &dyn Fn(Vec<(String, Node)>) -> Node,
            list: &dyn Fn(Vec<Node>) -> Node,
        ) -> Result<Node, LoadError> {
            let own = resources(&m.resources, kind)?;
            let children = m
                .child_modules
                .iter()
                .map(|c| module(c, kind, resources, obj, list))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(obj(vec![
                ("resources".into(), own),
                ("child_modules".into(), list(children)),
            ]))
        }
        fn config(
            m: &ConfigLayout,
            resources: &mut EntryList,
            obj: &dyn Fn(Vec<(String, Node)>) -> Node,
        ) -> Result<Node, LoadError> {
            let mut calls = Vec::new();
            for (name, module) in &m.module_calls {
                let module = config(module, resources, obj)?;
                calls.push((name.clone(), obj(vec![("module".into(), module)])));
            }
            let own = resources(&m.resources, Entry::Config)?;
            Ok(obj(vec![
                ("resources".into(), own),
                ("module_calls".into(), obj(calls)),
            ]))
        }
        let root = |node: Node| obj(vec![("root_module".into(), node)]);
        let mut top: Vec<(String, Node)> = Vec::new();
        if let Some((v, _)) = &self.format_version {
            let value = Node::new(Kind::Str(PString::known(v.clone())), format_version);
            top.push(("format_version".into(), value));
        }
        if let Some(changes) = &self.resource_changes {
            top.push((
                "resource_changes".into(),
                resources(changes, Entry::Change)?,
            ));
        }
        if let Some(m) = &self.planned_values {
            let m = module(m, Entry::Whole, &mut resources, &obj, &list)?;
            top.push(("planned_values".into(), root(m)));
        }
        if let Some(m) = &self.prior_state {
            let m = module(m, Entry::Data, &mut resources, &obj, &list)?;
            top.push(("prior_state".into(), obj(vec![("values".into(), root(m))])));
        }
        if let Some(m) = &self.configuration {
            let m = config(m, &mut resources, &obj)?;
            top.push(("configuration".into(), root(m)));
        }
        if let Some(m) = &self.values {
            let m = module(m, Entry::Whole, &mut resources, &obj, &list)?;
            top.push(("values".into(), root(m)));
        }
        if let Some(vars) = &self.variables {
            let mut members = Vec::new();
            for (name, range) in vars {
                members.push((name.clone(), entry(range, Entry::Whole)?));
            }
            top.push(("variables".into(), obj(members)));
        }
        Ok(obj(top))
    }

    /// Every entry range with what is read of it, in the order [`Layout::assemble`] takes
    /// them (it is that walk, with placeholders for the nodes).
    fn entries(&self) -> Vec<(Range<usize>, Entry)> {
        let mut entries = Vec::new();
        let nowhere = Span::new(FileId(0), 0, 0);
        // The walk cannot fail: the visitor never does.
        let _ = self.assemble(nowhere, nowhere, &mut |range, entry| {
            entries.push((range.clone(), entry));
            Ok(Node::new(Kind::Null, nowhere))
        });
        entries
    }
}

/// Parses one resource entry with spans, at its place in the file's text.
fn parse_entry(
    file: &SourceFile,
    id: FileId,
    range: &Range<usize>,
    entry: Entry,
) -> Result<Node, LoadError> {
    let start = file.text_offset(range.start);
    let raw = file.text.get(start..start + range.len()).unwrap_or("");
    let map = OffsetMap::direct(id, start);
    let parsed = match entry {
        Entry::Change => parse_json_keeping(raw, &map, &super::changes::keep_change_member),
        Entry::Config => parse_json_keeping(raw, &map, &super::changes::keep_config_member),
        _ => parse_json(raw, &map),
    };
    let mut node = parsed.map_err(|e| {
        error(
            id,
            Some(e.span),
            format!("invalid plan JSON: {}", e.message),
        )
    })?;
    if let Entry::Change = entry {
        super::changes::drop_unread_change_members(&mut node);
    }
    Ok(node)
}

/// The error for plan JSON `text` that does not read as a plan: located by the
/// span-keeping parser when it is not JSON, else serde's message about its shape.
pub(super) fn read_error(text: &str, id: FileId, e: serde_json::Error) -> LoadError {
    let located = parse_json(text, &OffsetMap::direct(id, 0)).err();
    let (span, message) = match located {
        Some(j) => (Some(j.span), format!("invalid plan JSON: {}", j.message)),
        None => (
            None,
            format!(
                "not a plan of the expected shape: {e} (line {}, column {})",
                e.line(),
                e.column()
            ),
        ),
    };
    error(id, span, message)
}

/// The located document of `file` (id `id`) from its layout: the entries the layout lists
/// are parsed with spans on all cores, then assembled in document order. The resource
/// changes' entries are not: [`change_entries`] reads them one at a time into what the
/// checker keeps of them, and the document's `resource_changes` list holds a `null` for each.
pub(super) fn relevant_document(
    file: &SourceFile,
    id: FileId,
    layout: &Layout,
) -> Result<Node, LoadError> {
    let wanted: Vec<_> = layout
        .entries()
        .into_iter()
        .filter(|(_, entry)| *entry != Entry::Change)
        .collect();
    let parsed = crate::parallel::map(&wanted, |(range, entry)| {
        parse_entry(file, id, range, *entry)
    });
    let mut parsed = parsed.into_iter();
    let whole = Span::new(id, 0, file.text.len());
    let format_version = match &layout.format_version {
        Some((_, Some(key))) => {
            let start = file.text_offset(key.start);
            Span::new(id, start, start + key.len())
        }
        _ => whole,
    };
    layout.assemble(whole, format_version, &mut |range, entry| match entry {
        Entry::Change => Ok(Node::new(Kind::Null, whole)),
        // Both walks take the same entries in the same order.
        _ => parsed
            .next()
            .unwrap_or_else(|| parse_entry(file, id, range, entry)),
    })
}

/// The resource change entries of `file`'s layout, each parsed on one of all cores and
/// given at once to `read`, which keeps what the checker needs of it: a large plan's
/// changes never stand whole beside what is made of them. In document order; the first
/// entry that does not parse is the error.
pub(super) fn change_entries<R: Send>(
    file: &SourceFile,
    id: FileId,
    layout: &Layout,
    read: impl Fn(Node) -> R + Sync,
) -> Result<Vec<R>, LoadError> {
    let ranges = layout.resource_changes.as_deref().unwrap_or_default();
    crate::parallel::map(ranges, |range| {
        parse_entry(file, id, range, Entry::Change).map(&read)
    })
    .into_iter()
    .collect()
}
