//! A large plan read from its file a section at a time, never held whole.
//!
//! The file is read once, a chunk at a time. Its top level is split into sections as it
//! goes, the value of each key found by its brackets, and each section is read by itself
//! ([`Sections`]) and dropped before the next one is read. What the checker keeps of the
//! plan is then read back from the file ([`SourceFile::sparse_of`]): the entries it reads
//! and what a report shows around them. The memory a plan takes is its largest section,
//! not its whole text.
//!
//! Whatever this reading is unsure of gives `None`, and the plan is then read whole, as any
//! other file is: bytes that are not UTF-8, a carriage return (which reading whole would
//! turn into a line feed), a key with an escape, a key a layout reads given twice, a
//! section serde does not read, a top level that is not one object, or a file that changed
//! while it was read. So the answer, and every error, are the same as reading it whole.

use super::document::{FORMAT_VERSION_KEY, Sections};
use super::*;
use crate::source::{Original, TextCounts};
use std::cell::RefCell;
use std::fs::File;
use std::io::Read;
#[cfg(not(unix))]
use std::io::{Seek, SeekFrom};
use std::ops::Range;

/// How much of the file is read at a time.
const CHUNK: usize = 1 << 20;

/// How far into the file `format_version` must have been found for it to be read a
/// section at a time (the first read goes no further).
const VERSION_WITHIN: usize = 64 << 10;

/// How much of the file is read back at a time when the kept pieces are gathered.
const WINDOW: usize = 64 << 10;

/// A plan read from its file: its sparse file, its layout, and whether it is state JSON.
pub struct FromFile {
    /// The file keeping only what the checker reads ([`read_plan`]'s file).
    pub file: SourceFile,
    /// Where the entries read are.
    pub layout: Layout,
    /// Whether it is state JSON rather than a plan ([`is_state_json`]).
    pub is_state: bool,
}

/// Reads the plan or state JSON of `file`, `len` bytes long, named `name`, a section at a
/// time: what [`read_plan`] gives for its whole text, or `None` when the file is not plan
/// or state JSON, or this reading is unsure of it (see the module's documentation).
pub fn read_plan_file(name: String, file: &File, len: u64) -> Option<FromFile> {
    read_in_chunks(name, file, len, CHUNK)
}

/// [`read_plan_file`], reading `chunk` bytes at a time.
fn read_in_chunks(name: String, file: &File, len: u64, chunk: usize) -> Option<FromFile> {
    let len = usize::try_from(len).ok()?;
    let mut read = Reading::new(len);
    let mut chunk = vec![0u8; chunk];
    let mut source = file.take(len as u64);
    let mut at = 0;
    loop {
        // The first read stops where `format_version` must have been found.
        let want = if at == 0 { VERSION_WITHIN } else { chunk.len() }.min(chunk.len());
        let n = match source.read(&mut chunk[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        };
        read.feed(&chunk[..n], at)?;
        at += n;
        // JSON with no `format_version` near its start (a package lock, a template) is
        // read whole at once rather than read through first: plan and state JSON has it
        // first.
        if at >= VERSION_WITHIN && read.found[0].is_none() {
            return None;
        }
    }
    drop(chunk);
    if at != len {
        return None;
    }
    let (sections, counts, found) = read.finish()?;
    // Exactly the tests `detect` makes of the whole text.
    let [version, changes, planned, values, terraform] = found.map(|at| at.is_some());
    let is_plan = version && (changes || planned);
    let is_state = !is_plan && version && (values || terraform);
    if !is_plan && !is_state {
        return None;
    }
    let key = found[0].map(|at| at..at + FORMAT_VERSION_KEY.len());
    let layout = sections.finish(key);
    let original = FileOriginal {
        file,
        len,
        windows: RefCell::new([(0, Vec::new()), (0, Vec::new())]),
    };
    let file = SourceFile::sparse_of(name, &original, &counts, &layout.kept())?;
    Some(FromFile {
        file,
        layout,
        is_state,
    })
}

/// The needles [`is_plan_json`] and [`is_state_json`] look for anywhere in the text.
const NEEDLES: [&str; 5] = [
    FORMAT_VERSION_KEY,
    "\"resource_changes\"",
    "\"planned_values\"",
    "\"values\"",
    "\"terraform_version\"",
];

/// Where each of the [`NEEDLES`] first is, when it is.
type Found = [Option<usize>; 5];

/// Where the top level of the plan is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Top {
    /// Before the opening `{`.
    Start,
    /// After `{`: a key or `}`.
    FirstKey,
    /// After `,`: a key.
    Key,
    /// Inside a key.
    InKey,
    /// After a key: `:`.
    Colon,
    /// After `:`: a value.
    Value,
    /// Inside a value.
    InValue,
    /// After a value: `,` or `}`.
    Next,
    /// After the closing `}`: only whitespace.
    End,
    /// After `"resource_changes": [`: an entry or `]`.
    FirstEntry,
    /// After `,` between entries: an entry.
    Entry,
    /// Inside an entry.
    InEntry,
    /// After an entry: `,` or `]`.
    NextEntry,
}

