//! Source files, their ids, and byte spans that turn into `line:column`.
//!
//! Every value a diagnostic may point at carries a [`Span`]: a file id and a byte range in
//! that file's text. [`Sources`] owns the texts and converts a span into 1-based line and
//! column numbers, where the column counts characters (not bytes), as SPEC.md requires.

use std::fmt;

/// Identifies one loaded file inside [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range `start..end` in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// The file the range belongs to.
    pub file: FileId,
    /// First byte of the range.
    pub start: u32,
    /// One past the last byte of the range.
    pub end: u32,
}

impl Span {
    /// A span from byte `start` to byte `end` of `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span {
            file,
            start: start as u32,
            end: end.max(start) as u32,
        }
    }

    /// The smallest span covering both `self` and `other` (same file assumed).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A 1-based line and character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// The size in bytes of the blocks [`SourceFile`] counts characters in ahead of time.
const CHAR_BLOCK: usize = 256;

/// One loaded file: its display name, its text and an index of its lines and characters, so
/// that the position of a byte is found in O(log n) whatever the length of its line (a plan
/// JSON is one line of many megabytes).
#[derive(Debug)]
pub struct SourceFile {
    /// The name shown in diagnostics: the path as given, or `<stdin>`.
    pub name: String,
    /// The text of the file: the whole text, or for a file made with
    /// [`SourceFile::sparse`] the pieces of it that are kept, one after the other. Spans
    /// and offsets are offsets into this text.
    pub text: String,
    /// Where lines start (original offsets, `u32` as in [`Span`]): every line, or for a
    /// sparse file the lines that start inside a piece (after its first byte).
    line_starts: Vec<u32>,
    /// How many lines the original has.
    line_count: usize,
    /// The number of characters before each multiple of [`CHAR_BLOCK`] bytes of the
    /// original; empty when it is ASCII (a byte is a character).
    chars_before_block: Vec<usize>,
    /// For a sparse file, the kept pieces in order; `None` when `text` is the original.
    pieces: Option<Vec<Piece>>,
}

/// One kept piece of a sparse file, and the line its first byte is on.
#[derive(Debug, Clone, Copy)]
struct Piece {
    /// Where it starts in the text.
    text: usize,
    /// Where it starts in the original.
    original: usize,
    /// The 0-based line of its first byte.
    line: usize,
    /// Where that line starts in the original (kept or not).
    line_start: usize,
    /// The characters of the original before that line start.
    line_start_chars: usize,
    /// The index in `line_starts` of its first line start after its first byte.
    first_start: usize,
}

/// How many lines on either side of a kept range a sparse file also keeps (the lines a
/// report shows around what it points at).
pub const CONTEXT_LINES: usize = 2;

/// How many bytes a sparse file keeps on either side of a kept range, and at the start of
/// each line it keeps part of (at least what a report shows of a line).
pub const CONTEXT_BYTES: usize = 512;

impl SourceFile {
    /// A file named `name` (a leading `./` dropped, as [`Sources::add`] does) holding
    /// `text`, its lines indexed.
    pub fn named(name: String, text: String) -> Self {
        let name = match name.strip_prefix("./") {
            Some(rest) if !rest.is_empty() => rest.to_string(),
            _ => name,
        };
        SourceFile::new(name, text)
    }

    fn new(name: String, text: String) -> Self {
        let (line_starts, chars_before_block) = index(&text);
        SourceFile {
            name,
            text,
            line_count: line_starts.len(),
            line_starts,
            chars_before_block,
            pieces: None,
        }
    }

    /// A file named `name` that keeps of `original` only the byte ranges `keep`, and around
    /// each what a report shows of it: [`CONTEXT_BYTES`] on either side, and the start of
    /// the [`CONTEXT_LINES`] lines on either side and of the lines it begins and ends on
    /// (a plan of which only a few entries are read need not be held whole). Offsets and
    /// spans are then offsets into [`SourceFile::text`], the kept pieces one after the
    /// other ([`SourceFile::text_offset`] finds an original offset there); lines and
    /// columns are those of the original. Its line index holds only the lines that start
    /// in what it keeps.
    pub fn sparse(name: String, original: &str, keep: &[std::ops::Range<usize>]) -> Self {
        let counts = TextCounts::of(original);
        Self::sparse_of(name, &original, &counts, keep).expect("a text in memory reads whole")
    }

