//! The documents last parsed on this thread (runs, the settings, users),
//! kept with their stored text.
//!
//! A save reads the run's document, the settings and the signed-in user; on
//! a terminal the next save reads the same texts again (or the text the save
//! before wrote). Parsing JSON into the model was an eighth of a save; the
//! memo answers a text it has seen with a copy of what it parsed, so a read
//! costs a comparison of the text and a clone. It keeps the 8 runs and 4
//! users used last, each under its id or login and the whole text read from
//! the database inside the caller's transaction, so another process's write
//! (a different text) is parsed anew: what the memo returns is always what
//! the stored text says.
//!
//! A document the store writes is remembered with the value it was written
//! from, which equals what parsing that text gives back (serde_json's
//! `float_roundtrip` makes every number read back exactly; debug builds, and
//! so every test, check the equality on each write).

use super::rows::from_doc;
use crate::domain::{Run, RunId, Settings, User};
use anyhow::Result;
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::thread::LocalKey;

/// Runs kept: a terminal works on a few runs at a time (a bench switches
/// between a few), and each parsed run is tens of kilobytes at most.
const RUNS_KEPT: usize = 8;
/// Users kept: the signed-in user and a signer or two.
const USERS_KEPT: usize = 4;

/// Up to `capacity` documents, the most recently used first, each with the
/// key it was read under, its stored text and what that text parses to.
struct Memo<K, T> {
    capacity: usize,
    kept: Vec<(K, String, T)>,
}

impl<K: PartialEq, T: Clone> Memo<K, T> {
    const fn new(capacity: usize) -> Self {
        Memo {
            capacity,
            kept: Vec::new(),
        }
    }

    fn get(&mut self, key: &K, doc: &str) -> Option<T> {
        let at = self.kept.iter().position(|(k, _, _)| k == key)?;
        if self.kept[at].1 != doc {
            return None;
        }
        let entry = self.kept.remove(at);
        let value = entry.2.clone();
        self.kept.insert(0, entry);
        Some(value)
    }

    fn put(&mut self, key: K, doc: &str, value: T) {
        self.kept.retain(|(k, _, _)| *k != key);
        self.kept.insert(0, (key, doc.to_string(), value));
        self.kept.truncate(self.capacity);
    }
}

type Slot<K, T> = RefCell<Memo<K, T>>;

thread_local! {
    static RUNS: Slot<RunId, Run> = const { RefCell::new(Memo::new(RUNS_KEPT)) };
    static SETTINGS: Slot<(), Settings> = const { RefCell::new(Memo::new(1)) };
    static USERS: Slot<String, User> = const { RefCell::new(Memo::new(USERS_KEPT)) };
}

/// Run `id` parsed from its stored document.
pub fn run(id: RunId, doc: &str) -> Result<Run> {
    parse(&RUNS, id, "run", doc)
}

/// The org settings parsed from their stored document.
pub fn settings(doc: &str) -> Result<Settings> {
    parse(&SETTINGS, (), "settings record", doc)
}

/// User `login` parsed from their stored document.
pub fn user(login: &str, doc: &str) -> Result<User> {
    parse(&USERS, login.to_string(), "user", doc)
}

/// Remembers `run` as what `doc`, just written from it, reads back as.
pub fn wrote_run(doc: &str, run: Run) {
    debug_assert_eq!(
        from_doc::<Run>("run", doc).ok().as_ref(),
        Some(&run),
        "a run document must read back as the run it was written from"
    );
    RUNS.with(|memo| memo.borrow_mut().put(run.id, doc, run));
}

fn parse<K: PartialEq, T: DeserializeOwned + Clone>(
    slot: &'static LocalKey<Slot<K, T>>,
    key: K,
    what: &str,
    doc: &str,
) -> Result<T> {
    if let Some(value) = slot.with(|memo| memo.borrow_mut().get(&key, doc)) {
        return Ok(value);
    }
    let value: T = from_doc(what, doc)?;
    slot.with(|memo| memo.borrow_mut().put(key, doc, value.clone()));
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
    fn the_least_recently_used_run_is_let_go() {
        let mut memo: Memo<RunId, u32> = Memo::new(2);
        memo.put(1, "a", 10);
        memo.put(2, "b", 20);
        assert_eq!(memo.get(&1, "a"), Some(10));
        memo.put(3, "c", 30);
        assert_eq!(memo.get(&2, "b"), None, "2 was used least recently");
        assert_eq!(memo.get(&1, "a"), Some(10));
        assert_eq!(memo.get(&3, "c"), Some(30));
        assert_eq!(
            memo.get(&3, "changed"),
            None,
            "another text is not the kept one"
        );
        memo.put(3, "changed", 31);
        assert_eq!(memo.get(&3, "changed"), Some(31));
        assert_eq!(memo.kept.len(), 2);
    }

    #[test]
    fn unreadable_text_is_an_error_even_after_a_good_one() {
        let doc = serde_json::to_string(&Settings::default()).expect("json");
        settings(&doc).expect("parse");
        assert!(settings("{not json").is_err());
        assert!(settings(&doc).is_ok());
    }
}