/// How far a value is read.
#[derive(Debug, Clone, Copy)]
enum Scan {
    /// An object or array: its own brackets counted outside strings (in JSON the two kinds
    /// nest properly; when they do not, serde rejects the section).
    Nested {
        open: u8,
        close: u8,
        depth: usize,
        in_string: bool,
        escaped: bool,
    },
    /// A string.
    Text { escaped: bool },
    /// A number or word, up to a delimiter.
    Word,
}

impl Scan {
    fn of(first: u8) -> Scan {
        match first {
            b'{' => Scan::Nested {
                open: b'{',
                close: b'}',
                depth: 0,
                in_string: false,
                escaped: false,
            },
            b'[' => Scan::Nested {
                open: b'[',
                close: b']',
                depth: 0,
                in_string: false,
                escaped: false,
            },
            b'"' => Scan::Text { escaped: false },
            _ => Scan::Word,
        }
    }

    /// Just after the end of the value in `b`, which goes on from what was scanned before
    /// (the value's first byte is `b`'s first for a new value); `None` when it goes on past
    /// `b`.
    fn end_in(&mut self, b: &[u8], first: bool) -> Option<usize> {
        match self {
            Scan::Word => {
                let from = usize::from(first);
                b[from..]
                    .iter()
                    .position(|c| matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                    .map(|p| from + p)
            }
            Scan::Text { escaped } => past_string(b, usize::from(first), escaped),
            Scan::Nested {
                open,
                close,
                depth,
                in_string,
                escaped,
            } => {
                let mut i = 0;
                loop {
                    if *in_string {
                        i = past_string(b, i, escaped)?;
                        *in_string = false;
                        continue;
                    }
                    i += memchr::memchr3(b'"', *open, *close, b.get(i..)?)?;
                    match b[i] {
                        b'"' => *in_string = true,
                        c if c == *open => *depth += 1,
                        _ => {
                            *depth = depth.checked_sub(1)?;
                            if *depth == 0 {
                                return Some(i + 1);
                            }
                        }
                    }
                    i += 1;
                }
            }
        }
    }
}

/// Just past the closing quote of a string that goes on at `b[i..]`; `None` when it goes on
/// past `b`. `escaped`: the byte before was a `\`, whose character comes next (it may start
/// the next chunk).
fn past_string(b: &[u8], mut i: usize, escaped: &mut bool) -> Option<usize> {
    loop {
        if *escaped {
            if i >= b.len() {
                return None;
            }
            *escaped = false;
            i += 1;
        }
        i += memchr::memchr2(b'"', b'\\', b.get(i..)?)?;
        if b[i] == b'"' {
            return Some(i + 1);
        }
        *escaped = true;
        i += 1;
    }
}

/// The state of one pass through the file.
struct Reading {
    len: usize,
    top: Top,
    key: Vec<u8>,
    /// The keys whose sections a layout reads, once each.
    read_keys: Vec<String>,
    scan: Scan,
    /// The value being read, and where it starts in the file.
    section: Option<memmap2::MmapMut>,
    filled: usize,
    section_at: usize,
    sections: Sections,
    counts: TextCounts,
    utf8_carry: Vec<u8>,
    found: Found,
    finders: Vec<memchr::memmem::Finder<'static>>,
    /// The last bytes read, for a needle across two chunks.
    tail: Vec<u8>,
}

impl Reading {
    fn new(len: usize) -> Reading {
        Reading {
            len,
            top: Top::Start,
            key: Vec::new(),
            read_keys: Vec::new(),
            scan: Scan::Word,
            section: None,
            filled: 0,
            section_at: 0,
            sections: Sections::default(),
            counts: TextCounts::default(),
            utf8_carry: Vec::new(),
            found: [None; 5],
            finders: NEEDLES
                .iter()
                .map(|n| memchr::memmem::Finder::new(n.as_bytes()))
                .collect(),
            tail: Vec::new(),
        }
    }

