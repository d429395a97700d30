//! Loading the catalogue: the files shipped in `queries/` (embedded in the binary), or a
//! directory named by the configuration. Any bad file stops the load with its location.

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{include_dir, Dir};

use super::header::MetricDef;

static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/queries");

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: metric {name:?} is already defined in {other}: rename one of them")]
    Duplicate {
        file: String,
        name: String,
        other: String,
    },
    #[error("{dir}: cannot read the metric directory: {source}")]
    Io { dir: String, source: std::io::Error },
    #[error("{dir}: no metric files (*.sql) found")]
    Empty { dir: String },
}

/// The checked catalogue of metrics, keyed by name.
#[derive(Debug, Clone)]
pub struct Registry {
    metrics: BTreeMap<String, MetricDef>,
}

impl Registry {
    /// The catalogue shipped with the binary (the repository's `queries/`).
    pub fn embedded() -> Result<Registry, RegistryError> {
        let files = EMBEDDED
            .files()
            .filter(|f| f.path().extension().is_some_and(|e| e == "sql"))
            .map(|f| {
                let name = format!("queries/{}", f.path().display());
                (name, f.contents_utf8().unwrap_or_default().to_string())
            });
        Registry::from_files(files, "queries/")
    }

    /// Every `*.sql` file of `dir`.
    pub fn load_dir(dir: &Path) -> Result<Registry, RegistryError> {
        let io = |source| RegistryError::Io {
            dir: dir.display().to_string(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            if path.extension().is_some_and(|e| e == "sql") {
                let text = std::fs::read_to_string(&path).map_err(io)?;
                files.push((path.display().to_string(), text));
            }
        }
        Registry::from_files(files, &dir.display().to_string())
    }

    pub fn from_files(
        files: impl IntoIterator<Item = (String, String)>,
        origin: &str,
    ) -> Result<Registry, RegistryError> {
        let mut files: Vec<_> = files.into_iter().collect();
        files.sort();
        let mut metrics: BTreeMap<String, MetricDef> = BTreeMap::new();
        for (file, text) in files {
            let def = MetricDef::parse(&file, &text)?;
            if let Some(other) = metrics.get(&def.name) {
                return Err(RegistryError::Duplicate {
                    file,
                    name: def.name,
                    other: other.file.clone(),
                });
            }
            metrics.insert(def.name.clone(), def);
        }
        if metrics.is_empty() {
            return Err(RegistryError::Empty {
                dir: origin.to_string(),
            });
        }
        Ok(Registry { metrics })
    }

    pub fn get(&self, name: &str) -> Option<&MetricDef> {
        self.metrics.get(name)
    }

    /// The metric called `text` by its name or one of its synonyms (case-insensitive).
    pub fn resolve(&self, text: &str) -> Option<&MetricDef> {
        let wanted = text.trim().to_lowercase();
        self.metrics
            .get(&wanted)
            .or_else(|| self.metrics.values().find(|m| m.synonyms.contains(&wanted)))
    }

    /// Up to `n` metric names closest to `text` (by name or synonym), best first.
    pub fn suggest(&self, text: &str, n: usize) -> Vec<&str> {
        let wanted = text.trim().to_lowercase();
        let mut scored: Vec<(f64, &str)> = self
            .metrics
            .values()
            .map(|m| {
                let best = std::iter::once(m.name.as_str())
                    .chain(m.synonyms.iter().map(String::as_str))
                    .map(|candidate| strsim::jaro_winkler(&wanted, candidate))
                    .fold(0.0, f64::max);
                (best, m.name.as_str())
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        scored.into_iter().take(n).map(|(_, name)| name).collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = &MetricDef> {
        self.metrics.values()
    }

    pub fn len(&self) -> usize {
        self.metrics.len()
    }

    pub fn is_empty(&self) -> bool {
        self.metrics.is_empty()
    }
}