    /// [`SourceFile::sparse`] of an original that is read where it is needed (a large plan
    /// read from its file, never held whole), with its `counts` ([`TextCounts`]) taken as it
    /// was read through once. `None` when a part of it cannot be read or is not UTF-8 (a
    /// file that changed since).
    pub fn sparse_of(
        name: String,
        original: &dyn Original,
        counts: &TextCounts,
        keep: &[std::ops::Range<usize>],
    ) -> Option<Self> {
        let mut file = SourceFile::named(name, String::new());
        let len = original.len();
        let lines = CoarseLines {
            endings_before: &counts.endings_before,
            count: counts.endings_before.last().map_or(0, |&e| e as usize) + 1,
            len,
        };
        let line_of = |at: usize| lines.line_of(original, at);
        let head = |line: usize| -> Option<(usize, usize)> {
            let start = lines.start(original, line)?;
            Some((
                start,
                lines.start(original, line + 1)?.min(start + CONTEXT_BYTES),
            ))
        };
        let last_line = lines.count - 1;
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        // The start and the end of the file are kept: a span of the whole file shows them.
        for r in keep.iter().chain([&(0..0), &(len..len)]) {
            let (start, end) = (r.start.min(len), r.end.min(len).max(r.start.min(len)));
            ranges.push((
                start.saturating_sub(CONTEXT_BYTES),
                (end + CONTEXT_BYTES).min(len),
            ));
            let (first, last) = (line_of(start)?, line_of(end)?);
            for line in (first.saturating_sub(CONTEXT_LINES)..=first)
                .chain(last..=(last + CONTEXT_LINES).min(last_line))
            {
                ranges.push(head(line)?);
            }
        }
        // Pieces start and end on character blocks, so that the characters before an
        // offset are counted from kept text.
        let is_boundary = |at: usize| -> Option<bool> {
            Some(
                at == 0 || at >= len || read_with(original, at..at + 1, |b| (b[0] as i8) >= -0x40)?,
            )
        };
        let floor = |mut at: usize| -> Option<usize> {
            at -= at % CHAR_BLOCK;
            while !is_boundary(at)? {
                at -= 1;
            }
            Some(at)
        };
        let ceil = |at: usize| -> Option<usize> {
            let mut at = at.div_ceil(CHAR_BLOCK).saturating_mul(CHAR_BLOCK).min(len);
            while !is_boundary(at)? {
                at += 1;
            }
            Some(at)
        };
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (start, end) in ranges {
            let (start, end) = (floor(start)?, ceil(end)?);
            match merged.last_mut() {
                Some(prev) if start <= prev.1 => prev.1 = prev.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        let chars_before_block = &counts.chars_before_block;
        let chars_before = |at: usize| -> Option<usize> {
            let block_start = at - at % CHAR_BLOCK;
            read_with(original, block_start..at, |bytes| {
                chars_at(chars_before_block, at, bytes)
            })
        };
        let mut text: Vec<u8> = Vec::with_capacity(merged.iter().map(|(s, e)| e - s).sum());
        let mut pieces = Vec::with_capacity(merged.len());
        let mut line_starts = Vec::new();
        for (start, end) in merged {
            let line = line_of(start)?;
            let line_start = lines.start(original, line)?;
            pieces.push(Piece {
                text: text.len(),
                original: start,
                line,
                line_start,
                line_start_chars: chars_before(line_start)?,
                first_start: line_starts.len(),
            });
            let at = text.len();
            original.append(start..end, &mut text)?;
            let inside = memchr::memchr_iter(b'\n', &text[at..])
                .map(|i| start + i + 1)
                .filter(|&s| s < end);
            line_starts.extend(inside.map(|s| s as u32));
        }
        file.text = String::from_utf8(text).ok()?;
        file.line_starts = line_starts;
        file.line_count = lines.count;
        file.chars_before_block = counts.chars_before_block.clone();
        file.pieces = Some(pieces);
        Some(file)
    }

    /// The length of the original: the text's, or for a sparse file where its last piece
    /// ends (a sparse file keeps the end of the original).
    pub fn original_len(&self) -> usize {
        match self.pieces.as_deref().and_then(<[Piece]>::last) {
            Some(last) => last.original + (self.text.len() - last.text),
            None => self.text.len(),
        }
    }

    /// The index of the piece byte `at` of the text is in.
    fn piece_at(pieces: &[Piece], at: usize) -> usize {
        pieces.partition_point(|p| p.text <= at).saturating_sub(1)
    }

    /// The original offset of byte `at` of the text.
    fn original_offset(&self, at: usize) -> usize {
        let Some(pieces) = &self.pieces else {
            return at;
        };
        let p = pieces[Self::piece_at(pieces, at)];
        p.original + (at - p.text)
    }

    /// Where byte `original` of the original is in the text (for a sparse file whose
    /// pieces leave it out: where the next kept piece starts).
    pub fn text_offset(&self, original: usize) -> usize {
        let Some(pieces) = &self.pieces else {
            return original.min(self.text.len());
        };
        let i = pieces.partition_point(|p| p.original <= original);
        let Some(p) = i.checked_sub(1).and_then(|i| pieces.get(i)) else {
            return 0;
        };
        let end = pieces.get(i).map_or(self.text.len(), |next| next.text);
        (p.text + (original - p.original)).min(end)
    }

    /// The number of characters before byte `offset` of the original, a character boundary
    /// whose character block the text holds.
    fn chars_before(&self, offset: usize) -> usize {
        if self.chars_before_block.is_empty() {
            return offset;
        }
        let from = self.text_offset(offset - offset % CHAR_BLOCK);
        let to = self.text_offset(offset).max(from);
        chars_at(
            &self.chars_before_block,
            offset,
            &self.text.as_bytes()[from..to],
        )
    }

    /// The 0-based line of byte `at` of the text, where that line starts in the original
    /// and the characters before that start.
    fn line_at(&self, at: usize) -> (usize, usize, usize) {
        let original = self.original_offset(at);
        let Some(pieces) = &self.pieces else {
            let line = self
                .line_starts
                .partition_point(|&s| s as usize <= original)
                - 1;
            let start = self.line_starts[line] as usize;
            return (line, start, self.chars_before(start));
        };
        let i = Self::piece_at(pieces, at);
        let p = pieces[i];
        let next = pieces
            .get(i + 1)
            .map_or(self.line_starts.len(), |n| n.first_start);
        let inside = &self.line_starts[p.first_start..next];
        match inside.partition_point(|&s| s as usize <= original) {
            0 => (p.line, p.line_start, p.line_start_chars),
            k => {
                let start = inside[k - 1] as usize;
                (p.line + k, start, self.chars_before(start))
            }
        }
    }

    /// Where in the text the first kept byte at or after the start of line `index` is (the
    /// end of the text past the last line).
    fn line_start_in_text(&self, index: usize) -> usize {
        let Some(pieces) = &self.pieces else {
            return self
                .line_starts
                .get(index)
                .map_or(self.text.len(), |&s| s as usize);
        };
        if index >= self.line_count {
            return self.text.len();
        }
        let i = pieces.partition_point(|p| p.line <= index);
        let next_text = pieces.get(i).map_or(self.text.len(), |n| n.text);
        let Some(p) = i.checked_sub(1).map(|i| pieces[i]) else {
            return next_text;
        };
        if p.line == index {
            return self.text_offset(p.line_start);
        }
        let next = pieces
            .get(i)
            .map_or(self.line_starts.len(), |n| n.first_start);
        match self.line_starts[p.first_start..next].get(index - p.line - 1) {
            Some(&start) => self.text_offset(start as usize),
            None => next_text,
        }
    }

    /// The 0-based index of the line byte `offset` is on (clamped to the text).
    pub fn line_index(&self, offset: usize) -> usize {
        self.line_at(offset.min(self.text.len())).0
    }

    /// The byte range of 0-based line `index` without its line ending (empty past the end);
    /// of a sparse file, the part of the line it keeps.
    pub fn line_range(&self, index: usize) -> std::ops::Range<usize> {
        if index >= self.line_count {
            return self.text.len()..self.text.len();
        }
        let start = self.line_start_in_text(index);
        let end = self.line_start_in_text(index + 1).max(start);
        let body = self.text[start..end].trim_end_matches(['\n', '\r']);
        start..start + body.len()
    }

    /// How many lines the text has (a final line ending starts an empty last line).
    pub fn line_count(&self) -> usize {
        self.line_count
    }

    /// The 1-based line and character column of byte `offset` (clamped to the text), in
    /// O(log n): the line from the line index, the column from the character index.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let (line, _, start_chars) = self.line_at(offset);
        let column = self.chars_before(self.original_offset(offset)) - start_chars + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// The text of 1-based line `line`, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        match line.checked_sub(1).filter(|&i| i < self.line_count) {
            Some(index) => &self.text[self.line_range(index)],
            None => "",
        }
    }
}