    /// Reads `chunk`, which is at `at` in the file.
    fn feed(&mut self, chunk: &[u8], at: usize) -> Option<()> {
        if memchr::memchr(b'\r', chunk).is_some() || !self.utf8(chunk) {
            return None;
        }
        self.counts.add(chunk);
        self.needles(chunk, at);
        // The whole characters of the chunk, from `whole_from` on, as text.
        let whole_from = chunk
            .iter()
            .take(3)
            .take_while(|&&b| (0x80..0xC0).contains(&b))
            .count();
        let whole = match std::str::from_utf8(&chunk[whole_from..]) {
            Ok(text) => text,
            Err(e) => std::str::from_utf8(&chunk[whole_from..whole_from + e.valid_up_to()])
                .unwrap_or_default(),
        };
        let mut i = 0;
        while i < chunk.len() {
            let c = chunk[i];
            match self.top {
                Top::InValue | Top::InEntry => {
                    i = self.value_in(chunk, i, false)?;
                    continue;
                }
                // A key with an escape or a control character (which JSON does not allow
                // unescaped) is left to reading whole.
                Top::InKey => match c {
                    b'"' => self.top = Top::Colon,
                    b'\\' | 0..0x20 => return None,
                    _ => self.key.push(c),
                },
                // JSON's whitespace (a carriage return never comes this far).
                _ if matches!(c, b' ' | b'\t' | b'\n' | b'\r') => {}
                Top::Start if c == b'{' => self.top = Top::FirstKey,
                Top::FirstKey | Top::Key if c == b'"' => {
                    self.key.clear();
                    self.top = Top::InKey;
                }
                Top::FirstKey | Top::Next if c == b'}' => self.top = Top::End,
                Top::Colon if c == b':' => self.top = Top::Value,
                // The resource changes, most of a plan, are read an entry at a time.
                Top::Value if c == b'[' && self.key == b"resource_changes" => {
                    self.read_once("resource_changes")?;
                    self.sections.start_changes();
                    self.top = Top::FirstEntry;
                }
                Top::FirstEntry | Top::NextEntry if c == b']' => self.top = Top::Next,
                Top::NextEntry if c == b',' => self.top = Top::Entry,
                Top::Value | Top::FirstEntry | Top::Entry => {
                    let in_entry = self.top != Top::Value;
                    // An entry that ends in this chunk is read where it is, with no scan
                    // for its end and no copy (an object: it cannot seem to end early).
                    if in_entry
                        && c == b'{'
                        && let Some(rest) = whole.get(i.wrapping_sub(whole_from)..)
                        && let Some(end) = self.entry_in_chunk(rest, at + i)
                    {
                        self.top = Top::NextEntry;
                        i += end;
                        continue;
                    }
                    self.scan = Scan::of(c);
                    self.section_at = at + i;
                    self.filled = 0;
                    self.top = if in_entry { Top::InEntry } else { Top::InValue };
                    i = self.value_in(chunk, i, true)?;
                    continue;
                }
                Top::Next if c == b',' => self.top = Top::Key,
                _ => return None,
            }
            i += 1;
        }
        Some(())
    }

    /// Reads the resource change entry that starts `rest` (at `at` in the file) when it
    /// ends there too; its length, or `None` when it runs on (or does not parse: the
    /// entry is then read as any value is, which finds the error again).
    fn entry_in_chunk(&mut self, rest: &str, at: usize) -> Option<usize> {
        let mut de = serde_json::Deserializer::from_str(rest);
        let raw =
            <&serde_json::value::RawValue as serde::Deserialize>::deserialize(&mut de).ok()?;
        self.sections.change_entry_read(raw, at);
        Some(raw.get().len())
    }

