//! The import boundary's errors: every one names the file and, when it can, the line and
//! column (1-based, as a spreadsheet shows them), the value found, what was expected, and how
//! to fix it. They are what a user sees on `insight-desk import`, so they are short, start with
//! the place that failed, and end with a remedy.

use std::path::Path;

/// What went wrong with one cell, before the caller knows where the cell is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// What the cell should have held, e.g. "an amount such as 12.50 or 12,50".
    pub expected: String,
}

impl CellError {
    pub fn expected(what: impl Into<String>) -> CellError {
        CellError {
            expected: what.into(),
        }
    }
}

/// Where in a file a problem is: line (1-based, counting physical lines as an editor does)
/// and column (1-based field index) with its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub line: u64,
    pub column: usize,
    pub header: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: cannot read the file: {source}; check the path and its permissions")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}:{line}: {problem}; {fix}")]
    Header {
        file: String,
        line: u64,
        problem: String,
        fix: String,
    },
    /// Boxed: the details are many strings, and `Result<_, ImportError>` is on every cell's
    /// path.
    #[error("{0}")]
    Cell(Box<CellProblem>),
    #[error("{file}:{line}: {problem}; {fix}")]
    Row {
        file: String,
        line: u64,
        problem: String,
        fix: String,
    },
}

/// A cell that does not hold what its column should.
#[derive(Debug)]
pub struct CellProblem {
    pub file: String,
    pub line: u64,
    pub column: usize,
    pub header: String,
    pub value: String,
    pub expected: String,
    pub fix: String,
}

impl std::fmt::Display for CellProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: column {:?} holds {:?}, expected {}; {}",
            self.file, self.line, self.column, self.header, self.value, self.expected, self.fix
        )
    }
}

/// The remedy every cell and row error ends with.
pub const ROW_FIX: &str =
    "correct the file (or re-export it), or pass --on-error quarantine to import the other rows";

impl ImportError {
    pub fn io(file: &Path, source: std::io::Error) -> ImportError {
        ImportError::Io {
            file: file.display().to_string(),
            source,
        }
    }

    pub fn cell(file: &str, place: &Place, value: &str, error: CellError) -> ImportError {
        let shown: String = value.chars().take(60).collect();
        ImportError::Cell(Box::new(CellProblem {
            file: file.to_string(),
            line: place.line,
            column: place.column,
            header: place.header.clone(),
            value: shown,
            expected: error.expected,
            fix: ROW_FIX.to_string(),
        }))
    }

    pub fn row(file: &str, line: u64, problem: impl Into<String>) -> ImportError {
        ImportError::Row {
            file: file.to_string(),
            line,
            problem: problem.into(),
            fix: ROW_FIX.to_string(),
        }
    }

    /// The message without the file name, for the reason column of a reject file.
    pub fn reason(&self) -> String {
        match self {
            ImportError::Cell(c) => format!(
                "line {} column {} ({}): {:?} is not {}",
                c.line, c.column, c.header, c.value, c.expected
            ),
            ImportError::Row { line, problem, .. } | ImportError::Header { line, problem, .. } => {
                format!("line {line}: {problem}")
            }
            ImportError::Io { source, .. } => source.to_string(),
        }
    }

    /// True for errors that concern one row (quarantine can set them aside); false for
    /// errors that make the whole file unreadable.
    pub fn is_row_level(&self) -> bool {
        matches!(self, ImportError::Cell(_) | ImportError::Row { .. })
    }
}
