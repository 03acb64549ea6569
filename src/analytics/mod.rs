//! The reports: pure computations over the plain structs the store's report
//! queries return (`store::report_queries`). No IO here.

pub mod cycle_time;
pub mod spans;
pub mod spc;
pub mod statistics;
