//! The CSV reader every importer shares: finds the separator and the header row, matches
//! columns by name, and streams rows with their line numbers.
//!
//! Exports are not tidy: ad platforms put a title and a date range above the header, French
//! tools separate with `;`, spreadsheets add a BOM, Shopify quotes multi-line notes and ends
//! lines with CRLF. So the separator is not guessed from character counts but chosen by which
//! one (`,`, `;` or tab) yields a row that looks like the expected header within the first 20
//! lines; columns are then found by their (accent-, case- and punctuation-folded) names in
//! English or French, never by position, and unknown columns are ignored. Rows are read one at
//! a time into a reused buffer, so memory does not grow with the file.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::error::{CellError, ImportError, Place};
use super::parse::{norm_header, NumberStyle};

/// One column an importer knows: its names (English first, then variants and French) and
/// whether the file is refused without it. `prefix` matches headers that start with a name,
/// such as Meta's `Amount spent (EUR)`.
pub struct Field {
    pub names: &'static [&'static str],
    pub required: bool,
    pub prefix: bool,
}

pub const fn req(names: &'static [&'static str]) -> Field {
    Field {
        names,
        required: true,
        prefix: false,
    }
}

pub const fn opt(names: &'static [&'static str]) -> Field {
    Field {
        names,
        required: false,
        prefix: false,
    }
}

pub const fn req_prefix(names: &'static [&'static str]) -> Field {
    Field {
        names,
        required: true,
        prefix: true,
    }
}

/// How many lines may precede the header (titles, date ranges).
const HEADER_SEARCH_LINES: usize = 20;
const SNIFF_BYTES: usize = 256 * 1024;

/// An open export: separator and header found, positioned on the first data row.
pub struct CsvSource {
    pub file: String,
    reader: csv::Reader<BufReader<File>>,
    /// Column index of each [`Field`], in the order the importer declared them.
    columns: Vec<Option<usize>>,
    headers: Vec<String>,
    /// The rows above the header (report title, date range), trimmed.
    pub preamble: Vec<String>,
    pub style: NumberStyle,
    pub delimiter: u8,
    pub header_line: u64,
    pub file_len: u64,
    record: csv::ByteRecord,
    lines: RefCell<LineCounter>,
}

/// Physical line numbers (as an editor counts them) of byte offsets, counted from the file's
/// own bytes.
///
/// The csv crate's record positions cannot be used for this: a record that ends with CRLF
/// stops at the `\r`, and its `\n` is consumed (and counted) only when the next record is
/// read, so in a CRLF file every record but the first was placed one line too high. The
/// offsets it gives are right, so errors map them to lines here, with a second handle on the
/// file. Only errors ask, in file order, so the counter moves forward and the import never
/// pays for it.
struct LineCounter {
    file: BufReader<File>,
    /// Offset the reader is at, and how many `\n` precede it.
    byte: u64,
    newlines: u64,
}

impl LineCounter {
    fn open(path: &Path) -> std::io::Result<LineCounter> {
        Ok(LineCounter {
            file: BufReader::with_capacity(64 * 1024, File::open(path)?),
            byte: 0,
            newlines: 0,
        })
    }

    /// The line of the record whose csv position is `byte`: that of its first byte that is
    /// not a line end (the csv reader skips blank lines and the `\n` left of a CRLF).
    fn line_of(&mut self, byte: u64) -> std::io::Result<u64> {
        if byte < self.byte {
            self.file.seek(SeekFrom::Start(0))?;
            (self.byte, self.newlines) = (0, 0);
        }
        while self.byte < byte {
            let buf = self.file.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            let take = buf.len().min((byte - self.byte) as usize);
            self.newlines += buf[..take].iter().filter(|&&b| b == b'\n').count() as u64;
            self.file.consume(take);
            self.byte += take as u64;
        }
        // Count the line ends the record starts with, then come back to `byte`.
        let mut ends = 0;
        loop {
            let buf = self.file.fill_buf()?;
            let run = buf
                .iter()
                .take_while(|&&b| b == b'\n' || b == b'\r')
                .count();
            ends += buf[..run].iter().filter(|&&b| b == b'\n').count() as u64;
            let more = run > 0 && run == buf.len();
            self.file.consume(run);
            if !more {
                break;
            }
        }
        let line = 1 + self.newlines + ends;
        self.file.seek(SeekFrom::Start(self.byte))?;
        Ok(line)
    }
}

/// A data row: borrowed from the source until the next call to [`CsvSource::next_row`].
pub struct Row<'a> {
    position: csv::Position,
    record: &'a csv::ByteRecord,
    source: &'a CsvSource,
}

fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        // Excel on Windows still writes Latin-1 / Windows-1252: read it rather than refuse.
        Err(_) => Cow::Owned(bytes.iter().map(|&b| b as char).collect()),
    }
}

fn strip_bom(s: &str) -> &str {
    s.strip_prefix('\u{feff}').unwrap_or(s)
}