    /// Reads the value being read from `chunk[i..]` (`first`: it starts there), up to its
    /// end, read then, or the chunk's; where reading goes on.
    fn value_in(&mut self, chunk: &[u8], i: usize, first: bool) -> Option<usize> {
        match self.scan.end_in(&chunk[i..], first) {
            Some(end) => {
                self.keep(&chunk[i..i + end])?;
                self.value_done()?;
                Some(i + end)
            }
            None => {
                self.keep(&chunk[i..])?;
                Some(chunk.len())
            }
        }
    }

    /// Whether `chunk` goes on valid UTF-8 (a character may run on into the next chunk).
    fn utf8(&mut self, chunk: &[u8]) -> bool {
        let mut rest = chunk;
        if let Some(&lead) = self.utf8_carry.first() {
            let want = match lead {
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF7 => 4,
                _ => return false,
            };
            let need = want - self.utf8_carry.len();
            if rest.len() < need {
                self.utf8_carry.extend_from_slice(rest);
                return true;
            }
            let mut joined = std::mem::take(&mut self.utf8_carry);
            joined.extend_from_slice(&rest[..need]);
            if std::str::from_utf8(&joined).is_err() {
                return false;
            }
            rest = &rest[need..];
        }
        match std::str::from_utf8(rest) {
            Ok(_) => true,
            Err(e) if e.error_len().is_none() => {
                self.utf8_carry.extend_from_slice(&rest[e.valid_up_to()..]);
                true
            }
            Err(_) => false,
        }
    }

    /// Looks for the needles in `chunk` (at `at`) and across its start.
    fn needles(&mut self, chunk: &[u8], at: usize) {
        let longest = NEEDLES.iter().map(|n| n.len()).max().unwrap_or(0);
        let mut across = std::mem::take(&mut self.tail);
        let across_at = at - across.len();
        across.extend_from_slice(&chunk[..chunk.len().min(longest - 1)]);
        for (first, finder) in self.found.iter_mut().zip(&self.finders) {
            if first.is_none() {
                *first = finder
                    .find(&across)
                    .map(|i| across_at + i)
                    .or_else(|| finder.find(chunk).map(|i| at + i));
            }
        }
        // The last bytes before the next chunk (those of this one, and of the ones before
        // when it is short).
        let keep = longest - 1;
        self.tail = match chunk.len().checked_sub(keep) {
            Some(from) => chunk[from..].to_vec(),
            None => across[across.len().saturating_sub(keep)..].to_vec(),
        };
    }

    /// Adds `bytes` to the value being read.
    fn keep(&mut self, bytes: &[u8]) -> Option<()> {
        if self.section.is_none() {
            // Memory of its own, as large as the file: only what a section writes is
            // taken from the system, and the largest section is what a read holds.
            self.section = Some(memmap2::MmapMut::map_anon(self.len.max(1)).ok()?);
        }
        let section = self.section.as_mut()?;
        section
            .get_mut(self.filled..self.filled + bytes.len())?
            .copy_from_slice(bytes);
        self.filled += bytes.len();
        Some(())
    }

    /// Notes that the section of `key`, one a layout reads, is read: a second one is left to
    /// reading whole (serde refuses it).
    fn read_once(&mut self, key: &str) -> Option<()> {
        if self.read_keys.iter().any(|k| k == key) {
            return None;
        }
        self.read_keys.push(key.to_string());
        Some(())
    }

    /// Reads the value just read: a resource change entry, or the section of the key
    /// before it.
    fn value_done(&mut self) -> Option<()> {
        let bytes = self.section.as_ref()?.get(..self.filled)?;
        let text = std::str::from_utf8(bytes).ok()?;
        if self.top == Top::InEntry {
            self.top = Top::NextEntry;
            return self.sections.change_entry(text, self.section_at).ok();
        }
        self.top = Top::Next;
        let key = std::str::from_utf8(&self.key).ok()?;
        match self.sections.read(key, text, self.section_at) {
            Ok(true) => {
                let key = key.to_string();
                self.read_once(&key)
            }
            // Checked as reading it whole checks it.
            Ok(false) => serde_json::from_str::<serde::de::IgnoredAny>(text)
                .ok()
                .map(|_| ()),
            Err(_) => None,
        }
    }

