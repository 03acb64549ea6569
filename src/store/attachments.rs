//! File fields: the file is copied into the attachments folder beside the
//! database, named by its SHA-256, so later edits to the original change
//! nothing. The copy is staged first and kept only if the command that names
//! it is accepted; attachments are readable by their owner only (0600).

use super::bounded_file::{copy_bounded, open_regular, SizeLimit};
use super::execute::execute_in;
use super::{ExecError, Store};
use crate::domain::{Event, Request};
use anyhow::{anyhow, Context, Result};
use rusqlite::TransactionBehavior;
use sha2::{Digest, Sha256};
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The station default for `max_attachment_mb`.
pub const DEFAULT_MAX_ATTACHMENT_MB: u32 = 50;

/// A file copied beside the database under a temporary name, waiting for
/// its command to be accepted; dropped unkept, it is removed.
#[derive(Debug)]
pub struct StagedAttachment {
    temp: PathBuf,
    target: PathBuf,
    sha256: String,
}

impl StagedAttachment {
    /// Where the attachment will live once kept (the value the field records).
    pub fn stored_path(&self) -> &Path {
        &self.target
    }

    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Moves the copy to its final name. The name is the content's hash, so
    /// an existing file of that name already holds the same bytes.
    fn keep(&self) -> Result<()> {
        if self.target.exists() {
            return Ok(());
        }
        std::fs::rename(&self.temp, &self.target)
            .with_context(|| format!("Could not store the attachment {}", self.target.display()))
    }
}

impl Drop for StagedAttachment {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.temp);
    }
}

fn attachments_dir(db_path: &Path) -> PathBuf {
    let mut dir = db_path.as_os_str().to_owned();
    dir.push(".attachments");
    PathBuf::from(dir)
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .with_context(|| format!("Could not create the attachments folder {}", dir.display()))
}

/// A new file only its owner may read and write.
fn create_private_file(path: &Path) -> Result<std::fs::File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .with_context(|| format!("Could not write the attachment {}", path.display()))
}

impl Store {
    /// The most an attachment may hold (the station's `max_attachment_mb`).
    pub fn set_max_attachment_mb(&mut self, megabytes: u32) {
        self.max_attachment_mb = megabytes;
    }

    /// Copies `source` (a regular file within the size limit) beside the
    /// database under a temporary name, hashing it on the way.
    pub fn stage_attachment(&self, source: &Path) -> Result<StagedAttachment> {
        let limit = SizeLimit {
            megabytes: self.max_attachment_mb,
            setting: "max_attachment_mb",
        };
        let file = open_regular(source, "The file", limit)?;
        let dir = attachments_dir(&self.path);
        create_private_dir(&dir)?;
        let temp = dir.join(format!(".staged-{}", uuid::Uuid::new_v4()));
        let mut staged = StagedAttachment {
            temp: temp.clone(),
            target: PathBuf::new(),
            sha256: String::new(),
        };
        let mut out = create_private_file(&temp)?;
        let mut hasher = Sha256::new();
        copy_bounded(
            file,
            |chunk| {
                hasher.update(chunk);
                out.write_all(chunk)
                    .with_context(|| format!("Could not write the attachment {}", temp.display()))
            },
            "The file",
            source,
            limit,
        )?;
        out.sync_all()
            .with_context(|| format!("Could not write the attachment {}", temp.display()))?;
        let sha = hex::encode(hasher.finalize());
        let name = source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".to_string());
        staged.target = dir.join(format!("{}-{name}", &sha[..16]));
        staged.sha256 = sha;
        Ok(staged)
    }

    /// Like `execute`, for the command that names `staged`: the attachment is
    /// kept only if the command is accepted, before its transaction commits.
    pub fn execute_attaching(
        &mut self,
        req: Request,
        staged: StagedAttachment,
    ) -> Result<Vec<Event>, ExecError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let events = execute_in(&tx, req)?.events;
        staged
            .keep()
            .map_err(|e| ExecError::Failed(anyhow!("{e:#}; nothing was saved.")))?;
        tx.commit()?;
        Ok(events)
    }
}