fn match_header(headers: &[String], fields: &[Field]) -> Vec<Option<usize>> {
    let normalised: Vec<String> = headers.iter().map(|h| norm_header(h)).collect();
    fields
        .iter()
        .map(|f| {
            let names: Vec<String> = f.names.iter().map(|n| norm_header(n)).collect();
            normalised
                .iter()
                .position(|h| names.iter().any(|n| h == n))
                .or_else(|| {
                    f.prefix.then(|| {
                        normalised
                            .iter()
                            .position(|h| names.iter().any(|n| h.starts_with(n.as_str())))
                    })?
                })
        })
        .collect()
}

fn csv_reader<R: Read>(input: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(input)
}

/// Index of the header among the first records read with `delimiter`, and how many known
/// columns it has.
fn find_header(sample: &[u8], delimiter: u8, fields: &[Field]) -> Option<(usize, usize)> {
    let mut reader = csv_reader(sample, delimiter);
    let required = fields.iter().filter(|f| f.required).count();
    let mut best: Option<(usize, usize)> = None;
    for (i, record) in reader.byte_records().take(HEADER_SEARCH_LINES).enumerate() {
        let Ok(record) = record else { break };
        let headers: Vec<String> = record.iter().map(|b| decode(b).into_owned()).collect();
        let matched = match_header(&headers, fields)
            .iter()
            .zip(fields)
            .filter(|(c, f)| c.is_some() && f.required)
            .count();
        if matched == required {
            return Some((i, matched));
        }
        if matched >= 2.max(required / 2) && best.map_or(true, |(_, m)| matched > m) {
            best = Some((i, matched));
        }
    }
    best
}

impl CsvSource {
    /// Opens `path` and finds its header among the first lines, for a file of `kind`.
    pub fn open(path: &Path, kind: &str, fields: &[Field]) -> Result<CsvSource, ImportError> {
        let file_name = path.display().to_string();
        let mut file = File::open(path).map_err(|e| ImportError::io(path, e))?;
        let file_len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let mut sample = Vec::new();
        (&mut file)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut sample)
            .map_err(|e| ImportError::io(path, e))?;
        let found = [b',', b';', b'\t']
            .into_iter()
            .filter_map(|d| find_header(&sample, d, fields).map(|(i, m)| (d, i, m)))
            .max_by_key(|&(d, _, m)| (m, d == b','));
        let Some((delimiter, header_index, _)) = found else {
            let first_line = decode(sample.split(|&b| b == b'\n').next().unwrap_or(&[]))
                .trim()
                .chars()
                .take(120)
                .collect::<String>();
            let expected: Vec<&str> = fields
                .iter()
                .filter(|f| f.required)
                .map(|f| f.names[0])
                .collect();
            return Err(ImportError::Header {
                file: file_name,
                line: 1,
                problem: format!(
                    "no {kind} header found in the first {HEADER_SEARCH_LINES} lines \
                     (expected columns {}, separated by `,`, `;` or tabs); the first line reads {first_line:?}",
                    expected.join(", ")
                ),
                fix: format!(
                    "check that this is a {kind} export with its header row, \
                     and that one separator is used throughout"
                ),
            });
        };
        drop(sample);
        let file = File::open(path).map_err(|e| ImportError::io(path, e))?;
        let mut reader = csv_reader(BufReader::with_capacity(1 << 20, file), delimiter);
        let mut record = csv::ByteRecord::new();
        let mut preamble = Vec::new();
        for _ in 0..header_index {
            read_record(&mut reader, &mut record, path)?;
            let text: Vec<String> = record.iter().map(|b| decode(b).into_owned()).collect();
            preamble.push(strip_bom(text.join(" ").trim()).trim().to_string());
        }
        read_record(&mut reader, &mut record, path)?;
        let mut lines = LineCounter::open(path).map_err(|e| ImportError::io(path, e))?;
        let header_line = record
            .position()
            .map_or(1, |p| lines.line_of(p.byte()).unwrap_or(p.line()));
        let headers: Vec<String> = record
            .iter()
            .map(|b| strip_bom(decode(b).trim()).trim().to_string())
            .collect();
        let columns = match_header(&headers, fields);
        if let Some(missing) = fields
            .iter()
            .zip(&columns)
            .find(|(f, c)| f.required && c.is_none())
            .map(|(f, _)| f)
        {
            let variants = missing.names[1..].join(", ");
            return Err(ImportError::Header {
                file: file_name,
                line: header_line,
                problem: format!(
                    "missing required column {:?}{} in the {kind} header",
                    missing.names[0],
                    if variants.is_empty() {
                        String::new()
                    } else {
                        format!(" (also accepted: {variants})")
                    }
                ),
                fix: "re-export the file with all its columns".to_string(),
            });
        }
        Ok(CsvSource {
            file: file_name,
            reader,
            columns,
            headers,
            preamble,
            style: NumberStyle {
                decimal_comma: delimiter == b';',
            },
            delimiter,
            header_line,
            file_len,
            record,
            lines: RefCell::new(lines),
        })
    }

    /// The line (1-based, as an editor counts them) of the record at `position`.
    fn line_at(&self, position: &csv::Position) -> u64 {
        self.lines
            .borrow_mut()
            .line_of(position.byte())
            .unwrap_or(position.line())
    }

    /// Bytes read so far (for progress).
    pub fn bytes_read(&self) -> u64 {
        self.reader.position().byte()
    }

    pub fn has(&self, field: usize) -> bool {
        self.columns[field].is_some()
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The last record read, as it was, even when it was refused (for a reject file).
    pub fn last_raw(&self) -> csv::ByteRecord {
        self.record.clone()
    }

    /// The next data row, skipping blank lines; a row whose field count differs from the
    /// header's is an error (an unclosed quote or a foreign separator).
    pub fn next_row(&mut self) -> Option<Result<Row<'_>, ImportError>> {
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(e) => {
                    return Some(Err(ImportError::row(
                        &self.file,
                        e.position().map_or(0, |p| self.line_at(p)),
                        format!("unreadable CSV: {e}"),
                    )))
                }
            }
            let position = self
                .record
                .position()
                .cloned()
                .unwrap_or_else(csv::Position::new);
            let n = self.record.len();
            if n == 1
                && self
                    .record
                    .get(0)
                    .is_some_and(|f| f.iter().all(u8::is_ascii_whitespace))
            {
                continue;
            }
            if n != self.headers.len() {
                let unclosed = n < self.headers.len()
                    && self
                        .record
                        .iter()
                        .next_back()
                        .is_some_and(|f| f.contains(&b'\n'));
                let problem = if unclosed {
                    format!(
                        "a quoted field in column {n} ({}) is never closed: the file may be truncated",
                        self.headers.get(n - 1).map_or("?", |h| h.as_str())
                    )
                } else {
                    format!(
                        "the row has {n} fields where the header has {}: a quote is unbalanced \
                         or the row uses another separator than {:?}",
                        self.headers.len(),
                        self.delimiter as char
                    )
                };
                return Some(Err(ImportError::row(
                    &self.file,
                    self.line_at(&position),
                    problem,
                )));
            }
            return Some(Ok(Row {
                position,
                record: &self.record,
                source: self,
            }));
        }
    }
}