/// Where each line of `text` starts, and the characters before each [`CHAR_BLOCK`] and
/// before the end (empty for ASCII text).
fn index(text: &str) -> (Vec<u32>, Vec<usize>) {
    let mut line_starts = vec![0];
    line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| (i + 1) as u32));
    (line_starts, char_blocks(text))
}

/// The bytes of a block of [`CoarseLines`].
const LINE_BLOCK: usize = 1024;

/// The lines of a text found without holding an offset per line (an indented plan has a
/// line every 30 bytes): the line endings before each [`LINE_BLOCK`] ([`TextCounts`]), and
/// a search within the block, read from the [`Original`].
struct CoarseLines<'c> {
    /// The line endings before each block, and in all.
    endings_before: &'c [u32],
    /// How many lines the text has.
    count: usize,
    /// The length of the text.
    len: usize,
}

impl CoarseLines<'_> {
    /// The 0-based line byte `at` is on.
    fn line_of(&self, original: &dyn Original, at: usize) -> Option<usize> {
        let at = at.min(self.len);
        let from = at - at % LINE_BLOCK;
        let within = read_with(original, from..at, |b| {
            memchr::memchr_iter(b'\n', b).count()
        })?;
        Some(self.endings_before[at / LINE_BLOCK] as usize + within)
    }

    /// Where 0-based line `line` starts (the end of the text past the last line).
    fn start(&self, original: &dyn Original, line: usize) -> Option<usize> {
        if line == 0 {
            return Some(0);
        }
        if line >= self.count {
            return Some(self.len);
        }
        // The line ending before the line is in the last block with fewer endings before
        // it than the line's number.
        let ending = line - 1;
        let block = self
            .endings_before
            .partition_point(|&e| e as usize <= ending)
            - 1;
        let from = block * LINE_BLOCK;
        let to = (from + LINE_BLOCK).min(self.len);
        let nth = ending - self.endings_before[block] as usize;
        read_with(original, from..to, |b| {
            memchr::memchr_iter(b'\n', b)
                .nth(nth)
                .map_or(self.len, |i| from + i + 1)
        })
    }
}

