//! File fields: the file is copied into the attachments folder beside the
//! database, named by its SHA-256, so later edits to the original change nothing.

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Copies `source` into `<db>.attachments/<sha256>-<name>` and returns the
/// stored path and the hash.
pub fn store_attachment(db_path: &Path, source: &Path) -> Result<(PathBuf, String)> {
    let bytes = std::fs::read(source)
        .with_context(|| format!("Could not read the file {}", source.display()))?;
    let sha = hex::encode(Sha256::digest(&bytes));
    let mut dir = db_path.as_os_str().to_owned();
    dir.push(".attachments");
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("Could not create the attachments folder {}", dir.display()))?;
    let name = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".to_string());
    let target = dir.join(format!("{}-{name}", &sha[..16]));
    if !target.exists() {
        std::fs::write(&target, &bytes)
            .with_context(|| format!("Could not write the attachment {}", target.display()))?;
    }
    Ok((target, sha))
}
