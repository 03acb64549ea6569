//! The one place that turns SQLite's failures into sentences: what happened
//! to the database file, whether the action was saved, and what to do.
//! The CLI, the terminal and `traveler check` all word them through here.

use rusqlite::ffi::ErrorCode;
use std::path::Path;

/// `SQLITE_IOERR_WRITE`: a short write that was not "no space" (a file size
/// limit, a failing disk).
const IOERR_WRITE: i32 = 778;

/// The SQLite error code inside `e`, if it came from SQLite.
pub fn sqlite_code(e: &anyhow::Error) -> Option<rusqlite::ffi::Error> {
    e.chain().find_map(|cause| {
        cause
            .downcast_ref::<rusqlite::Error>()
            .and_then(|r| r.sqlite_error().copied())
    })
}

/// A sentence for a SQLite failure on the database at `path`, or `None`
/// when `e` is not one this module words (it is then shown as it is).
pub fn describe(e: &anyhow::Error, path: &Path) -> Option<String> {
    sqlite_code(e).and_then(|code| sentence(code, path))
}

/// As `describe`, for a SQLite error code.
pub fn sentence(code: rusqlite::ffi::Error, path: &Path) -> Option<String> {
    let db = path.display();
    Some(match code.code {
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => format!(
            "The database {db} is busy with another terminal's change; nothing was saved. Try again in a moment."
        ),
        ErrorCode::ReadOnly => format!(
            "The database {db} is read-only for traveler (the file, its folder, or its -wal and -shm files beside it cannot be written); nothing was saved. Make them writable by this user, or open a copy."
        ),
        ErrorCode::CannotOpen => format!(
            "Could not open the database {db}: its folder is missing or not writable, or the path is not a file. traveler needs to write the file and its -wal and -shm files beside it; make the folder writable or pass another path with --db."
        ),
        ErrorCode::PermissionDenied | ErrorCode::AuthorizationForStatementDenied => format!(
            "The system refused traveler access to the database {db}; nothing was saved. Check the file's owner and permissions."
        ),
        ErrorCode::DiskFull => format!(
            "The disk holding the database {db} is full; nothing was saved. Free space on it, then try again."
        ),
        ErrorCode::SystemIoFailure if code.extended_code == IOERR_WRITE => format!(
            "Could not write to the database {db} (the disk is full, failing, or a file size limit was reached); nothing was saved. Free space or check the disk, then try again."
        ),
        ErrorCode::SystemIoFailure => format!(
            "The disk failed while reading or writing the database {db} (I/O error {}); nothing was saved. Check the disk, then run `traveler check`.",
            code.extended_code
        ),
        ErrorCode::DatabaseCorrupt => format!(
            "The database {db} is damaged (SQLite found a malformed page). Stop using it: restore it from a backup, and run `traveler check` on the copy you keep."
        ),
        ErrorCode::NotADatabase => format!(
            "{db} is not a traveler database, or its header is damaged. Restore it from a backup or pass another file with --db."
        ),
        ErrorCode::OutOfMemory => format!(
            "The computer ran out of memory while working on the database {db}; nothing was saved. Close other programs and try again."
        ),
        ErrorCode::NoLargeFileSupport | ErrorCode::TooBig => format!(
            "The database {db} or a value in it is too large for this system; nothing was saved."
        ),
        _ => return None,
    })
}

/// Replaces a SQLite failure in `e` by its sentence; other errors pass through.
pub fn explain(e: anyhow::Error, path: &Path) -> anyhow::Error {
    match describe(&e, path) {
        Some(text) => anyhow::anyhow!(text),
        None => e,
    }
}

/// Why a path cannot hold a database before SQLite is asked: a device, a
/// folder or a pipe is not a file (SQLite would answer "disk I/O error").
pub fn refuse_non_file(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return None;
    }
    let what = if meta.is_dir() {
        "a folder"
    } else {
        "a device or pipe, not a file"
    };
    Some(format!(
        "{} is {what}; a traveler database is a regular file. Pass a file path with --db.",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite(extended: i32) -> anyhow::Error {
        anyhow::Error::from(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(extended),
            None,
        ))
        .context("saving the command")
    }

    fn worded(extended: i32) -> String {
        describe(&sqlite(extended), Path::new("shop.db")).unwrap_or_default()
    }

    #[test]
    fn every_file_failure_gets_a_sentence_naming_the_file() {
        // Primary and extended codes as SQLite returns them.
        for (code, expect) in [
            (5, "busy"),            // SQLITE_BUSY
            (6, "busy"),            // SQLITE_LOCKED
            (8, "read-only"),       // SQLITE_READONLY
            (1032, "read-only"),    // SQLITE_READONLY_DBMOVED
            (14, "Could not open"), // SQLITE_CANTOPEN
            (13, "is full"),        // SQLITE_FULL
            (778, "Could not write"),
            (1034, "I/O error 1034"), // SQLITE_IOERR_FSYNC
            (11, "damaged"),          // SQLITE_CORRUPT
            (26, "not a traveler database"),
            (7, "out of memory"),
        ] {
            let text = worded(code);
            assert!(text.contains(expect), "code {code}: {text}");
            assert!(text.contains("shop.db"), "code {code}: {text}");
            assert!(!text.contains("Error code"), "code {code}: {text}");
        }
    }

    #[test]
    fn failures_while_saving_say_nothing_was_saved() {
        for code in [5, 8, 13, 778, 1034, 7] {
            assert!(worded(code).contains("nothing was saved"), "code {code}");
        }
    }

    #[test]
    fn other_errors_pass_through_unchanged() {
        let constraint = sqlite(19); // SQLITE_CONSTRAINT: a bug, not the file
        assert_eq!(describe(&constraint, Path::new("x.db")), None);
        let plain = anyhow::anyhow!("A procedure file is missing its key.");
        let kept = explain(plain, Path::new("x.db"));
        assert_eq!(kept.to_string(), "A procedure file is missing its key.");
    }

    #[test]
    fn devices_and_folders_are_not_database_files() {
        let null = refuse_non_file(Path::new("/dev/null")).unwrap_or_default();
        assert!(null.contains("not a file"), "{null}");
        let dir = tempfile::tempdir().expect("dir");
        let folder = refuse_non_file(dir.path()).unwrap_or_default();
        assert!(folder.contains("a folder"), "{folder}");
        assert_eq!(refuse_non_file(&dir.path().join("new.db")), None);
    }
}