    /// The sections read, the counts of the text, and the needles found, when the file is
    /// one whole JSON object.
    fn finish(mut self) -> Option<(Sections, TextCounts, Found)> {
        if self.top != Top::End || !self.utf8_carry.is_empty() {
            return None;
        }
        self.counts.finish();
        Some((self.sections, self.counts, self.found))
    }
}

/// A file whose bytes are read where they are needed, a window at a time (the pieces a
/// sparse file keeps are gathered in order, so most reads fall in a window read before).
struct FileOriginal<'f> {
    file: &'f File,
    len: usize,
    /// The two windows read last (the most recent first): where each starts, and its
    /// bytes. Two, as the pieces of a plan alternate with the lines around them, which
    /// may be far away (on a one-line plan, at its end).
    windows: RefCell<[(usize, Vec<u8>); 2]>,
}

impl FileOriginal<'_> {
    /// Fills `bytes` from `at` in the file.
    fn read_into(&self, bytes: &mut [u8], at: usize) -> Option<()> {
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::read_exact_at(self.file, bytes, at as u64).ok()
        }
        #[cfg(not(unix))]
        {
            let mut file = self.file;
            file.seek(SeekFrom::Start(at as u64)).ok()?;
            file.read_exact(bytes).ok()
        }
    }
}

