//! The run document's compact stored form. A run's empty lists and absent
//! values (no comments, no completion yet, no unit) are a third of its JSON;
//! left out, the document of a typical run fits in one database page
//! instead of spilling onto overflow pages that every save rewrites. The
//! fields that may be left out say so with `omit_none` / `omit_empty` and
//! read back as empty (`#[serde(default)]`); they are left out only inside
//! [`compactly`], which the store uses for the documents it writes, so the
//! `--json` output and the audit events keep every key.

use std::cell::Cell;

thread_local! {
    static COMPACT: Cell<bool> = const { Cell::new(false) };
}

/// Runs `serialize` with empty values left out of the marked fields.
pub fn compactly<T>(serialize: impl FnOnce() -> T) -> T {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            COMPACT.with(|c| c.set(self.0));
        }
    }
    let _reset = Reset(COMPACT.with(|c| c.replace(true)));
    serialize()
}

fn compact() -> bool {
    COMPACT.with(Cell::get)
}

/// `skip_serializing_if` for an `Option` field: absent in the stored form.
pub fn omit_none<T>(value: &Option<T>) -> bool {
    value.is_none() && compact()
}

/// `skip_serializing_if` for a list field: an empty one is absent in the stored form.
pub fn omit_empty<T>(value: &[T]) -> bool {
    value.is_empty() && compact()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Validation;

    #[test]
    fn empty_values_are_left_out_only_inside_compactly() {
        let v = Validation {
            min: Some(1.0),
            ..Validation::default()
        };
        let full = serde_json::to_string(&v).expect("json");
        assert_eq!(
            full,
            r#"{"min":1.0,"max":null,"target":null,"tolerance":null}"#
        );
        let compact = compactly(|| serde_json::to_string(&v)).expect("json");
        assert_eq!(compact, r#"{"min":1.0}"#);
        assert_eq!(serde_json::to_string(&v).expect("json"), full);
        let back: Validation = serde_json::from_str(&compact).expect("parse");
        assert_eq!(back, v);
    }

    #[test]
    fn a_panic_inside_compactly_does_not_leave_it_on() {
        let caught = std::panic::catch_unwind(|| compactly(|| panic!("inside")));
        assert!(caught.is_err());
        assert!(!compact());
    }
}
