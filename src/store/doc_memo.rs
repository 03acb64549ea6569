//! The last document of each kind parsed on this thread, kept with its text.
//!
//! A save reads the run's document, the settings and the signed-in user; on
//! a terminal the next save reads the same texts again (or the text the save
//! before wrote). Parsing JSON into the model was an eighth of a save; the
//! memo answers a text it has seen with a copy of what it parsed, so a read
//! costs a comparison of the text and a clone. The key is the whole text
//! read from the database inside the caller's transaction, so another
//! process's write (a different text) is parsed anew: the memo can be stale
//! only in what it would save, never in what it returns.
//!
//! A document the store writes is remembered with the value it was written
//! from, which equals what parsing that text gives back (serde_json's
//! `float_roundtrip` makes every number read back exactly; debug builds, and
//! so every test, check the equality on each write).

use super::rows::from_doc;
use crate::domain::{Run, Settings, User};
use anyhow::Result;
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::thread::LocalKey;

type Slot<T> = RefCell<Option<(String, T)>>;

thread_local! {
    static RUN: Slot<Run> = const { RefCell::new(None) };
    static SETTINGS: Slot<Settings> = const { RefCell::new(None) };
    static USER: Slot<User> = const { RefCell::new(None) };
}

/// A run parsed from its stored document.
pub fn run(doc: &str) -> Result<Run> {
    parse(&RUN, "run", doc)
}

/// The org settings parsed from their stored document.
pub fn settings(doc: &str) -> Result<Settings> {
    parse(&SETTINGS, "settings record", doc)
}

/// A user parsed from their stored document.
pub fn user(doc: &str) -> Result<User> {
    parse(&USER, "user", doc)
}

/// Remembers `run` as what `doc`, just written from it, reads back as.
pub fn wrote_run(doc: &str, run: Run) {
    debug_assert_eq!(
        from_doc::<Run>("run", doc).ok().as_ref(),
        Some(&run),
        "a run document must read back as the run it was written from"
    );
    RUN.with(|slot| *slot.borrow_mut() = Some((doc.to_string(), run)));
}

fn parse<T: DeserializeOwned + Clone>(
    slot: &'static LocalKey<Slot<T>>,
    what: &str,
    doc: &str,
) -> Result<T> {
    let known = slot.with(|s| match &*s.borrow() {
        Some((text, value)) if text == doc => Some(value.clone()),
        _ => None,
    });
    if let Some(value) = known {
        return Ok(value);
    }
    let value: T = from_doc(what, doc)?;
    slot.with(|s| *s.borrow_mut() = Some((doc.to_string(), value.clone())));
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_different_text_is_parsed_anew() {
        let first = Settings::default();
        let doc = serde_json::to_string(&first).expect("json");
        assert_eq!(settings(&doc).expect("parse"), first);
        let changed = Settings {
            lockout_attempts: first.lockout_attempts + 7,
            ..first.clone()
        };
        let other = serde_json::to_string(&changed).expect("json");
        assert_eq!(settings(&other).expect("parse"), changed);
        assert_eq!(settings(&doc).expect("parse"), first);
    }

    #[test]
    fn unreadable_text_is_an_error_even_after_a_good_one() {
        let doc = serde_json::to_string(&Settings::default()).expect("json");
        settings(&doc).expect("parse");
        assert!(settings("{not json").is_err());
        assert!(settings(&doc).is_ok());
    }
}