/// The text a sparse file keeps pieces of ([`SourceFile::sparse_of`]), read a range at a
/// time.
pub trait Original {
    /// Its length in bytes.
    fn len(&self) -> usize;

    /// Whether it is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hands the bytes of `range`, which lies inside it, to `read`; `None` when they cannot
    /// be read.
    fn read(&self, range: std::ops::Range<usize>, read: &mut dyn FnMut(&[u8])) -> Option<()>;

    /// Appends the bytes of `range` to `out`.
    fn append(&self, range: std::ops::Range<usize>, out: &mut Vec<u8>) -> Option<()> {
        self.read(range, &mut |bytes| out.extend_from_slice(bytes))
    }
}

/// What `f` makes of the bytes of `range` of `original`.
fn read_with<R>(
    original: &dyn Original,
    range: std::ops::Range<usize>,
    f: impl FnOnce(&[u8]) -> R,
) -> Option<R> {
    let (mut f, mut out) = (Some(f), None);
    original.read(range, &mut |bytes| out = f.take().map(|f| f(bytes)))?;
    out
}

impl Original for &str {
    fn len(&self) -> usize {
        str::len(self)
    }

    fn read(&self, range: std::ops::Range<usize>, read: &mut dyn FnMut(&[u8])) -> Option<()> {
        read(self.as_bytes().get(range)?);
        Some(())
    }
}

/// What a sparse file needs to know of the whole of its original, counted in one pass
/// (which may go through it a chunk at a time, [`TextCounts::add`]): the line endings before
/// each 1 KiB, and the characters before each 256 bytes (none for ASCII text).
#[derive(Debug, Clone)]
pub struct TextCounts {
    endings_before: Vec<u32>,
    chars_before_block: Vec<usize>,
    /// Bytes counted so far.
    len: usize,
    endings: u32,
    chars: usize,
    ascii: bool,
    done: bool,
}

