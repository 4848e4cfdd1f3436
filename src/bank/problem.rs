//! What is wrong with a bank, where, and how to fix it.
//!
//! Invariant: every problem names a file and a 1-based line and column, so an author
//! can jump straight to it (a problem with a folder or a link as a whole names only the
//! path, with line 0); the checker collects them all instead of stopping at one.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub file: PathBuf,
    /// 1-based; 0 for a problem with a folder or a link as a whole.
    pub line: u64,
    pub column: u64,
    /// The id of the item, passage, entry, motion or prompt concerned, when known.
    pub item: Option<String>,
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: ", self.file.display())?;
        } else {
            write!(f, "{}:{}:{}: ", self.file.display(), self.line, self.column)?;
        }
        if let Some(id) = &self.item {
            write!(f, "[{id}] ")?;
        }
        write!(f, "{}", self.message)?;
        if !self.hint.is_empty() {
            write!(f, "\n    hint: {}", self.hint)?;
        }
        Ok(())
    }
}

/// Every problem a check found; `Display` prints them one per line and a count.
#[derive(Debug, Clone, Default)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.0 {
            writeln!(f, "{p}")?;
        }
        let n = self.0.len();
        write!(f, "{n} problem{}", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Problems {}
