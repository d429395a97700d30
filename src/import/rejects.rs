//! The reject file of `--on-error quarantine`: the refused rows exactly as they were read,
//! under the file's own header, with one more column saying why. A user fixes the rows in
//! it and imports it again as it is (the extra column is ignored by every importer).

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::Context;
use csv::ByteRecord;

/// The column added to the original header.
pub const REASON_COLUMN: &str = "import_error";

pub struct RejectFile {
    pub path: PathBuf,
    writer: csv::Writer<File>,
    pub rows: u64,
}

/// `<dir>/<input stem>.rejected.csv`.
pub fn reject_path(input: &Path, dir: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".into());
    dir.join(format!("{stem}.rejected.csv"))
}

impl RejectFile {
    pub fn create(path: PathBuf, headers: &[String], delimiter: u8) -> anyhow::Result<RejectFile> {
        let file = File::create(&path)
            .with_context(|| format!("failed to create the reject file {}", path.display()))?;
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_writer(file);
        let mut header: Vec<&str> = headers.iter().map(String::as_str).collect();
        header.push(REASON_COLUMN);
        writer
            .write_record(&header)
            .with_context(|| format!("failed to write {}", path.display()))?;
        Ok(RejectFile {
            path,
            writer,
            rows: 0,
        })
    }

    /// Writes the rows of one refused record (an order's rows, or one row) with the reason.
    pub fn write(&mut self, rows: &[ByteRecord], reason: &str) -> anyhow::Result<()> {
        let blank = ByteRecord::new();
        let rows = if rows.is_empty() {
            std::slice::from_ref(&blank)
        } else {
            rows
        };
        for row in rows {
            let mut out = row.clone();
            out.push_field(reason.as_bytes());
            self.writer
                .write_byte_record(&out)
                .with_context(|| format!("failed to write {}", self.path.display()))?;
            self.rows += 1;
        }
        Ok(())
    }

    pub fn finish(mut self) -> anyhow::Result<PathBuf> {
        self.writer
            .flush()
            .with_context(|| format!("failed to write {}", self.path.display()))?;
        Ok(self.path)
    }
}