fn read_record(
    reader: &mut csv::Reader<BufReader<File>>,
    record: &mut csv::ByteRecord,
    path: &Path,
) -> Result<(), ImportError> {
    match reader.read_byte_record(record) {
        Ok(true) => Ok(()),
        Ok(false) => Err(ImportError::Header {
            file: path.display().to_string(),
            line: 1,
            problem: "the file ends before its header".into(),
            fix: "check the file is complete".into(),
        }),
        Err(e) => Err(ImportError::row(
            &path.display().to_string(),
            e.position().map_or(1, |p| p.line()),
            format!("unreadable CSV: {e}"),
        )),
    }
}

impl<'a> Row<'a> {
    /// The cell of `field` ("" when the file has no such column).
    pub fn get(&self, field: usize) -> Cow<'a, str> {
        match self.source.columns[field].and_then(|c| self.record.get(c)) {
            Some(bytes) => decode(bytes),
            None => Cow::Borrowed(""),
        }
    }

    /// Parses the cell of `field`, turning a failure into an error that names the place.
    pub fn parse<T>(
        &self,
        field: usize,
        parse: impl FnOnce(&str) -> Result<T, CellError>,
    ) -> Result<T, ImportError> {
        let text = self.get(field);
        parse(&text).map_err(|e| ImportError::cell(&self.source.file, &self.place(field), &text, e))
    }

    /// Like [`Row::parse`] for a cell that must not be blank.
    pub fn require<T>(
        &self,
        field: usize,
        parse: impl FnOnce(&str) -> Result<Option<T>, CellError>,
    ) -> Result<T, ImportError> {
        let text = self.get(field);
        match parse(&text) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(ImportError::cell(
                &self.source.file,
                &self.place(field),
                &text,
                CellError::expected("a value (the cell is empty)"),
            )),
            Err(e) => Err(ImportError::cell(
                &self.source.file,
                &self.place(field),
                &text,
                e,
            )),
        }
    }

    /// The row's line (1-based, as an editor counts them). Worked out from the file's bytes
    /// (see `LineCounter`), so meant for errors, not for every row.
    pub fn line(&self) -> u64 {
        self.source.line_at(&self.position)
    }

    pub fn place(&self, field: usize) -> Place {
        let column = self.source.columns[field].unwrap_or(0);
        Place {
            line: self.line(),
            column: column + 1,
            header: self.source.headers.get(column).cloned().unwrap_or_default(),
        }
    }

    /// Whether the file has the column of `field`.
    pub fn has(&self, field: usize) -> bool {
        self.source.columns[field].is_some()
    }

    pub fn file(&self) -> &'a str {
        &self.source.file
    }

    pub fn style(&self) -> NumberStyle {
        self.source.style
    }

    pub fn first_cell(&self) -> Cow<'a, str> {
        decode(self.record.get(0).unwrap_or(&[]))
    }

    /// The raw fields, for a reject file.
    pub fn raw(&self) -> csv::ByteRecord {
        self.record.clone()
    }
}
