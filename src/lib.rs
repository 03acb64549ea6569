//! traveler: a shop-floor execution terminal.
pub mod domain;
