//! traveler: a shop-floor execution terminal.
pub mod domain;
// The store joins the build once the domain's query helpers land.
// pub mod store;
