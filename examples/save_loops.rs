//! Saves in loops of their own, beside a loop of bare 2-row transactions:
//! the other way of reading `traveler bench`'s save rows (which time the
//! bare transaction between the saves). Works on a copy of a database the
//! generator made (`cargo run --release --example generate -- copy.db 1000`);
//! it adds runs to it.
//!
//! `cargo run --release --example save_loops -- copy.db [saves per loop]`

use anyhow::{bail, Context, Result};
use std::time::{Duration, Instant};
use traveler::bench::{baseline::BareTxn, ops, timing::median};
use traveler::store::Store;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(db) = args.next() else {
        bail!("Give a generated database to add runs to: save_loops COPY.db [SAVES]");
    };
    let saves: u64 = match args.next() {
        Some(n) => n.parse().context("SAVES is a whole number")?,
        None => 200,
    };
    let mut store = Store::open(std::path::Path::new(&db))?;
    let scratch = tempfile::tempdir()?;
    let mut bare = BareTxn::open(&scratch.path().join("bare.db"))?;
    let heavy = ops::heavy_run(&store)?;
    for round in 1..=3 {
        let mut bare_times = Vec::new();
        for _ in 0..saves {
            let began = Instant::now();
            bare.once()?;
            bare_times.push(began.elapsed());
        }
        let mut fresh = Vec::new();
        for i in 0..saves {
            let serial = format!("LOOP-{}-{round}-{i:05}", std::process::id());
            let run = ops::fresh_run(&mut store, &serial)?;
            let began = Instant::now();
            ops::save_value(&mut store, run, i, false)?;
            fresh.push(began.elapsed());
        }
        let mut long = Vec::new();
        for i in 0..saves {
            let began = Instant::now();
            ops::save_value(&mut store, heavy, i, true)?;
            long.push(began.elapsed());
        }
        let (b, f, l) = (
            median(&mut bare_times),
            median(&mut fresh),
            median(&mut long),
        );
        let times = |d: Duration| d.as_secs_f64() / b.as_secs_f64();
        println!(
            "round {round}: bare {b:?}, fresh run {f:?} ({:.1}x), run with many values {l:?} ({:.1}x)",
            times(f),
            times(l)
        );
    }
    Ok(())
}