impl Original for FileOriginal<'_> {
    fn len(&self) -> usize {
        self.len
    }

    fn read(&self, range: Range<usize>, read: &mut dyn FnMut(&[u8])) -> Option<()> {
        if range.start > range.end || range.end > self.len {
            return None;
        }
        if range.is_empty() {
            read(&[]);
            return Some(());
        }
        if range.len() > WINDOW / 2 {
            let mut bytes = vec![0; range.len()];
            self.read_into(&mut bytes, range.start)?;
            read(&bytes);
            return Some(());
        }
        let mut windows = self.windows.borrow_mut();
        let holds = |(start, bytes): &(usize, Vec<u8>)| {
            range.start >= *start && range.end <= *start + bytes.len()
        };
        // The most recent window first; a miss replaces the other one.
        if !holds(&windows[0]) {
            windows.swap(0, 1);
            if !holds(&windows[0]) {
                // From a little before: lines and characters are looked for backwards too.
                let from = range.start.saturating_sub(WINDOW / 4);
                let (start, bytes) = &mut windows[0];
                // The window's memory is reused: only its length changes.
                bytes.resize((from + WINDOW).min(self.len) - from, 0);
                if self.read_into(bytes, from).is_none() {
                    bytes.clear();
                    return None;
                }
                *start = from;
            }
        }
        let (start, bytes) = &windows[0];
        read(&bytes[range.start - start..range.end - start]);
        Some(())
    }

    /// A large range is read straight into `out`, never copied.
    fn append(&self, range: Range<usize>, out: &mut Vec<u8>) -> Option<()> {
        if range.len() <= WINDOW / 2 || range.end > self.len {
            return self.read(range, &mut |bytes| out.extend_from_slice(bytes));
        }
        let at = out.len();
        out.resize(at + range.len(), 0);
        self.read_into(&mut out[at..], range.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// `text` written to a file of its own and read from it `chunk` bytes at a time.
    fn streamed(text: &[u8], chunk: usize) -> Option<FromFile> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "clumio-stream-{}-{}.json",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, text).unwrap();
        let file = File::open(&path).unwrap();
        let read = read_in_chunks("plan.json".into(), &file, text.len() as u64, chunk);
        drop(file);
        std::fs::remove_file(&path).unwrap();
        read
    }

    /// Reads `text` both ways and asserts they agree: the same layout, the same kept text
    /// at the same lines and columns, the same kind.
    fn assert_alike(text: &str, chunk: usize) {
        let whole_kind = is_plan_json(text) || is_state_json(text);
        let Some(read) = streamed(text.as_bytes(), chunk) else {
            panic!("not read from its file (chunk {chunk}): {text:.200}");
        };
        assert!(whole_kind);
        assert_eq!(read.is_state, !is_plan_json(text));
        let (whole, layout) = read_plan("plan.json".into(), text.into());
        let layout = layout.expect("a plan reads whole");
        assert_eq!(format!("{:?}", read.layout), format!("{layout:?}"));
        assert_eq!(read.file.text, whole.text, "chunk {chunk}");
        assert_eq!(read.file.line_count(), whole.line_count());
        for at in (0..=whole.text.len()).step_by(7) {
            assert_eq!(read.file.line_col(at), whole.line_col(at), "offset {at}");
        }
    }

    fn testdata_plans() -> Vec<(std::path::PathBuf, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
        let mut plans = Vec::new();
        let mut dirs = vec![root];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "json") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    if is_plan_json(&text) || is_state_json(&text) {
                        plans.push((path, text));
                    }
                }
            }
        }
        plans.sort();
        plans
    }

    #[test]
    fn every_plan_and_state_reads_from_its_file_as_it_reads_whole() {
        let plans = testdata_plans();
        assert!(plans.len() >= 20, "{}", plans.len());
        for (path, text) in &plans {
            // The empty state, a short text that is never read from its file (the tests
            // `detect` makes of it parse it whole), is read whole; so is text this reading
            // is unsure of (see the fallbacks below).
            if is_empty_state_json(text) || text.contains('\r') || Layout::read(text).is_err() {
                assert!(
                    streamed(text.as_bytes(), 64).is_none(),
                    "{}",
                    path.display()
                );
                continue;
            }
            for chunk in [1, 5, 64, 1000, CHUNK] {
                assert_alike(text, chunk);
            }
            // On one line, as `terraform show -json` writes it, and with characters that
            // are not ASCII before and inside the entries.
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            let one_line = serde_json::to_string(&value).unwrap();
            assert_alike(&one_line, 333);
            let wide = one_line.replacen('{', r#"{"région":{"value":"é→ü"},"#, 1);
            assert_alike(&wide.replace("aws_s3_bucket.", "aws_s3_bucket.\\u00e9"), 97);
        }
    }

    #[test]
    fn json_without_format_version_near_its_start_is_given_up_early() {
        let pad = "x".repeat(VERSION_WITHIN + 10);
        let late = format!(
            r#"{{"name":"{pad}","format_version":"1.2","planned_values":{{"root_module":{{}}}}}}"#
        );
        assert!(is_plan_json(&late));
        assert!(streamed(late.as_bytes(), CHUNK).is_none());
        // The same plan with its version first is read from its file.
        let first = format!(
            r#"{{"format_version":"1.2","name":"{pad}","planned_values":{{"root_module":{{}}}}}}"#
        );
        assert_alike(&first, CHUNK);
    }

    #[test]
    fn what_reading_from_the_file_is_unsure_of_is_read_whole() {
        let plan = r#"{"format_version":"1.2","resource_changes":[
            {"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket","name":"b",
             "change":{"actions":["create"],"after":{"bucket":"b"},"after_unknown":{}}}]}"#;
        assert!(streamed(plan.as_bytes(), 16).is_some());
        let unsure: Vec<Vec<u8>> = vec![
            // A carriage return, which reading whole turns into a line feed.
            plan.replace('\n', "\r\n").into_bytes(),
            // Not UTF-8, in a value and cut at the end.
            plan.replace("\"b\"}", "\"\u{7f}\"}")
                .bytes()
                .map(|b| if b == 0x7f { 0xff } else { b })
                .collect(),
            [plan.as_bytes(), &[0xC3]].concat(),
            // A key with an escape, or a control character.
            plan.replace("\"resource_changes\"", r#""resource\u005fchanges""#)
                .into_bytes(),
            plan.replace("\"format_version\"", "\"format\u{1}version\"")
                .into_bytes(),
            // A key read twice, at once and an entry at a time.
            plan.replace(
                "{\"format_version\"",
                r#"{"resource_changes":null,"format_version""#,
            )
            .into_bytes(),
            plan.replace(
                "{\"format_version\":\"1.2\"",
                r#"{"format_version":"1.2","format_version":"1.2""#,
            )
            .into_bytes(),
            // A section serde does not read as a plan's, or not as JSON.
            plan.replace(r#""actions":["create"]"#, r#""actions":["create",]"#)
                .into_bytes(),
            plan.replace("\"1.2\"", "1.2").into_bytes(),
            plan.replace("[\n", "7,[\n").into_bytes(),
            format!("{plan}, \"x\": tru}}")
                .replace("]},", "],")
                .into_bytes(),
            // Not one object: cut short, something after it, or not an object at all.
            plan.as_bytes()[..plan.len() - 1].to_vec(),
            format!("{plan} {{}}").into_bytes(),
            format!("[{plan}]").into_bytes(),
            format!("\u{feff}{plan}").into_bytes(),
            // JSON that is no plan: a template.
            br#"{"Resources":{"B":{"Type":"AWS::S3::Bucket"}}}"#.to_vec(),
        ];
        for text in &unsure {
            for chunk in [1, 3, 1 << 10] {
                assert!(
                    streamed(text, chunk).is_none(),
                    "{}",
                    String::from_utf8_lossy(text)
                );
            }
        }
    }

    #[test]
    fn a_file_cut_short_after_it_was_read_gives_nothing() {
        // The pieces are read back from the file: when it is shorter than it was, there is
        // no sparse file (and the plan is read whole).
        let text = r#"{"format_version":"1.2","resource_changes":[
            {"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket","name":"b",
             "change":{"actions":["create"],"after":{"bucket":"b"},"after_unknown":{}}}]}"#;
        let path =
            std::env::temp_dir().join(format!("clumio-stream-cut-{}.json", std::process::id()));
        std::fs::write(&path, &text[..text.len() / 2]).unwrap();
        let file = File::open(&path).unwrap();
        let layout = Layout::read(text).unwrap();
        let original = FileOriginal {
            file: &file,
            len: text.len(),
            windows: RefCell::new([(0, Vec::new()), (0, Vec::new())]),
        };
        let counts = TextCounts::of(text);
        let read = SourceFile::sparse_of("plan.json".into(), &original, &counts, &layout.kept());
        drop(file);
        std::fs::remove_file(&path).unwrap();
        assert!(read.is_none());
    }

    #[test]
    fn state_json_reads_from_its_file_as_state() {
        let state = r#"{"format_version":"1.0","terraform_version":"1.11.0","values":{"root_module":{"resources":[
            {"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket","name":"b","values":{"bucket":"b"}}]}}}"#;
        let read = streamed(state.as_bytes(), 10).unwrap();
        assert!(read.is_state);
        assert_alike(state, 10);
    }

    /// A plan made of generated entries, with strings holding brackets, quotes, escapes and
    /// characters that are not ASCII, laid out one way or another.
    fn plan_text() -> impl Strategy<Value = String> {
        let word = prop::sample::select(vec![
            "b", "{", "}", "[", "]", "\\\"", "\\\\", "é", "→", ",", ":", " ", "\\u00e9",
        ]);
        let text = prop::collection::vec(word, 0..6).prop_map(|w| w.concat());
        let rtype = prop::sample::select(vec!["aws_s3_bucket", "aws_instance", "aws_kms_key"]);
        let entry = (rtype, text.clone(), text).prop_map(|(t, a, b)| {
            format!(
                r#"{{"address":"{t}.x","mode":"managed","type":"{t}","name":"x","change":{{"actions":["create"],"after":{{"bucket":"{a}","tags":{{"k":"{b}"}}}},"after_unknown":{{}}}}}}"#
            )
        });
        (prop::collection::vec(entry, 0..8), prop::sample::select(vec![" ", "\n", "\n  ", ""]))
            .prop_map(|(entries, gap)| {
                format!(
                    r#"{{{gap}"format_version":{gap}"1.2",{gap}"planned_values":{{"root_module":{{}}}},{gap}"resource_changes":{gap}[{gap}{}{gap}],{gap}"configuration":{{"root_module":{{"resources":[]}}}}{gap}}}{gap}"#,
                    entries.join(&format!(",{gap}"))
                )
            })
    }

    proptest! {
        #[test]
        fn generated_plans_read_from_their_files_as_they_read_whole(
            text in plan_text(),
            chunk in 1usize..64,
        ) {
            assert_alike(&text, chunk);
        }
    }
}