impl Default for TextCounts {
    fn default() -> Self {
        TextCounts {
            endings_before: Vec::new(),
            chars_before_block: Vec::new(),
            len: 0,
            endings: 0,
            chars: 0,
            ascii: true,
            done: false,
        }
    }
}

impl TextCounts {
    /// The counts of the whole of `text`.
    pub fn of(text: &str) -> Self {
        let mut counts = TextCounts::default();
        counts.add(text.as_bytes());
        counts.finish();
        counts
    }

    /// Counts the next `bytes` of the original (whole characters or not).
    pub fn add(&mut self, mut bytes: &[u8]) {
        debug_assert!(!self.done, "counted after the end");
        self.ascii &= bytes.is_ascii();
        while !bytes.is_empty() {
            if self.len.is_multiple_of(LINE_BLOCK) {
                self.endings_before.push(self.endings);
            }
            let take = (LINE_BLOCK - self.len % LINE_BLOCK).min(bytes.len());
            let (now, rest) = bytes.split_at(take);
            self.endings += now.iter().filter(|&&b| b == b'\n').count() as u32;
            if self.ascii {
                // Until a character is not ASCII, the characters before a block are its
                // offset: the blocks are counted when one is not.
                self.chars += take;
            } else {
                if self.chars_before_block.is_empty() {
                    self.chars_before_block = (0..self.len.div_ceil(CHAR_BLOCK))
                        .map(|block| block * CHAR_BLOCK)
                        .collect();
                }
                let mut at = self.len;
                let mut part = now;
                while !part.is_empty() {
                    if at.is_multiple_of(CHAR_BLOCK) {
                        self.chars_before_block.push(self.chars);
                    }
                    let step = (CHAR_BLOCK - at % CHAR_BLOCK).min(part.len());
                    self.chars += count_chars(&part[..step]);
                    at += step;
                    part = &part[step..];
                }
            }
            self.len += take;
            bytes = rest;
        }
    }

    /// Ends the count: the totals go after the last block.
    pub fn finish(&mut self) {
        if std::mem::replace(&mut self.done, true) {
            return;
        }
        self.endings_before.push(self.endings);
        self.chars_before_block.push(self.chars);
        if self.ascii {
            self.chars_before_block = Vec::new();
        }
    }

    /// How many bytes were counted.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// The characters before each [`CHAR_BLOCK`] of `text` and before its end (empty for ASCII
/// text).
fn char_blocks(text: &str) -> Vec<usize> {
    let mut chars_before_block = Vec::new();
    if !text.is_ascii() {
        let mut chars = 0;
        for block in text.as_bytes().chunks(CHAR_BLOCK) {
            chars_before_block.push(chars);
            chars += count_chars(block);
        }
        // The end of a text whose length is a multiple of the block size starts a block.
        chars_before_block.push(chars);
    }
    chars_before_block
}

/// The characters before byte `at`, from the character index `blocks` ([`char_blocks`];
/// empty for ASCII text, where `at` is the answer) and the bytes from the start of `at`'s
/// block to `at`.
fn chars_at(blocks: &[usize], at: usize, block_to_at: &[u8]) -> usize {
    if blocks.is_empty() {
        return at;
    }
    blocks.get(at / CHAR_BLOCK).copied().unwrap_or(0) + count_chars(block_to_at)
}

/// The number of characters in UTF-8 `bytes` that begin on a character boundary (a
/// character is counted where its first byte is).
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

/// The set of files a run has loaded. Files are added once and never change.
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
    /// The files of each folder, indexed on first use (reset when a file is added).
    folders: std::sync::OnceLock<std::collections::HashMap<String, Vec<FileId>>>,
}

