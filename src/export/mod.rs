//! `run export`: the record of a build as JSON, CSV or one HTML page, and
//! a batch of runs' values as CSV. Gathering is read-only (`record`); each
//! format is its own file; `write_new` puts a file in place atomically.

pub mod batch;
pub mod csv_out;
pub mod html;
pub mod record;

use anyhow::{anyhow, bail, Context, Result};
use std::io::Write;
use std::path::Path;

/// Writes `path` whole or not at all: into a temporary file beside it,
/// flushed to disk, then renamed into place. An existing file is refused
/// unless `force`; the check and the rename are one step (a file made
/// meanwhile is not replaced either).
pub fn write_new(
    path: &Path,
    force: bool,
    fill: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    if path.exists() && !force {
        bail!(
            "{} already exists; give another --out file, or add --force to replace it.",
            path.display()
        );
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".traveler-export-")
        .tempfile_in(dir)
        .with_context(|| format!("Could not write in {}", dir.display()))?;
    {
        let mut buffered = std::io::BufWriter::new(tmp.as_file_mut());
        fill(&mut buffered)?;
        buffered.flush()?;
    }
    tmp.as_file().sync_all()?;
    let placed = if force {
        tmp.persist(path).map(|_| ())
    } else {
        tmp.persist_noclobber(path).map(|_| ())
    };
    placed.map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            anyhow!(
                "{} already exists; give another --out file, or add --force to replace it.",
                path.display()
            )
        } else {
            anyhow!("Could not write {}: {}", path.display(), e.error)
        }
    })
}
