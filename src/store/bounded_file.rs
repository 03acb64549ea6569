//! Reading a file named by the person at the terminal: only a regular file,
//! and never more than a set number of bytes, so a device (`/dev/zero`), a
//! FIFO or a huge file cannot stall the terminal or fill the disk.

use anyhow::{anyhow, bail, Context, Result};
use std::fs::File;
use std::io::Read;
use std::path::Path;

const MB: u64 = 1024 * 1024;

/// How much may be read, and the station setting that says so (named in the
/// refusal so the person knows what to change).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SizeLimit {
    pub megabytes: u32,
    pub setting: &'static str,
}

impl SizeLimit {
    pub fn bytes(&self) -> u64 {
        u64::from(self.megabytes) * MB
    }

    fn refusal(&self, what: &str, path: &Path) -> anyhow::Error {
        anyhow!(
            "{what} {} is larger than the limit of {} MB ({} in the station config).",
            path.display(),
            self.megabytes,
            self.setting
        )
    }
}

/// What a path is when it is not a regular file, in words.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a pipe (FIFO)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// Opens `path` for reading if it is a regular file no larger than `limit`.
/// The type is checked before opening (opening a FIFO would wait for a
/// writer) and again on the open file.
pub fn open_regular(path: &Path, what: &str, limit: SizeLimit) -> Result<File> {
    let shown = path.display();
    let meta =
        std::fs::metadata(path).map_err(|e| anyhow!("Could not read {what} {shown}: {e}."))?;
    if !meta.is_file() {
        bail!(
            "{what} {shown} is {}; give the path of an ordinary file.",
            kind_of(&meta)
        );
    }
    if meta.len() > limit.bytes() {
        return Err(limit.refusal(what, path));
    }
    let file = File::open(path).map_err(|e| anyhow!("Could not read {what} {shown}: {e}."))?;
    let meta = file
        .metadata()
        .with_context(|| format!("Could not read {what} {shown}"))?;
    if !meta.is_file() {
        bail!(
            "{what} {shown} is {}; give the path of an ordinary file.",
            kind_of(&meta)
        );
    }
    Ok(file)
}

/// Copies at most `limit` bytes from `reader` to `sink`; more is refused
/// (a file that grew after it was checked).
pub fn copy_bounded(
    reader: impl Read,
    mut sink: impl FnMut(&[u8]) -> Result<()>,
    what: &str,
    path: &Path,
    limit: SizeLimit,
) -> Result<u64> {
    let mut bounded = reader.take(limit.bytes() + 1);
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = bounded
            .read(&mut buf)
            .map_err(|e| anyhow!("Could not read {what} {}: {e}.", path.display()))?;
        if n == 0 {
            return Ok(total);
        }
        total += n as u64;
        if total > limit.bytes() {
            return Err(limit.refusal(what, path));
        }
        sink(&buf[..n])?;
    }
}

/// The whole text of a small regular file, refused past `limit`.
pub fn read_text(path: &Path, what: &str, limit: SizeLimit) -> Result<String> {
    let file = open_regular(path, what, limit)?;
    let mut bytes = Vec::new();
    copy_bounded(
        file,
        |chunk| {
            bytes.extend_from_slice(chunk);
            Ok(())
        },
        what,
        path,
        limit,
    )?;
    String::from_utf8(bytes).map_err(|_| anyhow!("{what} {} is not UTF-8 text.", path.display()))
}