impl Sources {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.add_file(SourceFile::named(name.into(), text.into()))
    }

    /// Registers a file made with [`SourceFile::named`] (which indexes its lines, so that
    /// files can be made on several threads and registered in order).
    pub fn add_file(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        self.folders = std::sync::OnceLock::new();
        FileId((self.files.len() - 1) as u32)
    }

    /// The files directly in `folder` (the part of a name before its last `/`, `""` for a
    /// name without one), in the order they were added.
    pub fn in_folder(&self, folder: &str) -> &[FileId] {
        let index = self.folders.get_or_init(|| {
            let mut index: std::collections::HashMap<String, Vec<FileId>> = Default::default();
            for (i, f) in self.files.iter().enumerate() {
                let dir = f.name.rsplit_once('/').map_or("", |(dir, _)| dir);
                index
                    .entry(dir.to_string())
                    .or_default()
                    .push(FileId(i as u32));
            }
            index
        });
        index.get(folder).map_or(&[], Vec::as_slice)
    }

    /// The file behind `id`.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The start and end positions of `span`.
    pub fn range(&self, span: Span) -> (LineCol, LineCol) {
        let file = self.file(span.file);
        (
            file.line_col(span.start as usize),
            file.line_col(span.end as usize),
        )
    }

    /// The text `span` covers.
    pub fn slice(&self, span: Span) -> &str {
        let text = &self.file(span.file).text;
        text.get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// How many files are loaded.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether no file is loaded.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_found_by_folder_also_after_more_are_added() {
        let mut sources = Sources::new();
        let a = sources.add("m/a.tf", "");
        let top = sources.add("main.tf", "");
        assert_eq!(sources.in_folder("m"), [a]);
        assert_eq!(sources.in_folder(""), [top]);
        let b = sources.add("m/b.tf", "");
        assert_eq!(sources.in_folder("m"), [a, b]);
        assert!(sources.in_folder("n").is_empty());
    }

    #[test]
    fn line_and_column_count_characters_not_bytes() {
        let mut sources = Sources::new();
        let id = sources.add("a.json", "{\n  \"é\": \"x\"\n}");
        let file = sources.file(id);
        let x = file.text.find("\"x\"").unwrap();
        assert_eq!(file.line_col(x), LineCol { line: 2, column: 8 });
        assert_eq!(file.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(file.line_text(2), "  \"é\": \"x\"");
    }

    #[test]
    fn columns_on_long_lines_match_counting_from_the_line_start() {
        let mut sources = Sources::new();
        let text: String = (0..3000)
            .map(|i| match i % 700 {
                0 => "\n".to_string(),
                _ => format!("é{i}→x\"a\""),
            })
            .collect();
        let id = sources.add("a.json", text.clone());
        let file = sources.file(id);
        for offset in (0..text.len()).step_by(97).chain([text.len()]) {
            let mut at = offset;
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let expected = LineCol {
                line: text[..at].matches('\n').count() + 1,
                column: text[start..at].chars().count() + 1,
            };
            assert_eq!(file.line_col(offset), expected, "offset {offset}");
        }
        assert_eq!(file.line_range(1), 1..text[1..].find('\n').unwrap() + 1);
    }

    /// A text of short and long lines, some characters of several bytes.
    fn mixed_text() -> String {
        (0..4000)
            .map(|i| match i % 900 {
                0..=2 => "\n".to_string(),
                n if n % 50 == 0 => "é\n".to_string(),
                _ => format!("é{i}→x\"a\""),
            })
            .collect()
    }

    #[test]
    fn a_sparse_file_gives_the_lines_and_columns_of_the_original() {
        let text = mixed_text();
        let keep = [3000..3400, 20_000..20_100, 41_000..41_050];
        let mut sources = Sources::new();
        let whole = sources.add("a.json", text.clone());
        let sparse = sources.add_file(SourceFile::sparse("a.json".into(), &text, &keep));
        let (whole, sparse) = (sources.file(whole), sources.file(sparse));
        assert!(sparse.text.len() < text.len() / 2, "{}", sparse.text.len());
        for range in &keep {
            for original in range.clone() {
                let at = sparse.text_offset(original);
                // The kept bytes are the original's, at the same line and column.
                assert_eq!(
                    sparse.text.as_bytes()[at],
                    text.as_bytes()[original],
                    "{original}"
                );
                if text.is_char_boundary(original) {
                    assert_eq!(sparse.line_col(at), whole.line_col(original), "{original}");
                    assert_eq!(sparse.line_index(at), whole.line_index(original));
                }
            }
        }
        // Every kept byte is on the original's line and column, whatever led to keeping it.
        for at in 0..=sparse.text.len() {
            if sparse.text.is_char_boundary(at) {
                let original = sparse.original_offset(at);
                assert_eq!(sparse.line_col(at), whole.line_col(original), "{original}");
            }
        }
        // Each line is the part of the original line that is kept.
        for index in 0..=whole.line_count() {
            let next = match index + 1 < whole.line_count() {
                true => whole.line_range(index + 1).start,
                false => text.len(),
            };
            let (start, end) = (
                whole.line_range(index).start,
                next.max(whole.line_range(index).start),
            );
            let (start, end) = (sparse.text_offset(start), sparse.text_offset(end));
            let kept = sparse.text[start..end].trim_end_matches(['\n', '\r']);
            assert_eq!(&sparse.text[sparse.line_range(index)], kept, "line {index}");
        }
        // The start and the end of the file are kept.
        assert_eq!(sparse.line_col(0), whole.line_col(0));
        assert_eq!(
            sparse.line_col(sparse.text.len()),
            whole.line_col(text.len())
        );
        assert_eq!(sparse.line_count(), whole.line_count());
    }

    #[test]
    fn a_sparse_file_keeps_what_a_report_shows_around_a_kept_range() {
        let text = mixed_text();
        let keep = 20_000..20_100;
        let sparse = SourceFile::sparse("a.json".into(), &text, std::slice::from_ref(&keep));
        let whole = SourceFile::named("a.json".into(), text.clone());
        let (first, last) = (whole.line_index(20_000), whole.line_index(20_100));
        // The lines around it: their first bytes, and all of a short one.
        for line in first.saturating_sub(CONTEXT_LINES)..=last + CONTEXT_LINES {
            let kept = &sparse.text[sparse.line_range(line)];
            let original = &text[whole.line_range(line)];
            let shown = original.len().min(CONTEXT_BYTES);
            assert!(kept.starts_with(&original[..shown]), "line {line}");
        }
        // The bytes on either side of it.
        let at = sparse.text_offset(20_000 - CONTEXT_BYTES);
        assert_eq!(
            &sparse.text[at..at + 100 + 2 * CONTEXT_BYTES],
            &text[20_000 - CONTEXT_BYTES..20_100 + CONTEXT_BYTES]
        );
        // An original offset left out maps to where the next kept piece starts.
        let gone = 10_000;
        let next = sparse.text_offset(gone);
        assert!(next < sparse.text.len());
        assert_eq!(sparse.text_offset(gone + 1), next);
        // Both know the original's length, the sparse one from its last piece.
        assert!(sparse.text.len() < text.len() / 4);
        assert_eq!(sparse.original_len(), text.len());
        assert_eq!(whole.original_len(), text.len());
    }

    #[test]
    fn coarse_lines_are_the_lines_of_the_full_index() {
        // Short lines, empty lines, a line over several blocks, and a final line ending.
        let mut text = String::new();
        for i in 0..3000 {
            text.push_str(&"x".repeat(i % 7));
            text.push('\n');
            if i == 1500 {
                text.push_str(&"é".repeat(3 * LINE_BLOCK));
            }
        }
        let (starts, _) = index(&text);
        let counts = TextCounts::of(&text);
        let lines = CoarseLines {
            endings_before: &counts.endings_before,
            count: *counts.endings_before.last().unwrap() as usize + 1,
            len: text.len(),
        };
        let text_ref = text.as_str();
        let original: &dyn Original = &text_ref;
        assert_eq!(lines.count, starts.len());
        for (line, &start) in starts.iter().enumerate() {
            assert_eq!(
                lines.start(original, line),
                Some(start as usize),
                "line {line}"
            );
        }
        assert_eq!(lines.start(original, starts.len()), Some(text.len()));
        for at in 0..=text.len() {
            let line = starts.partition_point(|&s| s as usize <= at) - 1;
            assert_eq!(lines.line_of(original, at), Some(line), "byte {at}");
        }
    }

    #[test]
    fn the_end_of_a_text_of_whole_character_blocks_has_its_column() {
        // 256 bytes, not ASCII: the end is where a block would start.
        let text = format!("é\n{}", "b".repeat(253));
        assert_eq!(text.len(), CHAR_BLOCK);
        let file = SourceFile::named("a".into(), text.clone());
        assert_eq!(
            file.line_col(text.len()),
            LineCol {
                line: 2,
                column: 254
            }
        );
        let sparse = SourceFile::sparse("a".into(), &text, &[]);
        assert_eq!(
            sparse.line_col(sparse.text.len()),
            LineCol {
                line: 2,
                column: 254
            }
        );
    }

    #[test]
    fn offset_past_the_end_is_clamped() {
        let mut sources = Sources::new();
        let id = sources.add("a", "ab\ncd");
        assert_eq!(
            sources.file(id).line_col(99),
            LineCol { line: 2, column: 3 }
        );
    }
}
